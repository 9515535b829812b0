// Ctrl-C and --resume through the CLI: SIGINT (SIGTERM) stops a run at a
// batch boundary with a checkpoint and exit code 130 (143); --resume continues it in
// place to the same result as an uninterrupted run.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_runner.hpp"
#include "json_reader.hpp"

namespace bitrec {
namespace {

namespace fs = std::filesystem;
using testing::FlatJson;
using testing::run_bitrec;
using testing::slurp;

std::string temp_dir(const std::string& name) { return testing::cli_temp_path("bitrec_resume", name); }

// Big enough that an epoch takes a few seconds, so SIGINT lands mid-run.
const char* kData = "--data synthetic:users=6000,items=4000,clusters=8,per_user=40 --method hash-ste --dim 32 "
                    "--eval-every 1 --threads 2 --topk 20";

// Starts a long training run into `dir` and sends it `signal_name` (INT, TERM)
// 1 s after training started, mid-epoch; the status is bitrec's own.
testing::CliResult train_and_signal(const std::string& dir, const char* signal_name) {
  const std::string out = dir + ".out", err = dir + ".err";
  const std::string command = std::string(BITREC_BINARY) + " train " + kData + " --epochs 1000 --out " + dir + " >" +
                              out + " 2>" + err + " </dev/null & pid=$!; n=0; while ! grep -q '^setup' " + err +
                              " && [ $n -lt 600 ]; do sleep 0.1; n=$((n+1)); done; sleep 1; kill -" + signal_name +
                              " $pid; wait $pid";
  const int status = std::system(command.c_str());
  testing::CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

TEST(ResumeCli, CtrlCWritesACheckpointAndResumeFinishesTheRunLikeAnUninterruptedOne) {
  const std::string stopped = temp_dir("stopped");
  const testing::CliResult interrupted = train_and_signal(stopped, "INT");
  ASSERT_EQ(interrupted.exit_code, 130) << interrupted.err;
  EXPECT_NE(interrupted.out.find("continue with: bitrec train --resume"), std::string::npos) << interrupted.out;
  ASSERT_TRUE(fs::exists(stopped + "/checkpoint.bin"));
  const FlatJson report(slurp(stopped + "/report.json"));
  EXPECT_EQ(report.text("status"), "interrupted");
  const int epochs_done = static_cast<int>(report.number("epochs"));
  const int target = epochs_done + 1;

  // Options other than --epochs/--threads/--device are refused on resume.
  const testing::CliResult refused = run_bitrec("train --resume " + stopped + " --lr 0.1", "refused");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--lr: cannot be set with --resume"), std::string::npos) << refused.err;

  const testing::CliResult resumed =
      run_bitrec("train --resume " + stopped + " --epochs " + std::to_string(target) + " --threads 1", "resumed");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const FlatJson done(slurp(stopped + "/report.json"));
  EXPECT_EQ(done.text("status"), "finished");

  const std::string whole = temp_dir("whole");
  const testing::CliResult straight =
      run_bitrec(std::string("train ") + kData + " --epochs " + std::to_string(target) + " --out " + whole, "whole");
  ASSERT_EQ(straight.exit_code, 0) << straight.err;
  const FlatJson reference(slurp(whole + "/report.json"));
  for (const char* key : {"metrics.hamming.recall@20", "metrics.hamming.ndcg@20", "metrics.real.recall@20",
                          "final_loss", "codes.distinct_items", "best.epoch"}) {
    EXPECT_EQ(done.text(key), reference.text(key)) << key;
  }
  // Nothing was trained twice: the epochs line up.
  EXPECT_EQ(done.number("epochs"), target);
  fs::remove_all(stopped);
  fs::remove_all(whole);
}

// SIGTERM (timeout, kill, a batch scheduler) stops the run as cleanly as
// Ctrl-C: a resumable checkpoint in place, no staging folder left, exit 143.
TEST(ResumeCli, SigtermStopsAtABatchBoundaryWithACheckpoint) {
  const std::string stopped = temp_dir("terminated");
  const testing::CliResult terminated = train_and_signal(stopped, "TERM");
  ASSERT_EQ(terminated.exit_code, 143) << terminated.err;
  EXPECT_NE(terminated.out.find("continue with: bitrec train --resume"), std::string::npos) << terminated.out;
  ASSERT_TRUE(fs::exists(stopped + "/checkpoint.bin"));
  EXPECT_EQ(FlatJson(slurp(stopped + "/report.json")).text("status"), "interrupted");
  // RunDirectory stages into ".<name>.partial-<pid>" beside the run folder.
  const std::string staging_prefix = "." + fs::path(stopped).filename().string() + ".partial";
  for (const auto& entry : fs::directory_iterator(fs::path(stopped).parent_path())) {
    EXPECT_EQ(entry.path().filename().string().find(staging_prefix), std::string::npos)
        << "staging folder left behind: " << entry.path();
  }
  fs::remove_all(stopped);
}

TEST(ResumeCli, AFinishedRunNeedsMoreEpochsToResume) {
  const std::string run = temp_dir("finished");
  ASSERT_EQ(run_bitrec("train --data synthetic:users=100,items=80,clusters=2,per_user=6 --epochs 2 --out " + run,
                       "finished")
                .exit_code,
            0);
  const testing::CliResult again = run_bitrec("train --resume " + run, "again");
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("give --epochs N > 2"), std::string::npos) << again.err;
  fs::remove_all(run);
}

}  // namespace
}  // namespace bitrec

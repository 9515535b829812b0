// Runs that survive kills and races: SIGKILL mid-epoch loses at most the
// time since the last checkpoint and --resume then ends bit for bit as the
// uninterrupted run; two processes on one --out; a folder that appears at
// --out while a run trains is never replaced.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "fault_util.hpp"
#include "json_reader.hpp"

namespace bitrec {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::fault_dir;
using testing::FlatJson;
using testing::folder_names;
using testing::run_bitrec;
using testing::shell;
using testing::slurp;
using testing::write_text;

// A few seconds per epoch on one thread: long enough to kill mid-epoch.
const std::string kData =
    "--data synthetic:users=6000,items=4000,clusters=8,per_user=40 --method hash-ste --dim 32 --eval-every 1 "
    "--threads 1 --topk 20 ";

// Starts `train ARGS --out OUT` in the background, waits until the staging
// folder beside OUT holds a checkpoint (and `then` more seconds), then sends
// `signal` and waits for the process.
CliResult train_until_checkpoint_then_signal(const std::string& args, const std::string& out, double then,
                                             const std::string& signal, const std::string& tag) {
  const fs::path target(out);
  const std::string staged = target.parent_path().string() + "/." + target.filename().string() + ".partial-*/checkpoint.bin";
  return shell("err=$(mktemp); $B train " + args + " --out " + out + " 2>$err & pid=$!\n"
               "n=0; while ! ls " + staged + " >/dev/null 2>&1 && [ $n -lt 2400 ]; do sleep 0.05; n=$((n+1)); done\n"
               "sleep " + std::to_string(then) + "; kill -" + signal + " $pid; wait $pid; rc=$?; cat $err >&2; rm -f $err; exit $rc",
               tag);
}

// Starts `train ARGS` in the background, waits until it has set up (holds
// its --out), runs `meanwhile` (bash; `$pid` is the run), then waits for the
// run unless `meanwhile` already did. The run's stderr follows the script's.
CliResult while_training(const std::string& args, const std::string& meanwhile, const std::string& tag) {
  return shell("err=$(mktemp); $B train " + args + " 2>$err & pid=$!\n"
               "n=0; while ! grep -q '^setup' $err && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done\n" +
               meanwhile + "\nwait $pid 2>/dev/null; rc=$?; cat $err >&2; rm -f $err; exit $rc",
               tag);
}

void expect_same_result(const std::string& run, const std::string& reference) {
  const FlatJson a(slurp(run + "/report.json")), b(slurp(reference + "/report.json"));
  for (const char* key : {"metrics.hamming.recall@20", "metrics.hamming.ndcg@20", "metrics.real.recall@20",
                          "final_loss", "codes.distinct_items", "best.epoch", "epochs"}) {
    EXPECT_EQ(a.text(key), b.text(key)) << key;
  }
  EXPECT_EQ(slurp(run + "/metrics.jsonl").size() > 0, true);
}

bool has_staging(const std::string& parent) {
  for (const std::string& name : folder_names(parent)) {
    if (name.find(".partial") != std::string::npos) return true;
  }
  return false;
}

TEST(KillResumeFaults, SigkillAfterAnEpochThenResumeMatchesTheUninterruptedRun) {
  const std::string base = fault_dir("sigkill");
  const std::string run = base + "/run", whole = base + "/whole";
  const CliResult killed = train_until_checkpoint_then_signal(kData + "--epochs 3", run, 0.3, "KILL", "sigkill");
  EXPECT_NE(killed.exit_code, 0);
  EXPECT_FALSE(fs::exists(run)) << "a killed run was committed";
  ASSERT_TRUE(has_staging(base)) << "the killed run left no checkpoint";

  // A fresh run on the same --out is refused: the killed one can be resumed.
  const CliResult fresh = run_bitrec("train " + kData + "--epochs 3 --out " + run, "sigkill_fresh");
  EXPECT_EQ(fresh.exit_code, 2);
  EXPECT_NE(fresh.err.find("--resume"), std::string::npos) << fresh.err;

  const CliResult resumed = run_bitrec("train --resume " + run, "sigkill_resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("killed run"), std::string::npos) << resumed.err;
  EXPECT_EQ(resumed.err.find("resume hash-ste from epoch 0,"), std::string::npos) << resumed.err;  // lost < 1 epoch
  EXPECT_NE(resumed.err.find("resume hash-ste from epoch "), std::string::npos) << resumed.err;
  EXPECT_FALSE(has_staging(base));
  ASSERT_EQ(run_bitrec("train " + kData + "--epochs 3 --out " + whole, "sigkill_whole").exit_code, 0);
  expect_same_result(run, whole);
  fs::remove_all(base);
}

TEST(KillResumeFaults, SigkillMidEpochResumesFromTheTimedCheckpointBitForBit) {
  const std::string base = fault_dir("midepoch");
  const std::string run = base + "/run", whole = base + "/whole";
  // A checkpoint at the first batch boundary after every ~10 ms: the kill
  // lands after several of them inside epoch 1.
  const CliResult killed =
      train_until_checkpoint_then_signal(kData + "--epochs 3 --checkpoint-every 0.0002", run, 0.3, "KILL", "midepoch");
  EXPECT_NE(killed.exit_code, 0);
  ASSERT_TRUE(has_staging(base));
  const CliResult resumed = run_bitrec("train --resume " + run, "midepoch_resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("resume hash-ste from epoch "), std::string::npos) << resumed.err;
  EXPECT_EQ(resumed.err.find(", batch 0,"), std::string::npos) << "no mid-epoch checkpoint: " << resumed.err;
  ASSERT_EQ(run_bitrec("train " + kData + "--epochs 3 --out " + whole, "midepoch_whole").exit_code, 0);
  expect_same_result(run, whole);
  fs::remove_all(base);
}

TEST(KillResumeFaults, TimedCheckpointsDoNotChangeTheRun) {
  const std::string base = fault_dir("timed");
  const std::string a = base + "/a", b = base + "/b";
  const std::string small = "--data synthetic:users=400,items=300,clusters=4,per_user=12 --method recall-hash "
                            "--dim 32 --epochs 2 --eval-every 1 --threads 1 --user-batch 32 ";
  ASSERT_EQ(run_bitrec("train " + small + "--checkpoint-every 0 --out " + a, "timed_a").exit_code, 0);
  const CliResult often = run_bitrec("train " + small + "--checkpoint-every 0.000001 --out " + b, "timed_b");
  ASSERT_EQ(often.exit_code, 0) << often.err;
  expect_same_result(b, a);
  fs::remove_all(base);
}

TEST(KillResumeFaults, ASecondRunOnTheSameOutIsRefusedAtStart) {
  const std::string base = fault_dir("concurrent");
  const std::string run = base + "/run";
  // The first run holds --out; the second is started while it trains.
  const CliResult both = while_training(kData + "--epochs 50 --out " + run,
                                        "$B train " + kData + "--epochs 1 --out " + run + " --overwrite; second=$?\n"
                                        "kill -INT $pid; wait $pid; echo \"$? $second\"",
                                        "concurrent");
  ASSERT_GE(both.out.size(), 6u);
  EXPECT_EQ(both.out.substr(both.out.size() - 6), "130 2\n") << both.out << both.err;
  EXPECT_NE(both.err.find("another bitrec process"), std::string::npos) << both.err;
  EXPECT_EQ(FlatJson(slurp(run + "/report.json")).text("status"), "interrupted");
  EXPECT_EQ(folder_names(base), std::vector<std::string>{"run"});
  fs::remove_all(base);
}

TEST(KillResumeFaults, AFolderThatAppearsAtOutMeanwhileIsNeverReplaced) {
  const std::string base = fault_dir("appeared");
  const std::string run = base + "/run";
  const CliResult r = while_training(kData + "--epochs 2 --out " + run,
                                     "mkdir " + run + " && echo mine > " + run + "/notes.txt", "appeared");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(run + "/notes.txt"), "mine\n");
  EXPECT_EQ(folder_names(run), std::vector<std::string>{"notes.txt"});
  EXPECT_NE(r.err.find("changed while this run was written"), std::string::npos) << r.err;
  // The run is kept beside it, and the message's folder is where it is.
  int siblings = 0;
  for (const std::string& name : folder_names(base)) {
    if (name.rfind("run-", 0) == 0) {
      ++siblings;
      EXPECT_TRUE(fs::exists(base + "/" + name + "/checkpoint.bin"));
      EXPECT_NE(r.out.find(base + "/" + name), std::string::npos) << r.out;
    }
  }
  EXPECT_EQ(siblings, 1);
  fs::remove_all(base);
}

}  // namespace
}  // namespace bitrec

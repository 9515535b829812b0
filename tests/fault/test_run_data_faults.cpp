// Runs remember what they read: a run trained with a relative --data stores
// the absolute path and a fingerprint of the files; eval, export, query and
// train --resume find the data from another directory, refuse changed data
// naming the file (rc 2) and go on with --allow-changed-data (a warning).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "bitrec/checkpoint.hpp"
#include "cli_runner.hpp"
#include "json_reader.hpp"

namespace fs = std::filesystem;
using bitrec::testing::CliResult;
using bitrec::testing::FlatJson;
using bitrec::testing::slurp;

namespace {

// bitrec run with `cwd` as its working directory.
CliResult run_in(const std::string& cwd, const std::string& args, const std::string& tag) {
  return bitrec::testing::run_bitrec_after("cd '" + cwd + "' &&", args, tag);
}

// A small LightGCN folder: 30 users, 20 items.
void write_lightgcn(const fs::path& dir) {
  fs::create_directories(dir);
  std::ofstream train(dir / "train.txt"), test(dir / "test.txt");
  for (int u = 0; u < 30; ++u) {
    train << u;
    for (int k = 0; k < 5; ++k) train << ' ' << (u * 3 + k * 4) % 20;
    train << '\n';
    test << u << ' ' << (u * 3 + 2) % 20 << '\n';
  }
}

class RunDataFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = bitrec::testing::cli_temp_path("bitrec_rundata", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    work_ = root_ + "/work";
    elsewhere_ = root_ + "/elsewhere";
    fs::create_directories(elsewhere_);
    write_lightgcn(work_ + "/good");
    // Trained from work_ with --data as typed: a relative path.
    const CliResult train = run_in(work_,
                                   "train --data good --method hash-ste --dim 8 --epochs 1 --eval-every 1 "
                                   "--topk 5 --threads 2 --out run",
                                   "rundata_train");
    ASSERT_EQ(train.exit_code, 0) << train.err;
    run_ = work_ + "/run";
  }
  void TearDown() override { fs::remove_all(root_); }
  void change_train_file() {
    std::ofstream(work_ + "/good/train.txt", std::ios::app) << "0 19\n";
  }
  std::string root_, work_, elsewhere_, run_;
};

TEST_F(RunDataFaults, RunStoresTheAbsolutePathAndAFingerprint) {
  const FlatJson report(slurp(run_ + "/report.json"));
  EXPECT_EQ(report.text("config.data"), work_ + "/good");
  const std::string fingerprint = report.text("config.data-fingerprint");
  EXPECT_NE(fingerprint.find("train.txt size="), std::string::npos) << fingerprint;
  EXPECT_NE(fingerprint.find("test.txt size="), std::string::npos) << fingerprint;
  EXPECT_NE(fingerprint.find("fnv1a64="), std::string::npos) << fingerprint;
  const bitrec::Checkpoint ck = bitrec::load_checkpoint(run_ + "/checkpoint.bin");
  EXPECT_EQ(ck.config.data, work_ + "/good");
  EXPECT_EQ(ck.config.data_fingerprint, fingerprint);
}

TEST_F(RunDataFaults, EvalExportQueryAndResumeFindTheDataFromAnotherDirectory) {
  const CliResult eval = run_in(elsewhere_, "eval --model " + run_ + " --threads 2", "rundata_eval");
  EXPECT_EQ(eval.exit_code, 0) << eval.err;
  const CliResult query = run_in(elsewhere_, "query --model " + run_ + " --user 3 -k 3 --threads 2", "rundata_query");
  EXPECT_EQ(query.exit_code, 0) << query.err;
  const CliResult exported =
      run_in(elsewhere_, "export --model " + run_ + " --out exp --what codes --threads 2", "rundata_export");
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  const CliResult resumed = run_in(elsewhere_, "train --resume " + run_ + " --epochs 2 --threads 2", "rundata_resume");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(bitrec::load_checkpoint(run_ + "/checkpoint.bin").state.epochs_done, 2);
}

TEST_F(RunDataFaults, ChangedDataIsRefusedNamingTheFileUnlessAllowed) {
  change_train_file();
  for (const std::string& command : {std::string("eval --model ") + run_ + " --threads 2",
                                     std::string("query --model ") + run_ + " --user 3 -k 3 --threads 2",
                                     std::string("export --model ") + run_ + " --out exp --what codes --threads 2",
                                     std::string("train --resume ") + run_ + " --epochs 2 --threads 2"}) {
    SCOPED_TRACE(command);
    const CliResult refused = run_in(elsewhere_, command, "rundata_changed");
    EXPECT_EQ(refused.exit_code, 2) << refused.err;
    EXPECT_EQ(refused.err.rfind("bitrec: error:", 0), 0u) << refused.err;
    EXPECT_NE(refused.err.find("train.txt was "), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("--allow-changed-data"), std::string::npos) << refused.err;
    EXPECT_EQ(refused.err.find("test.txt"), std::string::npos) << "test.txt did not change\n" << refused.err;
  }
  EXPECT_FALSE(fs::exists(elsewhere_ + "/exp"));
  EXPECT_EQ(bitrec::load_checkpoint(run_ + "/checkpoint.bin").state.epochs_done, 1);

  const CliResult eval = run_in(elsewhere_, "eval --model " + run_ + " --threads 2 --allow-changed-data", "rundata_allow");
  EXPECT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_NE(eval.err.find("warning:"), std::string::npos) << eval.err;
  EXPECT_NE(eval.err.find("train.txt"), std::string::npos) << eval.err;
  const CliResult resumed = run_in(
      elsewhere_, "train --resume " + run_ + " --epochs 2 --threads 2 --allow-changed-data", "rundata_allow_resume");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("warning:"), std::string::npos) << resumed.err;
}

TEST_F(RunDataFaults, SameContentElsewhereIsAccepted) {
  // The data moved: the stored path is gone, --data gives its new place.
  fs::rename(work_ + "/good", root_ + "/moved");
  const CliResult missing = run_in(elsewhere_, "eval --model " + run_ + " --threads 2", "rundata_missing");
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find(work_ + "/good"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("--data PATH"), std::string::npos) << missing.err;
  const CliResult moved =
      run_in(elsewhere_, "eval --model " + run_ + " --data ../moved --threads 2", "rundata_moved");
  EXPECT_EQ(moved.exit_code, 0) << moved.err;
}

// A run made before bitrec stored absolute paths and fingerprints: its
// relative --data is found from a folder above the run.
TEST_F(RunDataFaults, OldRunsRelativeDataIsFoundAboveTheRun) {
  bitrec::Checkpoint ck = bitrec::load_checkpoint(run_ + "/checkpoint.bin");
  ck.config.data = "good";
  ck.config.data_fingerprint.clear();
  bitrec::save_checkpoint(run_ + "/checkpoint.bin", ck);
  const CliResult here = run_in(work_, "eval --model run --threads 2", "rundata_old_here");
  EXPECT_EQ(here.exit_code, 0) << here.err;
  const CliResult above = run_in(elsewhere_, "eval --model " + run_ + " --threads 2", "rundata_old_above");
  EXPECT_EQ(above.exit_code, 0) << above.err;
  EXPECT_NE(above.err.find("found as " + work_ + "/good"), std::string::npos) << above.err;
}

}  // namespace

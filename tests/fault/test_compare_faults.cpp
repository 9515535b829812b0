// `bitrec compare` over run folders whose report.json was hand-edited or
// damaged: the table holds what the run's checkpoint says (re-evaluated,
// with a note naming the run and what was wrong), never the edited figure,
// and compare.json never turns a non-number into 0. A run whose checkpoint
// is unusable too is refused saying what to do, and --overwrite retrains it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "bitrec/checkpoint.hpp"
#include "cli_runner.hpp"
#include "json_reader.hpp"

namespace fs = std::filesystem;
using bitrec::testing::CliResult;
using bitrec::testing::FlatJson;
using bitrec::testing::run_bitrec;
using bitrec::testing::slurp;

namespace {

const char* kArgs =
    "--data synthetic:users=60,items=40,per_user=8 --methods hash-ste --bits 8 --epochs 1 --eval-every 1 "
    "--topk 20 --no-plot --threads 2";

class CompareFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = bitrec::testing::cli_temp_path("bitrec_cmpfault",
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    const CliResult first = compare("first");
    ASSERT_EQ(first.exit_code, 0) << first.err;
    run_ = out_ + "/hash-ste-8b";
    report_path_ = run_ + "/report.json";
    const FlatJson compare_json(slurp(out_ + "/compare.json"));
    recall_ = compare_json.text("runs[0].final.hamming.recall@20");
    ndcg_ = compare_json.text("runs[0].final.hamming.ndcg@20");
    balance_ = compare_json.text("runs[0].codes.bit_balance");
    table_ = slurp(out_ + "/compare.md");
  }
  void TearDown() override { fs::remove_all(out_); }

  CliResult compare(const std::string& tag, const std::string& extra = "") {
    return run_bitrec(std::string("compare ") + kArgs + " --out " + out_ + (extra.empty() ? "" : " " + extra),
                      "cmpfault_" + tag);
  }
  // Replaces the first match of `pattern` in report.json.
  void edit_report(const std::string& pattern, const std::string& replacement) {
    const std::string text = slurp(report_path_);
    const std::string edited = std::regex_replace(text, std::regex(pattern), replacement,
                                                  std::regex_constants::format_first_only);
    ASSERT_NE(edited, text) << pattern;
    std::ofstream(report_path_, std::ios::binary | std::ios::trunc) << edited;
  }
  // The compare after an edit: reused, a note naming the run and `problem`,
  // and the table and compare.json hold the checkpoint's figures.
  void expect_repaired(const std::string& tag, const std::string& problem) {
    const std::string edited = slurp(report_path_);
    const CliResult r = compare(tag);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("reusing the finished run"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("note: " + report_path_), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(problem), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("re-evaluated from " + run_ + "/checkpoint.bin"), std::string::npos) << r.err;
    const std::string json_text = slurp(out_ + "/compare.json");
    const FlatJson json(json_text);
    EXPECT_EQ(json.text("runs[0].final.hamming.recall@20"), recall_);
    EXPECT_EQ(json.text("runs[0].final.hamming.ndcg@20"), ndcg_);
    EXPECT_EQ(json.text("runs[0].codes.bit_balance"), balance_);
    EXPECT_EQ(json.text("runs[0].epochs"), "1");
    EXPECT_EQ(json_text.find("nan"), std::string::npos) << json_text;
    EXPECT_EQ(json_text.find("NaN"), std::string::npos) << json_text;
    EXPECT_EQ(slurp(out_ + "/compare.md"), table_);
    EXPECT_EQ(slurp(report_path_), edited) << "compare leaves the run's report as it found it";
  }

  std::string out_, run_, report_path_, recall_, ndcg_, balance_, table_;
};

TEST_F(CompareFaults, AnEditedRecallIsReplacedByTheCheckpointsFigure) {
  edit_report("\"recall@20\": [-0-9.e+]+", "\"recall@20\": 0.99999");
  expect_repaired("recall", "metrics.hamming.recall@20 is 0.99999");
  EXPECT_EQ(table_.find("0.99999"), std::string::npos);
}

TEST_F(CompareFaults, NaNIsNeverAcceptedNorWrittenAsZero) {
  edit_report("\"recall@20\": [-0-9.e+]+", "\"recall@20\": NaN");
  expect_repaired("nan", "'NaN' is not a JSON value");
}

TEST_F(CompareFaults, AnOverflowingCodeFigureIsNotCopied) {
  edit_report("\"bit_balance\": [-0-9.e+]+", "\"bit_balance\": 1e999");
  expect_repaired("inf", "codes.bit_balance is '1e999', not a finite number");
}

TEST_F(CompareFaults, AMetricOutsideZeroOneIsRefused) {
  // best.* holds the best epoch's figures: 1.5 is no recall at all.
  const FlatJson report(slurp(report_path_));
  ASSERT_TRUE(report.has("best.hamming.ndcg@20"));
  std::string text = slurp(report_path_);
  const size_t best = text.find("\"best\"");
  ASSERT_NE(best, std::string::npos);
  const std::regex ndcg("\"ndcg@20\": [-0-9.e+]+");
  std::smatch m;
  const std::string tail = text.substr(best);
  ASSERT_TRUE(std::regex_search(tail, m, ndcg));
  text.replace(best + static_cast<size_t>(m.position(0)), static_cast<size_t>(m.length(0)), "\"ndcg@20\": 1.5");
  std::ofstream(report_path_, std::ios::binary | std::ios::trunc) << text;
  expect_repaired("range", "best.hamming.ndcg@20 is 1.5, outside [0, 1]");
}

TEST_F(CompareFaults, EpochsThatDisagreeWithTheCheckpointAreRefused) {
  edit_report("\"epochs\": 1,", "\"epochs\": 7,");
  expect_repaired("epochs", "epochs is 7, its checkpoint has done 1");
}

TEST_F(CompareFaults, AMissingKeyIsNamed) {
  edit_report("\"train_seconds\": [-0-9.e+]+,", "");
  expect_repaired("missing", "train_seconds is absent");
}

TEST_F(CompareFaults, AMalformedReportIsRebuiltFromTheCheckpoint) {
  std::ofstream(report_path_, std::ios::binary | std::ios::trunc) << "{\"epochs\": ";
  expect_repaired("malformed", "bad JSON");
}

TEST_F(CompareFaults, BothDamagedIsRefusedSayingWhatToDoAndOverwriteRetrains) {
  std::ofstream(report_path_, std::ios::binary | std::ios::trunc) << "{";
  std::ofstream(run_ + "/checkpoint.bin", std::ios::binary | std::ios::trunc) << "not a checkpoint";
  const CliResult refused = compare("both");
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_EQ(refused.err.rfind("bitrec: error:", 0), 0u) << refused.err;
  EXPECT_NE(refused.err.find(run_ + "/checkpoint.bin"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("delete " + run_ + " or pass --overwrite to train it again"), std::string::npos)
      << refused.err;
  EXPECT_EQ(slurp(run_ + "/checkpoint.bin"), "not a checkpoint");

  const CliResult retrained = compare("both_overwrite", "--overwrite");
  ASSERT_EQ(retrained.exit_code, 0) << retrained.err;
  EXPECT_NE(retrained.err.find("training again"), std::string::npos) << retrained.err;
  EXPECT_EQ(bitrec::load_checkpoint(run_ + "/checkpoint.bin").state.epochs_done, 1);
  const FlatJson report(slurp(report_path_));
  EXPECT_EQ(report.text("status"), "finished");
  const FlatJson json(slurp(out_ + "/compare.json"));
  EXPECT_EQ(json.text("runs[0].final.hamming.recall@20"), recall_);  // same seed, same run
}

}  // namespace

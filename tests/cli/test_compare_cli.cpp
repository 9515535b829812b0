// bitrec compare end to end: the table is the runs' own report.json figures,
// the runs are the ones `bitrec train` makes, a rerun reuses finished runs,
// bad options leave nothing behind, and a missing matplotlib costs only the
// PNG.
#include <gtest/gtest.h>


#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "json_reader.hpp"

namespace fs = std::filesystem;
using bitrec::testing::CliResult;
using bitrec::testing::FlatJson;
using bitrec::testing::run_bitrec;
using bitrec::testing::slurp;

namespace {

const char* kData = "--data synthetic:users=300,items=200,clusters=5,per_user=15 --threads 2";
// 2 methods x 2 code lengths, 2 epochs each, both evaluated (best != final is possible).
const char* kCompare = "--methods hash-ste,recall-hash --bits 16,32 --epochs 2 --eval-every 1 --no-plot";
const std::vector<std::string> kRuns{"hash-ste-16b", "hash-ste-32b", "recall-hash-16b", "recall-hash-32b"};

std::string temp_path(const std::string& name) { return bitrec::testing::cli_temp_path("bitrec_compare", name); }

std::string compare_command(const std::string& out, const std::string& extra = "") {
  return std::string("compare ") + kData + " " + kCompare + " --out " + out + (extra.empty() ? "" : " " + extra);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string cell(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5f", v);
  return buf;
}

// One compare shared by the tests of this fixture.
struct CompareCli : bitrec::testing::SharedCliRun<CompareCli> {
  static constexpr const char* kName = "compare";
  static std::string command(const std::string& out) { return compare_command(out); }
};

TEST_F(CompareCli, TableHoldsExactlyTheRunsReportFigures) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  for (size_t i = 0; i < kRuns.size(); ++i) {
    const std::string progress = "run " + std::to_string(i + 1) + " of 4: " + kRuns[i];
    EXPECT_NE(result_->err.find(progress), std::string::npos) << progress << "\n" << result_->err;
  }
  const FlatJson compare(slurp(*out_ + "/compare.json"));
  const std::string table = slurp(*out_ + "/compare.md");
  EXPECT_EQ(result_->out.find("| method |"), std::string::npos) << "stdout shows the narrow table, not compare.md's";
  EXPECT_FALSE(fs::exists(*out_ + "/compare.png"));  // --no-plot
  EXPECT_EQ(compare.text("topk[0]"), "20");
  for (size_t i = 0; i < kRuns.size(); ++i) {
    const std::string dir = *out_ + "/" + kRuns[i];
    for (const char* file : {"checkpoint.bin", "report.json", "metrics.jsonl"}) {
      EXPECT_TRUE(fs::exists(dir + "/" + file)) << dir << "/" << file;
    }
    const FlatJson report(slurp(dir + "/report.json"));
    const std::string run = "runs[" + std::to_string(i) + "].";
    EXPECT_EQ(compare.text(run + "name"), kRuns[i]);
    EXPECT_EQ(compare.text(run + "method"), report.text("method"));
    EXPECT_EQ(compare.text(run + "bits"), report.text("bits"));
    EXPECT_EQ(compare.number(run + "bytes_per_item"), report.number("bits") / 8);
    EXPECT_EQ(compare.text(run + "epochs"), report.text("epochs"));
    EXPECT_EQ(compare.text(run + "train_seconds"), report.text("train_seconds"));
    EXPECT_EQ(compare.text(run + "best_epoch"), report.text("best.epoch"));
    EXPECT_EQ(compare.text(run + "mode"), "hamming");
    // Every metric of the report, final and best, digit for digit.
    size_t metrics = 0;
    for (const auto& [key, value] : report.values()) {
      for (const std::string mode : {"hamming.", "real.", "hier."}) {
        if (key.rfind("metrics." + mode, 0) == 0) {
          EXPECT_EQ(compare.text(run + "final." + key.substr(8)), value) << kRuns[i] << " " << key;
          ++metrics;
        }
        if (key.rfind("best." + mode, 0) == 0) {
          EXPECT_EQ(compare.text(run + "best." + key.substr(5)), value) << kRuns[i] << " " << key;
          ++metrics;
        }
      }
    }
    EXPECT_GE(metrics, 2u * 3u * 3u * 3u) << kRuns[i];  // final+best x 3 modes x 3 K x >= 3 metrics
    // The Markdown row: method, bits, bytes, mode, then per K recall, ndcg,
    // best recall, best ndcg, hier recall.
    std::string row = "| " + report.text("method") + " | " + report.text("bits") + " | " +
                      std::to_string(static_cast<int>(report.number("bits")) / 8) + " | hamming |";
    for (const char* k : {"@20", "@50", "@100"}) {
      row += " " + cell(report.number(std::string("metrics.hamming.recall") + k)) + " | " +
             cell(report.number(std::string("metrics.hamming.ndcg") + k)) + " | " +
             cell(report.number(std::string("best.hamming.recall") + k)) + " | " +
             cell(report.number(std::string("best.hamming.ndcg") + k)) + " | " +
             cell(report.number(std::string("metrics.hier.recall") + k)) + " |";
    }
    row += " " + report.text("best.epoch") + " | ";
    EXPECT_NE(table.find(row), std::string::npos) << row << "\n" << table;
    EXPECT_NE(table.find(" | " + report.text("epochs") + " |\n", table.find(row)), std::string::npos);
  }
}

// The terminal table: at most 8 columns and 100 characters a line, one row
// per run with its final recall@20/ndcg@20 (4 decimals), best epoch and
// s/epoch; the wide table stays in compare.md.
TEST_F(CompareCli, TerminalTableIsNarrow) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const std::string& out = result_->out;
  const size_t end = out.find("\ncomparison written to");
  ASSERT_NE(end, std::string::npos) << out;
  const size_t header = out.rfind("method ", 0) == 0 ? 0 : out.rfind("\nmethod ", end) + 1;
  ASSERT_EQ(out.compare(header, 7, "method "), 0) << out;
  std::vector<std::string> lines;
  for (size_t at = header; at < end;) {
    const size_t nl = out.find('\n', at);
    lines.push_back(out.substr(at, nl - at));
    at = nl + 1;
  }
  ASSERT_GE(lines.size(), 1 + kRuns.size()) << out;
  for (size_t i = 0; i <= kRuns.size(); ++i) {
    const std::string& line = lines[i];
    size_t width = 0;  // characters on screen ("–", "×" are one each)
    for (unsigned char c : line) width += (c & 0xC0) != 0x80;
    EXPECT_LE(width, 100u) << line;
  }
  std::vector<std::string> columns;
  for (size_t at = 0; at < lines[0].size();) {
    const size_t word = lines[0].find_first_not_of(' ', at);
    if (word == std::string::npos) break;
    size_t gap = lines[0].find("  ", word);
    if (gap == std::string::npos) gap = lines[0].size();
    columns.push_back(lines[0].substr(word, gap - word));
    at = gap;
  }
  EXPECT_EQ(columns, (std::vector<std::string>{"method", "bits", "bytes/item", "mode", "recall@20", "ndcg@20",
                                               "best epoch", "s/epoch"}))
      << lines[0];
  EXPECT_NE(out.find(*out_ + "/compare.md"), std::string::npos) << "names the wide table\n" << out;
  for (size_t i = 0; i < kRuns.size(); ++i) {
    const FlatJson report(slurp(*out_ + "/" + kRuns[i] + "/report.json"));
    char recall[32], ndcg[32];
    std::snprintf(recall, sizeof recall, "%.4f", report.number("metrics.hamming.recall@20"));
    std::snprintf(ndcg, sizeof ndcg, "%.4f", report.number("metrics.hamming.ndcg@20"));
    const std::string row = lines[1 + i];
    EXPECT_EQ(row.rfind(report.text("method") + " ", 0), 0u) << row;
    EXPECT_NE(row.find(" " + report.text("bits") + " "), std::string::npos) << row;
    // recall@20 then ndcg@20, the next column over.
    const size_t at = row.find(std::string(" ") + recall + " ");
    ASSERT_NE(at, std::string::npos) << recall << "\n" << row;
    const size_t next = row.find_first_not_of(' ', at + 1 + std::string(recall).size());
    EXPECT_EQ(row.compare(next, std::string(ndcg).size() + 1, std::string(ndcg) + " "), 0) << ndcg << "\n" << row;
    EXPECT_NE(row.find(" " + report.text("best.epoch") + " "), std::string::npos) << row;
  }
}

TEST_F(CompareCli, RunsAreWhatTrainMakesAndEvalReadsThem) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const std::string single = temp_path("single");
  const CliResult train = run_bitrec(std::string("train ") + kData +
                                         " --method recall-hash --dim 32 --epochs 2 --eval-every 1 --out " + single,
                                     "single");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const FlatJson alone(slurp(single + "/report.json"));
  const FlatJson in_compare(slurp(*out_ + "/recall-hash-32b/report.json"));
  size_t compared = 0;
  for (const auto& [key, value] : alone.values()) {
    const bool timing_or_place = key.find("seconds") != std::string::npos || key.rfind("memory.", 0) == 0 ||
                                 key == "config.out" || key == "config.overwrite";
    if (timing_or_place) continue;
    EXPECT_EQ(in_compare.text(key), value) << key;
    ++compared;
  }
  EXPECT_GT(compared, 50u);
  fs::remove_all(single);

  const CliResult eval = run_bitrec("eval --json --model " + *out_ + "/hash-ste-16b", "eval");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const FlatJson evaluated(eval.out);
  const FlatJson report(slurp(*out_ + "/hash-ste-16b/report.json"));
  EXPECT_EQ(evaluated.text("metrics.hamming.recall@20"), report.text("metrics.hamming.recall@20"));
}

TEST_F(CompareCli, RerunReusesFinishedRunsAndTrainsOnlyWhatIsMissing) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const std::string table = slurp(*out_ + "/compare.md");
  const auto checkpoint_time = fs::last_write_time(*out_ + "/hash-ste-16b/checkpoint.bin");

  const CliResult again = run_bitrec(compare_command(*out_), "again");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(count(again.err, "reusing the finished run"), 4u) << again.err;
  EXPECT_EQ(fs::last_write_time(*out_ + "/hash-ste-16b/checkpoint.bin"), checkpoint_time);
  EXPECT_EQ(slurp(*out_ + "/compare.md"), table);

  // A run made before an option existed (its report lacks the key) trained as
  // the option's default does: it is reused, not refused.
  const std::string report_path = *out_ + "/hash-ste-16b/report.json";
  std::string report = slurp(report_path);
  const std::string key = "\"dcg-weight\": \"0\",";
  const size_t at = report.find(key);
  ASSERT_NE(at, std::string::npos) << report;
  report.erase(at, key.size());
  std::ofstream(report_path, std::ios::binary) << report;
  const CliResult older = run_bitrec(compare_command(*out_), "older");
  ASSERT_EQ(older.exit_code, 0) << older.err;
  EXPECT_EQ(count(older.err, "reusing the finished run"), 4u) << older.err;

  // An interrupted compare leaves some runs: only the missing one is trained.
  const FlatJson before(slurp(*out_ + "/compare.json"));
  fs::remove_all(*out_ + "/recall-hash-16b");
  const CliResult fill = run_bitrec(compare_command(*out_), "fill");
  ASSERT_EQ(fill.exit_code, 0) << fill.err;
  EXPECT_EQ(count(fill.err, "reusing the finished run"), 3u) << fill.err;
  EXPECT_NE(fill.err.find("run 3 of 4: recall-hash-16b (recall-hash, 16-bit codes): training"), std::string::npos)
      << fill.err;
  const FlatJson after(slurp(*out_ + "/compare.json"));
  for (const auto& [key, value] : before.values()) {
    if (key.find("seconds") != std::string::npos) continue;
    EXPECT_EQ(after.text(key), value) << key;
  }
  const std::string filled_table = slurp(*out_ + "/compare.md");

  // Another config in the same folder is refused, naming the run and what differs.
  const CliResult other = run_bitrec(std::string("compare ") + kData +
                                         " --methods hash-ste,recall-hash --bits 16,32 --epochs 3 --eval-every 1 "
                                         "--no-plot --out " + *out_,
                                     "other");
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("hash-ste-16b: holds a run with another config (differs in: epochs)"), std::string::npos)
      << other.err;
  EXPECT_NE(other.err.find("--overwrite"), std::string::npos) << other.err;
  EXPECT_EQ(slurp(*out_ + "/compare.md"), filled_table);
  EXPECT_EQ(fs::last_write_time(*out_ + "/hash-ste-16b/checkpoint.bin"), checkpoint_time);
}

TEST(CompareCliErrors, BadOptionsFailNamingTheOptionAndLeaveNothing) {
  const std::string out = temp_path("bad");
  // Every case would train for a second at most if its check were missing.
  const std::vector<std::pair<std::string, std::string>> cases{
      {"--methods hash-ste,nope --epochs 1", "--methods: unknown method 'nope' (allowed: lightgcn, hash-ste, recall-hash"},
      {"--methods '' --epochs 1", "--methods: give at least one method"},
      {"--epochs 1", "--methods: give at least one method"},
      {"--methods hash-ste,hash-ste --epochs 1", "--methods: 'hash-ste' is listed twice"},
      {"--methods hash-ste --bits 0 --epochs 1", "--bits: 0 is out of range"},
      {"--methods hash-ste --bits 32,x --epochs 1", "--bits: 'x' is not a whole number of bits"},
      {"--methods hash-ste --bits 32,,64 --epochs 1", "--bits: empty entry"},
      {"--methods hash-ste --bits 8192 --epochs 1", "--bits: 8192 is out of range"},
      {"--methods hash-ste --epochs 0", "--epochs: 0 is out of range (must be a whole number in [1, 1000000])"},
      {"--methods lightgcn --dim 0 --epochs 1", "--dim: 0 is out of range (must be a whole number in [1, 4096])"},
      {"--methods hash-ste --topk 20,x --epochs 1", "--topk:"},
      {"--methods hash-ste --device tpu --epochs 1", "--device: unknown value 'tpu'"},
      {"--methods hash-ste --valid-frac 1 --epochs 1", "--valid-frac:"},
      {"--methods hash-ste --max-memory 1K --epochs 1", "--max-memory: this run needs"},
      {"--methods hash-ste --protocol paper --valid-frac 0.1 --epochs 1", "--protocol paper: trains on the whole"},
      {"--methods hash-ste --protocol best --epochs 1", "--protocol"},
  };
  for (const auto& [args, message] : cases) {
    const CliResult r = run_bitrec(std::string("compare ") + kData + " " + args + " --out " + out, "bad");
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << "\n" << r.err;
    EXPECT_FALSE(fs::exists(out)) << args;
  }
  const CliResult no_out = run_bitrec(std::string("compare ") + kData + " --methods hash-ste", "no_out");
  EXPECT_EQ(no_out.exit_code, 2);
  EXPECT_NE(no_out.err.find("--out: give the folder"), std::string::npos) << no_out.err;

  const CliResult bad_data = run_bitrec("compare --methods hash-ste --data " + out + "_missing --out " + out, "data");
  EXPECT_EQ(bad_data.exit_code, 2);
  EXPECT_NE(bad_data.err.find("--data"), std::string::npos) << bad_data.err;
  EXPECT_FALSE(fs::exists(out));

  // A single run's folder is not a comparison folder.
  fs::create_directories(out);
  { std::FILE* f = std::fopen((out + "/report.json").c_str(), "w"); std::fclose(f); }
  const CliResult single = run_bitrec(std::string("compare ") + kData + " --methods hash-ste --out " + out, "single");
  EXPECT_EQ(single.exit_code, 2);
  EXPECT_NE(single.err.find("holds a single run"), std::string::npos) << single.err;
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1);
  fs::remove_all(out);
}

// --protocol paper: every run on the whole train split, tested every 5
// epochs, best test epoch, ndcg_hit over the top 1000, and the table says so.
TEST(CompareCliProtocol, PaperProtocolIsAppliedToEveryRunAndNamed) {
  const std::string out = temp_path("paper");
  const CliResult r = run_bitrec(std::string("compare ") + kData +
                                     " --methods lightgcn,recall-hash --bits 16 --dim 16 --epochs 5 --protocol paper "
                                     "--no-plot --out " + out,
                                 "paper");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FlatJson table(slurp(out + "/compare.json"));
  EXPECT_EQ(table.text("protocol.name"), "paper");
  EXPECT_EQ(table.text("protocol.best_selected_on"), "test");
  EXPECT_EQ(table.number("protocol.kmax"), 1000);
  EXPECT_EQ(table.number("protocol.eval_every"), 5);
  for (const char* run : {"lightgcn-d16", "recall-hash-16b"}) {
    const FlatJson report(slurp(out + "/" + run + "/report.json"));
    EXPECT_EQ(report.number("dataset.valid"), 0) << run;
    EXPECT_TRUE(report.has("paper.epoch")) << run;
  }
  EXPECT_NE(slurp(out + "/compare.md").find("the papers' protocol: whole train split, tested every 5 epochs"),
            std::string::npos);
  fs::remove_all(out);
}

// The PNG needs python3 + matplotlib; without them compare still succeeds,
// with the table complete and a warning saying how to draw it later.
TEST(CompareCliPlot, WithoutMatplotlibTheTableIsCompleteAndTheWarningSaysHowToPlot) {
  const std::string out = temp_path("noplot");
  setenv("BITREC_PYTHON", "/nonexistent/python3", 1);
  const CliResult r = run_bitrec(std::string("compare ") + kData + " --methods lightgcn --dim 16 --epochs 1 --out " + out,
                                 "noplot");
  unsetenv("BITREC_PYTHON");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: compare.png not drawn"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tools/compare/plot_compare.py " + out + "/compare.json " + out + "/compare.png"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out + "/compare.png"));
  const std::string table = slurp(out + "/compare.md");
  EXPECT_NE(table.find("| lightgcn | 32-bit floats × 16 | 64 | real |"), std::string::npos) << table;
  EXPECT_TRUE(fs::exists(out + "/lightgcn-d16/checkpoint.bin"));
  fs::remove_all(out);
}

TEST(CompareCliPlot, DrawsThePngWhenMatplotlibIsThere) {
  if (std::system("python3 -c 'import matplotlib' >/dev/null 2>&1") != 0 &&
      std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "no python3 with matplotlib (Debian: python3-matplotlib)";
  }
  const std::string out = temp_path("plot");
  const CliResult r = run_bitrec(std::string("compare ") + kData +
                                     " --methods hash-ste,lightgcn --bits 8,16 --dim 8 --epochs 1 --topk 20 --out " + out,
                                 "plot");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  ASSERT_TRUE(fs::exists(out + "/compare.png"));
  EXPECT_EQ(slurp(out + "/compare.png").substr(1, 3), "PNG");
  EXPECT_NE(r.out.find("compare.md compare.json compare.png"), std::string::npos) << r.out;
  fs::remove_all(out);
}

}  // namespace

// The bitrec program end to end: train, eval, info, errors, and that a
// saved run re-evaluates to exactly the figures in its report.
#include <gtest/gtest.h>


#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_runner.hpp"
#include "json_reader.hpp"

namespace fs = std::filesystem;
using bitrec::testing::CliResult;
using bitrec::testing::FlatJson;
using bitrec::testing::run_bitrec;
using bitrec::testing::slurp;

namespace {

const char* kSmallData = "synthetic:users=300,items=200,clusters=5,per_user=15";

std::string temp_path(const std::string& name) { return bitrec::testing::cli_temp_path("bitrec_cli", name); }

// One small hashed run shared by several tests.
struct TrainedRun : bitrec::testing::SharedCliRun<TrainedRun> {
  static constexpr const char* kName = "trained";
  static std::string command(const std::string& out) {
    return std::string("train --data ") + kSmallData +
           " --method hash-ste --epochs 6 --eval-every 3 --dim 32 --batch 512 --threads 2 --out " + out;
  }
};

TEST_F(TrainedRun, WritesTheContractFiles) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  EXPECT_TRUE(fs::exists(*out_ + "/checkpoint.bin"));
  const FlatJson report(slurp(*out_ + "/report.json"));
  for (const char* key : {"dataset.name", "dataset.users", "dataset.items", "dataset.train", "dataset.test", "method",
                          "config.lr", "config.method", "device.backend", "device.name", "train_device", "eval_device", "epochs", "bits",
                          "train_seconds", "eval_seconds", "kmax", "best.epoch", "best.selected_on",
                          "metrics.hamming.recall@20", "metrics.hamming.ndcg@50", "metrics.hamming.ndcg_hit@100",
                          "metrics.hamming.recall_tie@20", "metrics.hamming.ndcg_tie@100", "metrics.real.recall@20",
                          "metrics.hier.recall@20", "metrics.hier.ndcg_hit@100", "rerank",
                          "best.hamming.recall@20", "codes.distinct_items", "codes.bit_balance",
                          "codes.user_item_agreement"}) {
    EXPECT_TRUE(report.has(key)) << key;
  }
  EXPECT_EQ(report.text("method"), "hash-ste");
  EXPECT_EQ(report.number("bits"), 32);
  EXPECT_EQ(report.number("epochs"), 6);
  EXPECT_EQ(report.text("best.selected_on"), "test");
  // Evaluations at epochs 3 and 6: one metrics.jsonl line each.
  std::istringstream lines(slurp(*out_ + "/metrics.jsonl"));
  std::string line;
  std::vector<int> epochs;
  while (std::getline(lines, line)) epochs.push_back(static_cast<int>(FlatJson(line).number("epoch")));
  EXPECT_EQ(epochs, (std::vector<int>{3, 6}));
  EXPECT_NE(result_->out.find("recall_tie"), std::string::npos) << result_->out;
}

TEST_F(TrainedRun, EvalReproducesTheReportExactly) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const CliResult eval = run_bitrec("eval --json --model " + *out_, "eval_json");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const FlatJson again(eval.out);
  const FlatJson report(slurp(*out_ + "/report.json"));
  int compared = 0;
  for (const auto& [key, value] : report.values()) {
    if (key.rfind("metrics.", 0) != 0) continue;
    ASSERT_TRUE(again.has(key)) << key;
    EXPECT_EQ(again.text(key), value) << key;  // the same digits, not merely close
    ++compared;
  }
  EXPECT_EQ(compared, 3 * 3 * 3 + 3 * 2);  // (real + hamming + hier) x 3 K x 3 metrics + hamming tie metrics
}

TEST_F(TrainedRun, EvalHierReproducesTheReportExactly) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const FlatJson report(slurp(*out_ + "/report.json"));
  EXPECT_EQ(report.number("rerank"), 500);
  const CliResult eval = run_bitrec("eval --json --mode hier --model " + *out_, "eval_hier");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const FlatJson again(eval.out);
  int compared = 0;
  for (const auto& [key, value] : again.values()) {
    ASSERT_EQ(key.rfind("metrics.hier.", 0), 0u) << key;
    EXPECT_EQ(value, report.text(key)) << key;  // the same digits
    ++compared;
  }
  EXPECT_EQ(compared, 3 * 3);  // recall, ndcg, ndcg_hit at 3 K; no tie metrics
  // 200 items < R = 500: every candidate is re-ranked, so hier is the real ranking.
  for (const char* metric : {"recall@20", "ndcg@50", "ndcg_hit@100"}) {
    EXPECT_EQ(report.text(std::string("metrics.hier.") + metric), report.text(std::string("metrics.real.") + metric));
  }
  // R = K = 100: the top 100 are the Hamming top-100 in another order.
  const CliResult shorter = run_bitrec("eval --json --mode hier --rerank 100 --model " + *out_, "eval_hier_r");
  ASSERT_EQ(shorter.exit_code, 0) << shorter.err;
  EXPECT_EQ(FlatJson(shorter.out).text("metrics.hier.recall@100"), report.text("metrics.hamming.recall@100"));
  const CliResult bad = run_bitrec("eval --mode hier --rerank 50 --model " + *out_, "eval_hier_bad");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--rerank 50 must be >= the largest --topk value 100"), std::string::npos) << bad.err;
}

TEST_F(TrainedRun, DumpTopkHasOneRankedLinePerTestUser) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const std::string dump = temp_path("dump.txt");
  const CliResult eval = run_bitrec("eval --model " + *out_ + " --mode hamming --topk 10 --dump-topk " + dump, "dump");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  std::istringstream lines(slurp(dump));
  std::string line;
  int users = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string field;
    int count = 0;
    while (fields >> field) ++count;
    EXPECT_EQ(count, 1 + 10) << line;
    ++users;
  }
  const FlatJson report(slurp(*out_ + "/report.json"));
  EXPECT_GT(users, 0);
  EXPECT_LE(users, report.number("dataset.users"));
}

TEST_F(TrainedRun, RefusesToOverwriteAnotherRun) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const std::string before = slurp(*out_ + "/report.json");
  const CliResult again = run_bitrec(std::string("train --data ") + kSmallData + " --epochs 1 --out " + *out_, "again");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("--overwrite"), std::string::npos) << again.err;
  EXPECT_EQ(slurp(*out_ + "/report.json"), before);
}

// --protocol paper: the whole train split, tested every 5 epochs, best test
// epoch, ndcg_hit over the top 1000, in report.json's labelled `paper` block.
TEST(Cli, PaperProtocolReportsTheBestTestEpochLabelled) {
  const std::string out = temp_path("paper_run");
  const CliResult r = run_bitrec(std::string("train --data ") + kSmallData +
                                     " --method recall-hash --epochs 10 --dim 16 --user-batch 64 --protocol paper "
                                     "--out " + out,
                                 "paper_run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FlatJson report(slurp(out + "/report.json"));
  EXPECT_EQ(report.number("dataset.valid"), 0);
  EXPECT_EQ(report.number("config.eval-every"), 5);
  EXPECT_EQ(report.number("kmax"), 1000);
  EXPECT_EQ(report.number("paper.eval_every"), 5);
  EXPECT_EQ(report.number("paper.kmax"), 1000);
  EXPECT_EQ(report.number("paper.epoch"), report.number("best.epoch"));
  EXPECT_EQ(report.number("paper.hamming.ndcg_hit@50"), report.number("best.hamming.ndcg_hit@50"));
  EXPECT_NE(report.text("paper.protocol").find("best test epoch"), std::string::npos);
  EXPECT_EQ(report.number("user_batch"), 64);  // given; the auto rule would give ⌈300/117⌉ = 3
  const CliResult refused = run_bitrec(std::string("train --data ") + kSmallData +
                                           " --protocol paper --valid-frac 0.1 --out " + temp_path("paper_refused"),
                                       "paper_refused");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--protocol paper: trains on the whole train split"), std::string::npos) << refused.err;
}

// --distill-from: a teacher run's items join the loss's positives; the
// config records the teacher, and a missing or mismatched teacher fails
// before any run folder exists.
TEST(Cli, DistillFromATeacherRunAndRefuseABadOne) {
  const std::string teacher = temp_path("distill_teacher");
  const CliResult t = run_bitrec(std::string("train --data ") + kSmallData +
                                     " --method lightgcn --epochs 2 --dim 24 --batch 512 --out " + teacher,
                                 "distill_teacher");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const std::string out = temp_path("distill_run");
  const CliResult r = run_bitrec(std::string("train --data ") + kSmallData +
                                     " --method recall-hash --epochs 2 --dim 16 --user-batch 64 --distill-from " +
                                     teacher + " --distill-top 4 --out " + out,
                                 "distill_run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FlatJson report(slurp(out + "/report.json"));
  EXPECT_EQ(report.text("config.distill-from"), fs::absolute(teacher).lexically_normal().string());
  EXPECT_EQ(report.number("config.distill-top"), 4);

  const std::string bad_out = temp_path("distill_bad");
  const CliResult missing = run_bitrec(std::string("train --data ") + kSmallData + " --method recall-hash --epochs 1 "
                                           "--distill-from " + temp_path("no_teacher") + " --out " + bad_out,
                                       "distill_missing");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no such run folder"), std::string::npos) << missing.err;
  const CliResult split = run_bitrec(std::string("train --data ") + kSmallData + " --method recall-hash --epochs 1 "
                                         "--valid-frac 0.1 --distill-from " + teacher + " --out " + bad_out,
                                     "distill_split");
  EXPECT_EQ(split.exit_code, 2);
  EXPECT_NE(split.err.find("the validation split must be the same"), std::string::npos) << split.err;
  const CliResult method = run_bitrec(std::string("train --data ") + kSmallData + " --method lightgcn --epochs 1 "
                                          "--distill-from " + teacher + " --out " + bad_out,
                                      "distill_method");
  EXPECT_EQ(method.exit_code, 2);
  EXPECT_NE(method.err.find("--distill-from: only with --method recall-hash"), std::string::npos) << method.err;
  EXPECT_FALSE(fs::exists(bad_out));
  const CliResult itself = run_bitrec(std::string("train --data ") + kSmallData + " --method recall-hash --epochs 1 "
                                          "--distill-from " + teacher + " --out " + teacher + " --overwrite",
                                      "distill_itself");
  EXPECT_EQ(itself.exit_code, 2);
  EXPECT_NE(itself.err.find("is this run's own --out"), std::string::npos) << itself.err;
  EXPECT_TRUE(fs::exists(teacher + "/checkpoint.bin"));  // the teacher is untouched

  // A resumed run refuses a teacher that changed since it began.
  const CliResult retrained = run_bitrec(std::string("train --data ") + kSmallData +
                                             " --method lightgcn --epochs 3 --dim 24 --batch 512 --overwrite --out " +
                                             teacher,
                                         "distill_teacher_again");
  ASSERT_EQ(retrained.exit_code, 0) << retrained.err;
  const CliResult resumed = run_bitrec("train --resume " + out + " --epochs 3", "distill_resume_changed");
  EXPECT_EQ(resumed.exit_code, 2);
  EXPECT_NE(resumed.err.find("the teacher has changed since this run began"), std::string::npos) << resumed.err;
}

TEST(Cli, ValidationSplitSelectsBestOnValidAndEvalStillReproduces) {
  const std::string out = temp_path("valid_run");
  const CliResult r = run_bitrec(std::string("train --data ") + kSmallData +
                                     " --method lightgcn --epochs 4 --eval-every 2 --dim 16 --batch 512 "
                                     "--valid-frac 0.2 --out " + out,
                                 "valid_run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FlatJson report(slurp(out + "/report.json"));
  EXPECT_EQ(report.text("best.selected_on"), "valid");
  EXPECT_TRUE(report.has("valid.real.recall@20"));
  EXPECT_TRUE(report.has("best.valid.real.recall@20"));
  EXPECT_GT(report.number("dataset.valid"), 0);
  EXPECT_FALSE(report.has("paper.epoch"));  // a validation run is never labelled with the papers' protocol
  // eval re-carves the same seeded split, so test rankings exclude the same items.
  const CliResult eval = run_bitrec("eval --json --model " + out, "valid_eval");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const FlatJson again(eval.out);
  for (const char* key : {"metrics.real.recall@20", "metrics.real.ndcg@100", "metrics.real.ndcg_hit@50"}) {
    EXPECT_EQ(again.text(key), report.text(key)) << key;
  }
  EXPECT_FALSE(report.has("metrics.hier.recall@20"));
  const CliResult hier = run_bitrec("eval --mode hier --model " + out, "valid_eval_hier");
  EXPECT_NE(hier.exit_code, 0);
  EXPECT_NE(hier.err.find("--mode hier: the run's method lightgcn has no codes"), std::string::npos) << hier.err;
}

TEST(Cli, VersionListsBackends) {
  const CliResult r = run_bitrec("--version", "version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("backends: cpu"), std::string::npos) << r.out;
}

TEST(Cli, TrainHelpListsEveryMethodAndEstimator) {
  const CliResult r = run_bitrec("train --help", "help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* name : {"lightgcn", "hash-ste", "ste", "ste-clip", "dropout-ste", "fourier", "signswish"}) {
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
  }
}

TEST(Cli, MissingDataFailsCleanlyAndWritesNothing) {
  const std::string out = temp_path("missing_data_out");
  const CliResult r = run_bitrec("train --data /nonexistent/bitrec-data --epochs 1 --out " + out, "missing");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/nonexistent/bitrec-data"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, BadTrainFileNamesFileAndLine) {
  const std::string dir = temp_path("bad_data");
  fs::create_directories(dir);
  std::ofstream(dir + "/train.txt") << "0 1 2\n1 2 x3\n";
  std::ofstream(dir + "/test.txt") << "0 3\n";
  const std::string out = temp_path("bad_data_out");
  const CliResult r = run_bitrec("train --data " + dir + " --epochs 1 --out " + out, "bad_data");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("train.txt:2"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, BadOptionValueIsRefused) {
  const CliResult r = run_bitrec("train --method nope --out " + temp_path("bad_method"), "bad_method");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("lightgcn"), std::string::npos) << r.err;
}

TEST(Cli, ConfigFileSetsOptions) {
  const std::string config = temp_path("config.toml");
  std::ofstream(config) << "method = \"lightgcn\"\nepochs = 2\ndim = 8\nbatch = 1024\n";
  const std::string out = temp_path("config_out");
  const CliResult r = run_bitrec("train --config " + config + " --data " + kSmallData + " --out " + out, "config");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FlatJson report(slurp(out + "/report.json"));
  EXPECT_EQ(report.text("method"), "lightgcn");
  EXPECT_EQ(report.text("config.dim"), "8");
  EXPECT_EQ(report.number("epochs"), 2);
}

TEST(Cli, InfoPrintsStatistics) {
  const CliResult r = run_bitrec(std::string("info --data ") + kSmallData, "info");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* what : {"users", "items", "train", "test", "density", "user degree", "item degree"}) {
    EXPECT_NE(r.out.find(what), std::string::npos) << what << "\n" << r.out;
  }
}

}  // namespace

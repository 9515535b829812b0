// `bitrec train --method gru4rec` end to end (docs/sessions.md): the same
// report and checkpoint on one thread and two, the refusals of the session
// flags (exit 2, nothing written), validation carved with --valid-sessions,
// and a model that learns a sequential pattern popularity cannot.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bitrec/checkpoint.hpp"
#include "bitrec/sessions.hpp"
#include "cli_runner.hpp"
#include "json_reader.hpp"
#include "test_data_util.hpp"

namespace bitrec::testing {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) { return cli_temp_path("bitrec_session_cli", name); }

// The lines of metrics.jsonl.
std::vector<FlatJson> metrics_lines(const std::string& run) {
  std::vector<FlatJson> lines;
  std::istringstream in(slurp(run + "/metrics.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.emplace_back(line);
  }
  return lines;
}

class SessionCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path("data");
    fs::create_directories(dir_);
    data_ = test::write_session_file(dir_, "clicks.tsv", 80, 40, /*walk=*/false, 11);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_, data_;
};

// --threads 1 and --threads 2: the same losses, metrics and parameters.
TEST_F(SessionCli, SameRunOnOneThreadAndTwo) {
  const std::string common = "train --method gru4rec --data " + data_ +
                             " --epochs 3 --eval-every 1 --batch 8 --layers 16,12 --n-sample 50 --momentum 0.2"
                             " --dropout-hidden 0.1 --dropout-embed 0.1 --logq 0.5 --topk 5,20";
  const std::string one = temp_path("one"), two = temp_path("two");
  const CliResult r1 = run_bitrec(common + " --threads 1 --out " + one, "session_threads1");
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  const CliResult r2 = run_bitrec(common + " --threads 2 --out " + two, "session_threads2");
  ASSERT_EQ(r2.exit_code, 0) << r2.err;

  const FlatJson a(slurp(one + "/report.json")), b(slurp(two + "/report.json"));
  EXPECT_EQ(a.text("method"), "gru4rec");
  EXPECT_EQ(a.text("config.threads"), "1");
  EXPECT_EQ(b.text("config.threads"), "2");
  EXPECT_EQ(a.text("final_loss"), b.text("final_loss"));
  int compared = 0;
  for (const auto& [key, value] : a.values()) {
    if (key.rfind("metrics.", 0) == 0 || key.rfind("best.", 0) == 0) {
      ASSERT_TRUE(b.has(key)) << key;
      EXPECT_EQ(value, b.text(key)) << key;
      ++compared;
    }
  }
  EXPECT_GE(compared, 2 * 7);  // recall, mrr, ndcg @5 and @20, predictions; twice
  EXPECT_GT(a.number("metrics.real.predictions"), 0.0);
  EXPECT_TRUE(a.has("metrics.real.mrr@5")) << "--topk 5,20 was given";
  const std::vector<FlatJson> la = metrics_lines(one), lb = metrics_lines(two);
  ASSERT_EQ(la.size(), 3u);
  ASSERT_EQ(lb.size(), 3u);
  for (size_t e = 0; e < la.size(); ++e) {
    EXPECT_EQ(la[e].text("loss"), lb[e].text("loss")) << "epoch " << e + 1;
    EXPECT_EQ(la[e].text("metrics.real.recall@20"), lb[e].text("metrics.real.recall@20")) << "epoch " << e + 1;
  }

  const Checkpoint ca = load_checkpoint(one + "/checkpoint.bin"), cb = load_checkpoint(two + "/checkpoint.bin");
  ASSERT_EQ(ca.state.blocks.size(), cb.state.blocks.size());
  ASSERT_FALSE(ca.state.blocks.empty());
  for (size_t k = 0; k < ca.state.blocks.size(); ++k) {
    EXPECT_EQ(ca.state.blocks[k].name, cb.state.blocks[k].name);
    EXPECT_EQ(ca.state.blocks[k].value, cb.state.blocks[k].value) << ca.state.blocks[k].name;
    EXPECT_EQ(ca.state.blocks[k].adam_m, cb.state.blocks[k].adam_m) << ca.state.blocks[k].name;
    EXPECT_EQ(ca.state.blocks[k].adam_v, cb.state.blocks[k].adam_v) << ca.state.blocks[k].name;
  }
  fs::remove_all(one);
  fs::remove_all(two);
}

TEST_F(SessionCli, InteractionDataIsRefused) {
  const std::string out = temp_path("synthetic");
  const CliResult r =
      run_bitrec("train --method gru4rec --data synthetic:users=40,items=30,per_user=5,clusters=3 --epochs 1 --out " +
                     out,
                 "session_synthetic");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // The refusal comes once the data are read (after the data and memory
  // lines): it is the last line.
  const size_t error = r.err.find("bitrec: error: --method gru4rec learns from sessions");
  ASSERT_NE(error, std::string::npos) << r.err;
  EXPECT_TRUE(error == 0 || r.err[error - 1] == '\n') << r.err;
  EXPECT_EQ(r.err.find('\n', error), r.err.size() - 1) << r.err;
  EXPECT_NE(r.err.find("--data must be session data"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out)) << "a refused run left its --out folder";
}

// A graph method on session data: refused before training (it used to
// train until its first evaluation, then fail on the missing gru4rec blocks).
TEST_F(SessionCli, GraphMethodsRefuseSessionData) {
  const std::string out = temp_path("graph_on_sessions");
  const CliResult r = run_bitrec("train --method lightgcn --data " + data_ + " --epochs 1000 --out " + out,
                                 "session_graph_method");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("bitrec: error: --method lightgcn: --data clicks is session data, which only session-based "
                       "methods learn from (--method gru4rec"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("epoch 1/"), std::string::npos) << "trained before refusing:\n" << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(SessionCli, ValidFracIsRefusedInFavourOfValidSessions) {
  const std::string out = temp_path("valid_frac");
  const CliResult r = run_bitrec("train --method gru4rec --data " + data_ + " --valid-frac 0.1 --out " + out,
                                 "session_valid_frac");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("bitrec: error: --valid-frac", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("--valid-sessions"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(SessionCli, AMissingTimeColumnNamesTheFileAndTheFlag) {
  const std::string file = dir_ + "/no_time.tsv";
  // Session 1 (times 3, 4) is train; session 2 (5, 6) is test with --test-days 0.00001.
  std::ofstream(file) << "SessionId\tItemId\tWhen\n1\t2\t3\n1\t3\t4\n2\t3\t5\n2\t2\t6\n";
  const std::string out = temp_path("no_time");
  const CliResult r = run_bitrec("train --method gru4rec --data " + file + " --out " + out, "session_no_time");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("bitrec: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("no_time.tsv:1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'Time'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--time-col"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  // Named by --time-col, the same file loads.
  const CliResult ok = run_bitrec("train --method gru4rec --data " + file +
                                      " --time-col When --test-days 0.00001 --epochs 1 --layers 4 --out " + out,
                                  "session_time_col");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(FlatJson(slurp(out + "/report.json")).text("config.time-col"), "When");
  fs::remove_all(out);
}

TEST_F(SessionCli, BadLayerSizesAreRefused) {
  for (const std::string layers : {"100,abc", "100,", "0,10", "100,100000"}) {
    const std::string out = temp_path("layers");
    const CliResult r = run_bitrec("train --method gru4rec --data " + data_ + " --layers " + layers + " --out " + out,
                                   "session_layers");
    EXPECT_EQ(r.exit_code, 2) << layers << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("bitrec: error: --layers", 0), 0u) << layers << "\n" << r.err;
    EXPECT_FALSE(fs::exists(out)) << layers;
  }
  // A list for a graph method is refused, not read as its first number.
  {
    const std::string out = temp_path("layers_graph");
    const CliResult r = run_bitrec(
        "train --data synthetic:users=40,items=30,per_user=5,clusters=3 --epochs 1 --layers 2,3 --out " + out,
        "session_layers_graph");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("bitrec: error: --layers: 2,3 is a list of GRU layer sizes", 0), 0u) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
  // Two GRU layers: stored, and the model's width is the last one.
  const std::string out = temp_path("two_layers");
  const CliResult r = run_bitrec("train --method gru4rec --data " + data_ + " --layers 12,6 --epochs 1 --out " + out,
                                 "session_layers_ok");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FlatJson report(slurp(out + "/report.json"));
  EXPECT_EQ(report.text("config.gru-layers"), "12,6");
  EXPECT_EQ(report.text("config.dim"), "6");
  fs::remove_all(out);
}

// --valid-sessions: validation carved from train by the time rule; the best
// epoch is selected on it.
TEST_F(SessionCli, ValidSessionsCarveValidation) {
  const std::string out = temp_path("valid");
  const CliResult r = run_bitrec("train --method gru4rec --data " + data_ +
                                     " --valid-sessions --epochs 2 --eval-every 1 --layers 8 --out " + out,
                                 "session_valid");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FlatJson report(slurp(out + "/report.json"));
  EXPECT_EQ(report.text("config.valid-sessions"), "true");
  EXPECT_EQ(report.text("best.selected_on"), "valid");
  EXPECT_GT(report.number("dataset.valid"), 0.0);
  EXPECT_TRUE(report.has("best.valid.real.recall@20")) << "no validation metrics in best";
  EXPECT_GT(report.number("best.valid.real.predictions"), 0.0);
  // Without it: no validation, best selected on test.
  const std::string plain = temp_path("plain");
  const CliResult p = run_bitrec("train --method gru4rec --data " + data_ + " --epochs 1 --layers 8 --out " + plain,
                                 "session_plain");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const FlatJson plain_report(slurp(plain + "/report.json"));
  EXPECT_EQ(plain_report.text("best.selected_on"), "test");
  EXPECT_EQ(plain_report.number("dataset.valid"), 0.0);
  // Validation sessions come out of train.
  EXPECT_LT(report.number("dataset.train"), plain_report.number("dataset.train"));
  fs::remove_all(out);
  fs::remove_all(plain);
}

// Sessions that walk items i, i+1, i+2, ... over 200 items: the loss falls
// and the next item is found, where a popularity ranking (computed here on
// the loader's own train and test sets, ties counted against it) finds few.
TEST_F(SessionCli, LearnsASequentialPatternPopularityCannot) {
  const std::string file = test::write_session_file(dir_, "walk.tsv", 300, 200, /*walk=*/true, 5);
  const SessionData sessions = load_session_data(file);
  ASSERT_GT(sessions.test.n_sessions(), 20);
  std::vector<int64_t> count(static_cast<size_t>(sessions.n_items), 0);
  for (int32_t item : sessions.train.items) ++count[item];
  int64_t predictions = 0, popular_hits = 0;
  for (int64_t s = 0; s < sessions.test.n_sessions(); ++s) {
    for (int64_t e = sessions.test.offsets[s] + 1; e < sessions.test.offsets[s + 1]; ++e) {
      const int64_t target = count[sessions.test.items[e]];
      const int64_t rank = std::count_if(count.begin(), count.end(), [&](int64_t c) { return c >= target; });
      popular_hits += rank <= 20 ? 1 : 0;
      ++predictions;
    }
  }
  const double popular_recall = static_cast<double>(popular_hits) / static_cast<double>(predictions);
  EXPECT_LT(popular_recall, 0.35) << "the file does not separate a sequential model from popularity";

  const std::string out = temp_path("walk");
  const CliResult r = run_bitrec("train --method gru4rec --data " + file +
                                     " --epochs 10 --eval-every 1 --layers 32 --n-sample 128 --threads 2 --out " + out,
                                 "session_walk");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FlatJson report(slurp(out + "/report.json"));
  EXPECT_EQ(report.number("metrics.real.predictions"), static_cast<double>(predictions));
  const double recall = report.number("metrics.real.recall@20");
  RecordProperty("popularity_recall_at_20", std::to_string(popular_recall));
  RecordProperty("gru4rec_recall_at_20", std::to_string(recall));
  EXPECT_GT(recall, 0.5);
  EXPECT_GT(recall, popular_recall + 0.3) << "popularity's recall@20 " << popular_recall;
  const std::vector<FlatJson> lines = metrics_lines(out);
  ASSERT_EQ(lines.size(), 10u);
  EXPECT_LT(lines.back().number("loss"), 0.8 * lines.front().number("loss"));
  EXPECT_GT(recall, lines.front().number("metrics.real.recall@20"));
  fs::remove_all(out);
}

// --input onehot (the official GRUEmbedding first layer) learns the walk
// too; its blocks are exported in place of layer 1's GRUCell blocks, and
// query reads its run.
TEST_F(SessionCli, OneHotInputLearnsTheWalkAndExportsItsBlocks) {
  const std::string file = test::write_session_file(dir_, "walk.tsv", 300, 200, /*walk=*/true, 5);
  const std::string out = temp_path("walk_onehot");
  const CliResult r = run_bitrec("train --method gru4rec --input onehot --data " + file +
                                     " --epochs 10 --layers 32 --n-sample 128 --threads 2 --out " + out,
                                 "session_onehot");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FlatJson report(slurp(out + "/report.json"));
  EXPECT_EQ(report.text("config.input"), "onehot");
  const double recall = report.number("metrics.real.recall@20");
  RecordProperty("onehot_recall_at_20", std::to_string(recall));
  EXPECT_GT(recall, 0.5);
  const CliResult q = run_bitrec("query --model " + out + " --items 10,11,12 -k 3", "session_onehot_query");
  ASSERT_EQ(q.exit_code, 0) << q.err;
  const std::string exported = temp_path("walk_onehot_export");
  const CliResult e = run_bitrec("export --model " + out + " --out " + exported + " --what embeddings", "session_onehot_export");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  for (const char* name : {"gru_layer1_W_x.npy", "gru_layer1_W_rz.npy", "gru_layer1_W_h.npy", "gru_layer1_b.npy"}) {
    EXPECT_TRUE(fs::exists(exported + "/" + name)) << name;
  }
  EXPECT_FALSE(fs::exists(exported + "/gru_layer1_W_ih.npy"));
  fs::remove_all(exported);
  fs::remove_all(out);
}

// gru4rec-hash ranks the walk by Hamming distance of learned 8-bit codes
// (200 items: codes must be shared, so their arrangement matters) far above
// popularity and above the post-hoc sign of a gru4rec model of the same width
// (bitrec eval --mode hamming on it: 0.81 against 0.94 when written); eval
// and query read its run.
TEST_F(SessionCli, HashedCodesLearnTheWalkAndBeatPostHocSign) {
  const std::string file = test::write_session_file(dir_, "walk.tsv", 300, 200, /*walk=*/true, 5);
  const std::string hashed = temp_path("walk_hash"), real = temp_path("walk_real");
  const std::string common = " --data " + file + " --epochs 10 --n-sample 128 --threads 2 --dim 8";
  const CliResult h = run_bitrec("train --method gru4rec-hash" + common + " --out " + hashed, "session_hash");
  ASSERT_EQ(h.exit_code, 0) << h.err;
  const CliResult r = run_bitrec("train --method gru4rec" + common + " --out " + real, "session_hash_real");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FlatJson report(slurp(hashed + "/report.json"));
  const double learned = report.number("metrics.hamming.recall@20");
  EXPECT_GT(learned, 0.5);
  EXPECT_GT(report.number("metrics.hier.recall@20"), 0.5);
  EXPECT_GT(report.number("metrics.real.recall@20"), 0.0);
  EXPECT_EQ(report.number("metrics.hamming.predictions"), report.number("metrics.real.predictions"));

  // The post-hoc sign of the real-valued model: eval --mode hamming.
  const CliResult post = run_bitrec("eval --model " + real + " --mode hamming --json --threads 2", "session_posthoc");
  ASSERT_EQ(post.exit_code, 0) << post.err;
  const FlatJson post_hoc(post.out);
  const double signed_after = post_hoc.number("metrics.hamming.recall@20");
  RecordProperty("learned_hamming_recall_at_20", std::to_string(learned));
  RecordProperty("post_hoc_hamming_recall_at_20", std::to_string(signed_after));
  EXPECT_GT(learned, signed_after + 0.05) << "learned codes should beat the sign taken after training";

  // eval reproduces the report; query ranks a session's next items.
  const CliResult again = run_bitrec("eval --model " + hashed + " --json --threads 2", "session_hash_eval");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(FlatJson(again.out).number("metrics.hamming.recall@20"), learned);
  const CliResult q = run_bitrec("query --model " + hashed + " --items 10,11,12 -k 3", "session_hash_query");
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.out.find("new\t1\t"), std::string::npos) << q.out;

  // export: the network, the item codes and every session's next items.
  const std::string exported = temp_path("walk_export");
  const CliResult e =
      run_bitrec("export --model " + hashed + " --out " + exported + " --what codes,embeddings,topk -k 2", "session_export");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  for (const char* file : {"emb_items.npy", "bias_items.npy", "gru_layer1_W_ih.npy", "gru_layer1_W_hh.npy",
                           "gru_layer1_b_ih.npy", "gru_layer1_b_hh.npy", "codes_items.npy", "items.faiss", "items.tsv",
                           "users.tsv", "export.json"}) {
    EXPECT_TRUE(fs::exists(exported + "/" + file)) << file;
  }
  EXPECT_FALSE(fs::exists(exported + "/gru_state.npy")) << "the training slots' states are not part of the model";
  const std::string topk = slurp(exported + "/topk.tsv");
  const int64_t sessions = static_cast<int64_t>(report.number("dataset.users"));
  EXPECT_EQ(std::count(topk.begin(), topk.end(), '\n'), 1 + 2 * sessions);  // header + k rows per session
  fs::remove_all(exported);
  fs::remove_all(hashed);
  fs::remove_all(real);
}

}  // namespace
}  // namespace bitrec::testing

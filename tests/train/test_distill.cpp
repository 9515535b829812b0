// Distillation (docs/training.md "Distillation"): --distill-from RUN adds a
// teacher's top --distill-top non-train items of each user to that user's
// positives in the smooth recall loss. The teacher's lists are checked
// against a brute-force ranking, an oracle teacher must lift test recall,
// bad teachers are refused by name, and a distilled run resumes bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/checkpoint.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/error.hpp"
#include "bitrec/model.hpp"
#include "bitrec/trainer.hpp"
#include "bitrec/warm_start.hpp"
#include "data/user_order.hpp"
#include "methods/table/teacher_positives.hpp"
#include "input_error_of.hpp"
#include "resume_test_util.hpp"

namespace bitrec {
namespace {

const char kData[] = "synthetic:users=300,items=200,clusters=4,per_user=12";

TrainConfig student_config(int epochs) {
  TrainConfig c;
  c.method = Method::kRecallHash;
  c.epochs = epochs;
  c.dim = 32;
  c.dim_set = true;
  c.user_batch = 64;
  c.eval_every = 1;
  c.topk = {20};
  return c;
}

// A teacher's folder holding its checkpoint, as `bitrec train --out` leaves it.
std::string save_teacher(const std::string& name, const TrainConfig& config, const ModelState& state) {
  const std::string dir = ::testing::TempDir() + "bitrec_distill_" + name;
  std::filesystem::create_directories(dir);
  save_checkpoint(dir + "/checkpoint.bin", Checkpoint{config, state, {}});
  return dir;
}

using testing::input_error_of;

// A lightgcn teacher trained for `epochs` on `data` (its config resolved).
struct Teacher {
  TrainConfig config;
  ModelState state;
};
Teacher lightgcn_teacher(const Dataset& data, int epochs, int dim = 32, int layers = 3) {
  Teacher t;
  t.config = student_config(epochs);
  t.config.method = Method::kLightGcn;
  t.config.dim = dim;
  t.config.layers = layers;
  resolve_config(t.config);
  auto backend = make_cpu_backend(2);
  const TrainSummary run = train_model(*backend, data, t.config, nullptr);
  EXPECT_EQ(run.stop, TrainStop::kFinished) << run.stop_message;
  t.state = run.state;
  return t;
}

TEST(Distill, TrainWithTeacherItemsIsTheRowwiseUnion) {
  Csr train = csr_from_pairs(3, 6, {{0, 1}, {0, 4}, {2, 0}});
  TopK top;
  top.k = 3;
  top.n_users = 2;
  top.items = {5, 2, -1,   // user 0: two teacher items, one pad
               3, 0, 4};   // user 2: item 0 is already a train item
  const Csr joined = train_with_teacher_items(train, {0, 2}, top);
  EXPECT_EQ(joined.rows, 3);
  EXPECT_EQ(joined.cols, 6);
  EXPECT_EQ(joined.indptr, (std::vector<int64_t>{0, 4, 4, 7}));
  EXPECT_EQ(joined.indices, (std::vector<int32_t>{1, 2, 4, 5, 0, 3, 4}));
}

// Each user's added items are the teacher's R best-scoring items outside
// train (ties by ascending id), computed here by brute force on the host.
TEST(Distill, TeacherPositivesAreTheTeachersTopNonTrainItems) {
  const Dataset data = load_dataset(kData);
  const Teacher teacher = lightgcn_teacher(data, 2, /*dim=*/16, /*layers=*/2);  // its own --dim and --layers
  const TrainConfig& teacher_cfg = teacher.config;
  auto backend = make_cpu_backend(2);

  TrainConfig cfg = student_config(1);
  cfg.distill_from = save_teacher("top", teacher_cfg, teacher.state);
  cfg.distill_top = 7;
  resolve_config(cfg);
  const Csr positives = teacher_positives(*backend, teacher.state, teacher_cfg, cfg.distill_top, data);

  const ModelOutputs out = state_outputs(*backend, teacher.state, teacher_cfg, data);
  std::vector<float> e(static_cast<size_t>(out.embeddings.size()));
  backend->download(out.embeddings, e.data());
  const int d = teacher_cfg.dim;
  int64_t checked = 0;
  for (int32_t u = 0; u < data.n_users; ++u) {
    std::vector<int32_t> expected(data.train.row_begin(u), data.train.row_end(u));
    if (!expected.empty()) {
      std::vector<std::pair<float, int32_t>> scored;
      for (int32_t i = 0; i < data.n_items; ++i) {
        if (data.train.contains(u, i)) continue;
        float s = 0.0f;
        for (int k = 0; k < d; ++k) {
          s += e[static_cast<size_t>(u) * d + k] * e[static_cast<size_t>(data.n_users + i) * d + k];
        }
        scored.emplace_back(-s, i);
      }
      std::sort(scored.begin(), scored.end());
      for (int j = 0; j < cfg.distill_top; ++j) expected.push_back(scored[static_cast<size_t>(j)].second);
      std::sort(expected.begin(), expected.end());
      ++checked;
    }
    const std::vector<int32_t> got(positives.row_begin(u), positives.row_end(u));
    ASSERT_EQ(got, expected) << "user " << u;
  }
  EXPECT_GT(checked, data.n_users / 2);
  EXPECT_EQ(positives.nnz(), data.train.nnz() + checked * cfg.distill_top);
}

// A teacher that knows the test items (layers 0, one dimension per item: a
// user's score is 1 on its test items, below 0.1 elsewhere) hands them to the loss;
// the student's test recall and NDCG must rise above the same run without it.
TEST(Distill, AnOracleTeacherLiftsTestRecall) {
  const Dataset data = load_dataset(kData);
  TrainConfig oracle_cfg = student_config(1);
  oracle_cfg.method = Method::kLightGcn;
  oracle_cfg.dim = data.n_items;
  oracle_cfg.layers = 0;
  resolve_config(oracle_cfg);
  ModelState oracle;
  oracle.n_users = data.n_users;
  oracle.n_items = data.n_items;
  oracle.dim = data.n_items;
  oracle.e0.assign(static_cast<size_t>(data.n_users + data.n_items) * data.n_items, 0.0f);
  // Users with fewer test items than --distill-top get random fillers (scores
  // below 0.1, each user its own), not the same lowest ids for everyone.
  uint32_t lcg = 12345u;
  for (int32_t u = 0; u < data.n_users; ++u) {
    float* row = oracle.e0.data() + static_cast<size_t>(u) * data.n_items;
    for (int32_t i = 0; i < data.n_items; ++i) {
      lcg = lcg * 1664525u + 1013904223u;
      row[i] = 0.1f * static_cast<float>(lcg >> 8) / static_cast<float>(1u << 24);
    }
    for (const int32_t* it = data.test.row_begin(u); it != data.test.row_end(u); ++it) row[*it] = 1.0f;
  }
  for (int32_t i = 0; i < data.n_items; ++i) {
    oracle.e0[static_cast<size_t>(data.n_users + i) * data.n_items + i] = 1.0f;
  }
  oracle.adam_m.assign(oracle.e0.size(), 0.0f);
  oracle.adam_v.assign(oracle.e0.size(), 0.0f);

  TrainConfig plain = student_config(30);
  plain.recall_n = 10;  // N and τ_cut at this catalogue's scale (200 items, not Gowalla's 41 k)
  plain.tau_cut = 5.0f;
  resolve_config(plain);
  TrainConfig distilled = plain;
  distilled.distill_from = save_teacher("oracle", oracle_cfg, oracle);
  distilled.distill_top = 3;  // about a user's test items (2.5 on average; at most 19)
  resolve_config(distilled);
  auto backend = make_cpu_backend(2);
  const Csr positives = teacher_positives(*backend, oracle, oracle_cfg, distilled.distill_top, data);
  for (int32_t u = 0; u < data.n_users; ++u) {
    if (data.train.row_size(u) == 0) continue;
    int64_t found = 0;
    for (const int32_t* it = data.test.row_begin(u); it != data.test.row_end(u); ++it) found += positives.contains(u, *it);
    ASSERT_EQ(found, std::min<int64_t>(data.test.row_size(u), distilled.distill_top)) << "user " << u;
  }
  const auto hamming_at_end = [&](const TrainConfig& c) {
    auto b = make_cpu_backend(2);
    return train_model(*b, data, c, nullptr).evals.back().test.at("hamming");
  };
  // Measured: recall@20 0.557 → 0.624, ndcg@20 0.315 → 0.422. Even an
  // oracle cannot place every test item: the codes are LightGCN's, tied to
  // the train graph.
  const auto without = hamming_at_end(plain), with = hamming_at_end(distilled);
  const double recall_without = without.at("recall@20"), recall_with = with.at("recall@20");
  const double ndcg_without = without.at("ndcg@20"), ndcg_with = with.at("ndcg@20");
  EXPECT_GT(recall_with, recall_without + 0.03) << "with the oracle " << recall_with << ", without " << recall_without;
  EXPECT_GT(ndcg_with, ndcg_without + 0.05) << "with the oracle " << ndcg_with << ", without " << ndcg_without;
}

TEST(Distill, RefusesTeachersAndMethodsItCannotUse) {
  const Dataset data = load_dataset(kData);
  const Teacher teacher = lightgcn_teacher(data, 1);
  const std::string dir = save_teacher("refusals", teacher.config, teacher.state);
  auto backend = make_cpu_backend(1);

  const auto config_error = [&](const std::function<void(TrainConfig&)>& change) {
    TrainConfig c = student_config(3);
    c.distill_from = dir;
    change(c);
    return input_error_of([&] { resolve_config(c); });
  };
  EXPECT_EQ(config_error([](TrainConfig&) {}), "");
  EXPECT_NE(config_error([](TrainConfig& c) { c.method = Method::kLightGcn; })
                .find("--distill-from: only with --method recall-hash"),
            std::string::npos);
  EXPECT_NE(config_error([](TrainConfig& c) { c.warmup_epochs = 1; }).find("not with --warmup-epochs"),
            std::string::npos);
  EXPECT_NE(config_error([](TrainConfig& c) { c.distill_top = 0; }).find("--distill-top"), std::string::npos);
  EXPECT_NE(config_error([](TrainConfig& c) {
              c.encoder = Encoder::kNgcf;
              c.encoder_set = true;
            }).find("--distill-from: only on the lightgcn encoder"),
            std::string::npos);
  EXPECT_NE(config_error([](TrainConfig& c) { c.bpr_weight = 0.1f; }).find("not with --bpr-weight"),
            std::string::npos);

  const auto teacher_error = [&](const std::string& from, const std::function<void(TrainConfig&)>& change) {
    TrainConfig c = student_config(3);
    change(c);
    resolve_config(c);
    return input_error_of([&] { load_teacher_checkpoint(from, c, data); });
  };
  EXPECT_EQ(teacher_error(dir, [](TrainConfig&) {}), "");
  EXPECT_NE(teacher_error(dir, [](TrainConfig& c) { c.valid_frac = 0.1; })
                .find("--distill-from " + dir + ": that run held out --valid-frac"),
            std::string::npos);
  EXPECT_NE(teacher_error(::testing::TempDir() + "bitrec_distill_none", [](TrainConfig&) {}).find("no such run folder"),
            std::string::npos);

  // A run remembers its teacher's fingerprint; a changed teacher is refused.
  const std::string fingerprint = teacher_fingerprint(teacher.state);
  EXPECT_EQ(teacher_error(dir, [&](TrainConfig& c) { c.distill_fingerprint = fingerprint; }), "");
  const Teacher other = lightgcn_teacher(data, 2);
  EXPECT_NE(teacher_fingerprint(other.state), fingerprint);
  save_teacher("refusals", other.config, other.state);  // the same folder, trained on
  EXPECT_NE(teacher_error(dir, [&](TrainConfig& c) { c.distill_fingerprint = fingerprint; })
                .find("the teacher has changed since this run began"),
            std::string::npos);

  TrainConfig bgch_cfg = student_config(1);
  bgch_cfg.method = Method::kBgch;
  bgch_cfg.dim = 8;
  bgch_cfg.layers = 1;
  bgch_cfg.layers_set = true;
  resolve_config(bgch_cfg);
  const TrainSummary bgch = train_model(*backend, data, bgch_cfg, nullptr);
  const std::string bgch_error = teacher_error(save_teacher("bgch", bgch_cfg, bgch.state), [](TrainConfig&) {});
  EXPECT_NE(bgch_error.find("a teacher must be a run on the embedding table"), std::string::npos) << bgch_error;
}

TEST(Distill, ResumesBitForBit) {
  const Dataset data = load_dataset(kData);
  const Teacher teacher = lightgcn_teacher(data, 2);
  TrainConfig cfg = student_config(3);
  cfg.distill_from = save_teacher("resume", teacher.config, teacher.state);
  cfg.distill_top = 5;
  resolve_config(cfg);
  auto run_backend = make_cpu_backend(2);
  const TrainSummary whole = train_model(*run_backend, data, cfg, nullptr);
  ASSERT_EQ(whole.stop, TrainStop::kFinished);
  const int64_t batches = EpochRunner(*run_backend, data, cfg).batches_per_epoch();
  for (const int64_t stop : {int64_t{1}, batches + 2}) {
    SCOPED_TRACE("stopped after " + std::to_string(stop) + " batches");
    testing::expect_same_run(whole, testing::stopped_and_resumed(data, cfg, stop));
  }
}

}  // namespace
}  // namespace bitrec

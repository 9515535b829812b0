// Training end to end on the CPU backend: determinism (same seed => the same
// bits, whatever the thread count) and learning (far above popularity on the
// synthetic default's planted structure).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "bitrec/backend.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/metrics.hpp"
#include "bitrec/trainer.hpp"

namespace bitrec {
namespace {

TrainConfig small_config(Method method, int epochs) {
  TrainConfig c;
  c.method = method;
  c.epochs = epochs;
  c.dim = 32;
  c.batch = 1024;
  c.eval_every = epochs;
  c.topk = {20};
  resolve_config(c);
  return c;
}

// Recall@20 of ranking every user's non-train items by train popularity.
double popularity_recall_at_20(const Dataset& data) {
  std::vector<int64_t> degree(data.n_items, 0);
  for (int32_t item : data.train.indices) ++degree[item];
  std::vector<int32_t> order(data.n_items);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return degree[a] > degree[b]; });
  double sum = 0.0;
  int users = 0;
  for (int32_t u = 0; u < data.n_users; ++u) {
    if (data.test.row_size(u) == 0) continue;
    std::vector<int32_t> ranked;
    for (int32_t item : order) {
      if (!data.train.contains(u, item)) ranked.push_back(item);
      if (ranked.size() == 20) break;
    }
    sum += ranked_metrics(ranked.data(), static_cast<int>(ranked.size()), data.test.row_begin(u),
                          data.test.row_end(u), 20, 20)
               .recall;
    ++users;
  }
  return sum / users;
}

TEST(Training, SameSeedSameBitsWhateverTheThreads) {
  const Dataset data = load_dataset("synthetic:users=250,items=180,clusters=4,per_user=12");
  const TrainConfig cfg = small_config(Method::kHashSte, 3);
  auto one = make_cpu_backend(1);
  auto two = make_cpu_backend(2);
  const TrainSummary a = train_model(*one, data, cfg, nullptr);
  const TrainSummary b = train_model(*two, data, cfg, nullptr);
  const TrainSummary c = train_model(*two, data, cfg, nullptr);
  EXPECT_EQ(a.state.e0, b.state.e0);
  EXPECT_EQ(b.state.e0, c.state.e0);
  EXPECT_EQ(a.state.adam_v, b.state.adam_v);
  EXPECT_EQ(a.evals.back().test, b.evals.back().test);
  EXPECT_EQ(a.evals.back().loss, b.evals.back().loss);

  TrainConfig other_seed = cfg;
  other_seed.seed = cfg.seed + 1;
  const TrainSummary d = train_model(*two, data, other_seed, nullptr);
  EXPECT_NE(d.state.e0, a.state.e0);
}

TEST(Training, LightGcnLearnsFarAbovePopularity) {
  const Dataset data = load_dataset("synthetic");
  TrainConfig cfg = small_config(Method::kLightGcn, 30);
  cfg.lr = 5e-3f;
  auto backend = make_cpu_backend(0);
  const TrainSummary run = train_model(*backend, data, cfg, nullptr);
  const double popularity = popularity_recall_at_20(data);
  const double learned = run.evals.back().test.at("real").at("recall@20");
  EXPECT_GT(learned, 2.0 * popularity) << "lightgcn " << learned << " vs popularity " << popularity;
  EXPECT_LT(run.evals.back().loss, 0.5);  // BPR starts at ln 2 = 0.693
}

// BPR on raw ±1 code scores is a weak learner by nature (docs/methods.md §6); with
// signswish's bounded backward the codes stay healthy and retrieve clearly
// above popularity (measured 0.274 vs 0.195 on this seed).
TEST(Training, HashSteWithSignswishRetrievesAbovePopularity) {
  const Dataset data = load_dataset("synthetic");
  TrainConfig cfg = small_config(Method::kHashSte, 30);
  cfg.dim = 64;
  cfg.lr = 5e-3f;
  cfg.estimator = Estimator::kSignswish;
  cfg.estimator_set = true;
  cfg.beta = cfg.beta_end = 20.0f;
  auto backend = make_cpu_backend(0);
  const TrainSummary run = train_model(*backend, data, cfg, nullptr);
  const double popularity = popularity_recall_at_20(data);
  const EvalPoint& last = run.evals.back();
  const double hamming = last.test.at("hamming").at("recall@20");
  EXPECT_GT(hamming, 1.3 * popularity) << "hash-ste hamming " << hamming << " vs popularity " << popularity;
  EXPECT_GT(last.codes.distinct_items, data.n_items * 9 / 10) << "codes collapsed";
  EXPECT_LT(last.codes.user_item_agreement, 0.7);
}

// The smooth recall loss over all items with signswish (docs/methods.md §5/§6):
// measured 0.416 Hamming recall@20 at epoch 30 on this seed, against 0.274 for
// BPR hashing and 0.195 for popularity.
TEST(Training, RecallHashRetrievesFarAbovePopularity) {
  const Dataset data = load_dataset("synthetic");
  TrainConfig cfg = small_config(Method::kRecallHash, 30);
  cfg.dim = 64;
  cfg.tau_rank = -1.0f;
  resolve_config(cfg);
  ASSERT_EQ(cfg.estimator, Estimator::kSignswish);
  auto backend = make_cpu_backend(0);
  const TrainSummary run = train_model(*backend, data, cfg, nullptr);
  const double popularity = popularity_recall_at_20(data);
  const EvalPoint& last = run.evals.back();
  EXPECT_GT(last.test.at("hamming").at("recall@20"), 1.8 * popularity);
  EXPECT_GT(last.codes.distinct_items, data.n_items * 8 / 10);
  EXPECT_LT(last.codes.user_item_agreement, 0.7);
  EXPECT_LT(last.loss, 0.0);  // −(mean smoothed recall)
}

// The recall loss with a BPR term mixed in (--bpr-weight): same seed, same
// bits for any thread count; the term changes the run; it still learns.
TEST(Training, RecallHashWithBprTermIsDeterministicAndLearns) {
  const Dataset data = load_dataset("synthetic");
  TrainConfig cfg = small_config(Method::kRecallHash, 30);
  cfg.dim = 64;
  cfg.tau_rank = -1.0f;
  cfg.bpr_weight = 0.05f;  // measured 0.409 recall@20 (0.416 without the term)
  resolve_config(cfg);
  auto one = make_cpu_backend(1);
  auto two = make_cpu_backend(2);
  const TrainSummary a = train_model(*one, data, cfg, nullptr);
  const TrainSummary b = train_model(*two, data, cfg, nullptr);
  EXPECT_EQ(a.state.e0, b.state.e0);
  EXPECT_EQ(a.evals.back().loss, b.evals.back().loss);
  TrainConfig no_bpr = cfg;
  no_bpr.bpr_weight = 0.0f;
  const TrainSummary c = train_model(*two, data, no_bpr, nullptr);
  EXPECT_NE(c.state.e0, a.state.e0);
  const double popularity = popularity_recall_at_20(data);
  EXPECT_GT(a.evals.back().test.at("hamming").at("recall@20"), 1.8 * popularity);
  EXPECT_GT(a.evals.back().codes.distinct_items, data.n_items * 8 / 10);
}

// Plain STE lets |x| grow without bound and the codes collapse while the
// trainer keeps going (docs/methods.md §5): code health must show it.
TEST(Training, PlainSteCollapseShowsInCodeHealth) {
  const Dataset data = load_dataset("synthetic");
  TrainConfig cfg = small_config(Method::kHashSte, 200);
  cfg.dim = 64;
  cfg.batch = 2048;
  cfg.eval_every = 40;
  auto backend = make_cpu_backend(0);
  const TrainSummary run = train_model(*backend, data, cfg, nullptr);
  const EvalPoint& first = run.evals.front();
  const EvalPoint& last = run.evals.back();
  EXPECT_GT(first.codes.distinct_items, data.n_items * 9 / 10);
  EXPECT_LT(last.codes.distinct_items, data.n_items / 10);
  EXPECT_GT(last.codes.user_item_agreement, 0.9);
  EXPECT_LT(last.test.at("hamming").at("recall@20"), 0.5 * first.test.at("hamming").at("recall@20"));
}

}  // namespace
}  // namespace bitrec

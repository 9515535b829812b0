// The evaluator (host/eval/evaluator.cpp): hand-computed averages, the dump
// format, and results that do not depend on the user batch or the threads.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitrec/error.hpp"
#include "bitrec/evaluator.hpp"
#include "bitrec/kernels/hamming.hpp"
#include "bitrec/rerank.hpp"
#include "cpu/cpu_topk.hpp"

namespace bitrec {
namespace {

// Host-memory backend with only what evaluate() uses: allocation, download
// and the two top-k calls (forwarded to the CPU kernels). Everything else
// throws, so a test notices if evaluate() starts to need more.
class EvalOnlyBackend final : public Backend {
 public:
  std::string name() const override { return "eval-test"; }
  std::string device_name() const override { return "host"; }

  FloatTensor alloc_f32(int64_t rows, int64_t cols) override { return alloc<float>(rows, cols); }
  IndexTensor alloc_i32(int64_t rows, int64_t cols) override { return alloc<int32_t>(rows, cols); }
  CodeTensor alloc_u64(int64_t rows, int64_t cols) override { return alloc<uint64_t>(rows, cols); }

  void upload(const float* host, FloatTensor& dst) override {
    std::copy(host, host + dst.size(), dst.data());
  }
  void download(const FloatTensor& src, float* host) override { copy_out(src, host); }
  void download(const CodeTensor& src, uint64_t* host) override {
    ++code_downloads;
    copy_out(src, host);
  }
  void download(const IndexTensor& src, int32_t* host) override { copy_out(src, host); }

  void topk_hamming(const CodeTensor& codes, int32_t n_users, int32_t n_items, int bits,
                    const Csr& exclude, const std::vector<int32_t>& users, int k,
                    TopK& out) override {
    ++topk_calls;
    cpu_topk_hamming(codes.data(), static_cast<int>(codes.cols()), n_users, n_items, bits, exclude,
                     users, k, out);
  }
  void topk_real(const FloatTensor& table, int32_t n_users, int32_t n_items, const Csr& exclude,
                 const std::vector<int32_t>& users, int k, TopK& out) override {
    ++topk_calls;
    cpu_topk_real(table.data(), static_cast<int>(table.cols()), n_users, n_items, exclude, users, k,
                  out);
  }

  void fill_zero(FloatTensor&) override { unused(); }
  void set_graph(const NormalizedGraph&) override { unused(); }
  void set_train(const Csr&) override { unused(); }
  void propagate_mean(const FloatTensor&, FloatTensor&, int) override { unused(); }
  void hash_forward(const FloatTensor&, FloatTensor&, CodeTensor&) override { unused(); }
  void hash_backward(const EstimatorParams&, const FloatTensor&, const FloatTensor&,
                     FloatTensor&) override {
    unused();
  }
  void sample_triples(uint64_t, uint32_t, int64_t, int64_t, IndexTensor&) override { unused(); }
  void bpr_forward_backward(const FloatTensor&, const IndexTensor&, int64_t, int32_t, float, FloatTensor&,
                            FloatTensor&) override {
    unused();
  }
  void l2_forward_backward(const FloatTensor&, const IndexTensor&, int64_t, int32_t, float,
                           FloatTensor&, FloatTensor&) override {
    unused();
  }
  void upload(const int32_t*, IndexTensor&) override { unused(); }
  void smooth_recall_forward_backward(const FloatTensor&, const IndexTensor&, int64_t,
                                      const SmoothRecallParams&, FloatTensor&, FloatTensor&) override {
    unused();
  }
  void adam_step(FloatTensor&, const FloatTensor&, FloatTensor&, FloatTensor&,
                 const AdamStepScalars&) override {
    unused();
  }

  int topk_calls = 0;
  int code_downloads = 0;

 private:
  template <class T>
  static Tensor<T> alloc(int64_t rows, int64_t cols) {
    std::shared_ptr<T> memory(new T[static_cast<size_t>(rows * cols)](),
                              std::default_delete<T[]>());
    return Tensor<T>(memory, rows, cols);
  }
  template <class T>
  static void copy_out(const Tensor<T>& src, T* host) {
    std::copy(src.data(), src.data() + src.size(), host);
  }
  [[noreturn]] static void unused() { throw std::logic_error("not used by evaluate()"); }
};

double disc(int r) { return 1.0 / std::log2(r + 1.0); }

// 3 users, 4 items, 2-bit codes.
//   users: u0 = 00, u1 = 11, u2 = 01 (no truth: not evaluated)
//   items: i0 = 00, i1 = 01 (bit 0), i2 = 10 (bit 1), i3 = 11
//   train (excluded): u0 {i0}. truth: u0 {i0, i2} (i0 overlaps train), u1 {i3}.
// u0: candidates i1 (d 1), i2 (d 1), i3 (d 2) → ranking [i1, i2, i3], |T| = 2.
//   @1: no hit → recall 0, ndcg 0, ndcg_hit 0 (1 hit in the top-kmax=2 but DCG 0).
//   @2: hit at rank 2 → recall 1/2, ndcg = (1/log2 3)/(1 + 1/log2 3) = 0.386853,
//       ndcg_hit = (1/log2 3)/1 = 0.630930 (IDCG over min(2, 1 hit)).
//   ties: hist [0, 2, 1], test_at [0, 1, 0]; the d=1 group holds 1 test item of 2.
//   @1: hits 1/2·1 → recall_tie 1/4, DCG 1/2 → ndcg_tie 1/2 (IDCG min(2,1) = 1).
//   @2: hits 1/2·2 → recall_tie 1/2, DCG 1/2·(1 + 0.630930) → ndcg_tie 1/2.
// u1: ranking [i3 (d 0), i1, i2 (d 1), i0 (d 2)], |T| = 1: hit at rank 1 →
//   every figure 1 at K = 1 and 2 (ties: the d=0 group is i3 alone).
struct TinyCase {
  int32_t n_users = 3, n_items = 4;
  int bits = 2;
  Csr train = csr_from_pairs(3, 4, {{0, 0}});
  Csr truth = csr_from_pairs(3, 4, {{0, 0}, {0, 2}, {1, 3}});
  std::vector<uint64_t> codes{0b00, 0b11, 0b01, 0b00, 0b01, 0b10, 0b11};
};

TEST(Evaluator, HammingHandCase) {
  TinyCase c;
  EvalOnlyBackend backend;
  CodeTensor codes = backend.alloc_u64(c.n_users + c.n_items, 1);
  std::copy(c.codes.begin(), c.codes.end(), codes.data());
  EvalInputs in;
  in.n_users = c.n_users;
  in.n_items = c.n_items;
  in.codes = &codes;
  in.bits = c.bits;
  EvalOptions opt;
  opt.mode = RetrievalMode::kHamming;
  opt.topk = {1, 2};
  opt.kmax = 2;
  std::ostringstream dump;
  opt.dump = &dump;
  const MetricMap m = evaluate(backend, in, c.truth, c.train, opt);

  const double tol = 1e-12;
  EXPECT_EQ(m.size(), 10u);
  EXPECT_NEAR(m.at("recall@1"), (0.0 + 1.0) / 2, tol);
  EXPECT_NEAR(m.at("ndcg@1"), (0.0 + 1.0) / 2, tol);
  EXPECT_NEAR(m.at("ndcg_hit@1"), (0.0 + 1.0) / 2, tol);
  EXPECT_NEAR(m.at("recall_tie@1"), (0.25 + 1.0) / 2, tol);
  EXPECT_NEAR(m.at("ndcg_tie@1"), (0.5 + 1.0) / 2, tol);
  EXPECT_NEAR(m.at("recall@2"), (0.5 + 1.0) / 2, tol);
  EXPECT_NEAR(m.at("ndcg@2"), (disc(2) / (1.0 + disc(2)) + 1.0) / 2, tol);  // 0.693426
  EXPECT_NEAR(m.at("ndcg_hit@2"), (disc(2) + 1.0) / 2, tol);                // 0.815465
  EXPECT_NEAR(m.at("recall_tie@2"), (0.5 + 1.0) / 2, tol);
  EXPECT_NEAR(m.at("ndcg_tie@2"), (0.5 + 1.0) / 2, tol);
  // One line per evaluated user, max(topk) = 2 items in rank order.
  EXPECT_EQ(dump.str(), "0 1 2\n1 3 1\n");
  EXPECT_EQ(backend.code_downloads, 1);
}

TEST(Evaluator, DumpUsesExternalIds) {
  TinyCase c;
  EvalOnlyBackend backend;
  CodeTensor codes = backend.alloc_u64(c.n_users + c.n_items, 1);
  std::copy(c.codes.begin(), c.codes.end(), codes.data());
  EvalInputs in{c.n_users, c.n_items, nullptr, &codes, c.bits};
  const std::vector<std::string> user_ids{"alice", "bob", "carol"};
  const std::vector<std::string> item_ids{"a", "b", "c", "d"};
  EvalOptions opt;
  opt.mode = RetrievalMode::kHamming;
  opt.topk = {1, 2};
  opt.kmax = 3;
  std::ostringstream dump;
  opt.dump = &dump;
  opt.user_ids = &user_ids;
  opt.item_ids = &item_ids;
  evaluate(backend, in, c.truth, c.train, opt);
  EXPECT_EQ(dump.str(), "alice b c\nbob d b\n");
}

// A truth item the user trained on is not a candidate, even when candidates
// share its distance. bits 2: user 00; items i0 = 01, i1 = 10 (both d 1),
// i2 = 11 (d 2). train {i0}, truth {i0, i1} → candidates i1 (d 1), i2 (d 2);
// test_at = [0, 1, 0], not [0, 2, 0]. K = 1: the d=1 group is i1 alone →
// recall_tie = 1/2 (|T| = 2), ndcg_tie = 1/IDCG(min(2, 1)) = 1.
TEST(Evaluator, OverlapItemIsNoTiedHit) {
  EvalOnlyBackend backend;
  CodeTensor codes = backend.alloc_u64(4, 1);
  const uint64_t values[] = {0b00, 0b01, 0b10, 0b11};
  std::copy(values, values + 4, codes.data());
  EvalInputs in{1, 3, nullptr, &codes, 2};
  EvalOptions opt;
  opt.mode = RetrievalMode::kHamming;
  opt.topk = {1};
  opt.kmax = 1;
  const Csr train = csr_from_pairs(1, 3, {{0, 0}});
  const Csr truth = csr_from_pairs(1, 3, {{0, 0}, {0, 1}});
  const MetricMap m = evaluate(backend, in, truth, train, opt);
  EXPECT_NEAR(m.at("recall_tie@1"), 0.5, 1e-12);
  EXPECT_NEAR(m.at("ndcg_tie@1"), 1.0, 1e-12);
  EXPECT_NEAR(m.at("recall@1"), 0.5, 1e-12);
  EXPECT_NEAR(m.at("ndcg@1"), 1.0, 1e-12);
}

// dim 1: user 0 = [1]; items 0.5, 0.25, 1.0, 0.25 → ranking [i2, i0, i1, i3]
// (i1, i3 tie: ascending id). truth {i0}, nothing excluded.
//   @1: 0. @2: hit at rank 2 → recall 1, ndcg = ndcg_hit = 1/log2 3.
TEST(Evaluator, RealHandCase) {
  EvalOnlyBackend backend;
  FloatTensor table = backend.alloc_f32(5, 1);
  const float values[] = {1.0f, 0.5f, 0.25f, 1.0f, 0.25f};
  backend.upload(values, table);
  EvalInputs in;
  in.n_users = 1;
  in.n_items = 4;
  in.table = &table;
  EvalOptions opt;
  opt.topk = {1, 2};
  opt.kmax = 4;
  std::ostringstream dump;
  opt.dump = &dump;
  const Csr truth = csr_from_pairs(1, 4, {{0, 0}});
  const Csr none = csr_from_pairs(1, 4, {});
  const MetricMap m = evaluate(backend, in, truth, none, opt);
  EXPECT_EQ(m.size(), 6u);  // no tie metrics for real scores
  EXPECT_EQ(m.at("recall@1"), 0.0);
  EXPECT_NEAR(m.at("recall@2"), 1.0, 1e-12);
  EXPECT_NEAR(m.at("ndcg@2"), disc(2), 1e-12);
  EXPECT_NEAR(m.at("ndcg_hit@2"), disc(2), 1e-12);
  EXPECT_EQ(dump.str(), "0 2 0\n");
}

// A random dataset evaluated with every batch size and thread count must give
// the same doubles and the same dump.
struct RandomCase {
  int32_t n_users = 300, n_items = 250;
  Csr train, truth;
  std::vector<uint64_t> codes;
  std::vector<float> table;
  int bits = 0, dim = 24;
};

RandomCase make_random_case(int bits, uint64_t seed) {
  RandomCase c;
  c.bits = bits;
  std::mt19937_64 rng(seed);
  std::vector<std::pair<int32_t, int32_t>> train, truth;
  for (int32_t u = 0; u < c.n_users; ++u) {
    for (int32_t i = 0; i < c.n_items; ++i) {
      const uint64_t r = rng() % 100;
      if (r < 8) train.push_back({u, i});
      if (r >= 5 && r < 10 && u % 7 != 0)
        truth.push_back({u, i});  // overlap with train; some users without truth
    }
  }
  c.train = csr_from_pairs(c.n_users, c.n_items, train);
  c.truth = csr_from_pairs(c.n_users, c.n_items, truth);
  const int words = code_words(bits);
  c.codes.assign(static_cast<size_t>(c.n_users + c.n_items) * words, 0);
  for (int64_t r = 0; r < c.n_users + c.n_items; ++r) {
    for (int k = 0; k < bits; ++k) {
      // Few varying bits: many ties at the top-K boundary.
      if (k < 9 && (rng() & 1)) c.codes[r * words + k / 64] |= uint64_t{1} << (k % 64);
    }
  }
  std::normal_distribution<float> normal(0.0f, 0.1f);
  c.table.resize(static_cast<size_t>(c.n_users + c.n_items) * c.dim);
  for (float& x : c.table) x = normal(rng);
  return c;
}

MetricMap run_case(const RandomCase& c, RetrievalMode mode, int user_batch, int threads,
                   std::string* dump_text, int* topk_calls, int rerank = kDefaultRerank) {
  EvalOnlyBackend backend;
  CodeTensor codes = backend.alloc_u64(c.n_users + c.n_items, code_words(c.bits));
  std::copy(c.codes.begin(), c.codes.end(), codes.data());
  FloatTensor table = backend.alloc_f32(c.n_users + c.n_items, c.dim);
  backend.upload(c.table.data(), table);
  EvalInputs in{c.n_users, c.n_items, &table, &codes, c.bits};
  EvalOptions opt;
  opt.mode = mode;
  opt.topk = {5, 20, 50};
  opt.kmax = 60;
  opt.user_batch = user_batch;
  opt.rerank = rerank;
  std::ostringstream dump;
  opt.dump = &dump;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  const MetricMap m = evaluate(backend, in, c.truth, c.train, opt);
  omp_set_num_threads(saved);
  *dump_text = dump.str();
  *topk_calls = backend.topk_calls;
  return m;
}

class EvaluatorInvariance : public ::testing::TestWithParam<std::tuple<RetrievalMode, int>> {};

TEST_P(EvaluatorInvariance, SameResultsForAnyBatchAndThreads) {
  const auto [mode, bits] = GetParam();
  const RandomCase c = make_random_case(bits, 77 + bits);
  std::string want_dump;
  int calls = 0;
  const MetricMap want = run_case(c, mode, 4096, 1, &want_dump, &calls);
  EXPECT_EQ(calls, 1);
  EXPECT_GT(want.at("recall@50"), 0.0);
  const size_t evaluated =
      static_cast<size_t>(std::count(want_dump.begin(), want_dump.end(), '\n'));
  EXPECT_EQ(evaluated, 300u - 43u);  // users 0, 7, ..., 294 have no truth
  for (int batch : {1, 7, 4096}) {
    for (int threads : {1, 2}) {
      std::string dump;
      const MetricMap got = run_case(c, mode, batch, threads, &dump, &calls);
      SCOPED_TRACE("batch " + std::to_string(batch) + " threads " + std::to_string(threads));
      EXPECT_EQ(calls, (static_cast<int>(evaluated) + batch - 1) / batch);
      ASSERT_EQ(got.size(), want.size());
      for (const auto& [key, value] : want) EXPECT_EQ(got.at(key), value) << key;  // bitwise
      EXPECT_EQ(dump, want_dump);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, EvaluatorInvariance,
                         ::testing::Values(std::make_tuple(RetrievalMode::kHamming, 64),
                                           std::make_tuple(RetrievalMode::kHamming, 100),
                                           std::make_tuple(RetrievalMode::kReal, 64),
                                           std::make_tuple(RetrievalMode::kHier, 64),
                                           std::make_tuple(RetrievalMode::kHier, 100)));

TEST(Evaluator, RejectsBadOptions) {
  TinyCase c;
  EvalOnlyBackend backend;
  CodeTensor codes = backend.alloc_u64(c.n_users + c.n_items, 1);
  EvalInputs in{c.n_users, c.n_items, nullptr, &codes, c.bits};
  EvalOptions opt;
  opt.mode = RetrievalMode::kHamming;
  opt.topk = {20, 50};
  opt.kmax = 40;  // below max topk
  EXPECT_THROW(evaluate(backend, in, c.truth, c.train, opt), InputError);
  opt.topk = {};
  EXPECT_THROW(evaluate(backend, in, c.truth, c.train, opt), InputError);
  opt.topk = {0, 5};
  opt.kmax = 5;
  EXPECT_THROW(evaluate(backend, in, c.truth, c.train, opt), InputError);
  opt.topk = {5};
  opt.user_batch = 0;
  EXPECT_THROW(evaluate(backend, in, c.truth, c.train, opt), InputError);
}

TEST(Evaluator, NoUsersWithTruthGivesZeros) {
  TinyCase c;
  EvalOnlyBackend backend;
  CodeTensor codes = backend.alloc_u64(c.n_users + c.n_items, 1);
  EvalInputs in{c.n_users, c.n_items, nullptr, &codes, c.bits};
  EvalOptions opt;
  opt.mode = RetrievalMode::kHamming;
  opt.topk = {2};
  opt.kmax = 2;
  const Csr empty = csr_from_pairs(3, 4, {});
  const MetricMap m = evaluate(backend, in, empty, c.train, opt);
  EXPECT_EQ(m.at("recall@2"), 0.0);
  EXPECT_EQ(m.at("ndcg_tie@2"), 0.0);
  EXPECT_EQ(backend.topk_calls, 0);
}

// ---- hier: Hamming top-R, re-ranked by inner products (docs/methods.md §6) ----

// Small cases with ties in both stages: 4-bit codes (5 distances for 30
// items) and 3-d embeddings with entries in {-1, 0, 1} (inner products are
// small integers, exact in float in any order).
struct HierCase {
  int32_t n_users = 40, n_items = 30;
  int bits = 4, dim = 3;
  Csr train, truth;
  std::vector<uint64_t> codes;
  std::vector<float> table;
};

HierCase make_hier_case(uint64_t seed) {
  HierCase c;
  std::mt19937_64 rng(seed);
  std::vector<std::pair<int32_t, int32_t>> train, truth;
  for (int32_t u = 0; u < c.n_users; ++u) {
    for (int32_t i = 0; i < c.n_items; ++i) {
      const uint64_t r = rng() % 100;
      if (r < 20) train.push_back({u, i});
      if (r >= 15 && r < 30 && u % 5 != 0) truth.push_back({u, i});  // overlap; users 0, 5, … without truth
    }
  }
  c.train = csr_from_pairs(c.n_users, c.n_items, train);
  c.truth = csr_from_pairs(c.n_users, c.n_items, truth);
  c.codes.resize(static_cast<size_t>(c.n_users + c.n_items));
  for (uint64_t& code : c.codes) code = rng() & 0xF;
  c.table.resize(static_cast<size_t>(c.n_users + c.n_items) * c.dim);
  for (float& x : c.table) x = static_cast<float>(static_cast<int>(rng() % 3) - 1);
  return c;
}

// The hier list of user u by brute force: every non-excluded item sorted by
// (distance, id), the first R re-sorted by (descending inner product, id).
std::vector<int32_t> brute_hier_list(const HierCase& c, int32_t u, int rerank) {
  std::vector<std::pair<int, int32_t>> by_distance;
  for (int32_t i = 0; i < c.n_items; ++i) {
    const int32_t* ex_begin = c.train.row_begin(u);
    const int32_t* ex_end = c.train.row_end(u);
    if (std::find(ex_begin, ex_end, i) != ex_end) continue;
    by_distance.push_back({__builtin_popcountll(c.codes[u] ^ c.codes[c.n_users + i]), i});
  }
  std::sort(by_distance.begin(), by_distance.end());
  if (static_cast<int>(by_distance.size()) > rerank) by_distance.resize(static_cast<size_t>(rerank));
  std::vector<std::pair<double, int32_t>> by_score;  // (-score, id)
  for (const auto& [distance, i] : by_distance) {
    double dot = 0.0;
    for (int d = 0; d < c.dim; ++d) {
      dot += static_cast<double>(c.table[u * c.dim + d]) * c.table[(c.n_users + i) * c.dim + d];
    }
    by_score.push_back({-dot, i});
  }
  std::sort(by_score.begin(), by_score.end());
  std::vector<int32_t> list;
  for (const auto& entry : by_score) list.push_back(entry.second);
  return list;
}

// recall, ndcg, ndcg_hit of one list from their definitions (docs/evaluation.md).
MetricMap brute_metrics(const HierCase& c, int rerank, const std::vector<int>& topk, int kmax,
                        std::string* dump) {
  const auto dcg_ideal = [](int n) {
    double s = 0.0;
    for (int r = 1; r <= n; ++r) s += disc(r);
    return s;
  };
  MetricMap sums;
  int users = 0;
  const int max_k = *std::max_element(topk.begin(), topk.end());
  for (int32_t u = 0; u < c.n_users; ++u) {
    const int n_truth = static_cast<int>(c.truth.row_size(u));
    if (n_truth == 0) continue;
    ++users;
    const std::vector<int32_t> list = brute_hier_list(c, u, rerank);
    const auto is_truth = [&](int32_t i) {
      return std::find(c.truth.row_begin(u), c.truth.row_end(u), i) != c.truth.row_end(u);
    };
    *dump += std::to_string(u);
    for (int r = 0; r < max_k && r < static_cast<int>(list.size()); ++r) *dump += " " + std::to_string(list[r]);
    *dump += "\n";
    int hits_kmax = 0;
    for (int r = 0; r < kmax && r < static_cast<int>(list.size()); ++r) hits_kmax += is_truth(list[r]);
    for (int k : topk) {
      int hits = 0;
      double dcg = 0.0;
      for (int r = 0; r < k && r < static_cast<int>(list.size()); ++r) {
        if (is_truth(list[r])) {
          ++hits;
          dcg += disc(r + 1);
        }
      }
      const std::string at = "@" + std::to_string(k);
      sums["recall" + at] += static_cast<double>(hits) / n_truth;
      sums["ndcg" + at] += dcg / dcg_ideal(std::min(n_truth, k));
      sums["ndcg_hit" + at] += hits_kmax > 0 ? dcg / dcg_ideal(std::min(k, hits_kmax)) : 0.0;
    }
  }
  for (auto& [key, value] : sums) value /= users;
  return sums;
}

TEST(Hier, MatchesBruteForceWithTiesInBothStages) {
  const std::vector<int> topk{1, 3, 5};
  const int kmax = 6;
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    const HierCase c = make_hier_case(seed);
    EvalOnlyBackend backend;
    CodeTensor codes = backend.alloc_u64(c.n_users + c.n_items, 1);
    std::copy(c.codes.begin(), c.codes.end(), codes.data());
    FloatTensor table = backend.alloc_f32(c.n_users + c.n_items, c.dim);
    backend.upload(c.table.data(), table);
    EvalInputs in{c.n_users, c.n_items, &table, &codes, c.bits};
    // R = kmax, below the candidates (~24 per user), about all of them, above n_items.
    for (int rerank : {6, 10, 20, 25, 30, 45}) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " R " + std::to_string(rerank));
      EvalOptions opt;
      opt.mode = RetrievalMode::kHier;
      opt.topk = topk;
      opt.kmax = kmax;
      opt.rerank = rerank;
      opt.user_batch = 7;
      std::ostringstream dump;
      opt.dump = &dump;
      const MetricMap got = evaluate(backend, in, c.truth, c.train, opt);
      std::string want_dump;
      const MetricMap want = brute_metrics(c, rerank, topk, kmax, &want_dump);
      EXPECT_EQ(got.size(), 9u);  // recall, ndcg, ndcg_hit at 3 K: no tie metrics
      for (const auto& [key, value] : want) {
        ASSERT_TRUE(got.count(key)) << key;
        EXPECT_NEAR(got.at(key), value, 1e-12) << key;
      }
      EXPECT_EQ(dump.str(), want_dump);
    }
  }
}

// The truncation to R matters: with R small the hier list differs from the
// real ranking; with R >= n_items it is the real ranking, the same doubles
// (the re-rank scores each pair as the real top-k does).
TEST(Hier, EqualsRealWhenEveryItemIsACandidate) {
  const RandomCase c = make_random_case(64, 91);
  std::string real_dump, hier_dump, short_dump;
  int calls = 0;
  const MetricMap real = run_case(c, RetrievalMode::kReal, 4096, 2, &real_dump, &calls);
  const MetricMap hier = run_case(c, RetrievalMode::kHier, 4096, 2, &hier_dump, &calls, c.n_items);
  for (const auto& [key, value] : real) EXPECT_EQ(hier.at(key), value) << key;
  EXPECT_EQ(hier_dump, real_dump);
  run_case(c, RetrievalMode::kHier, 4096, 2, &short_dump, &calls, 60);
  EXPECT_NE(short_dump, real_dump);
}

TEST(Hier, SameResultsForAnyBatchAndThreadsWithShortR) {
  const RandomCase c = make_random_case(64, 5);
  std::string want_dump;
  int calls = 0;
  const MetricMap want = run_case(c, RetrievalMode::kHier, 4096, 1, &want_dump, &calls, 80);
  for (int batch : {1, 7, 4096}) {
    for (int threads : {1, 2}) {
      SCOPED_TRACE("batch " + std::to_string(batch) + " threads " + std::to_string(threads));
      std::string dump;
      const MetricMap got = run_case(c, RetrievalMode::kHier, batch, threads, &dump, &calls, 80);
      for (const auto& [key, value] : want) EXPECT_EQ(got.at(key), value) << key;  // bitwise
      EXPECT_EQ(dump, want_dump);
    }
  }
}

TEST(Hier, RefusesRBelowTheListLength) {
  const HierCase c = make_hier_case(1);
  EvalOnlyBackend backend;
  CodeTensor codes = backend.alloc_u64(c.n_users + c.n_items, 1);
  FloatTensor table = backend.alloc_f32(c.n_users + c.n_items, c.dim);
  EvalInputs in{c.n_users, c.n_items, &table, &codes, c.bits};
  EvalOptions opt;
  opt.mode = RetrievalMode::kHier;
  opt.topk = {5, 20};
  opt.kmax = 20;
  opt.rerank = 10;
  try {
    evaluate(backend, in, c.truth, c.train, opt);
    FAIL() << "no exception";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--rerank 10"), std::string::npos) << what;
    EXPECT_NE(what.find("--topk value 20"), std::string::npos) << what;
  }
  opt.kmax = 30;
  opt.rerank = 25;
  try {
    evaluate(backend, in, c.truth, c.train, opt);
    FAIL() << "no exception";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--rerank 25"), std::string::npos) << what;
    EXPECT_NE(what.find("--kmax 30"), std::string::npos) << what;
  }
  EXPECT_EQ(backend.topk_calls, 0);
  opt.rerank = 30;
  EvalInputs no_table{c.n_users, c.n_items, nullptr, &codes, c.bits};
  EXPECT_THROW(evaluate(backend, no_table, c.truth, c.train, opt), std::invalid_argument);
  EvalInputs no_codes{c.n_users, c.n_items, &table, nullptr, c.bits};
  EXPECT_THROW(evaluate(backend, no_codes, c.truth, c.train, opt), std::invalid_argument);
}

// Order of the re-rank: descending, -0 == +0 (then by id), NaN last; short
// rows padded with item -1, score -inf.
TEST(Hier, RerankOrderAndPadding) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float items[] = {0.5f, nan, -0.0f, 0.0f, 2.0f};  // dim 1
  const float user = 1.0f;
  TopK candidates;
  candidates.k = 6;
  candidates.n_users = 2;
  candidates.items = {4, 1, 3, 2, 0, -1, /* row 1: no candidate */ -1, -1, -1, -1, -1, -1};
  TopK out;
  rerank_by_inner_product(candidates, {&user, &user}, items, 1, 7, out);
  ASSERT_EQ(out.k, 7);
  ASSERT_EQ(out.n_users, 2);
  const std::vector<int32_t> row0(out.items.begin(), out.items.begin() + 7);
  EXPECT_EQ(row0, (std::vector<int32_t>{4, 0, 2, 3, 1, -1, -1}));
  EXPECT_EQ(out.scores[0], 2.0f);
  EXPECT_EQ(out.scores[1], 0.5f);
  EXPECT_TRUE(std::isnan(out.scores[4]));
  EXPECT_EQ(out.scores[5], -std::numeric_limits<float>::infinity());
  for (int r = 0; r < 7; ++r) EXPECT_EQ(out.items[7 + r], -1);
  EXPECT_EQ(inner_product(items, items + 4, 1), 1.0f);
}

TEST(RetrievalMode, NamesRoundTripAndBadNamesListTheChoices) {
  EXPECT_STREQ(retrieval_mode_name(RetrievalMode::kReal), "real");
  EXPECT_STREQ(retrieval_mode_name(RetrievalMode::kHamming), "hamming");
  EXPECT_STREQ(retrieval_mode_name(RetrievalMode::kHier), "hier");
  EXPECT_EQ(parse_retrieval_mode("real"), RetrievalMode::kReal);
  EXPECT_EQ(parse_retrieval_mode("hamming"), RetrievalMode::kHamming);
  EXPECT_EQ(parse_retrieval_mode("hier"), RetrievalMode::kHier);
  try {
    parse_retrieval_mode("cosine");
    FAIL() << "no exception";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cosine"), std::string::npos);
    EXPECT_NE(what.find("real"), std::string::npos);
    EXPECT_NE(what.find("hamming"), std::string::npos);
    EXPECT_NE(what.find("hier"), std::string::npos);
  }
  EXPECT_EQ(default_rerank(100), 500);
  EXPECT_EQ(default_rerank(800), 800);
}

}  // namespace
}  // namespace bitrec

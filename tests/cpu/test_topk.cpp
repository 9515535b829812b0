// CPU top-k retrieval (host/cpu/cpu_topk_*.cpp) against brute-force sorts:
// exact equality of ids, scores and distance histograms, whatever the code
// width, the ties, the exclusions or the thread count.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <tuple>
#include <vector>

#include "bitrec/kernels/hamming.hpp"
#include "cpu/cpu_topk.hpp"

namespace bitrec {
namespace {

// Random codes [rows, words] of `bits` bits; with `tie_bits` > 0 only the
// lowest tie_bits bits vary, so distances take few values and ties abound.
std::vector<uint64_t> random_codes(int64_t rows, int bits, int tie_bits, std::mt19937_64& rng) {
  const int words = code_words(bits);
  std::vector<uint64_t> codes(static_cast<size_t>(rows * words), 0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int k = 0; k < bits; ++k) {
      const bool varies = tie_bits == 0 || k < tie_bits;
      if (varies && (rng() & 1)) codes[r * words + k / 64] |= uint64_t{1} << (k % 64);
    }
  }
  return codes;
}

Csr random_exclusions(int32_t n_users, int32_t n_items, double share, std::mt19937_64& rng) {
  std::vector<std::pair<int32_t, int32_t>> pairs;
  std::bernoulli_distribution pick(share);
  for (int32_t u = 0; u < n_users; ++u) {
    for (int32_t i = 0; i < n_items; ++i) {
      if (pick(rng)) pairs.push_back({u, i});
    }
  }
  return csr_from_pairs(n_users, n_items, pairs);
}

// Brute force: (distance, id) of every non-excluded item, fully sorted.
void brute_topk_hamming(const std::vector<uint64_t>& codes, int words, int32_t n_users,
                        int32_t n_items, int bits, const Csr& exclude,
                        const std::vector<int32_t>& users, int k, TopK& out) {
  out.k = k;
  out.n_users = static_cast<int64_t>(users.size());
  out.hist_bins = bits + 1;
  out.items.assign(users.size() * k, -1);
  out.scores.assign(users.size() * k, std::numeric_limits<float>::infinity());
  out.distance_hist.assign(users.size() * (bits + 1), 0);
  for (size_t row = 0; row < users.size(); ++row) {
    const int32_t u = users[row];
    std::vector<std::pair<int, int32_t>> all;
    for (int32_t i = 0; i < n_items; ++i) {
      if (exclude.contains(u, i)) continue;
      const int d = hamming_distance(&codes[u * words], &codes[(n_users + i) * words], words);
      all.push_back({d, i});
      ++out.distance_hist[row * (bits + 1) + d];
    }
    std::sort(all.begin(), all.end());
    for (int r = 0; r < k && r < static_cast<int>(all.size()); ++r) {
      out.items[row * k + r] = all[r].second;
      out.scores[row * k + r] = static_cast<float>(all[r].first);
    }
  }
}

void expect_same(const TopK& got, const TopK& want) {
  EXPECT_EQ(got.k, want.k);
  EXPECT_EQ(got.n_users, want.n_users);
  EXPECT_EQ(got.items, want.items);
  EXPECT_EQ(got.scores, want.scores);
  EXPECT_EQ(got.hist_bins, want.hist_bins);
  EXPECT_EQ(got.distance_hist, want.distance_hist);
}

class TopKHamming : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(TopKHamming, MatchesBruteForceSort) {
  const auto [bits, tie_bits] = GetParam();
  std::mt19937_64 rng(bits * 131 + tie_bits);
  const int32_t n_users = 40, n_items = 700;
  const int words = code_words(bits);
  const std::vector<uint64_t> codes = random_codes(n_users + n_items, bits, tie_bits, rng);
  const Csr exclude = random_exclusions(n_users, n_items, 0.1, rng);
  // 21 users in arbitrary order, one repeated: two full groups of the
  // distance pass (8 users) and a partial one.
  std::vector<int32_t> users{5, 0, 39, 17, 17, 2, 33};
  for (int j = 0; j < 14; ++j) users.push_back((j * 11 + 3) % n_users);
  for (int k : {1, 7, 50, 64, 200, n_items + 5}) {
    TopK got, want;
    cpu_topk_hamming(codes.data(), words, n_users, n_items, bits, exclude, users, k, got);
    brute_topk_hamming(codes, words, n_users, n_items, bits, exclude, users, k, want);
    SCOPED_TRACE("bits " + std::to_string(bits) + " k " + std::to_string(k));
    expect_same(got, want);
  }
}

// Widths 32..768 cover the 1, 2, 3, 4, 12-word specialisations and the
// generic path (5 words); tie_bits 4 and 0 give many ties.
INSTANTIATE_TEST_SUITE_P(Widths, TopKHamming,
                         ::testing::Values(std::make_tuple(32, 0), std::make_tuple(64, 0),
                                           std::make_tuple(64, 4), std::make_tuple(100, 0),
                                           std::make_tuple(100, 6), std::make_tuple(130, 0),
                                           std::make_tuple(256, 0), std::make_tuple(256, 5),
                                           std::make_tuple(320, 0), std::make_tuple(768, 0),
                                           std::make_tuple(7, 0)));

TEST(TopKHammingEdge, AllCodesEqualMeansIdOrder) {
  const int bits = 64;
  const int32_t n_users = 2, n_items = 100;
  std::vector<uint64_t> codes(n_users + n_items, 0xF0F0F0F0F0F0F0F0ull);
  const Csr exclude = csr_from_pairs(n_users, n_items, {{0, 0}, {0, 5}, {1, 99}});
  TopK got;
  cpu_topk_hamming(codes.data(), 1, n_users, n_items, bits, exclude, {0, 1}, 4, got);
  EXPECT_EQ(got.items, (std::vector<int32_t>{1, 2, 3, 4, 0, 1, 2, 3}));
  EXPECT_EQ(got.distance_hist[0], 98);         // user 0: 100 items less 2 excluded
  EXPECT_EQ(got.distance_hist[bits + 1], 99);  // user 1: less 1
}

TEST(TopKHammingEdge, FewerCandidatesThanKArePadded) {
  const int bits = 8;
  const int32_t n_users = 1, n_items = 3;
  std::vector<uint64_t> codes{0x00, 0x01, 0x03, 0xFF};  // user, items at d = 1, 2, 8
  const Csr exclude = csr_from_pairs(n_users, n_items, {{0, 1}});
  TopK got;
  cpu_topk_hamming(codes.data(), 1, n_users, n_items, bits, exclude, {0}, 4, got);
  EXPECT_EQ(got.items, (std::vector<int32_t>{0, 2, -1, -1}));
  EXPECT_EQ(got.scores[0], 1.0f);
  EXPECT_EQ(got.scores[1], 8.0f);
  EXPECT_TRUE(std::isinf(got.scores[2]));

  // Every item excluded: an all-padding row and an empty histogram.
  const Csr all = csr_from_pairs(n_users, n_items, {{0, 0}, {0, 1}, {0, 2}});
  cpu_topk_hamming(codes.data(), 1, n_users, n_items, bits, all, {0}, 2, got);
  EXPECT_EQ(got.items, (std::vector<int32_t>{-1, -1}));
  EXPECT_EQ(got.distance_hist, std::vector<int32_t>(bits + 1, 0));
}

// Fewer candidates than k, several at the largest distance (= bits): all of
// them are kept. (Found by the hier tests: for candidates < k < candidates +
// #items at distance bits, the last ones were dropped.)
TEST(TopKHammingEdge, FewerCandidatesThanKKeepsEveryItemAtDistanceBits) {
  const int bits = 4;
  // user 0000; items: d 1, d 4, d 4, d 4, d 2
  std::vector<uint64_t> codes{0x0, 0x1, 0xF, 0xF, 0xF, 0x3};
  const Csr none = csr_from_pairs(1, 5, {});
  for (int k : {5, 6, 7, 8, 9}) {
    TopK got;
    cpu_topk_hamming(codes.data(), 1, 1, 5, bits, none, {0}, k, got);
    std::vector<int32_t> want{0, 4, 1, 2, 3};
    want.resize(static_cast<size_t>(k), -1);
    EXPECT_EQ(got.items, want) << "k " << k;
  }
}

TEST(TopKHammingEdge, ThreadCountDoesNotChangeResults) {
  std::mt19937_64 rng(3);
  const int bits = 64;
  const int32_t n_users = 300, n_items = 900;
  const std::vector<uint64_t> codes = random_codes(n_users + n_items, bits, 5, rng);
  const Csr exclude = random_exclusions(n_users, n_items, 0.05, rng);
  std::vector<int32_t> users(n_users);
  for (int32_t u = 0; u < n_users; ++u) users[u] = u;
  const int saved = omp_get_max_threads();
  TopK one, two;
  omp_set_num_threads(1);
  cpu_topk_hamming(codes.data(), 1, n_users, n_items, bits, exclude, users, 20, one);
  omp_set_num_threads(2);
  cpu_topk_hamming(codes.data(), 1, n_users, n_items, bits, exclude, users, 20, two);
  omp_set_num_threads(saved);
  expect_same(one, two);
}

// ---------------------------------------------------------------------------
// Real scores

// Brute force in double. With dyadic inputs (multiples of 1/2 in [-2, 2],
// dim <= 128) every partial sum is exact in float, so the kernel's float
// scores must equal these exactly and ties are common.
void brute_topk_real(const std::vector<float>& table, int dim, int32_t n_users, int32_t n_items,
                     const Csr& exclude, const std::vector<int32_t>& users, int k,
                     std::vector<int32_t>& items, std::vector<float>& scores) {
  items.assign(users.size() * k, -1);
  scores.assign(users.size() * k, -std::numeric_limits<float>::infinity());
  for (size_t row = 0; row < users.size(); ++row) {
    const int32_t u = users[row];
    std::vector<std::pair<double, int32_t>> all;  // (-score, id): ascending = rank order
    for (int32_t i = 0; i < n_items; ++i) {
      if (exclude.contains(u, i)) continue;
      double s = 0.0;
      for (int d = 0; d < dim; ++d) {
        s += double{table[u * dim + d]} * table[(n_users + i) * dim + d];
      }
      if (std::isnan(s)) s = -std::numeric_limits<double>::infinity();
      all.push_back({-s, i});
    }
    std::sort(all.begin(), all.end());
    for (int r = 0; r < k && r < static_cast<int>(all.size()); ++r) {
      items[row * k + r] = all[r].second;
      scores[row * k + r] = static_cast<float>(-all[r].first);
    }
  }
}

std::vector<float> dyadic_table(int64_t rows, int dim, std::mt19937_64& rng) {
  std::vector<float> t(static_cast<size_t>(rows * dim));
  for (float& x : t) x = 0.5f * static_cast<float>(static_cast<int>(rng() % 9) - 4);
  return t;
}

TEST(TopKReal, MatchesBruteForceWithTies) {
  std::mt19937_64 rng(11);
  const int32_t n_users = 150, n_items = 333;  // 150: two user blocks and a partial one
  for (int dim : {1, 3, 16, 64, 70}) {
    const std::vector<float> table = dyadic_table(n_users + n_items, dim, rng);
    const Csr exclude = random_exclusions(n_users, n_items, 0.1, rng);
    std::vector<int32_t> users;
    for (int32_t u = n_users - 1; u >= 0; u -= 2) users.push_back(u);  // descending, arbitrary
    for (int k : {1, 10, 100, n_items + 3}) {
      TopK got;
      cpu_topk_real(table.data(), dim, n_users, n_items, exclude, users, k, got);
      std::vector<int32_t> items;
      std::vector<float> scores;
      brute_topk_real(table, dim, n_users, n_items, exclude, users, k, items, scores);
      SCOPED_TRACE("dim " + std::to_string(dim) + " k " + std::to_string(k));
      EXPECT_EQ(got.k, k);
      EXPECT_EQ(got.n_users, static_cast<int64_t>(users.size()));
      EXPECT_EQ(got.items, items);
      EXPECT_EQ(got.scores, scores);
    }
  }
}

// Gaussian scores: float rounding differs from the double reference, so
// check what is exact anyway (order, exclusions, the k-th boundary) and
// the scores to float tolerance.
TEST(TopKReal, GaussianScoresAreATrueTopK) {
  std::mt19937_64 rng(5);
  const int32_t n_users = 70, n_items = 1000;
  const int dim = 64, k = 50;
  std::normal_distribution<float> normal(0.0f, 0.1f);
  std::vector<float> table(static_cast<size_t>((n_users + n_items) * dim));
  for (float& x : table) x = normal(rng);
  const Csr exclude = random_exclusions(n_users, n_items, 0.05, rng);
  std::vector<int32_t> users(n_users);
  for (int32_t u = 0; u < n_users; ++u) users[u] = u;
  TopK got;
  cpu_topk_real(table.data(), dim, n_users, n_items, exclude, users, k, got);
  std::vector<int32_t> items;
  std::vector<float> scores;
  brute_topk_real(table, dim, n_users, n_items, exclude, users, n_items, items, scores);
  for (int32_t u = 0; u < n_users; ++u) {
    const int32_t* row = got.items.data() + u * k;
    const float* srow = got.scores.data() + u * k;
    for (int r = 0; r < k; ++r) {
      ASSERT_FALSE(exclude.contains(u, row[r]));
      if (r > 0) {
        ASSERT_TRUE(srow[r - 1] > srow[r] || (srow[r - 1] == srow[r] && row[r - 1] < row[r]));
      }
      double s = 0.0;
      for (int d = 0; d < dim; ++d)
        s += double{table[u * dim + d]} * table[(n_users + row[r]) * dim + d];
      EXPECT_NEAR(srow[r], s, 1e-5);
    }
    // Nothing left out scores clearly above the k-th kept one.
    const int n_candidates = n_items - static_cast<int>(exclude.row_size(u));
    const float kth = scores[u * n_items + k - 1];
    for (int r = k; r < n_candidates; ++r) EXPECT_LE(scores[u * n_items + r], kth + 1e-5);
    EXPECT_NEAR(srow[k - 1], kth, 1e-5);
  }
}

TEST(TopKReal, NanRanksLastAndShortListsArePadded) {
  const int32_t n_users = 1, n_items = 4;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // dim 1: user 1; items 0.5, NaN, 2, -1.
  const std::vector<float> table{1.0f, 0.5f, nan, 2.0f, -1.0f};
  const Csr exclude = csr_from_pairs(n_users, n_items, {{0, 3}});
  TopK got;
  cpu_topk_real(table.data(), 1, n_users, n_items, exclude, {0}, 5, got);
  EXPECT_EQ(got.items, (std::vector<int32_t>{2, 0, 1, -1, -1}));
  EXPECT_EQ(got.scores[0], 2.0f);
  EXPECT_EQ(got.scores[1], 0.5f);
  EXPECT_TRUE(std::isinf(got.scores[2]) && got.scores[2] < 0);  // NaN ranks as -inf
  EXPECT_TRUE(std::isinf(got.scores[4]) && got.scores[4] < 0);
}

TEST(TopKReal, ThreadCountDoesNotChangeResults) {
  std::mt19937_64 rng(9);
  const int32_t n_users = 400, n_items = 500;
  const int dim = 32;
  std::normal_distribution<float> normal(0.0f, 0.1f);
  std::vector<float> table(static_cast<size_t>((n_users + n_items) * dim));
  for (float& x : table) x = normal(rng);
  const Csr exclude = random_exclusions(n_users, n_items, 0.05, rng);
  std::vector<int32_t> users(n_users);
  for (int32_t u = 0; u < n_users; ++u) users[u] = u;
  const int saved = omp_get_max_threads();
  TopK one, two;
  omp_set_num_threads(1);
  cpu_topk_real(table.data(), dim, n_users, n_items, exclude, users, 30, one);
  omp_set_num_threads(2);
  cpu_topk_real(table.data(), dim, n_users, n_items, exclude, users, 30, two);
  omp_set_num_threads(saved);
  EXPECT_EQ(one.items, two.items);
  EXPECT_EQ(one.scores, two.scores);
}

}  // namespace
}  // namespace bitrec

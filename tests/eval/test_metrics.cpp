// Ranking metrics (host/eval/metrics.cpp) against hand-computed cases and,
// for the tie-aware metrics, against brute-force averaging over every order
// of the tied groups.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "bitrec/metrics.hpp"

namespace bitrec {
namespace {

constexpr double kTol = 1e-12;

double disc(int r) { return 1.0 / std::log2(r + 1.0); }  // independent of rank_discount

RankedMetrics ranked(const std::vector<int32_t>& list, const std::vector<int32_t>& test, int k,
                     int kmax) {
  return ranked_metrics(list.data(), static_cast<int>(list.size()), test.data(),
                        test.data() + test.size(), k, kmax);
}

TEST(Metrics, DiscountsAndIdealDcg) {
  EXPECT_DOUBLE_EQ(rank_discount(1), 1.0);                  // 1/log2(2)
  EXPECT_DOUBLE_EQ(rank_discount(3), 0.5);                  // 1/log2(4)
  EXPECT_NEAR(rank_discount(2), 0.6309297535714575, kTol);  // 1/log2(3)
  EXPECT_EQ(ideal_dcg(0), 0.0);
  EXPECT_NEAR(ideal_dcg(3), 1.0 + disc(2) + 0.5, kTol);  // 2.1309297535714575
  // Past the tabulated ranks the same formula continues.
  double sum = 0.0;
  for (int r = 1; r <= 5000; ++r) sum += disc(r);
  EXPECT_NEAR(ideal_dcg(5000), sum, 1e-9);
  EXPECT_NEAR(rank_discount(5000), disc(5000), kTol);
}

// ranked = [5, 3, 9, 1, 7], T = {1, 3, 8}: hits at ranks 2 (item 3) and 4 (item 1).
TEST(Metrics, HandCaseBothNdcgFamilies) {
  const std::vector<int32_t> list{5, 3, 9, 1, 7};
  const std::vector<int32_t> test{1, 3, 8};
  const double idcg3 = 1.0 + disc(2) + disc(3);  // min(|T|=3, K) = 3 → 2.13093
  const double idcg2 = 1.0 + disc(2);            // ndcg_hit: 2 hits in top-5 → 1.63093

  // K = 3: one hit (rank 2). recall 1/3; DCG = 1/log2(3) = 0.63093.
  RankedMetrics m = ranked(list, test, 3, 5);
  EXPECT_NEAR(m.recall, 1.0 / 3.0, kTol);
  EXPECT_NEAR(m.ndcg, disc(2) / idcg3, kTol);      // 0.29608
  EXPECT_NEAR(m.ndcg_hit, disc(2) / idcg2, kTol);  // IDCG over min(K=3, hits@5=2) → 0.38685

  // K = 5: hits at ranks 2 and 4; DCG = 0.63093 + 1/log2(5) = 1.06161.
  m = ranked(list, test, 5, 5);
  EXPECT_NEAR(m.recall, 2.0 / 3.0, kTol);
  EXPECT_NEAR(m.ndcg, (disc(2) + disc(4)) / idcg3, kTol);      // 0.49819
  EXPECT_NEAR(m.ndcg_hit, (disc(2) + disc(4)) / idcg2, kTol);  // 0.65092

  // K = 1: no hit; ndcg_hit's IDCG = min(1, 2 hits) = 1 but DCG = 0.
  m = ranked(list, test, 1, 5);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.ndcg, 0.0);
  EXPECT_EQ(m.ndcg_hit, 0.0);

  // kmax = 3 (list cut): only 1 hit in the top-3, so IDCG_hit = 1 for K = 3.
  m = ranked(list, test, 3, 3);
  EXPECT_NEAR(m.ndcg_hit, disc(2) / 1.0, kTol);

  // More hits in the top-kmax than K: ideal list cut at K. [3, 1, 5],
  // T = {1, 3}, K = 1, kmax = 3: DCG 1, IDCG_hit over min(1, 2 hits) = 1.
  m = ranked({3, 1, 5}, {1, 3}, 1, 3);
  EXPECT_NEAR(m.ndcg_hit, 1.0, kTol);
  EXPECT_NEAR(m.ndcg, 1.0, kTol);  // IDCG over min(|T| = 2, K = 1) = 1
}

TEST(Metrics, KLargerThanListAndPadding) {
  // List of 2 (fewer candidates than K), T = {1, 2, 3}: hit at rank 1.
  RankedMetrics m = ranked({1, 4}, {1, 2, 3}, 10, 10);
  EXPECT_NEAR(m.recall, 1.0 / 3.0, kTol);
  EXPECT_NEAR(m.ndcg, 1.0 / (1.0 + disc(2) + disc(3)), kTol);  // IDCG over min(3, 10)
  EXPECT_NEAR(m.ndcg_hit, 1.0, kTol);                          // 1 hit → IDCG = 1

  // -1 entries are padding, never hits.
  m = ranked({2, -1, -1}, {2}, 3, 3);
  EXPECT_NEAR(m.recall, 1.0, kTol);
  EXPECT_NEAR(m.ndcg, 1.0, kTol);
  EXPECT_NEAR(m.ndcg_hit, 1.0, kTol);
}

TEST(Metrics, ExcludedOverlapItemStillCountsInTruth) {
  // T = {1, 4}; item 4 is also a train item, so it is not in the ranking
  // [1, 2, 3]: recall 1/2, ndcg = 1 / IDCG(min(2, 3) = 2) = 1/1.63093.
  const RankedMetrics m = ranked({1, 2, 3}, {1, 4}, 3, 3);
  EXPECT_NEAR(m.recall, 0.5, kTol);
  EXPECT_NEAR(m.ndcg, 1.0 / (1.0 + disc(2)), kTol);  // 0.61315
  EXPECT_NEAR(m.ndcg_hit, 1.0, kTol);                // hits@kmax = 1 → IDCG = 1
}

TEST(Metrics, NoHitsAndEmptyTruth) {
  RankedMetrics m = ranked({7, 8, 9}, {1}, 3, 3);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.ndcg, 0.0);
  EXPECT_EQ(m.ndcg_hit, 0.0);
  m = ranked({7, 8, 9}, {}, 3, 3);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.ndcg, 0.0);
}

TEST(Metrics, NdcgHitNeverBelowNdcg) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<int32_t> items(40);
    std::iota(items.begin(), items.end(), 0);
    std::shuffle(items.begin(), items.end(), rng);
    std::vector<int32_t> test(items.begin(), items.begin() + 1 + rng() % 10);
    std::sort(test.begin(), test.end());
    std::shuffle(items.begin(), items.end(), rng);
    const int k = 1 + rng() % 20;
    const int kmax = k + rng() % 10;
    const RankedMetrics m = ranked(items, test, k, kmax);
    EXPECT_GE(m.ndcg_hit + kTol, m.ndcg);
    EXPECT_LE(m.ndcg, 1.0 + kTol);
    EXPECT_LE(m.ndcg_hit, 1.0 + kTol);
  }
}

// bits = 2 → 3 bins. candidates = [1, 4, 5], test_at = [0, 2, 1], |T| = 4
// (one test item is a train item, not a candidate), K = 3.
//   d=0: 1 item at rank 1, no test item.
//   d=1: group at ranks 2..5 with t⁺/t = 2/4; ranks 2, 3 are within K:
//        hits += 0.5·2 = 1, DCG += 0.5·(1/log2 3 + 1/log2 4) = 0.565465.
//   recall_tie = 1/4; ndcg_tie = 0.565465 / IDCG(min(4, 3)) = 0.265363.
TEST(Metrics, TieAwareHandCase) {
  const int32_t candidates[] = {1, 4, 5};
  const int32_t test_at[] = {0, 2, 1};
  const TieMetrics m = tie_aware_metrics(candidates, test_at, 3, 4, 3);
  EXPECT_NEAR(m.recall, 0.25, kTol);
  EXPECT_NEAR(m.ndcg, 0.5 * (disc(2) + disc(3)) / (1.0 + disc(2) + disc(3)), kTol);
}

TEST(Metrics, TieAwareEqualsRankedWithoutTies) {
  // One item per distance: the only order is the ranking itself.
  const int32_t candidates[] = {1, 1, 1, 1, 1};
  const int32_t test_at[] = {0, 1, 0, 1, 0};  // test items at ranks 2 and 4
  for (int k = 1; k <= 7; ++k) {
    const TieMetrics t = tie_aware_metrics(candidates, test_at, 5, 2, k);
    const RankedMetrics r = ranked({10, 11, 12, 13, 14}, {11, 13}, k, 7);
    EXPECT_NEAR(t.recall, r.recall, kTol) << "K=" << k;
    EXPECT_NEAR(t.ndcg, r.ndcg, kTol) << "K=" << k;
  }
}

// Brute force: every permutation of the candidates that keeps distances
// non-decreasing is one order of the tied groups, each equally likely.
TEST(Metrics, TieAwareMatchesAveragingOverAllTieOrders) {
  std::mt19937 rng(2024);
  for (int trial = 0; trial < 150; ++trial) {
    const int bins = 2 + rng() % 4;
    const int n = 1 + rng() % 7;  // candidates (≤ 7! = 5040 permutations)
    std::vector<int> dist(n);
    for (int& d : dist) d = rng() % bins;
    std::vector<int32_t> test;  // candidate ids that are test items
    for (int i = 0; i < n; ++i) {
      if (rng() % 3 == 0) test.push_back(i);
    }
    const int overlap = rng() % 2;  // test items that are train items
    const int n_test = static_cast<int>(test.size()) + overlap;
    if (n_test == 0) continue;

    std::vector<int32_t> candidates(bins, 0), test_at(bins, 0);
    for (int i = 0; i < n; ++i) {
      ++candidates[dist[i]];
      if (std::binary_search(test.begin(), test.end(), i)) ++test_at[dist[i]];
    }
    // Test ids as sorted ids; overlap items get ids >= n (never ranked).
    std::vector<int32_t> truth = test;
    for (int o = 0; o < overlap; ++o) truth.push_back(n + o);

    for (int k = 1; k <= n + 2; ++k) {
      std::vector<int32_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      double recall = 0.0, ndcg = 0.0;
      int64_t orders = 0;
      do {
        bool sorted = true;
        for (int r = 1; r < n && sorted; ++r) sorted = dist[order[r - 1]] <= dist[order[r]];
        if (!sorted) continue;
        const RankedMetrics m = ranked(order, truth, k, k);
        recall += m.recall;
        ndcg += m.ndcg;
        ++orders;
      } while (std::next_permutation(order.begin(), order.end()));
      const TieMetrics t = tie_aware_metrics(candidates.data(), test_at.data(), bins, n_test, k);
      EXPECT_NEAR(t.recall, recall / orders, 1e-12) << "trial " << trial << " K=" << k;
      EXPECT_NEAR(t.ndcg, ndcg / orders, 1e-12) << "trial " << trial << " K=" << k;
    }
  }
}

}  // namespace
}  // namespace bitrec

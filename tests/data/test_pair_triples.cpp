// The BPR term of user-based epochs draws one triple per train pair of the
// batch's users (host/data/pair_triples.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "bitrec/csr.hpp"
#include "data/pair_triples.hpp"

namespace bitrec {
namespace {

// 4 users × 6 items; user 3 holds every item, user 2 none.
Csr small_train() {
  std::vector<std::pair<int32_t, int32_t>> pairs = {{0, 1}, {0, 4}, {1, 0}, {1, 2}, {1, 3}, {1, 5}};
  for (int32_t i = 0; i < 6; ++i) pairs.emplace_back(3, i);
  return csr_from_pairs(4, 6, std::move(pairs));
}

TEST(PairTriples, MaxPairsIsTheLargestDegreesSum) {
  const Csr train = small_train();
  EXPECT_EQ(max_pairs_per_batch(train, 1), 6);
  EXPECT_EQ(max_pairs_per_batch(train, 2), 10);
  EXPECT_EQ(max_pairs_per_batch(train, 3), 12);
  EXPECT_EQ(max_pairs_per_batch(train, 100), 12);
}

TEST(PairTriples, OneTriplePerPairNegativesOutsideTrainSaturatedUsersSkipped) {
  const Csr train = small_train();
  const std::vector<int32_t> users = {1, 3, 2, 0};
  std::vector<int32_t> out(3 * 12, -1);
  const int64_t n = fill_pair_triples(train, 7, 0, users.data(), 4, out.data());
  ASSERT_EQ(n, 6);  // user 1's four pairs, then user 0's two; 3 and 2 have no triple
  const std::vector<std::pair<int32_t, int32_t>> expected = {{1, 0}, {1, 2}, {1, 3}, {1, 5}, {0, 1}, {0, 4}};
  for (int64_t t = 0; t < n; ++t) {
    EXPECT_EQ(out[3 * t], expected[t].first) << t;
    EXPECT_EQ(out[3 * t + 1], expected[t].second) << t;
    const int32_t neg = out[3 * t + 2];
    ASSERT_GE(neg, 0);
    ASSERT_LT(neg, 6);
    const int32_t user = out[3 * t];
    EXPECT_FALSE(std::binary_search(train.row_begin(user), train.row_end(user), neg)) << t;
  }
  EXPECT_EQ(out[3 * n], -1);  // nothing written past the count
}

TEST(PairTriples, SameTriplesWhateverTheBatchingAndNewOnesEachEpoch) {
  // 200 users with 1..30 items among 300: a user's triples depend on (seed,
  // epoch, pair) only, not on which users share its batch.
  std::vector<std::pair<int32_t, int32_t>> pairs;
  for (int32_t u = 0; u < 200; ++u) {
    for (int32_t k = 0; k < 1 + u % 30; ++k) pairs.emplace_back(u, (u * 7 + k * 11) % 300);
  }
  const Csr train = csr_from_pairs(200, 300, std::move(pairs));
  std::vector<int32_t> users(200);
  for (int32_t u = 0; u < 200; ++u) users[u] = (u * 37) % 200;
  auto triples_of = [&](int64_t batch, uint32_t epoch) {
    std::map<std::pair<int32_t, int32_t>, int32_t> neg_of;
    std::vector<int32_t> out(static_cast<size_t>(3 * max_pairs_per_batch(train, static_cast<int>(batch))));
    for (int64_t first = 0; first < 200; first += batch) {
      const int64_t count = std::min<int64_t>(batch, 200 - first);
      const int64_t n = fill_pair_triples(train, 11, epoch, users.data() + first, count, out.data());
      for (int64_t t = 0; t < n; ++t) neg_of[{out[3 * t], out[3 * t + 1]}] = out[3 * t + 2];
    }
    return neg_of;
  };
  const auto whole = triples_of(200, 3);
  EXPECT_EQ(static_cast<int64_t>(whole.size()), train.nnz());
  EXPECT_EQ(triples_of(17, 3), whole);
  EXPECT_EQ(triples_of(1, 3), whole);
  const auto next_epoch = triples_of(200, 4);
  int64_t differ = 0;
  for (const auto& [pair, neg] : whole) differ += next_epoch.at(pair) != neg;
  EXPECT_GT(differ, train.nnz() / 2);  // 300 items: almost every negative changes
}

}  // namespace
}  // namespace bitrec

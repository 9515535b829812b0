// Code health (host/eval/code_health.cpp) on hand cases and against a
// brute-force pass over all (user, item) pairs.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

#include "bitrec/evaluator.hpp"
#include "bitrec/kernels/hamming.hpp"

namespace bitrec {
namespace {

TEST(CodeHealth, AllCodesEqualIsFullCollapse) {
  // 3 users and 4 items all 1011 (4 bits): every bit is all-ones or all-zeros.
  const std::vector<uint64_t> codes(7, 0b1011);
  const CodeHealth h = code_health(codes, 3, 4, 4);
  EXPECT_EQ(h.distinct_users, 1);
  EXPECT_EQ(h.distinct_items, 1);
  EXPECT_DOUBLE_EQ(h.bit_balance, 1.0);          // |1 − ½|·2 = |0 − ½|·2 = 1 per bit
  EXPECT_DOUBLE_EQ(h.user_item_agreement, 1.0);  // every pair equal on every bit
}

TEST(CodeHealth, HandCase) {
  // bits = 2. users u0 = 00, u1 = 11; items i0 = i1 = 01.
  // Shares of +1 over all 4 codes: bit 0 → 3/4, bit 1 → 1/4; |·−½|·2 = ½ each.
  // Agreement: each of the 4 pairs agrees on exactly 1 bit of 2 → ½.
  //   per bit: bit 0 p_u = ½, p_i = 1 → ½·1 + ½·0 = ½; bit 1 p_u = ½, p_i = 0 → ½.
  const std::vector<uint64_t> codes{0b00, 0b11, 0b01, 0b01};
  const CodeHealth h = code_health(codes, 2, 2, 2);
  EXPECT_EQ(h.distinct_users, 2);
  EXPECT_EQ(h.distinct_items, 1);
  EXPECT_DOUBLE_EQ(h.bit_balance, 0.5);
  EXPECT_DOUBLE_EQ(h.user_item_agreement, 0.5);
}

TEST(CodeHealth, PerfectlyBalancedBits) {
  // Half the codes all-ones, half all-zeros (64 bits): every share is ½.
  std::vector<uint64_t> codes{~uint64_t{0}, 0, ~uint64_t{0}, 0};
  const CodeHealth h = code_health(codes, 2, 2, 64);
  EXPECT_DOUBLE_EQ(h.bit_balance, 0.0);
  EXPECT_DOUBLE_EQ(h.user_item_agreement, 0.5);  // each pair: all equal or all different
}

TEST(CodeHealth, MatchesBruteForceOnRandomMultiwordCodes) {
  std::mt19937_64 rng(13);
  const int bits = 130;  // 3 words, 62 padding bits that must be ignored
  const int words = code_words(bits);
  const int32_t n_users = 37, n_items = 53;
  std::vector<uint64_t> codes(static_cast<size_t>((n_users + n_items) * words), 0);
  for (int64_t r = 0; r < n_users + n_items; ++r) {
    // Few patterns so that duplicates occur.
    const uint64_t pattern = rng() % 6;
    std::mt19937_64 pr(pattern + (r < n_users ? 100 : 0));
    for (int k = 0; k < bits; ++k) {
      if (pr() % 3 == 0) codes[r * words + k / 64] |= uint64_t{1} << (k % 64);
    }
  }
  std::set<std::vector<uint64_t>> users, items;
  for (int64_t r = 0; r < n_users + n_items; ++r) {
    std::vector<uint64_t> row(codes.begin() + r * words, codes.begin() + (r + 1) * words);
    (r < n_users ? users : items).insert(row);
  }
  double agreement = 0.0;
  for (int32_t u = 0; u < n_users; ++u) {
    for (int32_t i = 0; i < n_items; ++i) {
      const int h = hamming_distance(&codes[u * words], &codes[(n_users + i) * words], words);
      agreement += static_cast<double>(bits - h) / bits;
    }
  }
  agreement /= static_cast<double>(n_users) * n_items;
  double balance = 0.0;
  for (int k = 0; k < bits; ++k) {
    int ones = 0;
    for (int64_t r = 0; r < n_users + n_items; ++r)
      ones += (codes[r * words + k / 64] >> (k % 64)) & 1;
    balance += std::abs(static_cast<double>(ones) / (n_users + n_items) - 0.5) * 2.0;
  }
  balance /= bits;

  const CodeHealth h = code_health(codes, n_users, n_items, bits);
  EXPECT_EQ(h.distinct_users, static_cast<int64_t>(users.size()));
  EXPECT_EQ(h.distinct_items, static_cast<int64_t>(items.size()));
  EXPECT_NEAR(h.user_item_agreement, agreement, 1e-12);
  EXPECT_NEAR(h.bit_balance, balance, 1e-12);
}

}  // namespace
}  // namespace bitrec

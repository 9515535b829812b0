// Code health: the signs of code collapse (docs/methods.md §5, docs/contract.md
// codes.*). Collapse is silent in the loss, so every evaluation reports how
// many distinct codes remain, how one-sided the bits are, and how alike user
// and item codes have become.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "bitrec/evaluator.hpp"
#include "bitrec/kernels/hamming.hpp"

namespace bitrec {
namespace {

// Distinct rows among rows [first, first + count) of a [*, words] matrix:
// sort row indices lexicographically, count the runs.
int64_t distinct_rows(const uint64_t* codes, int words, int64_t first, int64_t count) {
  if (count <= 0) return 0;
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), first);
  const auto row = [&](int64_t r) { return codes + r * words; };
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return std::lexicographical_compare(row(a), row(a) + words, row(b), row(b) + words);
  });
  int64_t distinct = 1;
  for (size_t i = 1; i < order.size(); ++i) {
    if (!std::equal(row(order[i]), row(order[i]) + words, row(order[i - 1]))) ++distinct;
  }
  return distinct;
}

// ones[k] = how many of rows [first, first + count) have bit k set.
std::vector<int64_t> ones_per_bit(const uint64_t* codes, int words, int bits, int64_t first,
                                  int64_t count) {
  std::vector<int64_t> ones(static_cast<size_t>(bits), 0);
  for (int64_t r = first; r < first + count; ++r) {
    const uint64_t* code = codes + r * words;
    for (int k = 0; k < bits; ++k) ones[k] += (code[k / 64] >> (k % 64)) & 1u;
  }
  return ones;
}

}  // namespace

CodeHealth code_health(const std::vector<uint64_t>& codes, int32_t n_users, int32_t n_items,
                       int bits) {
  CodeHealth health;
  if (bits < 1) return health;
  const int words = code_words(bits);
  const int64_t rows = int64_t{n_users} + n_items;
  if (static_cast<int64_t>(codes.size()) < rows * words) {
    throw std::invalid_argument("code_health: codes smaller than [users + items, words]");
  }
  const uint64_t* data = codes.data();
  health.distinct_users = distinct_rows(data, words, 0, n_users);
  health.distinct_items = distinct_rows(data, words, n_users, n_items);

  const std::vector<int64_t> user_ones = ones_per_bit(data, words, bits, 0, n_users);
  const std::vector<int64_t> item_ones = ones_per_bit(data, words, bits, n_users, n_items);
  double balance = 0.0;
  double agreement = 0.0;
  for (int k = 0; k < bits; ++k) {
    if (rows > 0) {
      const double share =
          static_cast<double>(user_ones[k] + item_ones[k]) / static_cast<double>(rows);
      balance += std::fabs(share - 0.5) * 2.0;
    }
    if (n_users > 0 && n_items > 0) {
      // Over all (user, item) pairs, bit k agrees for a share
      // p_u p_i + (1 − p_u)(1 − p_i): the exact mean without m·n comparisons.
      const double pu = static_cast<double>(user_ones[k]) / n_users;
      const double pi = static_cast<double>(item_ones[k]) / n_items;
      agreement += pu * pi + (1.0 - pu) * (1.0 - pi);
    }
  }
  health.bit_balance = balance / bits;
  health.user_item_agreement = agreement / bits;
  return health;
}

}  // namespace bitrec

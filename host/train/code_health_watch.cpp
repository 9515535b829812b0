#include "code_health_watch.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace bitrec {

bool CodeHealthWatch::check(int epoch, const CodeHealth& h, int n_items, int bits) {
  std::string why;
  // Thresholds from the collapse in docs/methods.md §5: 59 of 64 bits agreeing
  // (0.92) with near-random recall. Healthy runs sit near 0.5 agreement.
  if (h.user_item_agreement > 0.85) {
    why += " users and items agree on " + std::to_string(static_cast<int>(h.user_item_agreement * 100)) +
           "% of bits;";
  }
  if (h.bit_balance > 0.8) why += " bits are stuck on one value (balance " + std::to_string(h.bit_balance) + ");";
  if (best_distinct_ > 0 && h.distinct_items * 2 < best_distinct_) {
    why += " distinct item codes fell from " + std::to_string(best_distinct_) + " to " +
           std::to_string(h.distinct_items) + ";";
  }
  // With few bits many items must share codes; only flag a tiny code set.
  const int64_t floor_distinct = std::min<int64_t>(n_items / 10, bits >= 20 ? int64_t{1} << 20 : int64_t{1} << bits);
  if (h.distinct_items < floor_distinct) {
    why += " only " + std::to_string(h.distinct_items) + " distinct item codes for " + std::to_string(n_items) +
           " items;";
  }
  best_distinct_ = std::max(best_distinct_, h.distinct_items);
  if (why.empty()) return false;
  std::fprintf(stderr, "warning: epoch %d: hash codes degrading:%s watch recall, try signswish or a BPR warm start\n",
               epoch, why.c_str());
  return true;
}

}  // namespace bitrec

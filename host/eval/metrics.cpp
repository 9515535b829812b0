// Ranking metrics of one user (docs/methods.md §1, docs/evaluation.md).
//
// The discounts come from one table built once, so every caller (per-user
// metrics, tie-aware metrics, ideal DCG) adds exactly the same doubles in
// the same order: results are bitwise reproducible.
#include "bitrec/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace bitrec {
namespace {

// Ranks 1..kTableRanks are tabulated; deeper ranks (rare: K > 4096) are
// computed on the fly with the same formula, so the values agree.
constexpr int kTableRanks = 4096;

struct DiscountTable {
  std::vector<double> discount;  // [r] = 1 / log2(r + 1), r = 1..kTableRanks
  std::vector<double> ideal;     // [n] = Σ_{r=1..n} discount[r], n = 0..kTableRanks
  DiscountTable() : discount(kTableRanks + 1, 0.0), ideal(kTableRanks + 1, 0.0) {
    for (int r = 1; r <= kTableRanks; ++r) {
      discount[r] = 1.0 / std::log2(static_cast<double>(r) + 1.0);
      ideal[r] = ideal[r - 1] + discount[r];
    }
  }
};

const DiscountTable& table() {
  static const DiscountTable t;  // thread-safe initialisation (C++11)
  return t;
}

bool is_test_item(const int32_t* test_begin, const int32_t* test_end, int32_t item) {
  return item >= 0 && std::binary_search(test_begin, test_end, item);
}

}  // namespace

double rank_discount(int rank) {
  if (rank <= kTableRanks) return table().discount[rank];
  return 1.0 / std::log2(static_cast<double>(rank) + 1.0);
}

double ideal_dcg(int n) {
  if (n <= 0) return 0.0;
  const DiscountTable& t = table();
  if (n <= kTableRanks) return t.ideal[n];
  double sum = t.ideal[kTableRanks];
  for (int r = kTableRanks + 1; r <= n; ++r) sum += rank_discount(r);
  return sum;
}

RankedMetrics ranked_metrics(const int32_t* ranked, int len, const int32_t* test_begin,
                             const int32_t* test_end, int k, int kmax) {
  RankedMetrics m;
  const int n_test = static_cast<int>(test_end - test_begin);
  if (n_test <= 0 || k <= 0) return m;
  // ndcg_hit's ideal list is cut at kmax; a kmax below K would let DCG exceed
  // IDCG, so the list is never shorter than K (the evaluator enforces it).
  const int list = std::min(len, std::max(k, kmax));
  int hits_k = 0;
  int hits_list = 0;
  double dcg = 0.0;
  for (int r = 1; r <= list; ++r) {
    if (!is_test_item(test_begin, test_end, ranked[r - 1])) continue;
    ++hits_list;
    if (r <= k) {
      ++hits_k;
      dcg += rank_discount(r);
    }
  }
  m.recall = static_cast<double>(hits_k) / n_test;
  m.ndcg = dcg / ideal_dcg(std::min(n_test, k));
  m.ndcg_hit = hits_list == 0 ? 0.0 : dcg / ideal_dcg(std::min(k, hits_list));
  return m;
}

TieMetrics tie_aware_metrics(const int32_t* candidates, const int32_t* test_at, int bins,
                             int n_test, int k) {
  TieMetrics m;
  if (n_test <= 0 || k <= 0) return m;
  double hits = 0.0;
  double dcg = 0.0;
  int64_t before = 0;  // a: items strictly closer than the current group
  for (int v = 0; v < bins && before < k; ++v) {
    const int64_t t = candidates[v];
    if (t == 0) continue;
    const int last = static_cast<int>(std::min<int64_t>(before + t, k));  // min(a+t, K)
    if (test_at[v] > 0) {
      // Every order of the group is equally likely: each of its ranks holds a
      // test item with probability t⁺/t (McSherry & Najork 2008).
      const double share = static_cast<double>(test_at[v]) / static_cast<double>(t);
      double discounts = 0.0;
      for (int r = static_cast<int>(before) + 1; r <= last; ++r) discounts += rank_discount(r);
      hits += share * static_cast<double>(last - before);
      dcg += share * discounts;
    }
    before += t;
  }
  m.recall = hits / n_test;
  m.ndcg = dcg / ideal_dcg(std::min(n_test, k));
  return m;
}

}  // namespace bitrec

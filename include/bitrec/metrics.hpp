// Ranking metrics of one user (docs/methods.md §1). Pure functions, so every
// figure bitrec reports can be checked against a hand-computed case.
#pragma once
#include <cstdint>

namespace bitrec {

// 1 / log2(rank + 1) for a 1-based rank.
double rank_discount(int rank);
// Σ_{r=1..n} 1/log2(r+1).
double ideal_dcg(int n);

struct RankedMetrics {
  double recall = 0.0;    // |top_K ∩ T| / |T|
  double ndcg = 0.0;      // LightGCN IDCG over min(|T|, K)
  double ndcg_hit = 0.0;  // IDCG over min(K, hits in the top-kmax list)
};

// ranked: the user's list in rank order (len >= min(K, kmax) unless fewer
// candidates exist; -1 entries are padding); test: sorted item ids.
RankedMetrics ranked_metrics(const int32_t* ranked, int len, const int32_t* test_begin,
                             const int32_t* test_end, int k, int kmax);

struct TieMetrics {
  double recall = 0.0;  // recall_tie@K
  double ndcg = 0.0;    // ndcg_tie@K (LightGCN IDCG)
};

// Tie-aware expectation over all orders within tied groups (McSherry &
// Najork 2008). candidates[v]: items at distance v (train items excluded);
// test_at[v]: test items at distance v; bins = bits + 1.
TieMetrics tie_aware_metrics(const int32_t* candidates, const int32_t* test_at, int bins,
                             int n_test, int k);

}  // namespace bitrec

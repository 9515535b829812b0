// Hierarchical search, second stage (docs/methods.md §6, docs/evaluation.md
// "hier"): a Hamming top-R candidate list re-ranked by the inner product of
// the continuous vectors. Shared by the evaluator (--mode hier) and serving
// (bitrec query/export --mode hier), so both produce the same lists.
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/topk.hpp"

namespace bitrec {

// Σ_d u[d]·v[d] summed in order d = 0 … dim−1: an fma chain where the CPU has
// FMA, multiply then add otherwise — the same float the CPU real top-k
// computes for the pair.
float inner_product(const float* u, const float* v, int dim);

// out := for each row b of `candidates` (item ids, -1 padding), its items
// re-ranked by inner_product(user_rows[b], item_rows + item·dim): descending,
// NaN as −∞, equal scores by ascending item id; the first k of each row, in
// rank order, padded with item −1 / score −∞ when the row has fewer than k
// candidates. out.scores are the inner products. user_rows.size() must equal
// candidates.n_users. Parallel over rows; the result does not depend on the
// thread count.
void rerank_by_inner_product(const TopK& candidates, const std::vector<const float*>& user_rows,
                             const float* item_rows, int dim, int k, TopK& out);

}  // namespace bitrec

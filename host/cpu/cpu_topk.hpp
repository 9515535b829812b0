// Exact CPU top-k retrieval, multithreaded over users. The CPU backend's
// topk_* methods forward here; results do not depend on the thread count.
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/csr.hpp"
#include "bitrec/topk.hpp"

namespace bitrec {

// codes: [n_users + n_items, words] (users first). Fills out.items/scores
// [users.size(), k] (score = Hamming distance) and out.distance_hist
// [users.size(), bits + 1]. Ties by ascending item id.
void cpu_topk_hamming(const uint64_t* codes, int words, int32_t n_users, int32_t n_items,
                      int bits, const Csr& exclude, const std::vector<int32_t>& users, int k,
                      TopK& out);

// table: [n_users + n_items, dim] row-major. Score = dot product; descending
// score, ties by ascending item id.
void cpu_topk_real(const float* table, int dim, int32_t n_users, int32_t n_items,
                   const Csr& exclude, const std::vector<int32_t>& users, int k, TopK& out);

}  // namespace bitrec

// The symmetric-normalised bipartite graph Â = D^-½ A D^-½, A = [[0, R], [Rᵀ, 0]]
// over m + n nodes (users first, then items), stored as CSR (docs/methods.md §2).
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/csr.hpp"

namespace bitrec {

struct NormalizedGraph {
  int32_t n_users = 0;
  int32_t n_items = 0;
  int64_t n_nodes = 0;             // n_users + n_items
  std::vector<int64_t> indptr;     // [n_nodes + 1]
  std::vector<int32_t> indices;    // [nnz] node ids, ascending within a row
  std::vector<float> values;       // [nnz] 1 / sqrt(deg_r * deg_c)

  int64_t nnz() const { return static_cast<int64_t>(indices.size()); }
};

// Zero-degree nodes get empty rows.
NormalizedGraph build_normalized_graph(const Csr& train, int32_t n_users, int32_t n_items);

}  // namespace bitrec

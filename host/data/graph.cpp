// Â = D^-½ A D^-½ for A = [[0, R], [Rᵀ, 0]] (docs/methods.md §2), built straight
// from the train CSR in O(nnz): user rows are the train rows shifted by m,
// item rows are the transpose, filled in user order so they come out sorted.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "bitrec/graph.hpp"

namespace bitrec {

namespace {

void check_train(const Csr& train, int32_t n_users, int32_t n_items) {
  if (n_users < 0 || n_items < 0 ||
      static_cast<int64_t>(n_users) + n_items > std::numeric_limits<int32_t>::max()) {
    throw std::invalid_argument("build_normalized_graph: node count does not fit int32");
  }
  if (train.rows != n_users || train.cols != n_items ||
      static_cast<int64_t>(train.indptr.size()) != train.rows + 1 || train.indptr[0] != 0 ||
      train.indptr.back() != train.nnz()) {
    throw std::invalid_argument("build_normalized_graph: train CSR is " +
                                std::to_string(train.rows) + "x" + std::to_string(train.cols) +
                                ", expected " + std::to_string(n_users) + "x" +
                                std::to_string(n_items));
  }
  for (const int32_t i : train.indices) {
    if (i < 0 || i >= n_items) {
      throw std::invalid_argument("build_normalized_graph: item id " + std::to_string(i) +
                                  " out of range [0, " + std::to_string(n_items) + ")");
    }
  }
}

}  // namespace

NormalizedGraph build_normalized_graph(const Csr& train, int32_t n_users, int32_t n_items) {
  check_train(train, n_users, n_items);
  NormalizedGraph g;
  g.n_users = n_users;
  g.n_items = n_items;
  g.n_nodes = static_cast<int64_t>(n_users) + n_items;
  const int64_t pairs = train.nnz();

  // Degrees: a user's is its row length, an item's its column count.
  std::vector<int64_t> item_degree(n_items, 0);
  for (const int32_t i : train.indices) ++item_degree[i];

  g.indptr.assign(g.n_nodes + 1, 0);
  for (int32_t u = 0; u < n_users; ++u) g.indptr[u + 1] = g.indptr[u] + train.row_size(u);
  for (int32_t i = 0; i < n_items; ++i) {
    g.indptr[n_users + i + 1] = g.indptr[n_users + i] + item_degree[i];
  }
  g.indices.resize(2 * pairs);
  g.values.resize(2 * pairs);

  // 1/sqrt(deg_r) once per node, in double; each value is one product rounded
  // to float, so it equals 1/sqrt(deg_r·deg_c) to within an ulp and is exactly
  // symmetric (the same two factors whichever side the row is on).
  std::vector<double> inv_sqrt(g.n_nodes);
  for (int64_t r = 0; r < g.n_nodes; ++r) {
    const int64_t deg = g.indptr[r + 1] - g.indptr[r];
    inv_sqrt[r] = deg > 0 ? 1.0 / std::sqrt(static_cast<double>(deg)) : 0.0;
  }

  std::vector<int64_t> item_fill(g.indptr.begin() + n_users, g.indptr.end() - 1);
  for (int32_t u = 0; u < n_users; ++u) {
    for (int64_t p = train.indptr[u]; p < train.indptr[u + 1]; ++p) {
      const int32_t item_node = n_users + train.indices[p];
      const float value = static_cast<float>(inv_sqrt[u] * inv_sqrt[item_node]);
      g.indices[p] = item_node;  // user row u starts at train.indptr[u]
      g.values[p] = value;
      const int64_t q = item_fill[train.indices[p]]++;
      g.indices[q] = u;  // users visited in ascending order: item rows stay sorted
      g.values[q] = value;
    }
  }
  return g;
}

}  // namespace bitrec

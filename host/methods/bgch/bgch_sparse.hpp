// Products with Â that touch only the batch's rows (docs/bgch.md "Cost"):
// the last layer E⁽ᴸ⁾ is needed at the batch's rows only, and its gradient
// is non-zero there only. Each output row is summed by one thread over its
// non-zeros in index order (the same for every thread count), as cpu_spmm.
#pragma once
#include <cstdint>

#include "bitrec/graph.hpp"

namespace bitrec::bgch {

// y_rows[r] = (Â x)[nodes[r]] for r < count; x [n_nodes, d], y_rows [count, d].
void spmm_rows(const NormalizedGraph& graph, const float* x, const int32_t* nodes, int64_t count, float* y_rows,
               int d, int threads);

// y = Â X where X is zero but for X[nodes[r]] = x_rows[r]; slot_of_node
// [n_nodes] gives r for a node of the batch and −1 otherwise. y [n_nodes, d].
void spmm_from_rows(const NormalizedGraph& graph, const float* x_rows, const int32_t* slot_of_node, float* y,
                    int d, int threads);

}  // namespace bitrec::bgch

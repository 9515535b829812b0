// LightGCN propagation on the CPU: SpMM with the normalised graph Â and the
// layer mean fused into it (docs/methods.md §2). The hot path of training: every
// batch propagates the whole graph twice (forward and backward).
#pragma once
#include <cstdint>

#include "bitrec/graph.hpp"

namespace bitrec {

// y = Â x; x, y: [n_nodes, d] row-major, distinct.
void cpu_spmm(const NormalizedGraph& graph, const float* x, float* y, int d, int threads);

// out = 1/(L+1) Σ_{l=0..L} Â^l in; in, out: [n_nodes, d]. scratch_a and
// scratch_b: [n_nodes, d] each, distinct from in and out (scratch_b is
// unused when layers < 3). in may equal out. Each output row is computed by
// one thread in a fixed order, so the result does not depend on `threads`.
void cpu_propagate_mean(const NormalizedGraph& graph, const float* in, float* out, int d,
                        int layers, float* scratch_a, float* scratch_b, int threads);

// Median wall times of cpu_spmm and cpu_propagate_mean on `graph` with d
// columns and a fixed pseudo-random input (for `bitrec bench`).
struct PropagateTiming {
  double spmm_ms = 0.0;
  double propagate_ms = 0.0;
};
PropagateTiming time_cpu_propagate(const NormalizedGraph& graph, int d, int layers, int threads,
                                   int repeats);

}  // namespace bitrec

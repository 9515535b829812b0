// Row kernels as in cpu_propagate.cpp: a window of W columns keeps its
// accumulators in registers (W = 256 is 16 AVX-512 vectors: one pass over a
// row's non-zeros at BGCH's d), and the next gathered row is prefetched.
#include "methods/bgch/bgch_sparse.hpp"

namespace bitrec::bgch {
namespace {

constexpr int kPrefetchDistance = 16;  // non-zeros ahead

// acc[0..W) = Σ_p values[p] · src(p)[c0 .. c0+W) over the non-zeros of a row;
// src returns nullptr for a zero source row.
template <int W, typename Source>
inline void row_window(const NormalizedGraph& g, int64_t row, int c0, int d, Source src, float* out) {
  float acc[W] = {};
  const int64_t end = g.indptr[row + 1];
  for (int64_t p = g.indptr[row]; p < end; ++p) {
    if (p + kPrefetchDistance < end) {
      const float* ahead = src(g.indices[p + kPrefetchDistance]);
      if (ahead != nullptr) {
        for (int off = 0; off < W; off += 16) __builtin_prefetch(ahead + c0 + off);
      }
    }
    const float* xr = src(g.indices[p]);
    if (xr == nullptr) continue;
    const float v = g.values[p];
#pragma omp simd
    for (int k = 0; k < W; ++k) acc[k] += v * xr[c0 + k];
  }
#pragma omp simd
  for (int k = 0; k < W; ++k) out[c0 + k] = acc[k];
}

template <typename Source>
inline void row_all(const NormalizedGraph& g, int64_t row, int d, Source src, float* out) {
  int c0 = 0;
  for (; d - c0 >= 256; c0 += 256) row_window<256>(g, row, c0, d, src, out);
  const int rest = d - c0;
  if (rest & 128) { row_window<128>(g, row, c0, d, src, out); c0 += 128; }
  if (rest & 64) { row_window<64>(g, row, c0, d, src, out); c0 += 64; }
  if (rest & 32) { row_window<32>(g, row, c0, d, src, out); c0 += 32; }
  if (rest & 16) { row_window<16>(g, row, c0, d, src, out); c0 += 16; }
  if (rest & 8) { row_window<8>(g, row, c0, d, src, out); c0 += 8; }
  if (rest & 4) { row_window<4>(g, row, c0, d, src, out); c0 += 4; }
  if (rest & 2) { row_window<2>(g, row, c0, d, src, out); c0 += 2; }
  if (rest & 1) { row_window<1>(g, row, c0, d, src, out); }
}

}  // namespace

void spmm_rows(const NormalizedGraph& graph, const float* x, const int32_t* nodes, int64_t count, float* y_rows,
               int d, int threads) {
  auto src = [x, d](int32_t j) { return x + static_cast<int64_t>(j) * d; };
#pragma omp parallel for num_threads(threads) schedule(dynamic, 64)
  for (int64_t r = 0; r < count; ++r) row_all(graph, nodes[r], d, src, y_rows + r * d);
}

void spmm_from_rows(const NormalizedGraph& graph, const float* x_rows, const int32_t* slot_of_node, float* y,
                    int d, int threads) {
  auto src = [x_rows, slot_of_node, d](int32_t j) -> const float* {
    const int32_t s = slot_of_node[j];
    return s < 0 ? nullptr : x_rows + static_cast<int64_t>(s) * d;
  };
#pragma omp parallel for num_threads(threads) schedule(dynamic, 256)
  for (int64_t i = 0; i < graph.n_nodes; ++i) row_all(graph, i, d, src, y + i * d);
}

}  // namespace bitrec::bgch

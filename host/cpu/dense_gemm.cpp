// Register-blocked GEMMs for a layer's products (x = e W, de = dx Wᵀ,
// dW = eᵀ dx).
//
// Why it looks like this (tuned on BGCH's Gowalla batch, d 256, ~11 k
// distinct rows × 3 layers, 2-core AMD EPYC with AVX-512):
// - A tile of kRows output rows × 64 columns keeps its 6 × 4 accumulators of
//   16 floats in registers; each step loads 4 vectors of b and broadcasts 6
//   scalars of a for 24 FMAs. GCC vector extensions give AVX-512 here and
//   plain SSE/AVX elsewhere without intrinsics.
// - gemm_at_b sums over thousands of rows: it walks them in chunks that fit
//   L2 (a and b chunk 2 × 128 KB) and keeps the order over rows ascending
//   for every element, so the result does not depend on the thread count.
#include "cpu/dense_gemm.hpp"

#include <algorithm>
#include <cstring>

namespace bitrec::dense {
namespace {

typedef float Vec16 __attribute__((vector_size(64)));
typedef float Vec16u __attribute__((vector_size(64), aligned(4)));  // unaligned access

constexpr int kRows = 6;        // output rows per register tile
constexpr int kVecs = 4;        // 16-float vectors per register tile (64 columns)
constexpr int kChunkRows = 128; // gemm_at_b: rows of a and b per cache chunk

inline Vec16 load16(const float* p) { return *reinterpret_cast<const Vec16u*>(p); }
inline void store16(float* p, Vec16 v) { *reinterpret_cast<Vec16u*>(p) = v; }
inline Vec16 splat(float x) { return Vec16{} + x; }

// c[r0 .. r0+MR, j0 .. j0+16·NV) = a rows · b columns.
template <int MR, int NV>
inline void rows_tile(const float* a, const float* b, float* c, int64_t r0, int k, int n, int j0) {
  Vec16 acc[MR][NV] = {};
  for (int kk = 0; kk < k; ++kk) {
    Vec16 bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = load16(b + static_cast<int64_t>(kk) * n + j0 + 16 * v);
    for (int i = 0; i < MR; ++i) {
      const Vec16 av = splat(a[(r0 + i) * k + kk]);
      for (int v = 0; v < NV; ++v) acc[i][v] += av * bv[v];
    }
  }
  for (int i = 0; i < MR; ++i) {
    for (int v = 0; v < NV; ++v) store16(c + (r0 + i) * n + j0 + 16 * v, acc[i][v]);
  }
}

// All columns of rows [r0, r0 + MR).
template <int MR>
inline void rows_all_columns(const float* a, const float* b, float* c, int64_t r0, int k, int n) {
  int j0 = 0;
  for (; j0 + 16 * kVecs <= n; j0 += 16 * kVecs) rows_tile<MR, kVecs>(a, b, c, r0, k, n, j0);
  for (; j0 + 16 <= n; j0 += 16) rows_tile<MR, 1>(a, b, c, r0, k, n, j0);
  for (int i = 0; i < MR; ++i) {
    for (int j = j0; j < n; ++j) {
      float s = 0.0f;
      for (int kk = 0; kk < k; ++kk) s += a[(r0 + i) * k + kk] * b[static_cast<int64_t>(kk) * n + j];
      c[(r0 + i) * n + j] = s;
    }
  }
}

// c[k0 .. k0+MR, j0 .. j0+16·NV) += Σ_{r in [r0, r1)} a[r, k0+i] b[r, j].
template <int MR, int NV>
inline void at_b_tile(const float* a, const float* b, float* c, int64_t r0, int64_t r1, int k, int n, int k0,
                      int j0) {
  Vec16 acc[MR][NV];
  for (int i = 0; i < MR; ++i) {
    for (int v = 0; v < NV; ++v) acc[i][v] = load16(c + static_cast<int64_t>(k0 + i) * n + j0 + 16 * v);
  }
  for (int64_t r = r0; r < r1; ++r) {
    Vec16 bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = load16(b + r * n + j0 + 16 * v);
    const float* ar = a + r * k + k0;
    for (int i = 0; i < MR; ++i) {
      const Vec16 av = splat(ar[i]);
      for (int v = 0; v < NV; ++v) acc[i][v] += av * bv[v];
    }
  }
  for (int i = 0; i < MR; ++i) {
    for (int v = 0; v < NV; ++v) store16(c + static_cast<int64_t>(k0 + i) * n + j0 + 16 * v, acc[i][v]);
  }
}

// Output rows [k0, k0 + MR) of c over the chunk [r0, r1), all columns.
template <int MR>
inline void at_b_rows(const float* a, const float* b, float* c, int64_t r0, int64_t r1, int k, int n, int k0) {
  int j0 = 0;
  for (; j0 + 16 * kVecs <= n; j0 += 16 * kVecs) at_b_tile<MR, kVecs>(a, b, c, r0, r1, k, n, k0, j0);
  for (; j0 + 16 <= n; j0 += 16) at_b_tile<MR, 1>(a, b, c, r0, r1, k, n, k0, j0);
  for (int i = 0; i < MR; ++i) {
    for (int j = j0; j < n; ++j) {
      float s = c[static_cast<int64_t>(k0 + i) * n + j];
      for (int64_t r = r0; r < r1; ++r) s += a[r * k + k0 + i] * b[r * n + j];
      c[static_cast<int64_t>(k0 + i) * n + j] = s;
    }
  }
}

}  // namespace

void gemm_rows(const float* a, const float* b, float* c, int64_t rows, int k, int n, int threads) {
  const int64_t tiles = (rows + kRows - 1) / kRows;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 16)
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t r0 = t * kRows;
    if (r0 + kRows <= rows) {
      rows_all_columns<kRows>(a, b, c, r0, k, n);
    } else {
      for (int64_t r = r0; r < rows; ++r) rows_all_columns<1>(a, b, c, r, k, n);
    }
  }
}

void gemm_at_b_accumulate(const float* a, const float* b, float* c, int64_t rows, int k, int n, int threads) {
  const int tiles = (k + kRows - 1) / kRows;
#pragma omp parallel num_threads(threads)
  for (int64_t r0 = 0; r0 < rows; r0 += kChunkRows) {
    const int64_t r1 = std::min(rows, r0 + kChunkRows);
    // The implicit barrier of `omp for` keeps the chunks in order.
#pragma omp for schedule(static)
    for (int t = 0; t < tiles; ++t) {
      const int k0 = t * kRows;
      if (k0 + kRows <= k) {
        at_b_rows<kRows>(a, b, c, r0, r1, k, n, k0);
      } else {
        for (int kk = k0; kk < k; ++kk) at_b_rows<1>(a, b, c, r0, r1, k, n, kk);
      }
    }
  }
}

void column_sums_accumulate(const float* b, float* c, int64_t rows, int n, int threads) {
  // Columns split among threads; each column is one thread's ascending sum.
  constexpr int kColumns = 16;
  const int blocks = (n + kColumns - 1) / kColumns;
#pragma omp parallel for num_threads(threads) schedule(static) if (rows * n > 65536)
  for (int blk = 0; blk < blocks; ++blk) {
    const int j0 = blk * kColumns, j1 = std::min(n, j0 + kColumns);
    float acc[kColumns];
    for (int j = j0; j < j1; ++j) acc[j - j0] = c[j];
    for (int64_t r = 0; r < rows; ++r) {
      const float* br = b + r * n;
      for (int j = j0; j < j1; ++j) acc[j - j0] += br[j];
    }
    for (int j = j0; j < j1; ++j) c[j] = acc[j - j0];
  }
}

void transpose(const float* a, float* at, int rows, int cols) {
  constexpr int kBlock = 32;
  for (int i0 = 0; i0 < rows; i0 += kBlock) {
    for (int j0 = 0; j0 < cols; j0 += kBlock) {
      const int i1 = std::min(rows, i0 + kBlock), j1 = std::min(cols, j0 + kBlock);
      for (int i = i0; i < i1; ++i) {
        for (int j = j0; j < j1; ++j) at[static_cast<int64_t>(j) * rows + i] = a[static_cast<int64_t>(i) * cols + j];
      }
    }
  }
}

}  // namespace bitrec::dense

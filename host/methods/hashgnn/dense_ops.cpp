#include "dense_ops.hpp"

#include <algorithm>
#include <cstring>

namespace bitrec::hashgnn {
namespace {

// 16 floats in GCC/Clang's portable vector type: one AVX-512 register here,
// two AVX2 or four SSE/NEON registers elsewhere.
typedef float v16 __attribute__((vector_size(64)));
constexpr int kLanes = 16;
constexpr int kMaxVecs = 5;  // column chunk of 80: 4 rows × 5 accumulators + 5 B vectors fit 32 registers
constexpr int kRows = 4;

inline v16 load16(const float* p) {
  v16 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// Element (r, k) of the A operand is A[r·rs + k·ks]: (lda, 1) for A, (1, lda)
// for Aᵀ without a transposed copy.
struct Strided {
  const float* p;
  int64_t rs, ks;
};

// C[R rows, ncols] (+)= A[R, K] · B[K, 16·V] for one column chunk; B's rows
// have stride ldb and are readable for 16·V columns; each element is summed
// over k ascending.
template <int R, int V>
void gemm_tile(Strided A, int K, const float* B, int64_t ldb, float* C, int64_t ldc, int ncols, bool accumulate) {
  v16 acc[R][V];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) acc[r][v] = v16{};
  }
  for (int k = 0; k < K; ++k) {
    v16 w[V];
    for (int v = 0; v < V; ++v) w[v] = load16(B + k * ldb + v * kLanes);
    for (int r = 0; r < R; ++r) {
      const v16 a = v16{} + A.p[r * A.rs + k * A.ks];
      for (int v = 0; v < V; ++v) acc[r][v] += a * w[v];
    }
  }
  float tmp[V * kLanes];
  for (int r = 0; r < R; ++r) {
    std::memcpy(tmp, acc[r], sizeof(tmp));
    float* c = C + r * ldc;
    if (accumulate) {
      for (int j = 0; j < ncols; ++j) c[j] += tmp[j];
    } else {
      for (int j = 0; j < ncols; ++j) c[j] = tmp[j];
    }
  }
}

template <int R>
void gemm_tile_v(int V, Strided A, int K, const float* B, int64_t ldb, float* C, int64_t ldc, int ncols,
                 bool accumulate) {
  switch (V) {
    case 1: gemm_tile<R, 1>(A, K, B, ldb, C, ldc, ncols, accumulate); break;
    case 2: gemm_tile<R, 2>(A, K, B, ldb, C, ldc, ncols, accumulate); break;
    case 3: gemm_tile<R, 3>(A, K, B, ldb, C, ldc, ncols, accumulate); break;
    case 4: gemm_tile<R, 4>(A, K, B, ldb, C, ldc, ncols, accumulate); break;
    default: gemm_tile<R, 5>(A, K, B, ldb, C, ldc, ncols, accumulate); break;
  }
}

// C[M, N] (+)= A[M, K] · B[K, ldb], ldb a multiple of 16 ≥ N with B's
// padding columns readable. Tiles of 4 rows × 80 columns, parallel over
// tiles; every element is one thread's sum over k ascending.
void gemm(Strided A, int64_t M, int K, const float* B, int64_t ldb, int N, float* C, int64_t ldc, bool accumulate,
          int threads) {
  const int64_t row_tiles = (M + kRows - 1) / kRows;
  const int col_chunk = kMaxVecs * kLanes;
  const int col_tiles = (N + col_chunk - 1) / col_chunk;
  const int64_t tiles = row_tiles * col_tiles;
#pragma omp parallel for num_threads(threads) schedule(static) if (M * K * N > 65536)
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t r0 = (t / col_tiles) * kRows;
    const int c0 = static_cast<int>(t % col_tiles) * col_chunk;
    const int ncols = std::min(col_chunk, N - c0);
    const int V = (ncols + kLanes - 1) / kLanes;
    if (r0 + kRows <= M) {
      const Strided a{A.p + r0 * A.rs, A.rs, A.ks};
      gemm_tile_v<kRows>(V, a, K, B + c0, ldb, C + r0 * ldc + c0, ldc, ncols, accumulate);
    } else {
      for (int64_t r = r0; r < M; ++r) {
        const Strided a{A.p + r * A.rs, A.rs, A.ks};
        gemm_tile_v<1>(V, a, K, B + c0, ldb, C + r * ldc + c0, ldc, ncols, accumulate);
      }
    }
  }
}

// dst[rows, ld] = src[rows, cols] with zero padding columns.
void pad_columns(const float* src, int64_t rows, int cols, int64_t ld, std::vector<float>& dst) {
  dst.assign(static_cast<size_t>(rows * ld), 0.0f);
  for (int64_t r = 0; r < rows; ++r) std::memcpy(dst.data() + r * ld, src + r * cols, sizeof(float) * cols);
}

}  // namespace

void linear_forward(const float* A, int64_t N, int K, const float* W, const float* b, int H, float* out,
                    int threads) {
  thread_local std::vector<float> Wp;  // W with padded rows, reused between calls
  const int64_t ld = padded_width(H);
  pad_columns(W, K, H, ld, Wp);
  gemm({A, K, 1}, N, K, Wp.data(), ld, H, out, H, false, threads);
  if (b != nullptr) {
    for (int64_t n = 0; n < N; ++n) {
      for (int h = 0; h < H; ++h) out[n * H + h] += b[h];
    }
  }
}

void linear_backward(const float* A, int64_t N, int K, const float* W, int H, const float* dOut, int64_t ld_out,
                     float* dW, float* db, float* dA, std::vector<float>& scratch, int threads) {
  // dW[K, H] += Aᵀ[K, N] · dOut[N, H]: each element summed over n ascending.
  gemm({A, 1, K}, K, static_cast<int>(N), dOut, ld_out, H, dW, H, true, threads);
  if (db != nullptr) {
    for (int64_t n = 0; n < N; ++n) {
      for (int h = 0; h < H; ++h) db[h] += dOut[n * ld_out + h];
    }
  }
  if (dA == nullptr) return;
  // dA[N, K] = dOut[N, H] · Wᵀ[H, K].
  const int64_t ldk = padded_width(K);
  scratch.assign(static_cast<size_t>(H) * ldk, 0.0f);
  for (int k = 0; k < K; ++k) {
    for (int h = 0; h < H; ++h) scratch[static_cast<int64_t>(h) * ldk + k] = W[static_cast<int64_t>(k) * H + h];
  }
  gemm({dOut, ld_out, 1}, N, H, scratch.data(), ldk, K, dA, K, false, threads);
}

}  // namespace bitrec::hashgnn

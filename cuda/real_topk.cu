// Exact top-k by inner product. For a tile of users: scores against every
// item (fmaf-chain kernel, or cuBLAS SGEMM), each score turned into an
// order-preserving 32-bit key (descending score = ascending key), excluded
// items masked, then one block per user finds the k-th smallest key by 8-bit
// radix select (four passes over the row, 256-bin shared histograms) and
// hands over to collect_topk: keys below it sorted by (key, id), ties at it
// by ascending id. The key map is a bijection on floats once NaN is mapped to
// -inf and -0 to +0 (both as the CPU compares), so "equal key" is exactly
// "equal score" and reported scores are the computed ones.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "check.hpp"
#include "topk.hpp"
#include "topk_select.cuh"

namespace bitrec::cuda {
namespace {

using namespace topk_detail;

constexpr int kThreads = 256;

__device__ __forceinline__ uint32_t score_key(float score) {
  if (isnan(score)) score = -INFINITY;  // the CPU ranks NaN as -inf
  if (score == 0.0f) score = 0.0f;      // -0 ties with +0, as in a float comparison
  const uint32_t bits = __float_as_uint(score);
  const uint32_t ordered = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
  return ~ordered;
}

struct KeyScore {
  __device__ float operator()(uint32_t key) const {
    const uint32_t ordered = ~key;
    const uint32_t bits = (ordered & 0x80000000u) ? (ordered & 0x7FFFFFFFu) : ~ordered;
    return __uint_as_float(bits);
  }
};

// --- scores -----------------------------------------------------------------------

// keys[r, i] = score_key(Σ_d user_r[d]·item_i[d]) as an fmaf chain in d order.
// 64 users × 64 items per block, 16 × 16 threads, 4 × 4 scores per thread;
// d in shared-memory slices of 16. Items are the fast thread index, so the
// key writes are coalesced.
constexpr int kTileUsers = 64, kTileItems = 64, kSliceD = 16;

__global__ void __launch_bounds__(256)
    fma_scores_kernel(const float* __restrict__ table, int dim,
                      const int32_t* __restrict__ users, int64_t rows,
                      const float* __restrict__ items, int32_t n_items,
                      uint32_t* __restrict__ keys) {
  __shared__ float us[kSliceD][kTileUsers + 1];
  __shared__ float is[kSliceD][kTileItems + 1];
  const int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
  const int64_t r0 = static_cast<int64_t>(blockIdx.y) * kTileUsers;
  const int64_t i0 = static_cast<int64_t>(blockIdx.x) * kTileItems;

  float acc[4][4];
#pragma unroll
  for (int a = 0; a < 4; ++a) {
#pragma unroll
    for (int b = 0; b < 4; ++b) acc[a][b] = 0.0f;
  }
  for (int d0 = 0; d0 < dim; d0 += kSliceD) {
    const int depth = min(kSliceD, dim - d0);
    // 64 rows × 16 columns of each side; thread t loads column t % 16 of rows t / 16 + 16 q.
    for (int q = 0; q < 4; ++q) {
      const int row = (threadIdx.x >> 4) + 16 * q, col = threadIdx.x & 15;
      const int64_t r = r0 + row, i = i0 + row;
      us[col][row] = (r < rows && col < depth)
                         ? table[static_cast<int64_t>(users[r]) * dim + d0 + col]
                         : 0.0f;
      is[col][row] = (i < n_items && col < depth) ? items[i * dim + d0 + col] : 0.0f;
    }
    __syncthreads();
    for (int c = 0; c < depth; ++c) {
      float u[4], x[4];
#pragma unroll
      for (int a = 0; a < 4; ++a) u[a] = us[c][ty + 16 * a];
#pragma unroll
      for (int b = 0; b < 4; ++b) x[b] = is[c][tx + 16 * b];
#pragma unroll
      for (int a = 0; a < 4; ++a) {
#pragma unroll
        for (int b = 0; b < 4; ++b) acc[a][b] = fmaf(u[a], x[b], acc[a][b]);
      }
    }
    __syncthreads();
  }
#pragma unroll
  for (int a = 0; a < 4; ++a) {
    const int64_t r = r0 + ty + 16 * a;
    if (r >= rows) continue;
#pragma unroll
    for (int b = 0; b < 4; ++b) {
      const int64_t i = i0 + tx + 16 * b;
      if (i < n_items) keys[r * n_items + i] = score_key(acc[a][b]);
    }
  }
}

__global__ void gather_rows_kernel(const float* __restrict__ table, int dim,
                                   const int32_t* __restrict__ users, int64_t rows,
                                   float* __restrict__ out) {
  const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= rows * dim) return;
  const int64_t r = idx / dim;
  out[idx] = table[static_cast<int64_t>(users[r]) * dim + (idx - r * dim)];
}

// In place: the float scores of the tile become keys.
__global__ void scores_to_keys_kernel(uint32_t* __restrict__ data, int64_t n) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) data[i] = score_key(__uint_as_float(data[i]));
}

// --- selection ----------------------------------------------------------------------

__global__ void radix_select_kernel(const uint32_t* __restrict__ keys, int32_t n_items, int k,
                                    int32_t* __restrict__ items, float* __restrict__ scores) {
  __shared__ SelectShared sh;
  __shared__ int hist[256];
  __shared__ uint32_t s_prefix;
  __shared__ int s_rank;
  const int64_t r = blockIdx.x;
  const uint32_t* row = keys + r * n_items;
  const int target = min(k, n_items);  // find the target-th smallest key T

  uint32_t prefix = 0, mask = 0;
  int rank = target;  // rank of T among the keys that match `prefix` on `mask`
  if (target > 0) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      for (int b = threadIdx.x; b < 256; b += kSelectThreads) hist[b] = 0;
      __syncthreads();
      for (int32_t i = threadIdx.x; i < n_items; i += kSelectThreads) {
        const uint32_t key = row[i];
        if ((key & mask) == prefix) atomicAdd(&hist[(key >> shift) & 0xFFu], 1);
      }
      __syncthreads();
      if (threadIdx.x == 0) {
        int below = 0, digit = 255;
        for (int b = 0; b < 256; ++b) {
          if (below + hist[b] >= rank) {
            digit = b;
            break;
          }
          below += hist[b];
        }
        s_prefix = prefix | (static_cast<uint32_t>(digit) << shift);
        s_rank = rank - below;
      }
      __syncthreads();
      prefix = s_prefix;
      rank = s_rank;
      mask |= 0xFFu << shift;
    }
  }
  // T = prefix; #{key < T} = target - rank. T == kExcludedKey means fewer
  // candidates than k: they all lie below T and the ties are not wanted.
  const uint32_t thr = target > 0 ? prefix : kExcludedKey;
  collect_topk(row, n_items, thr, target - rank, thr != kExcludedKey, k, items + r * k,
               scores + r * k, -INFINITY, KeyScore{}, sh);
}

unsigned blocks_for(int64_t n) { return static_cast<unsigned>((n + kThreads - 1) / kThreads); }

}  // namespace

RealScorePath real_score_path_from_env() {
  const char* value = std::getenv("BITREC_REAL_SCORES");
  const std::string v = value ? value : "";
  if (v.empty() || v == "fma") return RealScorePath::kFmaChain;
  if (v == "cublas") return RealScorePath::kCublas;
  throw std::invalid_argument("BITREC_REAL_SCORES: unknown value '" + v +
                              "' (allowed: fma, cublas)");
}

void real_topk(const TopkRequest& request, const float* table, int dim, RealScorePath path,
               cublasHandle_t cublas, const TopkOutput& out, DeviceBuffer<uint32_t>& keys,
               DeviceBuffer<float>& user_rows, cudaStream_t stream) {
  if (request.k < 0 || request.k > kMaxTopK) {
    throw std::invalid_argument("cuda topk_real: k = " + std::to_string(request.k) +
                                " (supported: 0.." + std::to_string(kMaxTopK) + ")");
  }
  if (request.n == 0) return;
  const int32_t n_items = request.n_items;
  const int64_t tile = tile_rows(request.n, n_items, kTileUsers);
  keys.reserve(static_cast<size_t>(tile) * std::max(n_items, 1), "real top-k score tile");
  const float* item_rows = table + static_cast<int64_t>(request.n_users) * dim;

  for (int64_t begin = 0; begin < request.n; begin += tile) {
    const int64_t rows = std::min(tile, request.n - begin);
    if (n_items > 0 && request.k > 0) {
      if (path == RealScorePath::kFmaChain || dim == 0) {
        const dim3 grid(static_cast<unsigned>((n_items + kTileItems - 1) / kTileItems),
                        static_cast<unsigned>((rows + kTileUsers - 1) / kTileUsers));
        fma_scores_kernel<<<grid, 256, 0, stream>>>(table, dim, request.users + begin, rows,
                                                    item_rows, n_items, keys.data());
        CUDA_CHECK_LAUNCH();
      } else {
        user_rows.reserve(static_cast<size_t>(tile) * dim, "real top-k user rows");
        gather_rows_kernel<<<blocks_for(rows * dim), kThreads, 0, stream>>>(
            table, dim, request.users + begin, rows, user_rows.data());
        CUDA_CHECK_LAUNCH();
        // Column-major view: scoresᵀ [n_items, rows] = (itemsᵀ)ᵀ · usersᵀ, i.e.
        // row-major scores [rows, n_items] = users · itemsᵀ.
        const float alpha = 1.0f, beta = 0.0f;
        float* scores = reinterpret_cast<float*>(keys.data());
        CUBLAS_CHECK(cublasSgemm(cublas, CUBLAS_OP_T, CUBLAS_OP_N, n_items,
                                 static_cast<int>(rows), dim, &alpha, item_rows, dim,
                                 user_rows.data(), dim, &beta, scores, n_items));
        scores_to_keys_kernel<<<blocks_for(rows * n_items), kThreads, 0, stream>>>(
            keys.data(), rows * n_items);
        CUDA_CHECK_LAUNCH();
      }
      mask_excluded_kernel<<<static_cast<unsigned>(rows), 128, 0, stream>>>(
          request.exclude_indptr + begin, request.exclude_items, n_items, keys.data());
      CUDA_CHECK_LAUNCH();
    }
    // k == 0 or no items: the select kernel only pads.
    radix_select_kernel<<<static_cast<unsigned>(rows), kSelectThreads, 0, stream>>>(
        keys.data(), n_items, request.k, out.items + begin * request.k,
        out.scores + begin * request.k);
    CUDA_CHECK_LAUNCH();
  }
}

}  // namespace bitrec::cuda

// Exact Hamming top-k (docs/evaluation.md "Retrieval"): distances lie in [0, bits], so
// per user it is a counting problem. For a tile of users:
//   1. distances of every (user, item) pair -> key tile (XOR + popcount via
//      the shared hamming_distance),
//   2. excluded items -> kExcludedKey,
//   3. one block per user: distance histogram in shared memory (bits + 1
//      bins; this is TopK.distance_hist), threshold bin where the cumulative
//      count reaches k, then collect_topk (d < thr sorted by (d, id), then
//      d == thr in ascending id until k).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "bitrec/kernels/hamming.hpp"
#include "check.hpp"
#include "topk.hpp"
#include "topk_select.cuh"

namespace bitrec::cuda {
namespace {

using namespace topk_detail;

constexpr int kDistanceThreads = 256;
constexpr int kUsersPerBlock = 16;  // users sharing one pass over an item's code

__global__ void hamming_distance_kernel(const uint64_t* __restrict__ codes, int words,
                                        int32_t n_users, int32_t n_items,
                                        const int32_t* __restrict__ users, int64_t rows,
                                        uint32_t* __restrict__ keys) {
  extern __shared__ uint64_t user_codes[];  // [kUsersPerBlock, words]
  const int64_t r0 = static_cast<int64_t>(blockIdx.y) * kUsersPerBlock;
  const int nu = static_cast<int>(min(static_cast<int64_t>(kUsersPerBlock), rows - r0));
  for (int idx = threadIdx.x; idx < nu * words; idx += blockDim.x) {
    const int r = idx / words;
    user_codes[idx] = codes[static_cast<int64_t>(users[r0 + r]) * words + (idx - r * words)];
  }
  __syncthreads();
  const int32_t i = static_cast<int32_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n_items) return;
  const uint64_t* item = codes + (static_cast<int64_t>(n_users) + i) * words;
  for (int r = 0; r < nu; ++r) {
    keys[(r0 + r) * n_items + i] =
        static_cast<uint32_t>(hamming_distance(user_codes + r * words, item, words));
  }
}

struct DistanceScore {
  __device__ float operator()(uint32_t key) const { return static_cast<float>(key); }
};

__global__ void hamming_select_kernel(const uint32_t* __restrict__ keys, int32_t n_items,
                                      int bits, int k, int32_t* __restrict__ items,
                                      float* __restrict__ scores, int32_t* __restrict__ hist_out) {
  __shared__ SelectShared sh;
  __shared__ int hist[kMaxHammingBits + 1];
  __shared__ uint32_t s_thr;
  __shared__ int s_less;
  const int64_t r = blockIdx.x;
  const uint32_t* row = keys + r * n_items;
  const int bins = bits + 1;

  for (int v = threadIdx.x; v < bins; v += kSelectThreads) hist[v] = 0;
  __syncthreads();
  for (int32_t i = threadIdx.x; i < n_items; i += kSelectThreads) {
    const uint32_t key = row[i];
    if (key != kExcludedKey) atomicAdd(&hist[key], 1);
  }
  __syncthreads();
  for (int v = threadIdx.x; v < bins; v += kSelectThreads) {
    hist_out[r * bins + v] = hist[v];
  }
  if (threadIdx.x == 0) {
    // The smallest distance whose cumulative count reaches k; with fewer
    // candidates than k, every candidate is "closer than the threshold".
    uint32_t thr = kExcludedKey;
    int before = 0;
    for (int v = 0; v < bins; ++v) {
      if (before + hist[v] >= k) {
        thr = static_cast<uint32_t>(v);
        break;
      }
      before += hist[v];
    }
    s_thr = thr;
    s_less = before;
  }
  __syncthreads();
  const uint32_t thr = s_thr;
  collect_topk(row, n_items, thr, s_less, thr != kExcludedKey, k, items + r * k, scores + r * k,
               INFINITY, DistanceScore{}, sh);
}

}  // namespace

void hamming_topk(const TopkRequest& request, const uint64_t* codes, int bits,
                  const TopkOutput& out, DeviceBuffer<uint32_t>& keys, cudaStream_t stream) {
  if (bits < 1 || bits > kMaxHammingBits) {
    throw std::invalid_argument("cuda topk_hamming: bits = " + std::to_string(bits) +
                                " (supported: 1.." + std::to_string(kMaxHammingBits) + ")");
  }
  if (request.k < 0 || request.k > kMaxTopK) {
    throw std::invalid_argument("cuda topk_hamming: k = " + std::to_string(request.k) +
                                " (supported: 0.." + std::to_string(kMaxTopK) + ")");
  }
  if (request.n == 0) return;
  const int words = code_words(bits);
  const int32_t n_items = request.n_items;
  const int64_t tile = tile_rows(request.n, n_items, kUsersPerBlock);
  keys.reserve(static_cast<size_t>(tile) * std::max(n_items, 1), "Hamming top-k key tile");

  for (int64_t begin = 0; begin < request.n; begin += tile) {
    const int64_t rows = std::min(tile, request.n - begin);
    if (n_items > 0) {
      const dim3 grid(static_cast<unsigned>((n_items + kDistanceThreads - 1) / kDistanceThreads),
                      static_cast<unsigned>((rows + kUsersPerBlock - 1) / kUsersPerBlock));
      const size_t shared = sizeof(uint64_t) * kUsersPerBlock * words;
      hamming_distance_kernel<<<grid, kDistanceThreads, shared, stream>>>(
          codes, words, request.n_users, n_items, request.users + begin, rows, keys.data());
      CUDA_CHECK_LAUNCH();
      mask_excluded_kernel<<<static_cast<unsigned>(rows), 128, 0, stream>>>(
          request.exclude_indptr + begin, request.exclude_items, n_items, keys.data());
      CUDA_CHECK_LAUNCH();
    }
    hamming_select_kernel<<<static_cast<unsigned>(rows), kSelectThreads, 0, stream>>>(
        keys.data(), n_items, bits, request.k, out.items + begin * request.k,
        out.scores + begin * request.k, out.hist + begin * (bits + 1));
    CUDA_CHECK_LAUNCH();
  }
}

}  // namespace bitrec::cuda

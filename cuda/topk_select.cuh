// Per-user selection shared by the Hamming and the real top-k: one block per
// user row of 32-bit keys (smaller key = better rank; ties by ascending id).
// Given the threshold key T with n_less = #{key < T} < k, the block
//   A) gathers the keys < T (fewer than k) into shared memory and sorts
//      (key, id) pairs with a bitonic sort, then
//   B) scans the row in id order, taking keys == T with a block-wide prefix
//      count (CUB's BlockScan) until the k slots are full (this is what makes ties go
//      by ascending id without sorting a tied group that may hold most of
//      the catalogue),
//   C) pads the rest with item -1.
// Excluded items carry kExcludedKey, which is never taken.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <cub/block/block_scan.cuh>

#include "bitrec/kernels/topk_tiles.hpp"
#include "topk.hpp"

namespace bitrec::cuda::topk_detail {

constexpr uint32_t kExcludedKey = 0xFFFFFFFFu;
constexpr int kSelectThreads = 512;
using TieScan = cub::BlockScan<int, kSelectThreads>;
// Key tile (users × n_items × 4 bytes) per pass; bounds retrieval's memory.
constexpr size_t kTileBytes = size_t{256} << 20;

struct SelectShared {
  unsigned long long pairs[kMaxTopK];  // (key << 32 | id)
  int count;
  typename TieScan::TempStorage tie_scan;
};

// Ascending bitonic sort of a[0..n), n a power of two, by the whole block.
__device__ inline void bitonic_sort(unsigned long long* a, int n) {
  for (int size = 2; size <= n; size <<= 1) {
    for (int stride = size >> 1; stride > 0; stride >>= 1) {
      for (int i = threadIdx.x; i < n; i += kSelectThreads) {
        const int j = i ^ stride;
        if (j > i) {
          const unsigned long long x = a[i], y = a[j];
          const bool ascending = (i & size) == 0;
          if ((x > y) == ascending) {
            a[i] = y;
            a[j] = x;
          }
        }
      }
      __syncthreads();
    }
  }
}

// Fills items_out/scores_out [k] of one row; see the file comment. n_less,
// thr and take_ties must be the same in every thread (read from shared).
template <class ScoreOf>
__device__ void collect_topk(const uint32_t* __restrict__ row, int32_t n_items, uint32_t thr,
                             int n_less, bool take_ties, int k, int32_t* __restrict__ items_out,
                             float* __restrict__ scores_out, float pad_score, ScoreOf score_of,
                             SelectShared& sh) {
  const int tid = threadIdx.x;
  if (n_less > 0) {
    if (tid == 0) sh.count = 0;
    __syncthreads();
    for (int32_t i = tid; i < n_items; i += kSelectThreads) {
      const uint32_t key = row[i];
      if (key < thr) {
        const int slot = atomicAdd(&sh.count, 1);
        sh.pairs[slot] = (static_cast<unsigned long long>(key) << 32) | static_cast<uint32_t>(i);
      }
    }
    int padded = 1;
    while (padded < n_less) padded <<= 1;
    __syncthreads();
    for (int i = n_less + tid; i < padded; i += kSelectThreads) sh.pairs[i] = ~0ull;
    __syncthreads();
    bitonic_sort(sh.pairs, padded);
    for (int i = tid; i < n_less; i += kSelectThreads) {
      items_out[i] = static_cast<int32_t>(sh.pairs[i] & 0xFFFFFFFFull);
      scores_out[i] = score_of(static_cast<uint32_t>(sh.pairs[i] >> 32));
    }
  }

  int filled = n_less;
  if (take_ties) {
    const int need = k - n_less;
    int taken = 0;  // ties seen so far, identical in every thread
    for (int32_t base = 0; base < n_items && taken < need; base += kSelectThreads) {
      const int32_t i = base + tid;
      const bool tie = i < n_items && row[i] == thr;
      // Ties before this thread in the chunk, and in the whole chunk (integer
      // counts: exact, whatever the scan's order).
      int before = 0, total = 0;
      TieScan(sh.tie_scan).ExclusiveSum(tie ? 1 : 0, before, total);
      const int rank = taken + before;
      if (tie && rank < need) {
        items_out[n_less + rank] = i;
        scores_out[n_less + rank] = score_of(thr);
      }
      taken += total;
      __syncthreads();  // tie_scan is reused by the next chunk
    }
    filled += taken < need ? taken : need;
  }
  for (int i = filled + tid; i < k; i += kSelectThreads) {
    items_out[i] = -1;
    scores_out[i] = pad_score;
  }
}

// keys[r, item] = kExcludedKey for every excluded item of row r.
static __global__ void mask_excluded_kernel(const int64_t* __restrict__ indptr,
                                     const int32_t* __restrict__ items, int32_t n_items,
                                     uint32_t* __restrict__ keys) {
  const int64_t r = blockIdx.x;
  uint32_t* row = keys + r * n_items;
  for (int64_t p = indptr[r] + threadIdx.x; p < indptr[r + 1]; p += blockDim.x) {
    const int32_t item = items[p];
    if (item >= 0 && item < n_items) row[item] = kExcludedKey;
  }
}

// Users per key tile: as many as fit kTileBytes, at least one, and few
// enough that the distance/score kernel's grid.y (rows_per_block users per
// block) stays within CUDA's limit (bitrec/kernels/topk_tiles.hpp).
inline int64_t tile_rows(int64_t n, int32_t n_items, int rows_per_block) {
  return topk_tile_rows(n, n_items, rows_per_block, static_cast<int64_t>(kTileBytes));
}

}  // namespace bitrec::cuda::topk_detail

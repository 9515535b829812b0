// Launch-shape arithmetic of the CUDA top-k (cuda/topk_select.cuh,
// cuda/hamming_topk.cu, cuda/real_topk.cu), host-only and free of CUDA
// headers so that the CPU test binary checks it (tests/cpu/test_topk_tiles.cpp).
// Users go through retrieval in tiles whose key matrix (users × n_items × 4
// bytes) fits a byte budget; the distance and score kernels put
// `rows_per_block` users in each block along grid.y, which CUDA caps at
// 65,535 blocks.
#pragma once
#include <cstdint>

namespace bitrec {

constexpr int64_t kCudaMaxGridY = 65535;
constexpr int64_t kTopkTileBytes = int64_t{256} << 20;

// Blocks along grid.y for `rows` users, `rows_per_block` per block.
constexpr int64_t topk_grid_y(int64_t rows, int rows_per_block) {
  return (rows + rows_per_block - 1) / rows_per_block;
}

// Users per key tile for a call of `n` users: as many as fit `tile_bytes`, at
// least one, at most what keeps topk_grid_y(rows, rows_per_block) within
// kCudaMaxGridY, and never more than `n`.
constexpr int64_t topk_tile_rows(int64_t n, int32_t n_items, int rows_per_block,
                                 int64_t tile_bytes = kTopkTileBytes) {
  const int64_t per_row = static_cast<int64_t>(n_items > 0 ? n_items : 1) * 4;
  int64_t rows = tile_bytes / per_row;
  if (rows < 1) rows = 1;
  const int64_t grid_cap = kCudaMaxGridY * (rows_per_block > 0 ? rows_per_block : 1);
  if (rows > grid_cap) rows = grid_cap;
  return rows < n ? rows : n;
}

}  // namespace bitrec

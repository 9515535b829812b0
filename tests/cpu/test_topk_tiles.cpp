// The CUDA top-k's tile arithmetic (bitrec/kernels/topk_tiles.hpp), checked
// on the host: every tile fits the key budget (or is one row), never exceeds
// the call, and keeps the distance/score kernels' grid.y within 65,535.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "bitrec/kernels/topk_tiles.hpp"

namespace bitrec {
namespace {

// The users per block of the two kernels that put users along grid.y
// (cuda/hamming_topk.cu kUsersPerBlock, cuda/real_topk.cu kTileUsers).
constexpr int kRowsPerBlock[] = {16, 64};

TEST(TopkTiles, GridYNeverPassesTheLimit) {
  for (const int per_block : kRowsPerBlock) {
    for (const int32_t n_items : {0, 1, 2, 15, 16, 63, 64, 65, 100, 1000, 40981, 1 << 20, 70000000}) {
      for (const int64_t n : {int64_t{1}, int64_t{1000}, int64_t{1} << 20, (int64_t{1} << 20) + 1,
                              int64_t{1} << 21, int64_t{100000000}}) {
        const int64_t rows = topk_tile_rows(n, n_items, per_block);
        SCOPED_TRACE("n " + std::to_string(n) + ", n_items " + std::to_string(n_items) +
                     ", per block " + std::to_string(per_block));
        EXPECT_GE(rows, 1);
        EXPECT_LE(rows, n);
        EXPECT_LE(topk_grid_y(rows, per_block), kCudaMaxGridY);
        const int64_t per_row = int64_t{std::max(n_items, 1)} * 4;
        if (rows > 1) {
          EXPECT_LE(rows * per_row, kTopkTileBytes);
        }
        // As large as allowed: the byte budget, the grid or the call decides.
        const int64_t by_bytes = std::max<int64_t>(kTopkTileBytes / per_row, 1);
        EXPECT_EQ(rows, std::min({n, by_bytes, kCudaMaxGridY * per_block}));
      }
    }
  }
}

// ≤ 64 items and more than 2^20 users per call: 2^20 users per tile gave
// 65,536 blocks of 16 users along grid.y, one more than CUDA launches.
TEST(TopkTiles, FewItemsManyUsers) {
  const int64_t rows = topk_tile_rows(int64_t{1} << 21, 64, 16);
  EXPECT_EQ(rows, kCudaMaxGridY * 16);
  EXPECT_EQ(topk_grid_y(rows, 16), kCudaMaxGridY);
  EXPECT_EQ(topk_grid_y(rows + 1, 16), kCudaMaxGridY + 1);  // one more row would not launch
}

TEST(TopkTiles, GridY) {
  EXPECT_EQ(topk_grid_y(0, 16), 0);
  EXPECT_EQ(topk_grid_y(1, 16), 1);
  EXPECT_EQ(topk_grid_y(16, 16), 1);
  EXPECT_EQ(topk_grid_y(17, 16), 2);
  EXPECT_EQ(topk_grid_y(4096, 64), 64);
}

}  // namespace
}  // namespace bitrec

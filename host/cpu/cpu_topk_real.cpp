// Exact inner-product top-k on the CPU (design.md "Retrieval").
//
// Blocked like a GEMM: a block of users walks all items in tiles of 64, a
// register block of 4 users x 64 items is scored at a time, and each user
// keeps a k-heap that the scores stream into. Items are packed once per call
// as [tile][d][64] so a tile is one contiguous read; the user block stays in
// L1 while the items stream from L2/L3.
//
// Score = Σ_d u[d]·i[d], summed in order d = 0..dim-1 (with FMA hardware as
// an fma chain, the rounding a CUDA kernel's fmaf loop reproduces). Order:
// descending score, ties by ascending item id; NaN ranks as -inf.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "cpu/cpu_topk.hpp"

namespace bitrec {
namespace {

constexpr int kItemTile = 64;   // items per score tile (4 AVX-512 vectors)
constexpr int kUserGroup = 4;   // users per register block: 4 x 64 accumulators
constexpr int kUserBlock = 64;  // users sharing one pass over the packed items

inline float multiply_add(float a, float b, float acc) {
#if defined(__FMA__)
  return std::fma(a, b, acc);
#else
  return a * b + acc;
#endif
}

struct Candidate {
  float score;
  int32_t item;
};

// a ranks before b. As a heap comparator it keeps the worst kept candidate
// at the front.
inline bool ranks_before(const Candidate& a, const Candidate& b) {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

// Items [n_tiles][dim][kItemTile], zero rows past n_items.
std::vector<float> pack_items(const float* items, int dim, int32_t n_items) {
  const int64_t n_tiles = (n_items + kItemTile - 1) / kItemTile;
  std::vector<float> packed(static_cast<size_t>(n_tiles * dim * kItemTile), 0.0f);
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < n_tiles; ++t) {
    float* tile = packed.data() + t * dim * kItemTile;
    const int32_t first = static_cast<int32_t>(t * kItemTile);
    const int32_t count = std::min<int32_t>(kItemTile, n_items - first);
    for (int32_t j = 0; j < count; ++j) {
      const float* row = items + static_cast<int64_t>(first + j) * dim;
      for (int d = 0; d < dim; ++d) tile[d * kItemTile + j] = row[d];
    }
  }
  return packed;
}

// scores[g][j] = users[g] · item j of the tile, g < kUserGroup, j < kItemTile.
void score_tile(const float* users, const float* tile, int dim, float* scores) {
  float acc[kUserGroup][kItemTile] = {};
  for (int d = 0; d < dim; ++d) {
    const float* x = tile + d * kItemTile;
    for (int g = 0; g < kUserGroup; ++g) {
      const float w = users[g * dim + d];
      for (int j = 0; j < kItemTile; ++j) acc[g][j] = multiply_add(w, x[j], acc[g][j]);
    }
  }
  for (int g = 0; g < kUserGroup; ++g) {
    for (int j = 0; j < kItemTile; ++j) scores[g * kItemTile + j] = acc[g][j];
  }
}

// One user's running selection over items visited in ascending id order.
struct UserSelection {
  std::vector<Candidate> heap;     // worst kept candidate at the front
  const int32_t* excluded = nullptr;  // next not-yet-passed excluded id
  const int32_t* excluded_end = nullptr;

  bool full(int k) const { return static_cast<int>(heap.size()) == k; }

  // Once full, an item enters only with a strictly higher score: an equal
  // score comes later in id order and so ranks after the worst kept one.
  bool beats_worst(float score, int k) const { return !full(k) || score > heap.front().score; }

  bool is_excluded(int32_t item) {
    while (excluded != excluded_end && *excluded < item) ++excluded;
    return excluded != excluded_end && *excluded == item;
  }

  void offer(float score, int32_t item, int k) {
    if (std::isnan(score)) score = -std::numeric_limits<float>::infinity();
    if (!beats_worst(score, k) || is_excluded(item)) return;
    if (full(k)) {
      std::pop_heap(heap.begin(), heap.end(), ranks_before);
      heap.back() = {score, item};
    } else {
      heap.push_back({score, item});
    }
    std::push_heap(heap.begin(), heap.end(), ranks_before);
  }
};

// Streams one tile's scores of one user into its selection.
void select_from_tile(const float* scores, int32_t first_item, int32_t count, int k,
                      UserSelection& sel) {
  if (sel.full(k)) {
    // Vector test first: after the first few tiles almost no tile holds an
    // item better than the k-th.
    const float worst = sel.heap.front().score;
    int any = 0;
    for (int j = 0; j < kItemTile; ++j) any |= scores[j] > worst;
    if (!any) return;
  }
  for (int32_t j = 0; j < count; ++j) sel.offer(scores[j], first_item + j, k);
}

void topk_user_block(const float* table, int dim, int32_t n_items,
                     const Csr& exclude, const int32_t* block_users, int block_size, int k,
                     const std::vector<float>& packed, std::vector<float>& user_rows,
                     std::vector<UserSelection>& selections, int32_t* items_out,
                     float* scores_out) {
  // Gather the block's user rows; rows past block_size stay zero.
  const int padded = (block_size + kUserGroup - 1) / kUserGroup * kUserGroup;
  std::fill(user_rows.begin(), user_rows.end(), 0.0f);
  for (int b = 0; b < block_size; ++b) {
    const float* row = table + static_cast<int64_t>(block_users[b]) * dim;
    std::copy(row, row + dim, user_rows.begin() + static_cast<int64_t>(b) * dim);
    UserSelection& sel = selections[b];
    sel.heap.clear();
    sel.heap.reserve(k);
    const int32_t u = block_users[b];
    if (u < exclude.rows) {
      sel.excluded = exclude.row_begin(u);
      sel.excluded_end = exclude.row_end(u);
    } else {
      sel.excluded = sel.excluded_end = nullptr;
    }
  }

  float scores[kUserGroup * kItemTile];
  const int64_t n_tiles = (n_items + kItemTile - 1) / kItemTile;
  for (int64_t t = 0; t < n_tiles; ++t) {
    const float* tile = packed.data() + t * dim * kItemTile;
    const int32_t first = static_cast<int32_t>(t * kItemTile);
    const int32_t count = std::min<int32_t>(kItemTile, n_items - first);
    for (int g0 = 0; g0 < padded; g0 += kUserGroup) {
      score_tile(user_rows.data() + static_cast<int64_t>(g0) * dim, tile, dim, scores);
      const int g_end = std::min(kUserGroup, block_size - g0);
      for (int g = 0; g < g_end; ++g) {
        select_from_tile(scores + g * kItemTile, first, count, k, selections[g0 + g]);
      }
    }
  }

  for (int b = 0; b < block_size; ++b) {
    std::vector<Candidate>& heap = selections[b].heap;
    std::sort_heap(heap.begin(), heap.end(), ranks_before);  // best first
    int32_t* items = items_out + static_cast<int64_t>(b) * k;
    float* scores_row = scores_out + static_cast<int64_t>(b) * k;
    for (int r = 0; r < k; ++r) {
      const bool have = r < static_cast<int>(heap.size());
      items[r] = have ? heap[r].item : -1;
      scores_row[r] = have ? heap[r].score : -std::numeric_limits<float>::infinity();
    }
  }
}

}  // namespace

void cpu_topk_real(const float* table, int dim, int32_t n_users, int32_t n_items,
                   const Csr& exclude, const std::vector<int32_t>& users, int k, TopK& out) {
  k = std::max(k, 0);
  const int64_t n = static_cast<int64_t>(users.size());
  out.k = k;
  out.n_users = n;
  out.items.assign(static_cast<size_t>(n * k), -1);
  out.scores.assign(static_cast<size_t>(n * k), -std::numeric_limits<float>::infinity());
  out.hist_bins = 0;
  out.distance_hist.clear();
  if (n == 0 || k == 0 || n_items <= 0) return;

  const std::vector<float> packed =
      pack_items(table + static_cast<int64_t>(n_users) * dim, dim, n_items);
  const int64_t n_blocks = (n + kUserBlock - 1) / kUserBlock;
#pragma omp parallel
  {
    std::vector<float> user_rows(static_cast<size_t>(kUserBlock) * dim);
    std::vector<UserSelection> selections(kUserBlock);
#pragma omp for schedule(dynamic, 1)
    for (int64_t blk = 0; blk < n_blocks; ++blk) {
      const int64_t first = blk * kUserBlock;
      const int size = static_cast<int>(std::min<int64_t>(kUserBlock, n - first));
      topk_user_block(table, dim, n_items, exclude, users.data() + first, size, k,
                      packed, user_rows, selections, out.items.data() + first * k,
                      out.scores.data() + first * k);
    }
  }
}

}  // namespace bitrec

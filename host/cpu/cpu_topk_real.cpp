// Exact inner-product top-k on the CPU (docs/evaluation.md "Retrieval").
//
// Blocked like a GEMM: a block of 64 users walks all items in tiles of 32,
// a register block of 8 users x 32 items is scored at a time (AVX-512;
// 4 x 16 otherwise), and the scores stream into a per-user selection
// buffer. Items are packed once per call as [tile][d][32], 64-byte aligned,
// so a tile is one contiguous read and stays in L1 while the block uses it.
//
// Score = Σ_d u[d]·i[d], summed in order d = 0..dim-1 (with FMA hardware as
// an fma chain: acc = fma(u[d], i[d], acc), the rounding a CUDA kernel's
// fmaf loop reproduces; without FMA, multiply then add). Order:
// descending score, ties by ascending item id; NaN ranks as -inf.
// Padding (fewer than k candidates): item -1, score -inf.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <new>
#include <vector>

#include "cpu/cpu_topk.hpp"

namespace bitrec {
namespace {

// One SIMD register of floats. GCC/Clang vector extensions keep the
// accumulator block of score_tile in registers, which plain float arrays did
// not (measured: 3x slower, accumulators spilled to the stack).
#if defined(__AVX512F__)
constexpr int kLanes = 16;
constexpr int kUserGroup = 8;  // 8 x 2 accumulators of the 32 zmm registers
#else
constexpr int kLanes = 8;      // AVX2 (or SSE, in two halves)
constexpr int kUserGroup = 4;  // 4 x 2 accumulators of the 16 ymm registers
#endif
typedef float FloatVec __attribute__((vector_size(kLanes * sizeof(float))));

// Register block: kUserGroup users x 2 vectors of items, plus 2 item vectors
// and 1 broadcast. Measured on Zen 5 (score kernel alone, d = 64): 8 x 32
// ran at 182 GFLOP/s, 4 x 64 at 120, 12 x 32 at 57 (spills); tiles not
// 64-byte aligned halved the speed (split loads).
constexpr int kItemTile = 2 * kLanes;  // items per score tile
constexpr int kUserBlock = 64;         // users sharing one pass over the packed items

// A candidate as one integer whose descending order is the rank order:
// high half the score mapped to an order-preserving uint32, low half the
// bitwise-negated item id (lower id ranks first among equal scores). One
// integer compare instead of (score, id) keeps nth_element and sort cheap.
// NaN ranks as -inf and -0 as +0, so equal scores compare equal.
inline uint64_t rank_key(float score, int32_t item) {
  if (std::isnan(score)) score = -std::numeric_limits<float>::infinity();
  score += 0.0f;  // -0 -> +0
  uint32_t bits;
  std::memcpy(&bits, &score, sizeof bits);
  bits = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
  return (uint64_t{bits} << 32) | ~static_cast<uint32_t>(item);
}

inline float key_score(uint64_t key) {
  uint32_t bits = static_cast<uint32_t>(key >> 32);
  bits = (bits & 0x80000000u) ? (bits & 0x7FFFFFFFu) : ~bits;
  float score;
  std::memcpy(&score, &bits, sizeof score);
  return score;
}

inline int32_t key_item(uint64_t key) { return static_cast<int32_t>(~static_cast<uint32_t>(key)); }

// 64-byte aligned floats, so every item vector load is one cache line.
class AlignedFloats {
 public:
  explicit AlignedFloats(size_t count) {
    const size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
    data_ = static_cast<float*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes));
    if (data_ == nullptr) throw std::bad_alloc();
    std::fill(data_, data_ + count, 0.0f);
  }
  ~AlignedFloats() { std::free(data_); }
  AlignedFloats(const AlignedFloats&) = delete;
  AlignedFloats& operator=(const AlignedFloats&) = delete;
  float* data() const { return data_; }

 private:
  float* data_ = nullptr;
};

// Items [n_tiles][dim][kItemTile], zero rows past n_items.
void pack_items(const float* items, int dim, int32_t n_items, float* packed) {
  const int64_t n_tiles = (n_items + kItemTile - 1) / kItemTile;
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < n_tiles; ++t) {
    float* tile = packed + t * dim * kItemTile;
    const int32_t first = static_cast<int32_t>(t * kItemTile);
    const int32_t count = std::min<int32_t>(kItemTile, n_items - first);
    for (int32_t j = 0; j < count; ++j) {
      const float* row = items + static_cast<int64_t>(first + j) * dim;
      for (int d = 0; d < dim; ++d) tile[d * kItemTile + j] = row[d];
    }
  }
}

// scores[g][j] = users[g] · item j of the tile, g < kUserGroup, j < kItemTile.
// `w * x + acc` contracts to an FMA where the hardware has one.
void score_tile(const float* users, const float* tile, int dim, float* scores) {
  constexpr int kVecs = kItemTile / kLanes;
  FloatVec acc[kUserGroup][kVecs] = {};
  for (int d = 0; d < dim; ++d) {
    FloatVec x[kVecs];
#pragma GCC unroll 2
    for (int q = 0; q < kVecs; ++q) {
      std::memcpy(&x[q], tile + d * kItemTile + q * kLanes, sizeof(FloatVec));
    }
#pragma GCC unroll 8
    for (int g = 0; g < kUserGroup; ++g) {
      const float w = users[g * dim + d];
#pragma GCC unroll 2
      for (int q = 0; q < kVecs; ++q) acc[g][q] = w * x[q] + acc[g][q];
    }
  }
  std::memcpy(scores, acc, sizeof acc);
}

// Moves the k largest of keys[0, n) to the front, in no particular order
// (keys distinct, 0 < k < n). Quickselect whose partition writes every key
// to both halves and advances one cursor, without branches: whether a key
// beats the pivot is a coin flip, and std::nth_element's mispredictions
// made it a fifth of the whole top-k time (measured).
void select_largest(uint64_t* keys, int n, int k, uint64_t* scratch) {
  int lo = 0;
  int hi = n;  // the boundary between the k largest and the rest lies in [lo, hi]
  while (hi - lo > 16) {
    const int m = hi - lo;
    uint64_t* a = keys + lo;
    // Median of three: never the largest, so both halves shrink.
    uint64_t x = a[0], y = a[m / 2], z = a[m - 1];
    const uint64_t pivot = std::max(std::min(x, y), std::min(std::max(x, y), z));
    uint64_t* above = scratch;
    uint64_t* rest = scratch + m;
    int n_above = 0;
    int n_rest = 0;
    for (int i = 0; i < m; ++i) {
      const uint64_t key = a[i];
      const bool is_above = key > pivot;
      above[n_above] = key;
      rest[n_rest] = key;
      n_above += is_above;
      n_rest += !is_above;
    }
    std::copy(above, above + n_above, a);
    std::copy(rest, rest + n_rest, a + n_above);
    const int split = lo + n_above;
    if (split == k) return;
    if (split > k) {
      hi = split;
    } else {
      lo = split;
    }
  }
  std::nth_element(keys + lo, keys + (k - 1), keys + hi, std::greater<uint64_t>());
}

// One user's running selection over items visited in ascending id order.
// Candidates that beat the current bar are appended to a buffer of twice k;
// when it fills, select_largest keeps the best k and raises the bar to the
// k-th score. Amortised O(1) per candidate, where a k-heap paid O(log k)
// twice per insertion (measured: the heap took a quarter of the time).
struct UserSelection {
  std::vector<uint64_t> kept;         // rank keys, unordered, at most `capacity`
  std::vector<uint64_t> scratch;      // [2 * capacity] for select_largest
  bool has_bar = false;               // true once k candidates were kept
  float bar = 0.0f;                   // the k-th best score so far
  const int32_t* excluded = nullptr;  // next not-yet-passed excluded id
  const int32_t* excluded_end = nullptr;

  void reset(const Csr& exclude, int32_t user, int capacity) {
    kept.clear();
    kept.reserve(capacity);
    scratch.resize(2 * static_cast<size_t>(capacity));
    has_bar = false;
    if (user < exclude.rows) {
      excluded = exclude.row_begin(user);
      excluded_end = exclude.row_end(user);
    } else {
      excluded = excluded_end = nullptr;
    }
  }

  bool is_excluded(int32_t item) {
    while (excluded != excluded_end && *excluded < item) ++excluded;
    return excluded != excluded_end && *excluded == item;
  }

  void keep_best(int k) {
    select_largest(kept.data(), static_cast<int>(kept.size()), k, scratch.data());
    kept.resize(k);
    has_bar = true;
    bar = key_score(*std::min_element(kept.begin(), kept.end()));
  }

  // Past the bar only a strictly higher score can enter: an equal score
  // comes later in id order and so ranks after the k-th kept one. (NaN
  // fails the test, as -inf would.)
  void offer(float score, int32_t item, int k, int capacity) {
    if (has_bar && !(score > bar)) return;
    if (is_excluded(item)) return;
    kept.push_back(rank_key(score, item));
    if (static_cast<int>(kept.size()) == capacity) keep_best(k);
  }

  // The final list, best first.
  void finish(int k) {
    if (static_cast<int>(kept.size()) > k) keep_best(k);
    std::sort(kept.begin(), kept.end(), std::greater<uint64_t>());
  }
};

int selection_capacity(int k) { return std::max(2 * k, k + 64); }

// Items per vector test in select_from_tile.
constexpr int kSelectChunk = 16;

// Streams one tile's scores of one user into its selection. Once the bar is
// set, a vector test per 16 scores skips nearly everything: after the first
// tiles few items beat the k-th best (about k·ln(n/k) in all). The passing
// positions of a chunk are compacted without branches, since whether an
// item passes is unpredictable.
void select_from_tile(const float* scores, int32_t first_item, int32_t count, int k,
                      UserSelection& sel) {
  const int capacity = selection_capacity(k);
  for (int32_t c = 0; c < count; c += kSelectChunk) {
    const int32_t end = std::min<int32_t>(c + kSelectChunk, count);
    if (!sel.has_bar) {
      for (int32_t j = c; j < end; ++j) sel.offer(scores[j], first_item + j, k, capacity);
      continue;
    }
    const float bar = sel.bar;
    int any = 0;
    for (int j = 0; j < kSelectChunk; ++j) any |= scores[c + j] > bar;
    if (!any) continue;
    int32_t passing[kSelectChunk];
    int n_passing = 0;
    for (int32_t j = c; j < end; ++j) {
      passing[n_passing] = j;
      n_passing += scores[j] > bar;
    }
    // offer() re-tests against the bar, which a shrink may have raised.
    for (int p = 0; p < n_passing; ++p) {
      sel.offer(scores[passing[p]], first_item + passing[p], k, capacity);
    }
  }
}

void topk_user_block(const float* table, int dim, int32_t n_items, const Csr& exclude,
                     const int32_t* block_users, int block_size, int k, const float* packed,
                     std::vector<float>& user_rows, std::vector<UserSelection>& selections,
                     int32_t* items_out, float* scores_out) {
  // Gather the block's user rows; rows past block_size stay zero.
  const int padded = (block_size + kUserGroup - 1) / kUserGroup * kUserGroup;
  std::fill(user_rows.begin(), user_rows.end(), 0.0f);
  for (int b = 0; b < block_size; ++b) {
    const float* row = table + static_cast<int64_t>(block_users[b]) * dim;
    std::copy(row, row + dim, user_rows.begin() + static_cast<int64_t>(b) * dim);
    selections[b].reset(exclude, block_users[b], selection_capacity(k));
  }

  float scores[kUserGroup * kItemTile];
  const int64_t n_tiles = (n_items + kItemTile - 1) / kItemTile;
  for (int64_t t = 0; t < n_tiles; ++t) {
    const float* tile = packed + t * dim * kItemTile;
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
    UserSelection& sel = selections[b];
    sel.finish(k);
    const std::vector<uint64_t>& best = sel.kept;
    int32_t* items = items_out + static_cast<int64_t>(b) * k;
    float* scores_row = scores_out + static_cast<int64_t>(b) * k;
    for (int r = 0; r < k; ++r) {
      const bool have = r < static_cast<int>(best.size());
      items[r] = have ? key_item(best[r]) : -1;
      scores_row[r] = have ? key_score(best[r]) : -std::numeric_limits<float>::infinity();
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

  const int64_t n_tiles = (n_items + kItemTile - 1) / kItemTile;
  AlignedFloats packed(static_cast<size_t>(n_tiles * dim * kItemTile));
  pack_items(table + static_cast<int64_t>(n_users) * dim, dim, n_items, packed.data());
  const int64_t n_blocks = (n + kUserBlock - 1) / kUserBlock;
#pragma omp parallel
  {
    std::vector<float> user_rows(static_cast<size_t>(kUserBlock) * dim);
    std::vector<UserSelection> selections(kUserBlock);
#pragma omp for schedule(dynamic, 1)
    for (int64_t blk = 0; blk < n_blocks; ++blk) {
      const int64_t first = blk * kUserBlock;
      const int size = static_cast<int>(std::min<int64_t>(kUserBlock, n - first));
      topk_user_block(table, dim, n_items, exclude, users.data() + first, size, k, packed.data(),
                      user_rows, selections, out.items.data() + first * k,
                      out.scores.data() + first * k);
    }
  }
}

}  // namespace bitrec

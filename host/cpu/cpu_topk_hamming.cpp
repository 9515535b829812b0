// Exact Hamming top-k on the CPU (docs/evaluation.md "Retrieval").
//
// Distances take only bits+1 values, so top-k is a counting problem, O(n)
// per user and no sort: distances of all items -> histogram -> the threshold
// distance where the cumulative count reaches k -> one ascending scan that
// drops every kept item straight into its final slot (a counting sort keyed
// by distance; the scan order gives ascending ids within a distance).
// Short lists (fewer candidates than k) are padded with item -1, score +inf.
//
// Measured on the 2-core dev box (AMD EPYC Zen 5, AVX-512 VPOPCNTDQ),
// Gowalla-size 29,858 users x 40,981 items, 64 bits, k = 50: see
// docs/evaluation.md. The histogram dominates; the distance pass and the
// scan are vectorised.
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitrec/kernels/hamming.hpp"
#include "cpu/cpu_topk.hpp"

namespace bitrec {
namespace {

// Users whose distances are computed together, so that each block of item
// codes is read once per group rather than once per user. Wide codes do not
// fit in L2 (768 bits x 41k items = 3.9 MB) and one user at a time was
// bound by memory (measured, see docs/evaluation.md).
constexpr int kUserGroup = 8;

// Per-thread buffers, reused across users.
struct HammingScratch {
  std::vector<uint16_t> dist;      // [kUserGroup, n_items] distance, or `bits + 1` if excluded
  std::vector<uint32_t> partial;   // [kSubHistograms, bits + 2] sub-histograms
  std::vector<int32_t> next_slot;  // [bits + 1] next output slot per distance
};

// Consecutive items often share a distance; with a single histogram each
// increment would wait on the previous store to the same counter. Four
// interleaved copies break that chain.
constexpr int kSubHistograms = 4;

// Items scanned per vector test in the collection pass.
constexpr int kScanChunk = 64;

// Items per distance block: the block's partial sums stay in L1 while the
// words are added one after another.
constexpr int32_t kDistanceBlock = 2048;

// Item codes word-major, [words][n_items]: word w of every item is one
// contiguous run, so the distance loop vectorises across items for any
// width (one VPOPCNTQ per 8 items per word). With item-major codes GCC
// vectorised within an item instead: 256-bit codes took 4x the 64-bit time
// per user; word-major, about 1.5x (measured).
std::vector<uint64_t> word_major_items(const uint64_t* items, int words, int32_t n_items) {
  std::vector<uint64_t> out(static_cast<size_t>(words) * n_items);
  for (int32_t i = 0; i < n_items; ++i) {
    for (int w = 0; w < words; ++w) {
      out[static_cast<size_t>(w) * n_items + i] = items[static_cast<int64_t>(i) * words + w];
    }
  }
  return out;
}

// dist[g][i] = Σ_w popcount(user_g[w] XOR item_words[w][i]) for the group's
// users: the Hamming distance of kernels/hamming.hpp, summed word by word.
void group_distances(const uint64_t* codes, const int32_t* users, int group, int words,
                     const uint64_t* item_words, int32_t n_items, uint16_t* dist) {
  for (int32_t first = 0; first < n_items; first += kDistanceBlock) {
    const int32_t end = std::min(first + kDistanceBlock, n_items);
    for (int w = 0; w < words; ++w) {
      const uint64_t* iw = item_words + static_cast<int64_t>(w) * n_items;
      for (int g = 0; g < group; ++g) {
        const uint64_t uw = codes[static_cast<int64_t>(users[g]) * words + w];
        uint16_t* d = dist + static_cast<int64_t>(g) * n_items;
        if (w == 0) {
#pragma omp simd
          for (int32_t i = first; i < end; ++i)
            d[i] = static_cast<uint16_t>(popcount64(uw ^ iw[i]));
        } else {
#pragma omp simd
          for (int32_t i = first; i < end; ++i) {
            d[i] = static_cast<uint16_t>(d[i] + popcount64(uw ^ iw[i]));
          }
        }
      }
    }
  }
}

// The user's excluded items get the sentinel distance bits + 1: one write
// per excluded item, and the hot loops below need no membership test.
void mark_excluded(const Csr& exclude, int32_t user, int32_t n_items, uint16_t sentinel,
                   uint16_t* dist) {
  if (user >= exclude.rows) return;
  for (const int32_t* it = exclude.row_begin(user); it != exclude.row_end(user); ++it) {
    if (*it >= 0 && *it < n_items) dist[*it] = sentinel;
  }
}

// hist[v] = #items at distance v, v = 0..bits (the sentinel bin bits+1 is
// counted but not reported).
void distance_histogram(const uint16_t* dist, int32_t n_items, int bits, uint32_t* partial,
                        int32_t* hist) {
  const int stride = bits + 2;
  std::fill(partial, partial + kSubHistograms * stride, 0u);
  uint32_t* h0 = partial;
  uint32_t* h1 = partial + stride;
  uint32_t* h2 = partial + 2 * stride;
  uint32_t* h3 = partial + 3 * stride;
  int32_t i = 0;
  for (; i + 4 <= n_items; i += 4) {
    ++h0[dist[i]];
    ++h1[dist[i + 1]];
    ++h2[dist[i + 2]];
    ++h3[dist[i + 3]];
  }
  for (; i < n_items; ++i) ++h0[dist[i]];
  for (int v = 0; v <= bits; ++v) {
    hist[v] = static_cast<int32_t>(h0[v] + h1[v] + h2[v] + h3[v]);
  }
}

// A chunk holds a kept item only if its smallest distance is <= limit; the
// min-reduction vectorises (VPMINUW), so the scan costs little next to the
// histogram even though almost every chunk is skipped.
inline bool any_at_most(const uint16_t* dist, uint16_t limit) {
  uint16_t smallest = std::numeric_limits<uint16_t>::max();
  for (int j = 0; j < kScanChunk; ++j) smallest = dist[j] < smallest ? dist[j] : smallest;
  return smallest <= limit;
}

// One user's row from its distances: items/scores [k] in (distance, id)
// order, -1 padded, and the distance histogram.
void select_user(uint16_t* dist, int32_t n_items, int bits, const Csr& exclude, int32_t user, int k,
                 HammingScratch& s, int32_t* items_out, float* scores_out, int32_t* hist) {
  const uint16_t sentinel = static_cast<uint16_t>(bits + 1);
  mark_excluded(exclude, user, n_items, sentinel, dist);
  distance_histogram(dist, n_items, bits, s.partial.data(), hist);

  // Threshold: the smallest distance whose cumulative count reaches k; all
  // items closer than it are kept, plus the first `quota` at it (by id).
  // With fewer candidates than k it is `bits` and every candidate is kept
  // (so the loop stops before adding hist[bits] to `before`).
  int threshold = bits;
  int64_t before = 0;  // items strictly closer than `threshold`
  for (int v = 0; v < bits; ++v) {
    if (before + hist[v] >= k) {
      threshold = v;
      break;
    }
    before += hist[v];
  }
  const int64_t quota = std::min<int64_t>(hist[threshold], k - before);
  const int64_t keep = before + quota;  // == k unless there are fewer candidates

  int32_t* next_slot = s.next_slot.data();
  int32_t slot = 0;
  for (int v = 0; v <= threshold; ++v) {
    next_slot[v] = slot;
    slot += hist[v];
  }

  int limit = threshold;  // accept distances <= limit
  if (quota == 0) limit = threshold - 1;
  int64_t taken_at_threshold = 0;
  int64_t kept = 0;
  for (int32_t chunk = 0; chunk < n_items && kept < keep; chunk += kScanChunk) {
    const int32_t end = std::min<int32_t>(chunk + kScanChunk, n_items);
    if (end - chunk == kScanChunk && !any_at_most(dist + chunk, static_cast<uint16_t>(limit)))
      continue;
    for (int32_t i = chunk; i < end; ++i) {
      const int d = dist[i];
      if (d > limit) continue;
      items_out[next_slot[d]] = i;
      scores_out[next_slot[d]] = static_cast<float>(d);
      ++next_slot[d];
      ++kept;
      // The threshold bin is full: from here on only closer items remain.
      if (d == threshold && ++taken_at_threshold == quota) limit = threshold - 1;
    }
  }
  for (int64_t r = keep; r < k; ++r) {
    items_out[r] = -1;
    scores_out[r] = std::numeric_limits<float>::infinity();
  }
}

}  // namespace

void cpu_topk_hamming(const uint64_t* codes, int words, int32_t n_users, int32_t n_items, int bits,
                      const Csr& exclude, const std::vector<int32_t>& users, int k, TopK& out) {
  // Distances are stored as uint16 with bits + 1 marking excluded items.
  if (bits < 1 || bits > 65534 || words < code_words(bits)) {
    throw std::invalid_argument("cpu_topk_hamming: bits " + std::to_string(bits) + " do not fit " +
                                std::to_string(words) + " words");
  }
  k = std::max(k, 0);
  const int64_t n = static_cast<int64_t>(users.size());
  out.k = k;
  out.n_users = n;
  out.items.assign(static_cast<size_t>(n * k), -1);
  out.scores.assign(static_cast<size_t>(n * k), std::numeric_limits<float>::infinity());
  out.hist_bins = bits + 1;
  out.distance_hist.assign(static_cast<size_t>(n * (bits + 1)), 0);
  if (n == 0) return;

  // One word: the item rows already are word-major.
  std::vector<uint64_t> transposed;
  const uint64_t* item_codes = codes + static_cast<int64_t>(n_users) * words;
  const uint64_t* item_words = item_codes;
  if (words > 1) {
    transposed = word_major_items(item_codes, words, n_items);
    item_words = transposed.data();
  }
  const int bins = bits + 1;
  const int64_t n_groups = (n + kUserGroup - 1) / kUserGroup;
#pragma omp parallel
  {
    HammingScratch s;
    s.dist.resize(static_cast<size_t>(kUserGroup) * std::max(n_items, 1));
    s.partial.resize(static_cast<size_t>(kSubHistograms) * (bits + 2));
    s.next_slot.resize(static_cast<size_t>(bins));
    // Chunks of 2 groups = 16 users: the schedule(dynamic, 16) of one user
    // at a time, with users grouped for the distance pass.
#pragma omp for schedule(dynamic, 2)
    for (int64_t grp = 0; grp < n_groups; ++grp) {
      const int64_t first = grp * kUserGroup;
      const int group = static_cast<int>(std::min<int64_t>(kUserGroup, n - first));
      group_distances(codes, users.data() + first, group, words, item_words, n_items,
                      s.dist.data());
      for (int g = 0; g < group; ++g) {
        const int64_t row = first + g;
        select_user(s.dist.data() + static_cast<int64_t>(g) * n_items, n_items, bits, exclude,
                    users[row], k, s, out.items.data() + row * k, out.scores.data() + row * k,
                    out.distance_hist.data() + row * bins);
      }
    }
  }
}

}  // namespace bitrec

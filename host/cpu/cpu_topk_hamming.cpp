// Exact Hamming top-k on the CPU (design.md "Retrieval").
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

// Per-thread buffers, reused across users.
struct HammingScratch {
  std::vector<uint16_t> dist;     // [n_items] distance, or `bits + 1` for excluded items
  std::vector<uint32_t> partial;  // [kSubHistograms, bits + 2] sub-histograms
  std::vector<int32_t> next_slot; // [bits + 1] next output slot per distance
};

// Consecutive items often share a distance; with a single histogram each
// increment would wait on the previous store to the same counter. Four
// interleaved copies break that chain.
constexpr int kSubHistograms = 4;

// Items scanned per vector test in the collection pass.
constexpr int kScanChunk = 64;

// WORDS > 0: code width known at compile time, so hamming_distance unrolls
// and the loop vectorises (one VPOPCNTQ per 8 items at 64 bits).
// WORDS == 0: any width, read from `words`.
template <int WORDS>
void item_distances(const uint64_t* user, const uint64_t* items, int words, int32_t n_items,
                    uint16_t* dist) {
  const int w = WORDS > 0 ? WORDS : words;
#pragma omp simd
  for (int32_t i = 0; i < n_items; ++i) {
    dist[i] = static_cast<uint16_t>(hamming_distance(user, items + static_cast<int64_t>(i) * w, w));
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

// One user's row: items/scores [k] in (distance, id) order, -1 padded.
template <int WORDS>
void topk_hamming_user(const uint64_t* codes, int words, int32_t n_users, int32_t n_items,
                       int bits, const Csr& exclude, int32_t user, int k, HammingScratch& s,
                       int32_t* items_out, float* scores_out, int32_t* hist) {
  const int w = WORDS > 0 ? WORDS : words;
  uint16_t* dist = s.dist.data();
  item_distances<WORDS>(codes + static_cast<int64_t>(user) * w,
                        codes + static_cast<int64_t>(n_users) * w, w, n_items, dist);
  const uint16_t sentinel = static_cast<uint16_t>(bits + 1);
  mark_excluded(exclude, user, n_items, sentinel, dist);
  distance_histogram(dist, n_items, bits, s.partial.data(), hist);

  // Threshold: the smallest distance whose cumulative count reaches k; all
  // items closer than it are kept, plus the first `quota` at it (by id).
  int threshold = bits;
  int64_t before = 0;  // items strictly closer than `threshold`
  for (int v = 0; v <= bits; ++v) {
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
    if (end - chunk == kScanChunk && !any_at_most(dist + chunk, static_cast<uint16_t>(limit))) continue;
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

template <int WORDS>
void topk_hamming_all(const uint64_t* codes, int words, int32_t n_users, int32_t n_items,
                      int bits, const Csr& exclude, const std::vector<int32_t>& users, int k,
                      TopK& out) {
  const int64_t n = static_cast<int64_t>(users.size());
  const int bins = bits + 1;
#pragma omp parallel
  {
    HammingScratch s;
    s.dist.resize(static_cast<size_t>(std::max(n_items, 1)));
    s.partial.resize(static_cast<size_t>(kSubHistograms) * (bits + 2));
    s.next_slot.resize(static_cast<size_t>(bins));
#pragma omp for schedule(dynamic, 16)
    for (int64_t row = 0; row < n; ++row) {
      topk_hamming_user<WORDS>(codes, words, n_users, n_items, bits, exclude, users[row], k, s,
                               out.items.data() + row * k, out.scores.data() + row * k,
                               out.distance_hist.data() + row * bins);
    }
  }
}

}  // namespace

void cpu_topk_hamming(const uint64_t* codes, int words, int32_t n_users, int32_t n_items,
                      int bits, const Csr& exclude, const std::vector<int32_t>& users, int k,
                      TopK& out) {
  // Distances are stored as uint16 with bits + 1 marking excluded items.
  if (bits < 1 || bits > 65534 || words < code_words(bits)) {
    throw std::invalid_argument("cpu_topk_hamming: bits " + std::to_string(bits) +
                                " do not fit " + std::to_string(words) + " words");
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

  // Widths in use: 32/64 bits (1 word), 128, 256, BGCH's 768 (12 words).
  switch (words) {
    case 1: topk_hamming_all<1>(codes, words, n_users, n_items, bits, exclude, users, k, out); break;
    case 2: topk_hamming_all<2>(codes, words, n_users, n_items, bits, exclude, users, k, out); break;
    case 3: topk_hamming_all<3>(codes, words, n_users, n_items, bits, exclude, users, k, out); break;
    case 4: topk_hamming_all<4>(codes, words, n_users, n_items, bits, exclude, users, k, out); break;
    case 8: topk_hamming_all<8>(codes, words, n_users, n_items, bits, exclude, users, k, out); break;
    case 12: topk_hamming_all<12>(codes, words, n_users, n_items, bits, exclude, users, k, out); break;
    default: topk_hamming_all<0>(codes, words, n_users, n_items, bits, exclude, users, k, out); break;
  }
}

}  // namespace bitrec

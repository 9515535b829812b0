// BPR triple sampling, docs/methods.md §1 scheme (a), written once for both
// backends: the CPU loops over draw_triple, the CUDA sampler calls it per
// thread, so both draw exactly the same triples. docs/sampling.md describes
// the counter layout in words.
#pragma once
#include <cstdint>

#include "bitrec/hd.hpp"
#include "bitrec/kernels/philox.hpp"

namespace bitrec {

// The train relation as the sampler reads it; pointers into host or device
// memory, whichever the caller runs on.
struct TripleSamplerView {
  const int32_t* users;    // [n_users] ascending: >= 1 train item and >= 1 non-train item
  uint32_t n_users;
  const int64_t* indptr;   // train CSR (user -> items), [rows + 1]
  const int32_t* indices;  // [nnz] ascending within a row
  uint32_t n_items;
};

// Binary search of value in the ascending range [begin, begin + len).
BITREC_HD bool sorted_contains(const int32_t* begin, int64_t len, int32_t value) {
  int64_t lo = 0, hi = len;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (begin[mid] < value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < len && begin[lo] == value;
}

// Triple number `sample` (its index in the epoch) of `epoch`:
//   r    = Philox(key = seed, counter = (sample, epoch, 0, kTriples))
//   user = users[uniform_index(r.v[0], n_users)]
//   pos  = P_user[uniform_index(r.v[1], |P_user|)]
//   neg  = uniform_index(r.v[2], n_items); while neg ∈ P_user, for attempt
//          a = 1, 2, …: r = Philox(counter = (sample, epoch, a, kTriples)),
//          neg = uniform_index(r.v[2], n_items).
// r.v[3] is unused. Ends because every listed user has a non-train item.
// out: (user, pos item, neg item), item ids in [0, n_items).
BITREC_HD void draw_triple(uint64_t seed, uint32_t epoch, uint32_t sample,
                           const TripleSamplerView& v, int32_t* out) {
  Philox4 r = philox_draw(seed, RngStream::kTriples, sample, epoch, 0);
  const int32_t user = v.users[uniform_index(r.v[0], v.n_users)];
  const int64_t begin = v.indptr[user];
  const int64_t len = v.indptr[user + 1] - begin;
  const int32_t* items = v.indices + begin;
  const int32_t pos = items[uniform_index(r.v[1], static_cast<uint32_t>(len))];
  int32_t neg = static_cast<int32_t>(uniform_index(r.v[2], v.n_items));
  for (uint32_t attempt = 1; sorted_contains(items, len, neg); ++attempt) {
    r = philox_draw(seed, RngStream::kTriples, sample, epoch, attempt);
    neg = static_cast<int32_t>(uniform_index(r.v[2], v.n_items));
  }
  out[0] = user;
  out[1] = pos;
  out[2] = neg;
}

// The negative of train pair number `pair` (its offset in the train CSR, so
// the draw is the same however users are batched) for the BPR term that
// user-based epochs may mix in (docs/methods.md §5):
//   neg = uniform_index(Philox(key = seed, counter = (pair, epoch, a,
//         kPairNegatives)).v[0], n_items) for a = 0, 1, … until neg ∉ P_user.
// items/len: P_user, ascending; the caller guarantees len < n_items.
BITREC_HD int32_t draw_pair_negative(uint64_t seed, uint32_t epoch, uint32_t pair,
                                     const int32_t* items, int64_t len, uint32_t n_items) {
  int32_t neg;
  uint32_t attempt = 0;
  do {
    const Philox4 r = philox_draw(seed, RngStream::kPairNegatives, pair, epoch, attempt++);
    neg = static_cast<int32_t>(uniform_index(r.v[0], n_items));
  } while (sorted_contains(items, len, neg));
  return neg;
}

}  // namespace bitrec

// The optional BPR term of user-based epochs (docs/methods.md §5): one triple per
// train pair (u, i) of the batch's users, its negative drawn by
// draw_pair_negative from the pair's offset in the train CSR — so a user's
// triples are the same whatever batch it falls in. Built on the host (a
// batch holds a few thousand pairs) and uploaded.
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/csr.hpp"

namespace bitrec {

// Rows the triple buffer needs: the most train pairs any `batch` users can
// hold (the sum of the `batch` largest degrees).
int64_t max_pairs_per_batch(const Csr& train, int batch);

// Writes (user, pos, neg) for every train pair of users[0..count), users in
// the given order and items ascending, into out[3 * t ..]; returns the number
// of triples. Users with every item in train (no negative exists) are
// skipped. out must hold 3 × max_pairs_per_batch ints.
int64_t fill_pair_triples(const Csr& train, uint64_t seed, uint32_t epoch, const int32_t* users,
                          int64_t count, int32_t* out);

}  // namespace bitrec

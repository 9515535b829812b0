// Seeded per-row hold-out, shared by the validation split, the CSV/TSV
// train/test split and the synthetic generator's test split.
#pragma once
#include <cstdint>

#include "bitrec/csr.hpp"
#include "bitrec/kernels/philox.hpp"

namespace bitrec::data {

// How many of a row's `degree` entries are held out: round(fraction·degree),
// capped so that at least one entry stays (none are held from a 1-entry row).
int64_t held_out_count(int64_t degree, double fraction);

// Splits every row of `source` into `kept` and `held_out` (same shape). The
// held-out entries of row r are the first held_out_count() positions of a
// partial Fisher–Yates shuffle whose j-th swap draws
// philox_draw(seed, stream, r, j, tag).v[0]; `tag` keeps the splits that share
// a stream apart. Deterministic, independent of threads and of other rows.
void split_rows(const Csr& source, double fraction, uint64_t seed, RngStream stream, uint32_t tag,
                Csr* kept, Csr* held_out);

}  // namespace bitrec::data

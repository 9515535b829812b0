// --valid-frac: a seeded hold-out of train items, so model selection never
// looks at test (docs/methods.md §1, "Model selection").
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "bitrec/dataset.hpp"
#include "bitrec/error.hpp"
#include "data/row_split.hpp"

namespace bitrec {

void carve_validation(Dataset& data, double fraction, uint64_t seed) {
  if (!(fraction >= 0.0 && fraction < 1.0)) {  // also rejects NaN
    char text[32];
    std::snprintf(text, sizeof text, "%g", fraction);
    throw InputError(std::string("--valid-frac: ") + text + " is not in [0, 1)");
  }
  // Carving twice would silently shrink train again; the trainer carves once.
  if (data.valid.nnz() > 0) throw std::logic_error("carve_validation: already carved");
  Csr kept, held_out;
  data::split_rows(data.train, fraction, seed, RngStream::kValidSplit, /*tag=*/0, &kept,
                   &held_out);
  data.train = std::move(kept);
  data.valid = std::move(held_out);
}

}  // namespace bitrec

#include "data/row_split.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace bitrec::data {

int64_t held_out_count(int64_t degree, double fraction) {
  if (degree <= 1) return 0;
  const int64_t rounded = std::llround(fraction * static_cast<double>(degree));
  return std::clamp<int64_t>(rounded, 0, degree - 1);
}

void split_rows(const Csr& source, double fraction, uint64_t seed, RngStream stream, uint32_t tag,
                Csr* kept, Csr* held_out) {
  Csr keep, hold;
  keep.rows = hold.rows = source.rows;
  keep.cols = hold.cols = source.cols;
  keep.indptr.assign(static_cast<size_t>(source.rows) + 1, 0);
  hold.indptr.assign(static_cast<size_t>(source.rows) + 1, 0);
  keep.indices.reserve(source.indices.size());

  std::vector<int32_t> row;
  for (int64_t r = 0; r < source.rows; ++r) {
    row.assign(source.row_begin(r), source.row_end(r));
    const int64_t degree = static_cast<int64_t>(row.size());
    const int64_t n_held = held_out_count(degree, fraction);
    for (int64_t j = 0; j < n_held; ++j) {
      const uint32_t draw = philox_draw(seed, stream, static_cast<uint32_t>(r),
                                        static_cast<uint32_t>(j), tag).v[0];
      const int64_t pick = j + uniform_index(draw, static_cast<uint32_t>(degree - j));
      std::swap(row[j], row[pick]);
    }
    std::sort(row.begin(), row.begin() + n_held);
    std::sort(row.begin() + n_held, row.end());
    hold.indices.insert(hold.indices.end(), row.begin(), row.begin() + n_held);
    keep.indices.insert(keep.indices.end(), row.begin() + n_held, row.end());
    hold.indptr[r + 1] = hold.nnz();
    keep.indptr[r + 1] = keep.nnz();
  }
  *kept = std::move(keep);
  *held_out = std::move(hold);
}

}  // namespace bitrec::data

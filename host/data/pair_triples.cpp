#include "data/pair_triples.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "bitrec/kernels/sampling.hpp"

namespace bitrec {

int64_t max_pairs_per_batch(const Csr& train, int batch) {
  std::vector<int64_t> degrees(static_cast<size_t>(train.rows));
  for (int64_t u = 0; u < train.rows; ++u) degrees[static_cast<size_t>(u)] = train.row_size(u);
  const size_t top = std::min(degrees.size(), static_cast<size_t>(std::max(batch, 0)));
  std::partial_sort(degrees.begin(), degrees.begin() + static_cast<std::ptrdiff_t>(top), degrees.end(),
                    std::greater<int64_t>());
  int64_t sum = 0;
  for (size_t k = 0; k < top; ++k) sum += degrees[k];
  return sum;
}

int64_t fill_pair_triples(const Csr& train, uint64_t seed, uint32_t epoch, const int32_t* users,
                          int64_t count, int32_t* out) {
  // The pair offset is a 32-bit Philox counter word.
  if (train.nnz() > (int64_t{1} << 32)) {
    throw std::invalid_argument("BPR pair sampling: more than 2^32 train pairs");
  }
  int64_t written = 0;
  for (int64_t b = 0; b < count; ++b) {
    const int32_t user = users[b];
    const int64_t begin = train.indptr[static_cast<size_t>(user)];
    const int64_t len = train.row_size(user);
    if (len == 0 || len >= train.cols) continue;
    const int32_t* items = train.indices.data() + begin;
    for (int64_t k = 0; k < len; ++k) {
      int32_t* t = out + 3 * written++;
      t[0] = user;
      t[1] = items[k];
      t[2] = draw_pair_negative(seed, epoch, static_cast<uint32_t>(begin + k), items, len,
                                static_cast<uint32_t>(train.cols));
    }
  }
  return written;
}

}  // namespace bitrec

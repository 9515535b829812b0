#include "bitrec/csr.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace bitrec {

bool Csr::contains(int64_t r, int32_t c) const {
  return std::binary_search(row_begin(r), row_end(r), c);
}

Csr csr_from_pairs(int64_t rows, int64_t cols, std::vector<std::pair<int32_t, int32_t>> pairs,
                   int64_t* duplicates) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("csr_from_pairs: negative shape");
  // Callers (the loaders) have already checked ids against the shape; a pair
  // outside it here is a programming error, caught before it corrupts memory.
  for (const auto& [r, c] : pairs) {
    if (r < 0 || r >= rows || c < 0 || c >= cols) {
      throw std::out_of_range("csr_from_pairs: pair (" + std::to_string(r) + ", " +
                              std::to_string(c) + ") outside " + std::to_string(rows) + " x " +
                              std::to_string(cols));
    }
  }

  // Counting sort by row, then a sort per row: O(nnz log degree) instead of a
  // global sort of all pairs, and rows that arrive sorted (LightGCN files)
  // cost one pass.
  Csr out;
  out.rows = rows;
  out.cols = cols;
  std::vector<int64_t> row_start(static_cast<size_t>(rows) + 1, 0);
  for (const auto& pair : pairs) ++row_start[static_cast<size_t>(pair.first) + 1];
  for (int64_t r = 0; r < rows; ++r) row_start[r + 1] += row_start[r];

  std::vector<int32_t> scattered(pairs.size());
  {
    std::vector<int64_t> cursor(row_start.begin(), row_start.end() - 1);
    for (const auto& [r, c] : pairs) scattered[cursor[r]++] = c;
  }
  const int64_t total = static_cast<int64_t>(pairs.size());
  std::vector<std::pair<int32_t, int32_t>>().swap(pairs);  // release early: large inputs

  // Sort and deduplicate each row, compacting in place (write <= read).
  out.indptr.assign(static_cast<size_t>(rows) + 1, 0);
  int64_t write = 0;
  for (int64_t r = 0; r < rows; ++r) {
    int32_t* begin = scattered.data() + row_start[r];
    int32_t* end = scattered.data() + row_start[r + 1];
    if (!std::is_sorted(begin, end)) std::sort(begin, end);
    int32_t* unique_end = std::unique(begin, end);
    const int64_t kept = unique_end - begin;
    // Shifting left (write < row start) is a valid std::copy; equal means
    // nothing was dropped yet and the row is already in place.
    if (write != row_start[r]) std::copy(begin, unique_end, scattered.data() + write);
    write += kept;
    out.indptr[r + 1] = write;
  }
  scattered.resize(static_cast<size_t>(write));
  scattered.shrink_to_fit();
  out.indices = std::move(scattered);
  if (duplicates) *duplicates = total - write;
  return out;
}

}  // namespace bitrec

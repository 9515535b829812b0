// Compressed sparse rows of an unweighted relation (user -> items).
#pragma once
#include <cstdint>
#include <vector>

namespace bitrec {

struct Csr {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<int64_t> indptr{0};  // [rows + 1]
  std::vector<int32_t> indices;    // [nnz], ascending and unique within a row

  int64_t nnz() const { return static_cast<int64_t>(indices.size()); }
  int64_t row_size(int64_t r) const { return indptr[r + 1] - indptr[r]; }
  const int32_t* row_begin(int64_t r) const { return indices.data() + indptr[r]; }
  const int32_t* row_end(int64_t r) const { return indices.data() + indptr[r + 1]; }
  bool contains(int64_t r, int32_t c) const;  // binary search in row r
};

// Builds a CSR from (row, col) pairs; sorts and removes duplicates, returning
// how many duplicates were dropped through *duplicates when given.
Csr csr_from_pairs(int64_t rows, int64_t cols,
                   std::vector<std::pair<int32_t, int32_t>> pairs,
                   int64_t* duplicates = nullptr);

}  // namespace bitrec

// Sums gradient contributions into the rows they belong to (embedding rows
// hit by many sampled neighbours, hidden rows shared by a layer's rows) in
// the order the contributions were listed, whatever the thread count:
// contributions are bucketed by row with a stable counting sort and each row
// is summed by one thread.
#pragma once
#include <cstdint>
#include <vector>

namespace bitrec::hashgnn {

// scale · src[0..K) goes to row `row`.
struct GradEntry {
  int32_t row;
  float scale;
  const float* src;
};

// The rows that received something, ascending, and their sums [rows, K].
struct SparseRowGrad {
  int K = 0;
  std::vector<int32_t> rows;
  std::vector<float> grad;
};

class RowAccumulator {
 public:
  explicit RowAccumulator(int64_t n_rows = 0) { resize(n_rows); }
  void resize(int64_t n_rows);
  int64_t capacity() const { return static_cast<int64_t>(count_.size()); }

  // out = per-row sums of entries (rows < n_rows).
  void accumulate(const std::vector<GradEntry>& entries, int K, SparseRowGrad& out, int threads);

 private:
  std::vector<int32_t> count_;  // [n_rows], all zero between calls
  std::vector<int32_t> slot_;   // [n_rows], row -> index in out.rows
  std::vector<int64_t> start_;  // [unique + 1]
  std::vector<int32_t> order_;  // entries bucketed by row, stable
};

}  // namespace bitrec::hashgnn

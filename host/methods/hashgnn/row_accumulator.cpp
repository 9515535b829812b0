#include "row_accumulator.hpp"

#include <algorithm>

namespace bitrec::hashgnn {

void RowAccumulator::resize(int64_t n_rows) {
  count_.assign(static_cast<size_t>(n_rows), 0);
  slot_.assign(static_cast<size_t>(n_rows), 0);
}

void RowAccumulator::accumulate(const std::vector<GradEntry>& entries, int K, SparseRowGrad& out,
                                int threads) {
  out.K = K;
  out.rows.clear();
  for (const GradEntry& e : entries) ++count_[e.row];
  // Scanning all rows (tens of thousands of int32) is cheaper than sorting
  // the touched ones, and yields them ascending.
  start_.assign(1, 0);
  const int64_t n_rows = static_cast<int64_t>(count_.size());
  for (int64_t r = 0; r < n_rows; ++r) {
    if (count_[r] == 0) continue;
    slot_[r] = static_cast<int32_t>(out.rows.size());
    out.rows.push_back(static_cast<int32_t>(r));
    start_.push_back(start_.back() + count_[r]);
    count_[r] = 0;
  }
  order_.resize(entries.size());
  {
    std::vector<int64_t> fill(start_.begin(), start_.end() - 1);
    for (size_t k = 0; k < entries.size(); ++k) order_[fill[slot_[entries[k].row]]++] = static_cast<int32_t>(k);
  }
  const int64_t unique = static_cast<int64_t>(out.rows.size());
  out.grad.resize(static_cast<size_t>(unique) * K);
#pragma omp parallel for num_threads(threads) schedule(static) if (unique * K > 16384)
  for (int64_t u = 0; u < unique; ++u) {
    float* __restrict g = out.grad.data() + u * K;
    std::fill(g, g + K, 0.0f);
    for (int64_t p = start_[u]; p < start_[u + 1]; ++p) {
      const GradEntry& e = entries[order_[p]];
      const float* __restrict src = e.src;
      for (int c = 0; c < K; ++c) g[c] += e.scale * src[c];
    }
  }
}

}  // namespace bitrec::hashgnn

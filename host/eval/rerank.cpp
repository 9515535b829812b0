// Hierarchical search, second stage: re-rank Hamming candidates by inner
// product (include/bitrec/rerank.hpp).
#include "bitrec/rerank.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace bitrec {
namespace {

// Descending score with NaN as -inf (-0 == +0 as floats compare), then
// ascending item id: a strict total order on distinct items. `key` is the
// score with NaN replaced, so the comparison needs no NaN test.
struct Keyed {
  float key;
  int32_t item;
  float score;
};
struct RanksBefore {
  bool operator()(const Keyed& a, const Keyed& b) const {
    return a.key != b.key ? a.key > b.key : a.item < b.item;
  }
};

// One step of the in-order sum: fused where the CPU has FMA (as the CPU real
// top-k contracts it), multiply then add otherwise.
inline float step(float acc, float u, float v) {
#if defined(__FMA__)
  return std::fma(u, v, acc);
#else
  const float product = u * v;
  return acc + product;
#endif
}

// Candidates scored together: one in-order sum is a chain of dependent FMAs
// (latency bound); kChains independent chains overlap. Each chain is
// exactly inner_product's.
constexpr int kChains = 8;

// scores[j] = inner_product(user, item row ids[j]) for j < n.
void score_items(const float* user, const float* item_rows, int dim, const int32_t* ids, int n, float* scores) {
  int j = 0;
  for (; j + kChains <= n; j += kChains) {
    const float* rows[kChains];
    for (int c = 0; c < kChains; ++c) rows[c] = item_rows + static_cast<int64_t>(ids[j + c]) * dim;
    float acc[kChains] = {};
    for (int d = 0; d < dim; ++d) {
      const float w = user[d];
      for (int c = 0; c < kChains; ++c) acc[c] = step(acc[c], w, rows[c][d]);
    }
    for (int c = 0; c < kChains; ++c) scores[j + c] = acc[c];
  }
  for (; j < n; ++j) scores[j] = inner_product(user, item_rows + static_cast<int64_t>(ids[j]) * dim, dim);
}

}  // namespace

float inner_product(const float* u, const float* v, int dim) {
  float acc = 0.0f;
  for (int d = 0; d < dim; ++d) acc = step(acc, u[d], v[d]);
  return acc;
}

void rerank_by_inner_product(const TopK& candidates, const std::vector<const float*>& user_rows,
                             const float* item_rows, int dim, int k, TopK& out) {
  if (static_cast<int64_t>(user_rows.size()) != candidates.n_users) {
    throw std::invalid_argument("rerank_by_inner_product: one user vector per candidate row");
  }
  const int64_t n = candidates.n_users;
  out.k = std::max(k, 0);
  out.n_users = n;
  out.items.assign(static_cast<size_t>(n * out.k), -1);
  out.scores.assign(out.items.size(), -std::numeric_limits<float>::infinity());
  out.hist_bins = 0;
  out.distance_hist.clear();
#pragma omp parallel
  {
    std::vector<Keyed> scored;
    std::vector<float> scores(static_cast<size_t>(std::max(candidates.k, 0)));
#pragma omp for schedule(dynamic, 64)
    for (int64_t b = 0; b < n; ++b) {
      const int32_t* row = candidates.items.data() + b * candidates.k;
      int count = 0;  // candidates before the -1 padding (fewer than R)
      while (count < candidates.k && row[count] >= 0) ++count;
      score_items(user_rows[b], item_rows, dim, row, count, scores.data());
      scored.resize(static_cast<size_t>(count));
      for (int r = 0; r < count; ++r) {
        scored[r] = {std::isnan(scores[r]) ? -std::numeric_limits<float>::infinity() : scores[r], row[r], scores[r]};
      }
      const int keep = std::min<int>(out.k, count);
      std::partial_sort(scored.begin(), scored.begin() + keep, scored.end(), RanksBefore());
      for (int r = 0; r < keep; ++r) {
        out.items[b * out.k + r] = scored[r].item;
        out.scores[b * out.k + r] = scored[r].score;
      }
    }
  }
}

}  // namespace bitrec

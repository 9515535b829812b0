#include "methods/bgch/bgch_losses.hpp"

#include <vector>

#include "bitrec/kernels/bpr.hpp"
#include "bitrec/kernels/estimators.hpp"

namespace bitrec::bgch {
namespace {

inline float dot(const float* a, const float* b, int n) {
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int k = 0; k < n; ++k) s += a[k] * b[k];
  return s;
}

inline void axpy(float alpha, const float* x, float* y, int n) {
#pragma omp simd
  for (int k = 0; k < n; ++k) y[k] += alpha * x[k];
}

// Σ in index order, in double (the same for every thread count).
double ordered_sum(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}

}  // namespace

double bpr_codes_forward(const float* codes, int width, const BatchRows& batch, float* gp, float* gq,
                         int threads) {
  const int64_t count = batch.triples;
  const float inv_b = 1.0f / static_cast<float>(count);
  std::vector<double> loss(static_cast<size_t>(count));
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t b = 0; b < count; ++b) {
    const int32_t* s = batch.slots.data() + 3 * b;
    const float* cu = codes + static_cast<int64_t>(s[kUser]) * width;
    const float margin = dot(cu, codes + static_cast<int64_t>(s[kPositive]) * width, width) -
                         dot(cu, codes + static_cast<int64_t>(s[kNegative]) * width, width);
    loss[b] = bpr_loss(margin);
    gp[b] = bpr_dloss_dmargin(margin) * inv_b;  // margin = s_ui − s_uj
    gq[b] = -gp[b];
  }
  return ordered_sum(loss) / static_cast<double>(count);
}

double bce_forward(const float* e0_rows, int d, const BatchRows& batch, float weight, float* gp, float* gq,
                   int threads) {
  const int64_t count = batch.triples;
  const float scale = weight / (2.0f * static_cast<float>(count));
  std::vector<double> loss(static_cast<size_t>(count));
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t b = 0; b < count; ++b) {
    const int32_t* s = batch.slots.data() + 3 * b;
    const float* eu = e0_rows + static_cast<int64_t>(s[kUser]) * d;
    const float p = dot(eu, e0_rows + static_cast<int64_t>(s[kPositive]) * d, d);
    const float q = dot(eu, e0_rows + static_cast<int64_t>(s[kNegative]) * d, d);
    loss[b] = static_cast<double>(softplus(-p)) + softplus(q);
    gp[b] = -scale * stable_sigmoid(-p);  // d softplus(−p)/dp = −σ(−p)
    gq[b] = scale * stable_sigmoid(q);    // d softplus(q)/dq = σ(q)
  }
  return static_cast<double>(scale) * ordered_sum(loss);
}

double pair_rows_backward(const float* table, int d, const BatchRows& batch, const float* gp, const float* gq,
                          float lambda, float* drows, int threads) {
  const int64_t rows = batch.rows();
  const float reg = lambda / static_cast<float>(batch.triples);
  std::vector<double> norms(static_cast<size_t>(rows));
#pragma omp parallel for num_threads(threads) schedule(dynamic, 64)
  for (int64_t r = 0; r < rows; ++r) {
    float* out = drows + r * d;
    const float* er = table + r * d;
    const int64_t n_occ = batch.occ_begin[r + 1] - batch.occ_begin[r];
    for (int k = 0; k < d; ++k) out[k] = reg * static_cast<float>(n_occ) * er[k];
    for (int64_t o = batch.occ_begin[r]; o < batch.occ_begin[r + 1]; ++o) {
      const int32_t b = batch.occurrences[o] / 3, role = batch.occurrences[o] % 3;
      const int32_t* s = batch.slots.data() + 3 * b;
      if (role == kUser) {
        axpy(gp[b], table + static_cast<int64_t>(s[kPositive]) * d, out, d);
        axpy(gq[b], table + static_cast<int64_t>(s[kNegative]) * d, out, d);
      } else {
        axpy(role == kPositive ? gp[b] : gq[b], table + static_cast<int64_t>(s[kUser]) * d, out, d);
      }
    }
    norms[r] = static_cast<double>(n_occ) * dot(er, er, d);
  }
  return 0.5 * static_cast<double>(reg) * ordered_sum(norms);
}

}  // namespace bitrec::bgch

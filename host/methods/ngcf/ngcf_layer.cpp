#include "methods/ngcf/ngcf_layer.hpp"

#include <algorithm>

#include "cpu/dense_gemm.hpp"

namespace bitrec::ngcf {

void layer_inputs(const float* s, const float* e, float* h, int64_t n, int d, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < n; ++r) {
    const float* sr = s + r * d;
    const float* er = e + r * d;
    float* hr = h + r * 2 * d;
#pragma omp simd
    for (int k = 0; k < d; ++k) {
      hr[k] = sr[k] + er[k];
      hr[d + k] = sr[k] * er[k];
    }
  }
}

void layer_forward(const float* h, const float* w, const float* b, float* out, int64_t n, int d, int threads) {
  dense::gemm_rows(h, w, out, n, 2 * d, d, threads);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < n; ++r) {
    float* o = out + r * d;
#pragma omp simd
    for (int k = 0; k < d; ++k) {
      const float pre = o[k] + b[k];
      o[k] = pre > 0.0f ? pre : kLeakySlope * pre;
    }
  }
}

void layer_backward(const float* s, const float* e, const float* h, const float* w, const float* out,
                    const float* dout, float* dpre, float* dh, float* wt, float* dw, float* db, float* ds,
                    float* de, int64_t n, int d, int threads) {
  const int64_t size = n * d;
#pragma omp parallel for simd num_threads(threads) schedule(static)
  for (int64_t k = 0; k < size; ++k) dpre[k] = out[k] > 0.0f ? dout[k] : kLeakySlope * dout[k];
  std::fill_n(dw, 2 * d * d, 0.0f);
  dense::gemm_at_b_accumulate(h, dpre, dw, n, 2 * d, d, threads);
  std::fill_n(db, d, 0.0f);
  dense::column_sums_accumulate(dpre, db, n, d, threads);
  dense::transpose(w, wt, 2 * d, d);
  dense::gemm_rows(dpre, wt, dh, n, d, 2 * d, threads);
  // h = [s + e | s ⊙ e]: ds = dh₁ + dh₂ ⊙ e, de += dh₁ + dh₂ ⊙ s.
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < n; ++r) {
    const float* sr = s + r * d;
    const float* er = e + r * d;
    const float* g = dh + r * 2 * d;
    float* dsr = ds + r * d;
    float* der = de + r * d;
#pragma omp simd
    for (int k = 0; k < d; ++k) {
      dsr[k] = g[k] + g[d + k] * er[k];
      der[k] += g[k] + g[d + k] * sr[k];
    }
  }
}

}  // namespace bitrec::ngcf

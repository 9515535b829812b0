#include "methods/ngcf/ngcf_norm.hpp"

#include <cmath>

namespace bitrec::ngcf {
namespace {

float row_norm(const float* x, int d) {
  double sum = 0.0;
  for (int k = 0; k < d; ++k) sum += static_cast<double>(x[k]) * x[k];
  return static_cast<float>(std::sqrt(sum));
}

}  // namespace

void normalize_rows_forward(const float* x, float* y, int64_t ld, int64_t n, int d, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < n; ++r) {
    const float* xr = x + r * d;
    float* yr = y + r * ld;
    const float inv = 1.0f / std::fmax(row_norm(xr, d), kNormEps);
    for (int k = 0; k < d; ++k) yr[k] = xr[k] * inv;
  }
}

void normalize_rows_backward(const float* x, const float* y, const float* dy, int64_t ld, float* dx, int64_t n,
                             int d, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < n; ++r) {
    const float* xr = x + r * d;
    const float* yr = y + r * ld;
    const float* gr = dy + r * ld;
    float* dxr = dx + r * d;
    const float norm = row_norm(xr, d);
    if (norm <= kNormEps) {
      for (int k = 0; k < d; ++k) dxr[k] += gr[k] / kNormEps;
      continue;
    }
    double dot = 0.0;
    for (int k = 0; k < d; ++k) dot += static_cast<double>(yr[k]) * gr[k];
    const float inv = 1.0f / norm;
    const float proj = static_cast<float>(dot);
    for (int k = 0; k < d; ++k) dxr[k] += (gr[k] - yr[k] * proj) * inv;
  }
}

}  // namespace bitrec::ngcf

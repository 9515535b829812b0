#include "methods/bgch/bgch_codes.hpp"

#include <cmath>

namespace bitrec::bgch {

float fourier_grad_fast(float x, int terms, float omega) {
  // In double: the recurrence's rounding grows like k² near θ = 0, which in
  // float reaches ~3e-4 at 64 terms; in double it stays below float's ulp.
  const double c1 = std::cos(static_cast<double>(omega) * x);
  const double c2 = 2.0 * c1 * c1 - 1.0;  // cos 2θ
  double prev = c1, cur = c1, sum = 0.0;  // cos(−θ) = cos θ
  for (int k = 1; k < terms; k += 2) {
    sum += cur;
    const double next = 2.0 * c2 * cur - prev;
    prev = cur;
    cur = next;
  }
  const double g = (4.0 * omega / 3.141592653589793) * sum;
  return static_cast<float>(std::fmin(1.0, std::fmax(-1.0, g)));
}

void scaled_sign_forward(const float* x, int64_t rows, int segments, int d, float* codes, float* signs,
                         float* alpha, int threads) {
  const int width = segments * d;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    for (int l = 0; l < segments; ++l) {
      const float* xr = x + (l * rows + r) * d;
      float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
      for (int k = 0; k < d; ++k) sum += fabsf(xr[k]);
      const float a = sum / static_cast<float>(d);
      if (alpha != nullptr) alpha[r * segments + l] = a;
      float* cr = codes + r * width + l * d;
#pragma omp simd
      for (int k = 0; k < d; ++k) cr[k] = xr[k] >= 0.0f ? a : -a;
      if (signs != nullptr) {
        float* sr = signs + r * width + l * d;
#pragma omp simd
        for (int k = 0; k < d; ++k) sr[k] = sign_code(xr[k]);
      }
    }
  }
}

void codes_backward(const float* x, const float* dcodes, float* dx, int64_t rows, int segments, int d,
                    const EstimatorParams& est, int threads) {
  const int width = segments * d;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    for (int l = 0; l < segments; ++l) {
      const float* xr = x + (l * rows + r) * d;
      const float* gr = dcodes + r * width + l * d;
      float* out = dx + (l * rows + r) * d;
      if (est.kind == Estimator::kFourier) {
        for (int k = 0; k < d; ++k) out[k] = gr[k] * fourier_grad_fast(xr[k], est.fourier_terms, est.fourier_omega);
      } else {
        for (int k = 0; k < d; ++k) out[k] = gr[k] * estimator_grad(est, xr[k]);
      }
    }
  }
}

double estimator_antiderivative(const EstimatorParams& est, double x) {
  // The Fourier estimator's clamp makes φ'' jump where the sum crosses ±1;
  // panels of ~1/2048 keep Simpson's error ~1e-10 anyway.
  const int panels = 2 * (32 + static_cast<int>(std::fabs(x) * 1024.0));
  const double h = x / panels;
  auto f = [&](double t) { return static_cast<double>(estimator_grad(est, static_cast<float>(t))); };
  double sum = f(0.0) + f(x);
  for (int i = 1; i < panels; ++i) sum += (i % 2 == 1 ? 4.0 : 2.0) * f(i * h);
  return sum * h / 3.0;
}

void surrogate_codes_forward(const float* x, int64_t rows, int segments, int d, const EstimatorParams& est,
                             float* codes, int threads) {
  const int width = segments * d;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    for (int l = 0; l < segments; ++l) {
      for (int k = 0; k < d; ++k) {
        codes[r * width + l * d + k] =
            static_cast<float>(estimator_antiderivative(est, x[(l * rows + r) * d + k]));
      }
    }
  }
}

}  // namespace bitrec::bgch

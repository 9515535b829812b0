#include "methods/bgch/bgch_codes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace bitrec::bgch {

namespace {

// cos t in double, branch-free so that `omp simd` vectorises it (libm's cos
// is a call per element: measured ~60 ns per element of the 8.6 M a Gowalla
// batch needs, on the loaded 2-core machine). Cody–Waite reduction by π/2
// (|t| < 1e6), Taylor polynomials on |r| ≤ π/4 to r¹⁶: error ~1e-16.
inline double cos_reduced(double t) {
  constexpr double kTwoOverPi = 0.63661977236758134308;
  constexpr double kPio2Hi = 1.57079632673412561417;   // first 33 bits of π/2
  constexpr double kPio2Lo = 6.07710050650619224932e-11;
  // Round to nearest by adding 1.5·2⁵² (std::floor does not vectorise
  // without -fno-trapping-math); the low mantissa bits are then q mod 4.
  constexpr double kRound = 6755399441055744.0;
  const double shifted = t * kTwoOverPi + kRound;
  const double q = shifted - kRound;
  int64_t bits;
  std::memcpy(&bits, &shifted, sizeof bits);
  const int64_t m = bits & 3;
  const double r = (t - q * kPio2Hi) - q * kPio2Lo;
  const double r2 = r * r;
  const double c = 1.0 + r2 * (-1.0 / 2 + r2 * (1.0 / 24 + r2 * (-1.0 / 720 + r2 * (1.0 / 40320 +
                   r2 * (-1.0 / 3628800 + r2 * (1.0 / 479001600 + r2 * (-1.0 / 87178291200.0 +
                   r2 * (1.0 / 20922789888000.0))))))));
  const double s = r * (1.0 + r2 * (-1.0 / 6 + r2 * (1.0 / 120 + r2 * (-1.0 / 5040 + r2 * (1.0 / 362880 +
                   r2 * (-1.0 / 39916800 + r2 * (1.0 / 6227020800.0 + r2 * (-1.0 / 1307674368000.0 +
                   r2 * (1.0 / 355687428096000.0)))))))));
  // cos(r + qπ/2): q mod 4 = 0: c, 1: −s, 2: −c, 3: s.
  const double v = (m & 1) != 0 ? s : c;
  return ((m + 1) & 2) != 0 ? -v : v;
}

// out[k] = g[k] · fourier_grad_fast(x[k]) for k < n ≤ kLanes, written as
// loops over the elements so that they vectorise (the same operations in
// the same order per element as fourier_grad_fast).
constexpr int kLanes = 64;
void fourier_backward_chunk(const float* x, const float* g, float* out, int n, int terms, float omega) {
  double c2[kLanes], prev[kLanes], cur[kLanes], sum[kLanes], theta[kLanes];
  for (int i = 0; i < n; ++i) theta[i] = static_cast<double>(omega) * x[i];
#pragma omp simd
  for (int i = 0; i < n; ++i) {
    const double c1 = cos_reduced(theta[i]);
    c2[i] = 2.0 * c1 * c1 - 1.0;
    prev[i] = cur[i] = c1;
    sum[i] = 0.0;
  }
  for (int k = 1; k < terms; k += 2) {
#pragma omp simd
    for (int i = 0; i < n; ++i) {
      sum[i] += cur[i];
      const double next = 2.0 * c2[i] * cur[i] - prev[i];
      prev[i] = cur[i];
      cur[i] = next;
    }
  }
  const double scale = 4.0 * omega / 3.141592653589793;
#pragma omp simd
  for (int i = 0; i < n; ++i) {
    const double v = scale * sum[i];
    sum[i] = v < -1.0 ? -1.0 : (v > 1.0 ? 1.0 : v);
  }
  for (int i = 0; i < n; ++i) out[i] = g[i] * static_cast<float>(sum[i]);
}

}  // namespace

float fourier_grad_fast(float x, int terms, float omega) {
  // In double: the recurrence's rounding grows like k² near θ = 0, which in
  // float reaches ~3e-4 at 64 terms; in double it stays below float's ulp.
  const double c1 = cos_reduced(static_cast<double>(omega) * x);
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
        for (int k = 0; k < d; k += kLanes) {
          fourier_backward_chunk(xr + k, gr + k, out + k, std::min(kLanes, d - k), est.fourier_terms,
                                 est.fourier_omega);
        }
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

// Power iteration and projection of the latent feature dispersion.
//
// (XᵀX) R for the start vectors R [d, draws] costs one pass over X: each row
// x_r adds x_r ⊗ (x_r · R). Rows are summed in chunks of kChunk in double,
// then the chunks in order, so v does not depend on the thread count; the
// unnormalised (XᵀX)² r reaches ~1e13 at Gowalla's scale, far inside double.
#include "methods/bgch/bgch_dispersion.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace bitrec::bgch {
namespace {

constexpr int64_t kChunk = 512;  // rows per partial sum

// out[d, q] = xᵀ x in[d, q] (q = draws), column-major in q: out[q·d + k].
void gram_times(const float* x, int64_t rows, int d, int q, const std::vector<double>& in, std::vector<double>& out,
                int threads) {
  const int64_t chunks = (rows + kChunk - 1) / kChunk;
  std::vector<double> partial(static_cast<size_t>(chunks) * d * q, 0.0);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int64_t c = 0; c < chunks; ++c) {
    double* acc = partial.data() + c * d * q;
    const int64_t r1 = std::min(rows, (c + 1) * kChunk);
    for (int64_t r = c * kChunk; r < r1; ++r) {
      const float* xr = x + r * d;
      for (int j = 0; j < q; ++j) {
        const double* v = in.data() + static_cast<size_t>(j) * d;
        double t = 0.0;
#pragma omp simd reduction(+ : t)
        for (int k = 0; k < d; ++k) t += static_cast<double>(xr[k]) * v[k];
        double* a = acc + static_cast<size_t>(j) * d;
#pragma omp simd
        for (int k = 0; k < d; ++k) a[k] += static_cast<double>(xr[k]) * t;
      }
    }
  }
  out.assign(static_cast<size_t>(d) * q, 0.0);
  for (int64_t c = 0; c < chunks; ++c) {
    const double* p = partial.data() + c * d * q;
    for (int k = 0; k < d * q; ++k) out[k] += p[k];
  }
}

}  // namespace

void dispersion_start(uint64_t seed, uint32_t epoch_word, uint32_t batch_word, int table, int d, int draws,
                      float* start) {
  constexpr double kTwoPi = 6.283185307179586;
  const int count = d * draws;
  for (int j = 0; 4 * j < count; ++j) {
    const Philox4 r = philox_draw(seed, kDispersionStream, static_cast<uint32_t>(table) * 65536u + j, epoch_word,
                                  batch_word);
    for (int h = 0; h < 2; ++h) {
      const double radius = std::sqrt(-2.0 * std::log(uniform_open01(r.v[2 * h])));
      const double angle = kTwoPi * uniform_open01(r.v[2 * h + 1]);
      const int at = 4 * j + 2 * h;
      if (at < count) start[at] = static_cast<float>(radius * std::cos(angle));
      if (at + 1 < count) start[at + 1] = static_cast<float>(radius * std::sin(angle));
    }
  }
}

bool dispersion_direction(const float* x, int64_t rows, int d, const float* start, int draws, int iterations,
                          float* unit_v, int threads) {
  std::vector<double> v(start, start + static_cast<size_t>(d) * draws), next;
  for (int it = 0; it < iterations; ++it) {
    gram_times(x, rows, d, draws, v, next, threads);
    v.swap(next);
  }
  // Mean over draws (the 1/draws cancels in v̂ but is kept to read as BGCH).
  std::vector<double> mean(static_cast<size_t>(d), 0.0);
  for (int j = 0; j < draws; ++j) {
    for (int k = 0; k < d; ++k) mean[k] += v[static_cast<size_t>(j) * d + k] / draws;
  }
  double norm2 = 0.0;
  for (double m : mean) norm2 += m * m;
  if (!(norm2 > 0.0) || !std::isfinite(norm2)) {
    std::fill(unit_v, unit_v + d, 0.0f);
    return false;
  }
  const double inv = 1.0 / std::sqrt(norm2);
  for (int k = 0; k < d; ++k) unit_v[k] = static_cast<float>(mean[k] * inv);
  return true;
}

void dispersion_project(const float* x, float* y, int64_t rows, int d, const float* unit_v, float s, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * d;
    float* yr = y + r * d;
    float p = 0.0f;
    // A vectorised reduction: its lane order is fixed at compile time, the
    // same for every row and thread.
#pragma omp simd reduction(+ : p)
    for (int k = 0; k < d; ++k) p += xr[k] * unit_v[k];
    const float sp = s * p;
#pragma omp simd
    for (int k = 0; k < d; ++k) yr[k] = xr[k] - sp * unit_v[k];
  }
}

}  // namespace bitrec::bgch

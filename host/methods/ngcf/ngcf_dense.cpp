#include "methods/ngcf/ngcf_dense.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace bitrec::ngcf {
namespace {

// Rows per partial product of gemm_at_b: fixed, so the order of the final
// sums is a function of n alone.
constexpr int64_t kChunkRows = 512;

}  // namespace

void gemm_rows(const float* a, const float* b, const float* bias, float* c, int64_t n, int k, int m,
               int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < n; ++r) {
    const float* ar = a + r * k;
    float* cr = c + r * m;
    if (bias != nullptr) {
      std::memcpy(cr, bias, sizeof(float) * m);
    } else {
      std::fill_n(cr, m, 0.0f);
    }
    for (int kk = 0; kk < k; ++kk) {
      const float s = ar[kk];
      const float* bk = b + static_cast<int64_t>(kk) * m;
#pragma omp simd
      for (int j = 0; j < m; ++j) cr[j] += s * bk[j];
    }
  }
}

void gemm_at_b(const float* a, const float* b, float* c, int64_t n, int k, int m, int threads) {
  const int64_t chunks = (n + kChunkRows - 1) / kChunkRows;
  const int64_t size = static_cast<int64_t>(k) * m;
  std::vector<float> partial(static_cast<size_t>(std::max<int64_t>(chunks, 1) * size), 0.0f);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t ch = 0; ch < chunks; ++ch) {
    float* p = partial.data() + ch * size;
    const int64_t end = std::min(n, (ch + 1) * kChunkRows);
    for (int64_t r = ch * kChunkRows; r < end; ++r) {
      const float* ar = a + r * k;
      const float* br = b + r * m;
      for (int kk = 0; kk < k; ++kk) {
        const float s = ar[kk];
        float* pk = p + static_cast<int64_t>(kk) * m;
#pragma omp simd
        for (int j = 0; j < m; ++j) pk[j] += s * br[j];
      }
    }
  }
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t e = 0; e < size; ++e) {
    float sum = 0.0f;
    for (int64_t ch = 0; ch < chunks; ++ch) sum += partial[ch * size + e];
    c[e] = sum;
  }
}

void column_sums(const float* b, float* c, int64_t n, int m, int threads) {
  const int64_t chunks = (n + kChunkRows - 1) / kChunkRows;
  std::vector<float> partial(static_cast<size_t>(std::max<int64_t>(chunks, 1) * m), 0.0f);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t ch = 0; ch < chunks; ++ch) {
    float* p = partial.data() + ch * m;
    const int64_t end = std::min(n, (ch + 1) * kChunkRows);
    for (int64_t r = ch * kChunkRows; r < end; ++r) {
      const float* br = b + r * m;
#pragma omp simd
      for (int j = 0; j < m; ++j) p[j] += br[j];
    }
  }
  for (int j = 0; j < m; ++j) {
    float sum = 0.0f;
    for (int64_t ch = 0; ch < chunks; ++ch) sum += partial[ch * m + j];
    c[j] = sum;
  }
}

void transpose(const float* a, float* t, int k, int m) {
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < m; ++j) t[static_cast<int64_t>(j) * k + i] = a[static_cast<int64_t>(i) * m + j];
  }
}

}  // namespace bitrec::ngcf

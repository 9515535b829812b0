#include "sage_layer.hpp"

#include <algorithm>

#include "dense_ops.hpp"
#include "hashgnn_layout.hpp"

namespace bitrec::hashgnn {

void sage_gather(const float* X, int K, const SageRows& rows, float* A, int threads) {
  const int64_t N = rows.size();
#pragma omp parallel for num_threads(threads) schedule(static) if (N * K > 16384)
  for (int64_t n = 0; n < N; ++n) {
    float* __restrict a = A + n * 2 * K;
    std::copy(X + static_cast<int64_t>(rows.self[n]) * K, X + static_cast<int64_t>(rows.self[n]) * K + K, a);
    float* __restrict m = a + K;
    std::fill(m, m + K, 0.0f);
    const int64_t b = rows.nbr_ptr[n], e = rows.nbr_ptr[n + 1];
    if (b == e) continue;
    for (int64_t t = b; t < e; ++t) {
      const float* __restrict x = X + static_cast<int64_t>(rows.nbr[t]) * K;
      for (int c = 0; c < K; ++c) m[c] += x[c];
    }
    const float inv = 1.0f / static_cast<float>(e - b);
    for (int c = 0; c < K; ++c) m[c] *= inv;
  }
}

void sage_forward(const float* X, int K, const SageRows& rows, const float* W, const float* b, int H,
                  SageLayerCache& cache, int threads) {
  const int64_t N = rows.size();
  cache.a.resize(static_cast<size_t>(N) * 2 * K);
  cache.out.resize(static_cast<size_t>(N) * H);
  sage_gather(X, K, rows, cache.a.data(), threads);
  linear_forward(cache.a.data(), N, 2 * K, W, b, H, cache.out.data(), threads);
  for (float& v : cache.out) v = leaky_relu(v, kLeakySlope);
}

void sage_backward(const SageRows& rows, int K, const float* W, int H, const float* d_out, SageLayerCache& cache,
                   float* dW, float* db, std::vector<GradEntry>& dx, int threads) {
  const int64_t N = rows.size();
  const int64_t ld = padded_width(H);
  cache.d_pre.resize(static_cast<size_t>(N * ld));  // padding columns stay 0
  for (int64_t n = 0; n < N; ++n) {
    for (int h = 0; h < H; ++h) {
      cache.d_pre[n * ld + h] = d_out[n * H + h] * leaky_relu_grad_from_out(cache.out[n * H + h], kLeakySlope);
    }
  }
  cache.d_a.resize(static_cast<size_t>(N) * 2 * K);
  linear_backward(cache.a.data(), N, 2 * K, W, H, cache.d_pre.data(), ld, dW, db, cache.d_a.data(), cache.scratch,
                  threads);
  for (int64_t n = 0; n < N; ++n) {
    const float* da = cache.d_a.data() + n * 2 * K;
    dx.push_back({rows.self[n], 1.0f, da});
    const int64_t b = rows.nbr_ptr[n], e = rows.nbr_ptr[n + 1];
    const float inv = e > b ? 1.0f / static_cast<float>(e - b) : 0.0f;
    for (int64_t t = b; t < e; ++t) dx.push_back({rows.nbr[t], inv, da + K});
  }
}

}  // namespace bitrec::hashgnn

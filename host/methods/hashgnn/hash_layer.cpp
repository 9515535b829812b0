#include "hash_layer.hpp"

#include <cmath>

#include "dense_ops.hpp"

namespace bitrec::hashgnn {

void hash_forward(const float* z, int64_t N, int K, const float* W, const float* b, int bits, HashLayerCache& cache,
                  int threads) {
  cache.h.resize(static_cast<size_t>(N) * bits);
  linear_forward(z, N, K, W, b, bits, cache.h.data(), threads);
  for (float& v : cache.h) v = std::tanh(v);
}

void hash_backward(const float* z, int64_t N, int K, const float* W, int bits, const float* dh, HashLayerCache& cache,
                   float* dW, float* db, int threads) {
  const int64_t ld = padded_width(bits);
  cache.d_pre.resize(static_cast<size_t>(N * ld));  // padding columns stay 0
  for (int64_t n = 0; n < N; ++n) {
    for (int j = 0; j < bits; ++j) {
      const float h = cache.h[n * bits + j];
      cache.d_pre[n * ld + j] = dh[n * bits + j] * (1.0f - h * h);
    }
  }
  cache.d_z.resize(static_cast<size_t>(N) * K);
  linear_backward(z, N, K, W, bits, cache.d_pre.data(), ld, dW, db, cache.d_z.data(), cache.scratch, threads);
}

}  // namespace bitrec::hashgnn

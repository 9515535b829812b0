// HashGNN's hash layer: h = tanh(z · W + b), W [K, bits]; the code is
// sign(h) (sign(0) = +1), taken by the loss or the outputs.
#pragma once
#include <cstdint>
#include <vector>

namespace bitrec::hashgnn {

struct HashLayerCache {
  std::vector<float> h;  // [N, bits]
  std::vector<float> d_pre, d_z, scratch;
};

// cache.h from z [N, K].
void hash_forward(const float* z, int64_t N, int K, const float* W, const float* b, int bits, HashLayerCache& cache,
                  int threads);

// Given dh = dL/dh [N, bits] and cache.h from hash_forward: with
// dpre = dh ⊙ (1 − h²), dW [K, bits] += zᵀ · dpre, db [bits] += Σ_n dpre[n],
// and cache.d_z = dL/dz = dpre · Wᵀ [N, K].
void hash_backward(const float* z, int64_t N, int K, const float* W, int bits, const float* dh, HashLayerCache& cache,
                   float* dW, float* db, int threads);

}  // namespace bitrec::hashgnn

// One GraphSAGE-mean layer (Hamilton et al., NeurIPS 2017, concat form):
//   out[n] = LeakyReLU([X[self n] | mean_t X[nbr_t n]] · W + b)
// with W [2K, H]; a row without neighbours takes the zero vector as its
// neighbour mean. Forward and backward side by side.
#pragma once
#include <cstdint>
#include <vector>

#include "row_accumulator.hpp"

namespace bitrec::hashgnn {

// The rows of one layer: which rows of the source matrix X each reads.
struct SageRows {
  std::vector<int32_t> self;        // [N]
  std::vector<int64_t> nbr_ptr{0};  // [N + 1]
  std::vector<int32_t> nbr;         // neighbours' rows of X, with repeats (sampling with replacement)

  int64_t size() const { return static_cast<int64_t>(self.size()); }
  void clear() {
    self.clear();
    nbr_ptr.assign(1, 0);
    nbr.clear();
  }
  void add(int32_t self_row, const int32_t* nbrs, int count) {
    self.push_back(self_row);
    nbr.insert(nbr.end(), nbrs, nbrs + count);
    nbr_ptr.push_back(static_cast<int64_t>(nbr.size()));
  }
};

// A[N, 2K] = [X[self n] | mean X[nbr]] for each row n; X is [*, K].
void sage_gather(const float* X, int K, const SageRows& rows, float* A, int threads);

// The layer's scratch and results for the backward.
struct SageLayerCache {
  std::vector<float> a;    // [N, 2K] gathered input
  std::vector<float> out;  // [N, H] after LeakyReLU
  std::vector<float> d_pre, d_a, scratch;
};

// cache.a and cache.out from X; W [2K, H], b [H].
void sage_forward(const float* X, int K, const SageRows& rows, const float* W, const float* b, int H,
                  SageLayerCache& cache, int threads);

// Given dOut [N, H]: dW += , db += , and the contributions to dX appended to
// `dx` (self row: dA[n, :K]; each neighbour slot: dA[n, K:] / count). The
// entries point into cache.d_a, valid until the next call on this cache.
void sage_backward(const SageRows& rows, int K, const float* W, int H, const float* d_out, SageLayerCache& cache,
                   float* dW, float* db, std::vector<GradEntry>& dx, int threads);

inline float leaky_relu(float x, float slope) { return x > 0.0f ? x : slope * x; }
// The derivative from the output (slope > 0, so out > 0 ⇔ pre > 0; at 0 the slope side).
inline float leaky_relu_grad_from_out(float out, float slope) { return out > 0.0f ? 1.0f : slope; }

}  // namespace bitrec::hashgnn

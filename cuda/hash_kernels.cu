// Sign and pack in one pass: one warp per 64-bit code word. Lane l reads bit
// w*64 + l and bit w*64 + 32 + l; two __ballot_sync calls give the low and
// high halves of the word directly, because docs/contract.md's layout puts bit k
// at position k % 64 of word k / 64 and ballot puts lane l at bit l. Lanes
// past `bits` vote 0, which is the padding rule, so every width works.
#include <algorithm>

#include "check.hpp"
#include "hash_kernels.hpp"

#include "bitrec/kernels/estimators.hpp"

namespace bitrec::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void hash_forward_kernel(const float* __restrict__ x, int64_t rows, int bits,
                                    int words, float* __restrict__ signs,
                                    uint64_t* __restrict__ codes) {
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const int lane = threadIdx.x & 31;
  if (warp >= rows * words) return;  // whole warps leave together
  const int64_t row = warp / words;
  const int word = static_cast<int>(warp - row * words);
  const float* xr = x + row * bits;
  float* sr = signs ? signs + row * bits : nullptr;

  const int k_lo = word * 64 + lane;
  const int k_hi = k_lo + 32;
  bool bit_lo = false, bit_hi = false;
  if (k_lo < bits) {
    const float s = sign_code(xr[k_lo]);
    if (signs) sr[k_lo] = s;
    bit_lo = s > 0.0f;
  }
  if (k_hi < bits) {
    const float s = sign_code(xr[k_hi]);
    if (signs) sr[k_hi] = s;
    bit_hi = s > 0.0f;
  }
  const unsigned lo = __ballot_sync(0xffffffffu, bit_lo);
  const unsigned hi = __ballot_sync(0xffffffffu, bit_hi);
  if (lane == 0 && codes) {
    codes[row * words + word] = static_cast<uint64_t>(lo) | (static_cast<uint64_t>(hi) << 32);
  }
}

__global__ void hash_backward_kernel(EstimatorParams estimator, const float* __restrict__ x,
                                     const float* __restrict__ grad_signs, int64_t n,
                                     float* __restrict__ grad_x) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    grad_x[i] = estimator_backward(estimator, grad_signs[i], x[i]);
  }
}

}  // namespace

void launch_hash_forward(const float* x, int64_t rows, int bits, float* signs, uint64_t* codes,
                         cudaStream_t stream) {
  const int words = (bits + 63) / 64;
  const int64_t warps = rows * words;
  if (warps == 0) return;
  const int64_t blocks = (warps * 32 + kThreads - 1) / kThreads;
  hash_forward_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(x, rows, bits,
                                                                             words, signs, codes);
  CUDA_CHECK_LAUNCH();
}

void launch_hash_backward(const EstimatorParams& estimator, const float* x,
                          const float* grad_signs, int64_t n, float* grad_x,
                          cudaStream_t stream) {
  if (n == 0) return;
  const int64_t blocks = std::min<int64_t>((n + kThreads - 1) / kThreads, 65536);
  hash_backward_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(
      estimator, x, grad_signs, n, grad_x);
  CUDA_CHECK_LAUNCH();
}

}  // namespace bitrec::cuda

// Element-wise Adam: each thread calls the shared adam_update, so the update
// is the CPU's expression evaluated in float (up to FMA contraction).
#include <algorithm>

#include "check.hpp"
#include "optimizer.hpp"

namespace bitrec::cuda {
namespace {

__global__ void adam_kernel(float* __restrict__ param, const float* __restrict__ grad,
                            float* __restrict__ m, float* __restrict__ v, int64_t n,
                            AdamStepScalars step) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    adam_update(param + i, m + i, v + i, grad[i], step);
  }
}

}  // namespace

void launch_adam_step(float* param, const float* grad, float* m, float* v, int64_t n,
                      const AdamStepScalars& step, cudaStream_t stream) {
  if (n == 0) return;
  constexpr int kThreads = 256;
  const int64_t blocks = std::min<int64_t>((n + kThreads - 1) / kThreads, 65536);
  adam_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(param, grad, m, v, n, step);
  CUDA_CHECK_LAUNCH();
}

}  // namespace bitrec::cuda

// Dense Adam on the device (docs/methods.md §2: torch.optim.Adam semantics).
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

#include "bitrec/kernels/adam.hpp"

namespace bitrec::cuda {

// param, m, v updated in place from grad, all [n]; step scalars from the host.
void launch_adam_step(float* param, const float* grad, float* m, float* v, int64_t n,
                      const AdamStepScalars& step, cudaStream_t stream);

}  // namespace bitrec::cuda

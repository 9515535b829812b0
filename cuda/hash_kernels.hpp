// Binarisation on the device (docs/methods.md §4, docs/contract.md "Codes").
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

#include "bitrec/kernels/estimators.hpp"

namespace bitrec::cuda {

// x, signs: [rows, bits]; codes: [rows, code_words(bits)]. signs = sign(x)
// as ±1 (sign(0) = +1), codes = the packed bits, padding bits 0. Either
// output may be nullptr (not wanted).
void launch_hash_forward(const float* x, int64_t rows, int bits, float* signs, uint64_t* codes,
                         cudaStream_t stream);

// grad_x[i] = grad_signs[i] * estimator_grad(estimator, x[i]) for i < n.
void launch_hash_backward(const EstimatorParams& estimator, const float* x,
                          const float* grad_signs, int64_t n, float* grad_x,
                          cudaStream_t stream);

}  // namespace bitrec::cuda

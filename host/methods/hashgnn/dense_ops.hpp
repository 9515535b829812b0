// Dense linear layer forward/backward for HashGNN's small matrices (K ≤ 240,
// H ≤ a few hundred) over a batch of rows. Every output element is summed in
// a fixed order by one thread, so results are bitwise the same for any
// thread count. Inner loops are axpy's over contiguous rows (they vectorise
// without -ffast-math; a dot product would not).
#pragma once
#include <cstdint>
#include <vector>

namespace bitrec::hashgnn {

// out[N, H] = A[N, K] · W[K, H] + b[H] (b may be null).
void linear_forward(const float* A, int64_t N, int K, const float* W, const float* b, int H, float* out,
                    int threads);

// Row stride of a matrix that linear_backward reads as dOut: H rounded up to
// the kernel's vector width (16 floats); the padding columns must be finite
// (they are computed and discarded).
inline int64_t padded_width(int64_t H) { return (H + 15) / 16 * 16; }

// Backward of linear_forward given dOut[N, H] with row stride ld_out
// (= padded_width(H)):
//   dW[K, H] += Aᵀ · dOut, db[H] += Σ_n dOut[n] (when db), dA[N, K] = dOut · Wᵀ (when dA).
// scratch: reused storage for Wᵀ.
void linear_backward(const float* A, int64_t N, int K, const float* W, int H, const float* dOut, int64_t ld_out,
                     float* dW, float* db, float* dA, std::vector<float>& scratch, int threads);

}  // namespace bitrec::hashgnn

// One NGCF propagation layer, paper form (Wang et al., SIGIR 2019, eq. 7;
// docs/methods.md §3; docs/ngcf.md), over the whole table:
//   S    = Â E                                 (the caller's SpMM)
//   H    = [S + E | S ⊙ E]                     [n, 2d]   ((Â+I)E and ÂE ⊙ E)
//   pre  = H W + b,  W = [W₁; W₂]              [2d, d], b [d]
//   E'   = LeakyReLU(pre), slope kLeakySlope   [n, d]
// The backward returns dW, db and the two input gradients: dE (direct) and
// dS, which the caller takes through Âᵀ = Â and adds to dE.
#pragma once
#include <cstdint>

namespace bitrec::ngcf {

// TF's tf.nn.leaky_relu default, which NGCF's code uses.
constexpr float kLeakySlope = 0.2f;

// h [n, 2d] = [s + e | s ⊙ e].
void layer_inputs(const float* s, const float* e, float* h, int64_t n, int d, int threads);

// out [n, d] = LeakyReLU(h W + b); h [n, 2d] from layer_inputs.
void layer_forward(const float* h, const float* w, const float* b, float* out, int64_t n, int d, int threads);

// Backward of layer_forward ∘ layer_inputs given dout [n, d] and the layer's
// output `out` (LeakyReLU' is read from its sign: slope > 0). Scratch:
// dpre [n, d], dh [n, 2d], wt [d, 2d]; h [n, 2d] as the forward built it.
// Writes dw [2d, d], db [d], ds [n, d]; ADDS the direct term into de [n, d].
void layer_backward(const float* s, const float* e, const float* h, const float* w, const float* out,
                    const float* dout, float* dpre, float* dh, float* wt, float* dw, float* db, float* ds,
                    float* de, int64_t n, int d, int threads);

}  // namespace bitrec::ngcf

// One GRU cell element and the element rules around it, written once for the
// CPU (host/cpu/gru_cpu.cpp) and a CUDA kernel: GRU4Rec (Hidasi et al.) as
// its official PyTorch implementation trains it.
//
// The cell is PyTorch's GRUCell, gate order (r, z, n): with gi = x·W_ih + b_ih
// and gh = h·W_hh + b_hh, each 3H wide in blocks [r | z | n],
//   r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r ⊙ gh_n),
//   h' = (1 − z) ⊙ n + z ⊙ h.
// The reset gate multiplies gh_n (bias included), not h before W_hh: that is
// PyTorch's form, and why the backward needs gh_n.
#pragma once
#include <cmath>
#include <cstdint>

#include "bitrec/hd.hpp"
#include "bitrec/kernels/estimators.hpp"  // stable_sigmoid
#include "bitrec/kernels/philox.hpp"

namespace bitrec {


struct GruGates {
  float r, z, n, h_new;
};

BITREC_HD GruGates gru_gate_forward(float gi_r, float gi_z, float gi_n, float gh_r, float gh_z,
                                    float gh_n, float h_prev) {
  GruGates g;
  g.r = stable_sigmoid(gi_r + gh_r);
  g.z = stable_sigmoid(gi_z + gh_z);
  g.n = tanhf(gi_n + g.r * gh_n);
  g.h_new = (1.0f - g.z) * g.n + g.z * h_prev;
  return g;
}

// Gradients of one element given d loss / d h'. d_gi_r == d_gh_r and
// d_gi_z == d_gh_z (the two products enter the gates as a sum); the candidate
// sees gh_n through r, so d_gh_n = d_gi_n · r. d_h_prev is only the direct
// path z ⊙ d_h'; the path through gh = h·W_hh is the caller's product.
struct GruGateGrads {
  float d_gi_r, d_gi_z, d_gi_n, d_gh_r, d_gh_z, d_gh_n, d_h_prev;
};

BITREC_HD GruGateGrads gru_gate_backward(float r, float z, float n, float gh_n, float h_prev,
                                         float d_h_new) {
  GruGateGrads d;
  const float d_n = d_h_new * (1.0f - z);
  const float d_z = d_h_new * (h_prev - n);  // h' = n + z·(h − n)
  d.d_gi_n = d_n * (1.0f - n * n);
  d.d_gh_n = d.d_gi_n * r;
  const float d_r = d.d_gi_n * gh_n;
  d.d_gi_r = d_r * r * (1.0f - r);
  d.d_gi_z = d_z * z * (1.0f - z);
  d.d_gh_r = d.d_gi_r;
  d.d_gh_z = d.d_gi_z;
  d.d_h_prev = d_h_new * z;
  return d;
}

// The official one-hot input layer ("GRUEmbedding"): the first GRU layer
// reads the item as a one-hot vector, so its input product is a row of
// W_x [items, 3H] (blocks [x | r | z]); with vx = W_x[item] + b and
// vh = h·W_rz ([H, 2H], blocks [r | z]),
//   r = σ(vx_r + vh_r), z = σ(vx_z + vh_z),
//   c = tanh((r ⊙ h)·W_h + vx_x), h' = (1 − z) ⊙ h + z ⊙ c.
// Unlike GRUCell the reset gate multiplies h before its product, and z
// weighs the candidate, not the old state. The caller does the two products;
// these are the element rules around them.
struct GruEmbeddingGates {
  float r, z;
};

BITREC_HD GruEmbeddingGates gru_embedding_gates(float vx_r, float vx_z, float vh_r, float vh_z) {
  return {stable_sigmoid(vx_r + vh_r), stable_sigmoid(vx_z + vh_z)};
}

BITREC_HD float gru_embedding_output(float z, float candidate, float h_prev) {
  return (1.0f - z) * h_prev + z * candidate;
}

// d loss / d (candidate's pre-activation) and d loss / d (z's
// pre-activation) of one element, given d loss / d h' (this step only: the
// path to h is the caller's, and GRU4Rec detaches it).
struct GruEmbeddingOutputGrads {
  float d_candidate_pre, d_z_pre;
};

BITREC_HD GruEmbeddingOutputGrads gru_embedding_output_backward(float z, float candidate, float h_prev,
                                                                float d_h_new) {
  GruEmbeddingOutputGrads d;
  d.d_candidate_pre = d_h_new * z * (1.0f - candidate * candidate);
  d.d_z_pre = d_h_new * (candidate - h_prev) * z * (1.0f - z);
  return d;
}

// d loss / d (r's pre-activation) from d loss / d (r ⊙ h), the product's
// input gradient.
BITREC_HD float gru_embedding_reset_backward(float r, float h_prev, float d_reset_h) {
  return d_reset_h * h_prev * r * (1.0f - r);
}

// One element of the official IndexedAdagradM (dense and sparse paths alike):
// acc += g²; step = −lr·g/√(acc + ε); with momentum, mom = μ·mom + step and
// p += mom, else p += step. `mom` is not read when momentum is 0 (may be null).
BITREC_HD void adagrad_m_update(float* p, float* acc, float* mom, float g, float lr,
                                float momentum, float eps) {
  const float a = *acc + g * g;
  *acc = a;
  const float step = -lr * (g / sqrtf(a + eps));
  if (momentum > 0.0f) {
    const float m = momentum * *mom + step;
    *mom = m;
    *p += m;
  } else {
    *p += step;
  }
}

// ELU as torch.nn.functional.elu; the official bpr-max applies it only when
// its parameter is positive, so alpha ≤ 0 here means the identity.
BITREC_HD float elu(float x, float alpha) {
  if (!(alpha > 0.0f) || x > 0.0f) return x;
  return alpha * expm1f(x);
}

BITREC_HD float elu_grad(float x, float alpha) {
  if (!(alpha > 0.0f) || x > 0.0f) return 1.0f;
  return alpha * expf(x);
}

// Inverted dropout of one element from a 32-bit Philox draw: dropped (0) with
// probability p, else scaled by 1/(1 − p) so the expectation is unchanged.
BITREC_HD float dropout_keep_scale(uint32_t draw, float p) {
  if (!(p > 0.0f)) return 1.0f;
  if (p >= 1.0f) return 0.0f;
  return uniform_open01(draw) >= p ? 1.0f / (1.0f - p) : 0.0f;
}

}  // namespace bitrec

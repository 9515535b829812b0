// GRU4Rec's session losses, one score row at a time so that a CUDA kernel can
// give each row a block or a thread: the official PyTorch implementation's
// xe_loss_with_softmax and bpr_max_loss_with_elu, and TOP1-max (Hidasi &
// Karatzoglou 2018).
//
// A mini-batch of B rows scores C = B + n_sample columns: column j < B is the
// target item of row j (row i's own target is column i) and the columns from
// B on are negatives shared by every row. Each function takes one row
// (`cols` scores and its target column), returns the row's loss unscaled and
// writes d(loss · scale)/d score for every column into `grad` (`cols`
// floats; it is also the scratch of the row, so it must not alias `scores`).
// The official trainer divides the batch's summed loss by the batch size:
// that is `scale`.
//
// Arithmetic is float32 like the official; every sum runs in column order so
// a row's result does not depend on who computes it. The max-subtractions
// shift the softmaxes only: their gradient paths cancel and are left out.
#pragma once
#include <cmath>

#include "bitrec/config.hpp"  // SessionLoss
#include "bitrec/hd.hpp"
#include "bitrec/kernels/gru_cell.hpp"

namespace bitrec {

// The official adds this inside every log (log(x + 1e-24)).
constexpr float kSessionLogFloor = 1e-24f;

// Cross-entropy over the softmax of the row. With logq, column j's score is
// first shifted by −logq[j] (the caller's logq_weight · log q_j, the sampling
// correction); loss = −log(softmax_target + 1e-24).
BITREC_HD float sampled_xe_row(const float* scores, int cols, int target, const float* logq,
                               float scale, float* grad) {
  float m = -INFINITY;
  for (int j = 0; j < cols; ++j) {
    const float o = logq != nullptr ? scores[j] - logq[j] : scores[j];
    grad[j] = o;
    m = fmaxf(m, o);
  }
  float sum = 0.0f;
  for (int j = 0; j < cols; ++j) {
    const float e = expf(grad[j] - m);
    grad[j] = e;
    sum += e;
  }
  const float x_t = grad[target] / sum;
  // d/do_j of −log(x_t + ε) = (x_t / (x_t + ε)) · (x_j − δ_jt).
  const float w = scale * (x_t / (x_t + kSessionLogFloor));
  for (int j = 0; j < cols; ++j) {
    const float x = grad[j] / sum;
    grad[j] = w * (j == target ? x - 1.0f : x);
  }
  return -logf(x_t + kSessionLogFloor);
}

// The official softmax_neg of one row of o = elu(score, α) (α ≤ 0: the
// score): the target entry is zeroed (o·hm), the max is taken over that
// masked row (the zero included), the exponentials are masked and
// normalised. Writes s_j into s (s_target = 0).
BITREC_HD void session_softmax_neg(const float* scores, int cols, int target, float elu_alpha,
                                   float* s) {
  float m = -INFINITY;
  for (int j = 0; j < cols; ++j) m = fmaxf(m, j == target ? 0.0f : elu(scores[j], elu_alpha));
  float sum = 0.0f;
  for (int j = 0; j < cols; ++j) {
    const float e = j == target ? 0.0f : expf(elu(scores[j], elu_alpha) - m);
    s[j] = e;
    sum += e;
  }
  for (int j = 0; j < cols; ++j) s[j] = s[j] / sum;
}

// BPR-max with ELU (official bpr_max_loss_with_elu): o = elu(score, α) when
// α > 0, else the score; s = softmax over the non-target columns;
// loss = −log(Σ_j σ(o_t − o_j)·s_j + 1e-24) + bpreg · Σ_j o_j²·s_j.
// The gradient is autograd's: through σ, through the weights s_j and through
// the ELU. With g_j = −σ_j/(P + ε) + bpreg·o_j² the upstream of s_j,
// Σ_k s_k g_k = −P/(P + ε) + bpreg·R, so one pass over the row suffices.
BITREC_HD float bpr_max_row(const float* scores, int cols, int target, float elu_alpha,
                            float bpreg, float scale, float* grad) {
  float* s = grad;
  session_softmax_neg(scores, cols, target, elu_alpha, s);
  const float o_t = elu(scores[target], elu_alpha);
  float p = 0.0f, reg = 0.0f;
  for (int j = 0; j < cols; ++j) {
    const float o = elu(scores[j], elu_alpha);
    p += stable_sigmoid(o_t - o) * s[j];
    reg += o * o * s[j];
  }
  const float inv = 1.0f / (p + kSessionLogFloor);
  const float g_mean = -p * inv + bpreg * reg;
  float d_t = 0.0f;
  for (int j = 0; j < cols; ++j) {
    if (j == target) continue;
    const float o = elu(scores[j], elu_alpha);
    const float sig = stable_sigmoid(o_t - o);
    const float sj = s[j];
    const float through_sigma = sig * (1.0f - sig) * sj * inv;
    d_t -= through_sigma;
    const float g_s = -sig * inv + bpreg * o * o;
    const float d_o = through_sigma + 2.0f * bpreg * o * sj + sj * (g_s - g_mean);
    grad[j] = scale * d_o * elu_grad(scores[j], elu_alpha);
  }
  grad[target] = scale * d_t * elu_grad(scores[target], elu_alpha);
  return -logf(p + kSessionLogFloor) + bpreg * reg;
}

// TOP1-max: s = softmax over the non-target columns of the raw scores,
// loss = Σ_j s_j·(σ(o_j − o_t) + σ(o_j²)). The upstream of s_j is
// u_j = σ(o_j − o_t) + σ(o_j²) and Σ_k s_k u_k is the loss itself.
BITREC_HD float top1_max_row(const float* scores, int cols, int target, float scale,
                             float* grad) {
  float* s = grad;
  session_softmax_neg(scores, cols, target, 0.0f, s);
  const float o_t = scores[target];
  float loss = 0.0f;
  for (int j = 0; j < cols; ++j) {
    if (j == target) continue;
    const float o = scores[j];
    loss += s[j] * (stable_sigmoid(o - o_t) + stable_sigmoid(o * o));
  }
  float d_t = 0.0f;
  for (int j = 0; j < cols; ++j) {
    if (j == target) continue;
    const float o = scores[j];
    const float sig = stable_sigmoid(o - o_t);
    const float sq = stable_sigmoid(o * o);
    const float sj = s[j];
    const float through_diff = sj * sig * (1.0f - sig);
    d_t -= through_diff;
    const float d_o = through_diff + sj * sq * (1.0f - sq) * 2.0f * o + sj * (sig + sq - loss);
    grad[j] = scale * d_o;
  }
  grad[target] = scale * d_t;
  return loss;
}

// One row of `loss`: the host step and the device kernel both call this.
// With no negative to rank against (one row, --n-sample 0), bpr-max's and
// top1-max's softmax over the other columns is 0/0: the row has nothing to
// learn (the official stops its epoch there) and gets zero loss and
// gradient; cross-entropy handles it by itself.
BITREC_HD float session_loss_row(SessionLoss loss, const float* scores, int cols, int target, const float* logq,
                                 float elu_alpha, float bpreg, float scale, float* grad) {
  if (cols < 2 && loss != SessionLoss::kCrossEntropy) {
    grad[0] = 0.0f;
    return 0.0f;
  }
  switch (loss) {
    case SessionLoss::kCrossEntropy: return sampled_xe_row(scores, cols, target, logq, scale, grad);
    case SessionLoss::kBprMax: return bpr_max_row(scores, cols, target, elu_alpha, bpreg, scale, grad);
    case SessionLoss::kTop1Max: break;
  }
  return top1_max_row(scores, cols, target, scale, grad);
}

}  // namespace bitrec

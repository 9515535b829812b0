// One Adam update of one parameter, as torch.optim.Adam (docs/methods.md §2):
// ε is added to sqrt(v̂), no weight decay inside Adam.
#pragma once
#include <cmath>

#include "bitrec/hd.hpp"

namespace bitrec {

struct AdamParams {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
};

// Bias corrections for step t (1-based), computed once per step on the host.
struct AdamStepScalars {
  float lr;
  float beta1, beta2, eps;
  float bias1;  // 1 - beta1^t
  float bias2;  // 1 - beta2^t
};

inline AdamStepScalars adam_step_scalars(const AdamParams& p, long long t) {
  return {p.lr, p.beta1, p.beta2, p.eps,
          static_cast<float>(1.0 - std::pow(static_cast<double>(p.beta1), static_cast<double>(t))),
          static_cast<float>(1.0 - std::pow(static_cast<double>(p.beta2), static_cast<double>(t)))};
}

BITREC_HD void adam_update(float* param, float* m, float* v, float grad,
                           const AdamStepScalars& s) {
  const float m_new = s.beta1 * *m + (1.0f - s.beta1) * grad;
  const float v_new = s.beta2 * *v + (1.0f - s.beta2) * grad * grad;
  *m = m_new;
  *v = v_new;
  const float m_hat = m_new / s.bias1;
  const float v_hat = v_new / s.bias2;
  *param -= s.lr * m_hat / (sqrtf(v_hat) + s.eps);
}

}  // namespace bitrec

// HashGNN's loss (docs/methods.md §5 "HashGNN (public code)") on the mixed
// vectors of one batch: per example b (user u, positive i, negatives j),
// m = sign(h) where the example's dropout-ste draw took the code, else h;
// s_uv = m_u · m_v, and
//   L = 1/(B·J) Σ_b Σ_j softplus(s_uj − s_ui)                       (BPR)
//     + w_bce/(B·(1+J)) Σ_b [softplus(−s_ui) + Σ_j softplus(s_uj)]  (BCE, mean over logits)
// Backward through sign: the estimator's factor at h (ste / dropout-ste: 1).
#pragma once
#include <cstdint>

#include "bitrec/kernels/estimators.hpp"

namespace bitrec::hashgnn {

struct LossInputs {
  const float* h_user = nullptr;     // [B, bits]
  const float* h_item = nullptr;     // [B·(1+J), bits]: per example the positive, then J negatives
  const uint8_t* code_user = nullptr;  // [B]: 1 = u and its positive use codes
  const uint8_t* code_neg = nullptr;   // [B·J]: 1 = negative j uses its code
  int64_t B = 0;
  int J = 0;
  int bits = 0;
  float bce_weight = 0.1f;
  EstimatorParams estimator;
};

struct LossTerms {
  double bpr = 0.0;  // the BPR mean
  double bce = 0.0;  // the BCE mean, before w_bce
  double total(float bce_weight) const { return bpr + bce_weight * bce; }
};

// Loss terms, and dL/dh into d_user [B, bits] and d_item [B·(1+J), bits].
LossTerms hashgnn_loss(const LossInputs& in, float* d_user, float* d_item, int threads);

}  // namespace bitrec::hashgnn

// BPR term of one triple: -ln σ(s_pos - s_neg) = softplus(s_neg - s_pos),
// computed without overflow for large score gaps (raw code scores reach ±2d).
#pragma once
#include <cmath>

#include "bitrec/hd.hpp"

namespace bitrec {

// softplus(z) = ln(1 + e^z), stable for any z.
BITREC_HD float softplus(float z) {
  return z > 0.0f ? z + log1pf(expf(-z)) : log1pf(expf(z));
}

// Loss of one triple given margin = s_ui - s_uj.
BITREC_HD float bpr_loss(float margin) { return softplus(-margin); }

// d loss / d margin = -σ(-margin).
BITREC_HD float bpr_dloss_dmargin(float margin) {
  if (margin >= 0.0f) {
    const float e = expf(-margin);
    return -e / (1.0f + e);
  }
  return -1.0f / (1.0f + expf(margin));
}

}  // namespace bitrec

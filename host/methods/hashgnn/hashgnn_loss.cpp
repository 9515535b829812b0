#include "hashgnn_loss.hpp"

#include <vector>

#include "bitrec/kernels/bpr.hpp"

namespace bitrec::hashgnn {
namespace {

inline void mix(const float* h, bool code, int bits, float* m) {
  for (int c = 0; c < bits; ++c) m[c] = code ? sign_code(h[c]) : h[c];
}

inline float dot(const float* a, const float* b, int n) {
  float s = 0.0f;
  for (int c = 0; c < n; ++c) s += a[c] * b[c];
  return s;
}

// dL/dh from dL/dm: identity on the continuous path, the estimator on the code path.
inline void unmix(const float* h, bool code, const EstimatorParams& est, const float* dm, int bits, float* dh) {
  for (int c = 0; c < bits; ++c) dh[c] = code ? dm[c] * estimator_grad(est, h[c]) : dm[c];
}

}  // namespace

LossTerms hashgnn_loss(const LossInputs& in, float* d_user, float* d_item, int threads) {
  const int S = 1 + in.J, bits = in.bits;
  const float c_bpr = 1.0f / static_cast<float>(in.B * in.J);
  const float c_bce = in.bce_weight / static_cast<float>(in.B * S);
  std::vector<double> bpr(static_cast<size_t>(in.B)), bce(static_cast<size_t>(in.B));
#pragma omp parallel num_threads(threads) if (in.B >= 64)
  {
    std::vector<float> mu(bits), du(bits), dm(bits), mi(static_cast<size_t>(S) * bits), ds(S);
#pragma omp for schedule(static)
    for (int64_t b = 0; b < in.B; ++b) {
      const bool code_u = in.code_user[b] != 0;
      mix(in.h_user + b * bits, code_u, bits, mu.data());
      const float* hi = in.h_item + b * S * bits;
      for (int s = 0; s < S; ++s) {
        const bool code = s == 0 ? code_u : in.code_neg[b * in.J + (s - 1)] != 0;
        mix(hi + s * bits, code, bits, mi.data() + s * bits);
      }
      const float s_pos = dot(mu.data(), mi.data(), bits);
      double l_bpr = 0.0, l_bce = softplus(-s_pos);
      float d_pos = -c_bce * stable_sigmoid(-s_pos);
      for (int j = 1; j < S; ++j) {
        const float s_neg = dot(mu.data(), mi.data() + j * bits, bits);
        const float margin = s_pos - s_neg;
        l_bpr += bpr_loss(margin);
        l_bce += softplus(s_neg);
        const float g = c_bpr * bpr_dloss_dmargin(margin);  // dL/dmargin
        d_pos += g;
        ds[j] = -g + c_bce * stable_sigmoid(s_neg);
      }
      ds[0] = d_pos;
      bpr[b] = l_bpr;
      bce[b] = l_bce;
      // dm_u = Σ_s ds[s] m_s; dm_s = ds[s] m_u.
      std::fill(du.begin(), du.end(), 0.0f);
      float* dh_item = d_item + b * S * bits;
      for (int s = 0; s < S; ++s) {
        const float* m = mi.data() + s * bits;
        for (int c = 0; c < bits; ++c) {
          du[c] += ds[s] * m[c];
          dm[c] = ds[s] * mu[c];
        }
        const bool code = s == 0 ? code_u : in.code_neg[b * in.J + (s - 1)] != 0;
        unmix(hi + s * bits, code, in.estimator, dm.data(), bits, dh_item + s * bits);
      }
      unmix(in.h_user + b * bits, code_u, in.estimator, du.data(), bits, d_user + b * bits);
    }
  }
  LossTerms t;
  for (int64_t b = 0; b < in.B; ++b) {
    t.bpr += bpr[b];
    t.bce += bce[b];
  }
  t.bpr /= static_cast<double>(in.B) * in.J;
  t.bce /= static_cast<double>(in.B) * S;
  return t;
}

}  // namespace bitrec::hashgnn

// Scalar math of the smooth recall loss (docs/methods.md §5, docs/smooth_recall.md):
// the smooth rank term σ((s_j − s_i)/τ_rank) and the smooth cut
// σ((N − r)/τ_cut), with their derivatives, in double.
//
// Why double and not stable_sigmoid (float, estimators.hpp): a rank sums up
// to n_items (~4·10⁴ on Gowalla) sigmoid terms and the loss then reads it
// through a second sigmoid; in float the rank alone carries ~10⁻³ absolute
// error. The per-user work these functions do is O(|P_u|·(bits+1)), so double
// costs nothing next to the O(n·bits) chain to the signs. The same branch
// structure as stable_sigmoid keeps exp() from overflowing for any z.
#pragma once
#include <cmath>

#include "bitrec/hd.hpp"

namespace bitrec {

// σ(z), finite and accurate for any z.
BITREC_HD double logistic(double z) {
  if (z >= 0.0) return 1.0 / (1.0 + exp(-z));
  const double e = exp(z);
  return e / (1.0 + e);
}

// σ'(z) = σ(z)(1 − σ(z)) = e^{−|z|} / (1 + e^{−|z|})², even in z. This form
// keeps full relative precision in both tails (s·(1 − s) loses it for z ≫ 0,
// where 1 − s rounds to 0).
BITREC_HD double logistic_grad(double z) {
  const double e = exp(-fabs(z));
  const double d = 1.0 + e;
  return e / (d * d);
}

// Smooth indicator that an item scoring `diff` = s_j − s_i above i outranks
// it: σ(diff / τ_rank); and its derivative in diff, σ'(diff/τ_rank)/τ_rank.
BITREC_HD double smooth_rank_term(double diff, double tau_rank) {
  return logistic(diff / tau_rank);
}
BITREC_HD double smooth_rank_term_grad(double diff, double tau_rank) {
  return logistic_grad(diff / tau_rank) / tau_rank;
}

// Smooth "rank ≤ N": σ((N − r)/τ_cut), times the top weight
// 1 + w_dcg/log₂(1 + r) (DCG's discount; w_dcg = 0 is plain smooth recall);
// and its derivative in r:
//   −σ'((N − r)/τ_cut)/τ_cut · (1 + w/log₂(1+r)) − σ · w/(ln2·(1+r)·log₂²(1+r)).
// r ≥ 1 always (a pair's own item counts σ(0) = ½ on top of the ½ offset), so
// the discount is finite.
BITREC_HD double smooth_recall_cut(double rank, double recall_n, double tau_cut, double dcg_weight) {
  const double cut = logistic((recall_n - rank) / tau_cut);
  if (dcg_weight == 0.0) return cut;
  return cut * (1.0 + dcg_weight / log2(1.0 + rank));
}
BITREC_HD double smooth_recall_cut_grad(double rank, double recall_n, double tau_cut, double dcg_weight) {
  const double cut_grad = -logistic_grad((recall_n - rank) / tau_cut) / tau_cut;
  if (dcg_weight == 0.0) return cut_grad;
  const double l = log2(1.0 + rank);
  const double discount_grad = -dcg_weight / (0.69314718055994531 * (1.0 + rank) * l * l);
  return cut_grad * (1.0 + dcg_weight / l) + logistic((recall_n - rank) / tau_cut) * discount_grad;
}

}  // namespace bitrec

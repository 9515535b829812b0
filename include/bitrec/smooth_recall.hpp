// The smooth recall loss over all items (docs/methods.md §5; derivation, cost and
// memory bound in docs/smooth_recall.md). For a batch of users U_b and every
// train pair (u, i) of theirs, with code scores s_uj = b_uᵀb_j over ALL items:
//   r_ui = 1 + Σ_{j≠i} σ((s_uj − s_ui)/τ_rank)          (other positives count)
//   L    = −(1/|Ω_b|) Σ_{(u,i)} σ((N − r_ui)/τ_cut)·(1 + w/log₂(1 + r_ui)),
//          |Ω_b| = Σ_{u∈U_b} |P_u|, w = dcg_weight (0: plain smooth Recall@N).
// Temperatures are in units of raw code scores (integers in [−bits, bits]).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "bitrec/csr.hpp"

namespace bitrec {

struct SmoothRecallParams {
  float tau_rank = 1.0f;  // rank temperature, raw code-score units
  float tau_cut = 50.0f;  // cut temperature, rank units
  int recall_n = 50;      // N of the smoothed Recall@N
  float dcg_weight = 0.0f;  // top weight: each pair's term × (1 + w/log₂(1 + r_ui))
};

// CPU reference, exact, through the per-user score histogram.
//   signs:      [n_users + n_items, bits], users first, every entry ±1 (checked)
//   train:      n_users × n_items relation (P_u = train row u)
//   users:      [n_batch_users] user ids; a repeated id counts twice
//   grad_signs: [n_users + n_items, bits]; dL/dsigns is ADDED into it
//   threads:    OpenMP threads, 0 = the runtime's default. Results are
//               bitwise identical for any thread count.
// Returns L (0 when the batch's users have no train pairs). Throws
// std::invalid_argument on a shape, id or parameter error or a non-±1 sign.
double smooth_recall_forward_backward_cpu(const float* signs, int bits, int32_t n_users,
                                          int32_t n_items, const Csr& train,
                                          const int32_t* users, int64_t n_batch_users,
                                          const SmoothRecallParams& params, float* grad_signs,
                                          int threads = 0);

// The argument checks the CPU reference and the CUDA backend share, so both
// throw the same std::invalid_argument("smooth_recall: ...") for the same
// error. Header-only: the CUDA module calls them too.
inline void smooth_recall_require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("smooth_recall: " + what);
}

// bits, the relation's size and the loss parameters, in this order.
inline void check_smooth_recall_args(int64_t bits, int32_t n_users, int32_t n_items, const Csr& train,
                                     const SmoothRecallParams& params) {
  smooth_recall_require(bits > 0 && bits < 65535, "bits must be in [1, 65534]");
  smooth_recall_require(n_users >= 0 && n_items > 0, "needs n_users >= 0 and n_items > 0");
  smooth_recall_require(train.rows == n_users && train.cols == n_items &&
                            static_cast<int64_t>(train.indptr.size()) == train.rows + 1,
                        "train must be n_users x n_items");
  smooth_recall_require(
      params.tau_rank > 0.0f && params.tau_cut > 0.0f && params.recall_n >= 1 && params.dcg_weight >= 0.0f,
      "needs tau_rank > 0, tau_cut > 0, recall_n >= 1 and dcg_weight >= 0");
}

// A batch user id.
inline void check_smooth_recall_user(int32_t user, int32_t n_users) {
  if (user >= 0 && user < n_users) return;  // the message is built only on failure
  smooth_recall_require(false, "user id " + std::to_string(user) + " outside [0, " + std::to_string(n_users) + ")");
}

// The signs of the batch's users and of all items (bad: some entry not ±1).
inline void check_smooth_recall_signs(bool bad) {
  smooth_recall_require(!bad, "signs of the batch's users and of all items must be exactly ±1");
}

}  // namespace bitrec

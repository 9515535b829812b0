// The smooth recall loss over all items (docs/methods.md §5; derivation, cost and
// memory bound in docs/smooth_recall.md). For a batch of users U_b and every
// train pair (u, i) of theirs, with code scores s_uj = b_uᵀb_j over ALL items:
//   r_ui = 1 + Σ_{j≠i} σ((s_uj − s_ui)/τ_rank)          (other positives count)
//   L    = −(1/|Ω_b|) Σ_{(u,i)} σ((N − r_ui)/τ_cut)·(1 + w/log₂(1 + r_ui)),
//          |Ω_b| = Σ_{u∈U_b} |P_u|, w = dcg_weight (0: plain smooth Recall@N).
// Temperatures are in units of raw code scores (integers in [−bits, bits]).
#pragma once
#include <cstdint>

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

}  // namespace bitrec

// BGCH's batch loss (docs/methods.md §5, §8; docs/bgch.md), per batch of B triples:
//   BPR  (1/B) Σ_b softplus(s_uj − s_ui),  s = inner product of the codes;
//   BCE  w/(2B) Σ_b [softplus(−e_u·e_i) + softplus(e_u·e_j)] on the raw E0 rows
//        (σ(e_u·e_i) → 1, σ(e_u·e_j) → 0; BGCH's nn.BCELoss, a mean over 2B);
//   L2   λ/(2B) Σ_b over u, i, j (‖E0 row‖² + ‖code row‖²)  (+ λ/(2B) ‖W‖²,
//        added by the model); a row drawn twice counts twice.
// Forward functions return the batch's loss term and the per-triple
// derivatives; backward functions sum each row's gradient over its
// occurrences in triple order.
#pragma once
#include <cstdint>

#include "methods/bgch/bgch_batch.hpp"

namespace bitrec::bgch {

// codes [R, width]. Fills gp[b] = (1/B) ∂softplus(s_uj − s_ui)/∂s_ui and
// gq[b] = −gp[b] = its derivative in s_uj; returns the BPR term. The code
// gradient is then pair_rows_backward(codes, …).
double bpr_codes_forward(const float* codes, int width, const BatchRows& batch, float* gp, float* gq,
                         int threads);

// e0_rows [R, d] (raw E0 rows of batch.nodes). Fills gp[b] = ∂BCE/∂(e_u·e_i)
// and gq[b] = ∂BCE/∂(e_u·e_j); returns the weighted BCE term.
double bce_forward(const float* e0_rows, int d, const BatchRows& batch, float weight, float* gp, float* gq,
                   int threads);

// Both terms' row gradient, for a table of batch rows [R, d] (the codes for BPR, the raw E0
// rows for BCE) and per-triple derivatives gp = ∂/∂(r_u·r_i), gq = ∂/∂(r_u·r_j):
// drows[r] = Σ_occurrences (user: gp_b r_i + gq_b r_j; pos: gp_b r_u; neg:
// gq_b r_u) + (λ/B)·occurrences_r·r_r; returns λ/(2B) Σ occurrences_r ‖r_r‖².
double pair_rows_backward(const float* table, int d, const BatchRows& batch, const float* gp, const float* gq,
                          float lambda, float* drows, int threads);

}  // namespace bitrec::bgch

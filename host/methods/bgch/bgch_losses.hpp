// BGCH's batch loss (methods.md §5, §8; docs/bgch.md), per batch of B triples:
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

// codes [R, width]. Fills g[b] = (1/B) ∂softplus(s_uj − s_ui)/∂(s_ui − s_uj);
// returns the BPR term.
double bpr_codes_forward(const float* codes, int width, const BatchRows& batch, float* g, int threads);

// dcodes[r] = Σ_occurrences (user: g_b (c_i − c_j); pos: g_b c_u; neg: −g_b c_u)
//             + (λ/B)·occurrences_r·c_r;  returns λ/(2B) Σ occurrences_r ‖c_r‖².
double bpr_codes_backward(const float* codes, int width, const BatchRows& batch, const float* g, float lambda,
                          float* dcodes, int threads);

// e0_rows [R, d] (raw E0 rows of batch.nodes). Fills gp[b] = ∂BCE/∂(e_u·e_i)
// and gq[b] = ∂BCE/∂(e_u·e_j); returns the weighted BCE term.
double bce_forward(const float* e0_rows, int d, const BatchRows& batch, float weight, float* gp, float* gq,
                   int threads);

// drows[r] = Σ_occurrences (user: gp_b e_i + gq_b e_j; pos: gp_b e_u; neg:
// gq_b e_u) + (λ/B)·occurrences_r·e_r; returns λ/(2B) Σ occurrences_r ‖e_r‖².
double e0_rows_backward(const float* e0_rows, int d, const BatchRows& batch, const float* gp, const float* gq,
                        float lambda, float* drows, int threads);

}  // namespace bitrec::bgch

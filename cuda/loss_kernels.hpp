// BPR and L2 terms over a batch of triples (docs/methods.md §2), forward and
// backward in one pass. Gradients are scattered with float atomics (rows
// drawn twice add twice); the loss is reduced in a fixed order on the device
// and added to loss_acc[0] without a host sync.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

namespace bitrec::cuda {

// table, grad: [n_nodes, dim] (users, then items at n_users + i);
// triples: [count, 3]; terms: scratch [count].
// loss_acc[0] += (1/count) Σ softplus(s_uj − s_ui); grad += its gradient.
void launch_bpr_forward_backward(const float* table, int dim, const int32_t* triples,
                                 int64_t count, int32_t n_users, float weight, float* grad,
                                 double* terms,
                                 float* loss_acc, cudaStream_t stream);

// loss_acc[0] += mul · Σ terms[0..count) / div, summed in double in a fixed
// order (one block; no host sync). The loss reductions of every kernel file.
void launch_reduce_terms(const double* terms, int64_t count, double mul, double div, float* loss_acc,
                         cudaStream_t stream);

// loss_acc[0] += λ/(2·count) Σ (‖e_u‖² + ‖e_i‖² + ‖e_j‖²); grad[row] += (λ/count)·e[row]
// once per occurrence.
void launch_l2_forward_backward(const float* e0, int dim, const int32_t* triples, int64_t count,
                                int32_t n_users, float lambda, float* grad, double* terms,
                                float* loss_acc, cudaStream_t stream);

}  // namespace bitrec::cuda

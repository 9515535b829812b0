// GRU4Rec's step kernels on the device (cuda/session_trainer.cu runs them in
// the host step's order; docs/sessions.md "On a GPU"). Each is a loop over
// elements, rows or columns calling the element rules the host uses
// (include/bitrec/kernels/gru_cell.hpp, session_losses.hpp, estimators.hpp,
// philox.hpp); the products are cuBLAS calls in the trainer. Matrices are
// row-major, as on the host.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

#include "bitrec/config.hpp"  // SessionLoss
#include "bitrec/kernels/estimators.hpp"

namespace bitrec::cuda {

// out[i, :] = table[rows[i], :].
void launch_gather_rows(const float* table, int64_t cols, const int32_t* rows, int64_t n, float* out,
                        cudaStream_t stream);
// Inverted dropout of `size` values (tensor id as the host step's), the
// keep scale of each written to mask. p ≤ 0 does nothing.
void launch_dropout(float* values, int64_t size, float p, uint64_t seed, int epoch, int64_t step, int tensor,
                    float* mask, cudaStream_t stream);
// values ⊙= mask.
void launch_multiply(float* values, const float* mask, int64_t size, cudaStream_t stream);
// values ·= s.
void launch_scale(float* values, int64_t size, float s, cudaStream_t stream);
// out = sign(x) as ±1.
void launch_sign(const float* x, int64_t size, float* out, cudaStream_t stream);
// grad = estimator_backward(grad, x) element by element.
void launch_estimator_backward(float* grad, const float* x, int64_t size, const EstimatorParams& p,
                               cudaStream_t stream);

// The rows' carried states of one layer: out[r, :] = state[slots[r], col : col + h],
// or 0 where resets[r]; store writes outs back to the slots.
void launch_load_state(const float* state, int64_t state_cols, int col, const int32_t* slots, const int32_t* resets,
                       int64_t n, int h, float* out, cudaStream_t stream);
void launch_store_state(float* state, int64_t state_cols, int col, const int32_t* slots, int64_t n, int h,
                        const float* outs, cudaStream_t stream);

// GRUCell gates from the products gi = x·W_ih, gh = h·W_hh (biases added here).
void launch_gru_gates_forward(const float* gi, const float* gh, const float* b_ih, const float* b_hh,
                              const float* h_prev, int64_t n, int h, float* h_new, float* r, float* z, float* cand,
                              float* gh_n, cudaStream_t stream);
void launch_gru_gates_backward(const float* r, const float* z, const float* cand, const float* gh_n,
                               const float* h_prev, const float* d_h, int64_t n, int h, float* d_gi, float* d_gh,
                               cudaStream_t stream);

// The one-hot first layer (GRUEmbedding): gates from vh = h·W_rz and the
// items' rows of W_x, then the output from a = (r ⊙ h)·W_h.
void launch_embedding_gates(const float* w_x, const float* b, const int32_t* items, const float* vh,
                            const float* h_prev, int64_t n, int h, float* r, float* z, float* reset_h,
                            cudaStream_t stream);
void launch_embedding_output(const float* w_x, const float* b, const int32_t* items, const float* a, const float* z,
                             const float* h_prev, int64_t n, int h, float* cand, float* h_new, cudaStream_t stream);
// d_a [n, h]; d_vx [n, 3h] (x and z blocks written here); d_vh [n, 2h] (z block).
void launch_embedding_output_backward(const float* z, const float* cand, const float* h_prev, const float* d_h,
                                      int64_t n, int h, float* d_a, float* d_vx, float* d_vh, cudaStream_t stream);
// The r blocks of d_vx and d_vh from d (r ⊙ h).
void launch_embedding_reset_backward(const float* r, const float* h_prev, const float* d_reset_h, int64_t n, int h,
                                     float* d_vx, float* d_vh, cudaStream_t stream);

// scores[r, j] += bias[columns[j]].
void launch_add_bias(float* scores, int64_t n, int64_t cols, const float* bias, const int32_t* columns,
                     cudaStream_t stream);
// logq[j] = (j < n ? w_target : w_sample) · log_counts[columns[j]].
void launch_logq(const float* log_counts, const int32_t* columns, int64_t n, int64_t cols, float w_target,
                 float w_sample, float* logq, cudaStream_t stream);
// Each row's loss (unscaled) and d(loss · scale)/d scores (session_loss_row);
// logq may be null.
void launch_session_loss_rows(const float* scores, int64_t n, int64_t cols, SessionLoss loss, const float* logq,
                              float elu_alpha, float bpreg, float scale, float* d_scores, float* row_loss,
                              cudaStream_t stream);
// *out = Σ_r row_loss[r] in row order, in double.
void launch_sum_rows(const float* row_loss, int64_t n, double* out, cudaStream_t stream);
// out[c] = Σ_r a[r, c] in row order (written, not accumulated).
void launch_column_sums(const float* a, int64_t rows, int64_t cols, float* out, cudaStream_t stream);

// IndexedAdagradM: dense, and on rows (positions sorted by row, stably:
// sorted_rows[i] = rows[order[i]]), each distinct row summed in ascending
// position and updated once, as host/cpu/gru_cpu.cpp's adagrad_rows.
void launch_adagrad_dense(float* param, float* acc, float* mom, const float* grad, int64_t size, float lr,
                          float momentum, float eps, cudaStream_t stream);
void launch_adagrad_sorted_rows(float* param, float* acc, float* mom, int64_t cols, const int32_t* sorted_rows,
                                const int32_t* order, const float* row_grads, int64_t n, float lr, float momentum,
                                float eps, cudaStream_t stream);

}  // namespace bitrec::cuda

// GRU4Rec's step kernels (cuda/session_kernels.hpp): loops over the shared
// element rules; nothing here re-derives the math.
#include "session_kernels.hpp"

#include "bitrec/kernels/gru_cell.hpp"
#include "bitrec/kernels/philox.hpp"
#include "bitrec/kernels/session_losses.hpp"
#include "check.hpp"

namespace bitrec::cuda {
namespace {

constexpr int kThreads = 256;

int blocks_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<int>(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

#define BITREC_GRID_LOOP(i, n) \
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < (n); i += int64_t{gridDim.x} * blockDim.x)

__global__ void gather_rows_kernel(const float* table, int64_t cols, const int32_t* rows, int64_t n, float* out) {
  BITREC_GRID_LOOP(e, n * cols) {
    const int64_t i = e / cols, c = e % cols;
    out[e] = table[int64_t{rows[i]} * cols + c];
  }
}

__global__ void dropout_kernel(float* values, int64_t size, float p, uint64_t seed, uint32_t epoch, uint32_t step,
                               uint32_t tensor, float* mask) {
  BITREC_GRID_LOOP(e, size) {
    const int64_t q = e / 4;
    const Philox4 r = philox_draw(seed, RngStream::kSessionDropout, step, epoch,
                                  (tensor << 24) | static_cast<uint32_t>(q));
    const float keep = dropout_keep_scale(r.v[e % 4], p);
    mask[e] = keep;
    values[e] *= keep;
  }
}

__global__ void multiply_kernel(float* values, const float* mask, int64_t size) {
  BITREC_GRID_LOOP(e, size) values[e] *= mask[e];
}

__global__ void scale_kernel(float* values, int64_t size, float s) {
  BITREC_GRID_LOOP(e, size) values[e] *= s;
}

__global__ void sign_kernel(const float* x, int64_t size, float* out) {
  BITREC_GRID_LOOP(e, size) out[e] = sign_code(x[e]);
}

__global__ void estimator_backward_kernel(float* grad, const float* x, int64_t size, EstimatorParams p) {
  BITREC_GRID_LOOP(e, size) grad[e] = estimator_backward(p, grad[e], x[e]);
}

__global__ void load_state_kernel(const float* state, int64_t state_cols, int col, const int32_t* slots,
                                  const int32_t* resets, int64_t n, int h, float* out) {
  BITREC_GRID_LOOP(e, n * h) {
    const int64_t r = e / h, k = e % h;
    out[e] = resets[r] ? 0.0f : state[int64_t{slots[r]} * state_cols + col + k];
  }
}

__global__ void store_state_kernel(float* state, int64_t state_cols, int col, const int32_t* slots, int64_t n, int h,
                                   const float* outs) {
  BITREC_GRID_LOOP(e, n * h) {
    const int64_t r = e / h, k = e % h;
    state[int64_t{slots[r]} * state_cols + col + k] = outs[e];
  }
}

__global__ void gru_gates_forward_kernel(const float* gi, const float* gh, const float* b_ih, const float* b_hh,
                                         const float* h_prev, int64_t n, int h, float* h_new, float* r, float* z,
                                         float* cand, float* gh_n_out) {
  BITREC_GRID_LOOP(e, n * h) {
    const int64_t b = e / h;
    const int k = static_cast<int>(e % h);
    const float* gi_row = gi + b * 3 * h;
    const float* gh_row = gh + b * 3 * h;
    const float gh_n = gh_row[2 * h + k] + b_hh[2 * h + k];
    const GruGates g = gru_gate_forward(gi_row[k] + b_ih[k], gi_row[h + k] + b_ih[h + k],
                                        gi_row[2 * h + k] + b_ih[2 * h + k], gh_row[k] + b_hh[k],
                                        gh_row[h + k] + b_hh[h + k], gh_n, h_prev[e]);
    r[e] = g.r;
    z[e] = g.z;
    cand[e] = g.n;
    gh_n_out[e] = gh_n;
    h_new[e] = g.h_new;
  }
}

__global__ void gru_gates_backward_kernel(const float* r, const float* z, const float* cand, const float* gh_n,
                                          const float* h_prev, const float* d_h, int64_t n, int h, float* d_gi,
                                          float* d_gh) {
  BITREC_GRID_LOOP(e, n * h) {
    const int64_t b = e / h;
    const int k = static_cast<int>(e % h);
    const GruGateGrads d = gru_gate_backward(r[e], z[e], cand[e], gh_n[e], h_prev[e], d_h[e]);
    float* gi_row = d_gi + b * 3 * h;
    float* gh_row = d_gh + b * 3 * h;
    gi_row[k] = d.d_gi_r;
    gi_row[h + k] = d.d_gi_z;
    gi_row[2 * h + k] = d.d_gi_n;
    gh_row[k] = d.d_gh_r;
    gh_row[h + k] = d.d_gh_z;
    gh_row[2 * h + k] = d.d_gh_n;
  }
}

__global__ void embedding_gates_kernel(const float* w_x, const float* b, const int32_t* items, const float* vh,
                                       const float* h_prev, int64_t n, int h, float* r, float* z, float* reset_h) {
  BITREC_GRID_LOOP(e, n * h) {
    const int64_t row = e / h;
    const int j = static_cast<int>(e % h);
    const float* vx = w_x + int64_t{items[row]} * 3 * h;
    const float* vh_row = vh + row * 2 * h;
    const GruEmbeddingGates g =
        gru_embedding_gates(vx[h + j] + b[h + j], vx[2 * h + j] + b[2 * h + j], vh_row[j], vh_row[h + j]);
    r[e] = g.r;
    z[e] = g.z;
    reset_h[e] = g.r * h_prev[e];
  }
}

__global__ void embedding_output_kernel(const float* w_x, const float* b, const int32_t* items, const float* a,
                                        const float* z, const float* h_prev, int64_t n, int h, float* cand,
                                        float* h_new) {
  BITREC_GRID_LOOP(e, n * h) {
    const int64_t row = e / h;
    const int j = static_cast<int>(e % h);
    const float* vx = w_x + int64_t{items[row]} * 3 * h;
    const float c = tanhf(a[e] + vx[j] + b[j]);
    cand[e] = c;
    h_new[e] = gru_embedding_output(z[e], c, h_prev[e]);
  }
}

__global__ void embedding_output_backward_kernel(const float* z, const float* cand, const float* h_prev,
                                                 const float* d_h, int64_t n, int h, float* d_a, float* d_vx,
                                                 float* d_vh) {
  BITREC_GRID_LOOP(e, n * h) {
    const int64_t row = e / h;
    const int j = static_cast<int>(e % h);
    const GruEmbeddingOutputGrads d = gru_embedding_output_backward(z[e], cand[e], h_prev[e], d_h[e]);
    d_a[e] = d.d_candidate_pre;
    d_vx[row * 3 * h + j] = d.d_candidate_pre;
    d_vx[row * 3 * h + 2 * h + j] = d.d_z_pre;
    d_vh[row * 2 * h + h + j] = d.d_z_pre;
  }
}

__global__ void embedding_reset_backward_kernel(const float* r, const float* h_prev, const float* d_reset_h,
                                                int64_t n, int h, float* d_vx, float* d_vh) {
  BITREC_GRID_LOOP(e, n * h) {
    const int64_t row = e / h;
    const int j = static_cast<int>(e % h);
    const float d_r = gru_embedding_reset_backward(r[e], h_prev[e], d_reset_h[e]);
    d_vx[row * 3 * h + h + j] = d_r;
    d_vh[row * 2 * h + j] = d_r;
  }
}

__global__ void add_bias_kernel(float* scores, int64_t n, int64_t cols, const float* bias, const int32_t* columns) {
  BITREC_GRID_LOOP(e, n * cols) scores[e] += bias[columns[e % cols]];
}

__global__ void logq_kernel(const float* log_counts, const int32_t* columns, int64_t n, int64_t cols, float w_target,
                            float w_sample, float* logq) {
  BITREC_GRID_LOOP(j, cols) logq[j] = (j < n ? w_target : w_sample) * log_counts[columns[j]];
}

// One thread per row: the row functions sum in column order, as on the host.
__global__ void session_loss_rows_kernel(const float* scores, int64_t n, int64_t cols, SessionLoss loss,
                                         const float* logq, float elu_alpha, float bpreg, float scale,
                                         float* d_scores, float* row_loss) {
  BITREC_GRID_LOOP(r, n) {
    row_loss[r] = session_loss_row(loss, scores + r * cols, static_cast<int>(cols), static_cast<int>(r), logq,
                                   elu_alpha, bpreg, scale, d_scores + r * cols);
  }
}

__global__ void sum_rows_kernel(const float* row_loss, int64_t n, double* out) {
  if (blockIdx.x != 0 || threadIdx.x != 0) return;
  double s = 0.0;
  for (int64_t r = 0; r < n; ++r) s += row_loss[r];
  *out = s;
}

__global__ void column_sums_kernel(const float* a, int64_t rows, int64_t cols, float* out) {
  BITREC_GRID_LOOP(c, cols) {
    float s = 0.0f;
    for (int64_t r = 0; r < rows; ++r) s += a[r * cols + c];
    out[c] = s;
  }
}

__global__ void adagrad_dense_kernel(float* param, float* acc, float* mom, const float* grad, int64_t size, float lr,
                                     float momentum, float eps) {
  BITREC_GRID_LOOP(i, size) adagrad_m_update(param + i, acc + i, mom + i, grad[i], lr, momentum, eps);
}

// One block per sorted position; only a group's first position works, its
// threads over the columns.
__global__ void adagrad_sorted_rows_kernel(float* param, float* acc, float* mom, int64_t cols,
                                           const int32_t* sorted_rows, const int32_t* order, const float* row_grads,
                                           int64_t n, float lr, float momentum, float eps) {
  for (int64_t i = blockIdx.x; i < n; i += gridDim.x) {
    if (i > 0 && sorted_rows[i] == sorted_rows[i - 1]) continue;
    const int64_t base = int64_t{sorted_rows[i]} * cols;
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
      float g = row_grads[int64_t{order[i]} * cols + c];
      for (int64_t j = i + 1; j < n && sorted_rows[j] == sorted_rows[i]; ++j) g += row_grads[int64_t{order[j]} * cols + c];
      adagrad_m_update(param + base + c, acc + base + c, mom + base + c, g, lr, momentum, eps);
    }
  }
}

#undef BITREC_GRID_LOOP

}  // namespace

#define BITREC_LAUNCH(kernel, n, stream, ...)                                   \
  do {                                                                          \
    if ((n) > 0) kernel<<<blocks_for(n), kThreads, 0, (stream)>>>(__VA_ARGS__); \
    CUDA_CHECK(cudaGetLastError());                                             \
  } while (0)

void launch_gather_rows(const float* table, int64_t cols, const int32_t* rows, int64_t n, float* out,
                        cudaStream_t stream) {
  BITREC_LAUNCH(gather_rows_kernel, n * cols, stream, table, cols, rows, n, out);
}

void launch_dropout(float* values, int64_t size, float p, uint64_t seed, int epoch, int64_t step, int tensor,
                    float* mask, cudaStream_t stream) {
  if (!(p > 0.0f)) return;
  BITREC_LAUNCH(dropout_kernel, size, stream, values, size, p, seed, static_cast<uint32_t>(epoch),
                static_cast<uint32_t>(step), static_cast<uint32_t>(tensor), mask);
}

void launch_multiply(float* values, const float* mask, int64_t size, cudaStream_t stream) {
  BITREC_LAUNCH(multiply_kernel, size, stream, values, mask, size);
}

void launch_scale(float* values, int64_t size, float s, cudaStream_t stream) {
  BITREC_LAUNCH(scale_kernel, size, stream, values, size, s);
}

void launch_sign(const float* x, int64_t size, float* out, cudaStream_t stream) {
  BITREC_LAUNCH(sign_kernel, size, stream, x, size, out);
}

void launch_estimator_backward(float* grad, const float* x, int64_t size, const EstimatorParams& p,
                               cudaStream_t stream) {
  BITREC_LAUNCH(estimator_backward_kernel, size, stream, grad, x, size, p);
}

void launch_load_state(const float* state, int64_t state_cols, int col, const int32_t* slots, const int32_t* resets,
                       int64_t n, int h, float* out, cudaStream_t stream) {
  BITREC_LAUNCH(load_state_kernel, n * h, stream, state, state_cols, col, slots, resets, n, h, out);
}

void launch_store_state(float* state, int64_t state_cols, int col, const int32_t* slots, int64_t n, int h,
                        const float* outs, cudaStream_t stream) {
  BITREC_LAUNCH(store_state_kernel, n * h, stream, state, state_cols, col, slots, n, h, outs);
}

void launch_gru_gates_forward(const float* gi, const float* gh, const float* b_ih, const float* b_hh,
                              const float* h_prev, int64_t n, int h, float* h_new, float* r, float* z, float* cand,
                              float* gh_n, cudaStream_t stream) {
  BITREC_LAUNCH(gru_gates_forward_kernel, n * h, stream, gi, gh, b_ih, b_hh, h_prev, n, h, h_new, r, z, cand, gh_n);
}

void launch_gru_gates_backward(const float* r, const float* z, const float* cand, const float* gh_n,
                               const float* h_prev, const float* d_h, int64_t n, int h, float* d_gi, float* d_gh,
                               cudaStream_t stream) {
  BITREC_LAUNCH(gru_gates_backward_kernel, n * h, stream, r, z, cand, gh_n, h_prev, d_h, n, h, d_gi, d_gh);
}

void launch_embedding_gates(const float* w_x, const float* b, const int32_t* items, const float* vh,
                            const float* h_prev, int64_t n, int h, float* r, float* z, float* reset_h,
                            cudaStream_t stream) {
  BITREC_LAUNCH(embedding_gates_kernel, n * h, stream, w_x, b, items, vh, h_prev, n, h, r, z, reset_h);
}

void launch_embedding_output(const float* w_x, const float* b, const int32_t* items, const float* a, const float* z,
                             const float* h_prev, int64_t n, int h, float* cand, float* h_new, cudaStream_t stream) {
  BITREC_LAUNCH(embedding_output_kernel, n * h, stream, w_x, b, items, a, z, h_prev, n, h, cand, h_new);
}

void launch_embedding_output_backward(const float* z, const float* cand, const float* h_prev, const float* d_h,
                                      int64_t n, int h, float* d_a, float* d_vx, float* d_vh, cudaStream_t stream) {
  BITREC_LAUNCH(embedding_output_backward_kernel, n * h, stream, z, cand, h_prev, d_h, n, h, d_a, d_vx, d_vh);
}

void launch_embedding_reset_backward(const float* r, const float* h_prev, const float* d_reset_h, int64_t n, int h,
                                     float* d_vx, float* d_vh, cudaStream_t stream) {
  BITREC_LAUNCH(embedding_reset_backward_kernel, n * h, stream, r, h_prev, d_reset_h, n, h, d_vx, d_vh);
}

void launch_add_bias(float* scores, int64_t n, int64_t cols, const float* bias, const int32_t* columns,
                     cudaStream_t stream) {
  BITREC_LAUNCH(add_bias_kernel, n * cols, stream, scores, n, cols, bias, columns);
}

void launch_logq(const float* log_counts, const int32_t* columns, int64_t n, int64_t cols, float w_target,
                 float w_sample, float* logq, cudaStream_t stream) {
  BITREC_LAUNCH(logq_kernel, cols, stream, log_counts, columns, n, cols, w_target, w_sample, logq);
}

void launch_session_loss_rows(const float* scores, int64_t n, int64_t cols, SessionLoss loss, const float* logq,
                              float elu_alpha, float bpreg, float scale, float* d_scores, float* row_loss,
                              cudaStream_t stream) {
  BITREC_LAUNCH(session_loss_rows_kernel, n, stream, scores, n, cols, loss, logq, elu_alpha, bpreg, scale, d_scores,
                row_loss);
}

void launch_sum_rows(const float* row_loss, int64_t n, double* out, cudaStream_t stream) {
  sum_rows_kernel<<<1, 1, 0, stream>>>(row_loss, n, out);
  CUDA_CHECK(cudaGetLastError());
}

void launch_column_sums(const float* a, int64_t rows, int64_t cols, float* out, cudaStream_t stream) {
  BITREC_LAUNCH(column_sums_kernel, cols, stream, a, rows, cols, out);
}

void launch_adagrad_dense(float* param, float* acc, float* mom, const float* grad, int64_t size, float lr,
                          float momentum, float eps, cudaStream_t stream) {
  BITREC_LAUNCH(adagrad_dense_kernel, size, stream, param, acc, mom, grad, size, lr, momentum, eps);
}

void launch_adagrad_sorted_rows(float* param, float* acc, float* mom, int64_t cols, const int32_t* sorted_rows,
                                const int32_t* order, const float* row_grads, int64_t n, float lr, float momentum,
                                float eps, cudaStream_t stream) {
  if (n <= 0) return;
  const int threads = cols >= 128 ? 128 : 32;
  const int grid = static_cast<int>(n < 65535 ? n : 65535);
  adagrad_sorted_rows_kernel<<<grid, threads, 0, stream>>>(param, acc, mom, cols, sorted_rows, order, row_grads, n,
                                                           lr, momentum, eps);
  CUDA_CHECK(cudaGetLastError());
}

#undef BITREC_LAUNCH

}  // namespace bitrec::cuda

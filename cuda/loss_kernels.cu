// One warp per triple: the lanes stride over the embedding dimension, the
// scores are warp-reduced with shuffles, and the gradient rows are scattered
// with atomicAdd. As in host/cpu/cpu_losses.cpp, dot products and squared
// norms are summed in double (so the float margin is the CPU's up to the
// last bit in almost every triple) and the per-triple terms are summed in
// double; one block sums them in a fixed order, so the reported loss is
// run-to-run identical. Only the scatter order of rows drawn more than once
// differs from the CPU's (triple order): those gradients agree within float
// rounding (tests/cuda/test_cuda_parity.cpp states the tolerances).
#include "check.hpp"
#include "loss_kernels.hpp"

#include "bitrec/kernels/bpr.hpp"

namespace bitrec::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kWarpsPerBlock = kThreads / 32;
constexpr int kReduceThreads = 512;

__device__ double warp_sum(double v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

__global__ void bpr_kernel(const float* __restrict__ table, int dim,
                           const int32_t* __restrict__ triples, int64_t count, int32_t n_users,
                           float inv_count, float* __restrict__ grad, double* __restrict__ terms) {
  const int64_t t = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + (threadIdx.x >> 5);
  const int lane = threadIdx.x & 31;
  if (t >= count) return;
  const int64_t u = triples[3 * t];
  const int64_t i = static_cast<int64_t>(n_users) + triples[3 * t + 1];
  const int64_t j = static_cast<int64_t>(n_users) + triples[3 * t + 2];
  const float* eu = table + u * dim;
  const float* ei = table + i * dim;
  const float* ej = table + j * dim;

  double s_ui = 0.0, s_uj = 0.0;
  for (int c = lane; c < dim; c += 32) {
    const double x = eu[c];
    s_ui += x * ei[c];
    s_uj += x * ej[c];
  }
  s_ui = warp_sum(s_ui);
  s_uj = warp_sum(s_uj);
  const float margin = static_cast<float>(s_ui - s_uj);
  if (lane == 0) terms[t] = bpr_loss(margin);

  // d/d e_u = g (e_i − e_j), d/d e_i = g e_u, d/d e_j = −g e_u; g = dL/dmargin / |B|.
  const float g = bpr_dloss_dmargin(margin) * inv_count;
  float* gu = grad + u * dim;
  float* gi = grad + i * dim;
  float* gj = grad + j * dim;
  for (int c = lane; c < dim; c += 32) {
    const float x = eu[c];
    atomicAdd(gu + c, g * (ei[c] - ej[c]));
    atomicAdd(gi + c, g * x);
    atomicAdd(gj + c, -g * x);
  }
}

__global__ void l2_kernel(const float* __restrict__ e0, int dim,
                          const int32_t* __restrict__ triples, int64_t count, int32_t n_users,
                          float grad_scale, float* __restrict__ grad, double* __restrict__ terms) {
  const int64_t t = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + (threadIdx.x >> 5);
  const int lane = threadIdx.x & 31;
  if (t >= count) return;
  const int64_t rows[3] = {triples[3 * t], static_cast<int64_t>(n_users) + triples[3 * t + 1],
                           static_cast<int64_t>(n_users) + triples[3 * t + 2]};
  double sq = 0.0;
  for (int r = 0; r < 3; ++r) {
    const float* e = e0 + rows[r] * dim;
    float* g = grad + rows[r] * dim;
    for (int c = lane; c < dim; c += 32) {
      const float x = e[c];
      sq += static_cast<double>(x) * x;
      atomicAdd(g + c, grad_scale * x);
    }
  }
  sq = warp_sum(sq);
  if (lane == 0) terms[t] = sq;
}

// loss_acc[0] += mul * Σ terms / div (the CPU's expression), summed in
// double in a fixed order.
__global__ void reduce_terms_kernel(const double* __restrict__ terms, int64_t count, double mul,
                                    double div, float* __restrict__ loss_acc) {
  __shared__ double partial[kReduceThreads];
  double sum = 0.0;
  for (int64_t t = threadIdx.x; t < count; t += kReduceThreads) sum += terms[t];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int half = kReduceThreads / 2; half > 0; half >>= 1) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) loss_acc[0] += static_cast<float>(mul * partial[0] / div);
}

unsigned triple_blocks(int64_t count) {
  return static_cast<unsigned>((count + kWarpsPerBlock - 1) / kWarpsPerBlock);
}

}  // namespace

void launch_reduce_terms(const double* terms, int64_t count, double mul, double div, float* loss_acc,
                         cudaStream_t stream) {
  reduce_terms_kernel<<<1, kReduceThreads, 0, stream>>>(terms, count, mul, div, loss_acc);
  CUDA_CHECK_LAUNCH();
}

void launch_bpr_forward_backward(const float* table, int dim, const int32_t* triples,
                                 int64_t count, int32_t n_users, float weight, float* grad,
                                 double* terms, float* loss_acc, cudaStream_t stream) {
  if (count <= 0) return;
  // weight/|B| rounded once, as the CPU does.
  const float inv_count = weight / static_cast<float>(count);
  bpr_kernel<<<triple_blocks(count), kThreads, 0, stream>>>(table, dim, triples, count, n_users,
                                                            inv_count, grad, terms);
  CUDA_CHECK_LAUNCH();
  launch_reduce_terms(terms, count, static_cast<double>(weight), static_cast<double>(count), loss_acc, stream);
}

void launch_l2_forward_backward(const float* e0, int dim, const int32_t* triples, int64_t count,
                                int32_t n_users, float lambda, float* grad, double* terms,
                                float* loss_acc, cudaStream_t stream) {
  if (count <= 0) return;
  // λ/|B| rounded once from double, as the CPU does.
  const float grad_scale =
      static_cast<float>(static_cast<double>(lambda) / static_cast<double>(count));
  l2_kernel<<<triple_blocks(count), kThreads, 0, stream>>>(e0, dim, triples, count, n_users,
                                                           grad_scale, grad, terms);
  CUDA_CHECK_LAUNCH();
  launch_reduce_terms(terms, count, static_cast<double>(lambda), 2.0 * static_cast<double>(count), loss_acc,
                      stream);
}

}  // namespace bitrec::cuda

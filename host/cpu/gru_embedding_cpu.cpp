// GRU4Rec's one-hot input layer on the host (host/cpu/gru_embedding_cpu.hpp).
#include "cpu/gru_embedding_cpu.hpp"

#include <algorithm>

#include "bitrec/kernels/gru_cell.hpp"
#include "cpu/dense_gemm.hpp"

namespace bitrec::gru {

void GruEmbeddingCache::resize(int64_t rows, int hidden_dim) {
  batch = rows;
  hidden = hidden_dim;
  const size_t h = static_cast<size_t>(rows) * hidden_dim;
  for (std::vector<float>* v : {&h_prev, &r, &z, &c, &reset_h, &a}) v->resize(h);
  vh.resize(2 * h);
}

void gru_embedding_forward(const GruEmbeddingWeights& w, const int32_t* items, const float* h_prev, int64_t batch,
                           float* h_new, GruEmbeddingCache* cache, int threads) {
  if (batch <= 0) return;
  const int hd = w.hidden;
  GruEmbeddingCache local;
  GruEmbeddingCache& k = cache != nullptr ? *cache : local;
  k.resize(batch, hd);
  std::copy(h_prev, h_prev + batch * hd, k.h_prev.begin());
  dense::gemm_rows(k.h_prev.data(), w.w_rz, k.vh.data(), batch, hd, 2 * hd, threads);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t row = 0; row < batch; ++row) {
    const float* vx = w.w_x + static_cast<int64_t>(items[row]) * 3 * hd;
    const float* vh = k.vh.data() + row * 2 * hd;
    for (int j = 0; j < hd; ++j) {
      const int64_t e = row * hd + j;
      const GruEmbeddingGates g =
          gru_embedding_gates(vx[hd + j] + w.b[hd + j], vx[2 * hd + j] + w.b[2 * hd + j], vh[j], vh[hd + j]);
      k.r[e] = g.r;
      k.z[e] = g.z;
      k.reset_h[e] = g.r * k.h_prev[e];
    }
  }
  dense::gemm_rows(k.reset_h.data(), w.w_h, k.a.data(), batch, hd, hd, threads);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t row = 0; row < batch; ++row) {
    const float* vx = w.w_x + static_cast<int64_t>(items[row]) * 3 * hd;
    for (int j = 0; j < hd; ++j) {
      const int64_t e = row * hd + j;
      k.c[e] = tanhf(k.a[e] + vx[j] + w.b[j]);
      h_new[e] = gru_embedding_output(k.z[e], k.c[e], k.h_prev[e]);
    }
  }
}

void gru_embedding_backward(const GruEmbeddingWeights& w, const GruEmbeddingCache& k, const float* d_h_new,
                            int64_t batch, GruEmbeddingGrads grads, int threads) {
  if (batch <= 0) return;
  const int hd = w.hidden;
  // d_vx [batch, 3H] = [d candidate pre | d r pre | d z pre]: the rows of
  // W_x's gradient and the bias's; d_vh [batch, 2H] = [d r pre | d z pre].
  std::vector<float> d_a(static_cast<size_t>(batch) * hd), d_vh(static_cast<size_t>(batch) * 2 * hd);
  std::vector<float> d_vx(static_cast<size_t>(batch) * 3 * hd);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t row = 0; row < batch; ++row) {
    for (int j = 0; j < hd; ++j) {
      const int64_t e = row * hd + j;
      const GruEmbeddingOutputGrads d = gru_embedding_output_backward(k.z[e], k.c[e], k.h_prev[e], d_h_new[e]);
      d_a[e] = d.d_candidate_pre;
      d_vx[row * 3 * hd + j] = d.d_candidate_pre;
      d_vx[row * 3 * hd + 2 * hd + j] = d.d_z_pre;
      d_vh[row * 2 * hd + hd + j] = d.d_z_pre;
    }
  }
  // d (r ⊙ h_prev) = d_a · W_hᵀ.
  std::vector<float> w_h_t(static_cast<size_t>(hd) * hd), d_reset_h(static_cast<size_t>(batch) * hd);
  dense::transpose(w.w_h, w_h_t.data(), hd, hd);
  dense::gemm_rows(d_a.data(), w_h_t.data(), d_reset_h.data(), batch, hd, hd, threads);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t row = 0; row < batch; ++row) {
    for (int j = 0; j < hd; ++j) {
      const int64_t e = row * hd + j;
      const float d_r_pre = gru_embedding_reset_backward(k.r[e], k.h_prev[e], d_reset_h[e]);
      d_vx[row * 3 * hd + hd + j] = d_r_pre;
      d_vh[row * 2 * hd + j] = d_r_pre;
    }
  }
  if (grads.w_h != nullptr) dense::gemm_at_b_accumulate(k.reset_h.data(), d_a.data(), grads.w_h, batch, hd, hd, threads);
  if (grads.w_rz != nullptr) {
    dense::gemm_at_b_accumulate(k.h_prev.data(), d_vh.data(), grads.w_rz, batch, hd, 2 * hd, threads);
  }
  if (grads.b != nullptr) dense::column_sums_accumulate(d_vx.data(), grads.b, batch, 3 * hd, threads);
  if (grads.w_x_rows != nullptr) std::copy(d_vx.begin(), d_vx.end(), grads.w_x_rows);
}

}  // namespace bitrec::gru

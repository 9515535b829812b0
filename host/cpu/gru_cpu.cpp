// GRU4Rec's layer step and IndexedAdagradM on the host (host/cpu/gru_cpu.hpp):
// the two products of a step go through host/cpu/dense_gemm, the gates
// through the shared element rules of include/bitrec/kernels/gru_cell.hpp.
#include "cpu/gru_cpu.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "bitrec/kernels/gru_cell.hpp"
#include "cpu/dense_gemm.hpp"

namespace bitrec::gru {

void GruLayerCache::resize(int64_t rows, int in_dim, int hidden_dim) {
  batch = rows;
  in = in_dim;
  hidden = hidden_dim;
  const size_t h = static_cast<size_t>(rows) * hidden_dim;
  x.resize(static_cast<size_t>(rows) * in_dim);
  h_prev.resize(h);
  r.resize(h);
  z.resize(h);
  n.resize(h);
  gh_n.resize(h);
  gi.resize(3 * h);
  gh.resize(3 * h);
}

void gru_layer_forward(const GruLayerWeights& w, const float* x, const float* h_prev,
                       int64_t batch, float* h_new, GruLayerCache* cache, int threads) {
  if (batch <= 0) return;
  const int hd = w.hidden;
  const int g3 = 3 * hd;
  GruLayerCache local;
  GruLayerCache& c = cache != nullptr ? *cache : local;
  c.resize(batch, w.in, hd);
  if (cache != nullptr) {
    std::memcpy(c.x.data(), x, sizeof(float) * static_cast<size_t>(batch) * w.in);
    std::memcpy(c.h_prev.data(), h_prev, sizeof(float) * static_cast<size_t>(batch) * hd);
  }
  dense::gemm_rows(x, w.w_ih, c.gi.data(), batch, w.in, g3, threads);
  dense::gemm_rows(h_prev, w.w_hh, c.gh.data(), batch, hd, g3, threads);
  const float* gi = c.gi.data();
  const float* gh = c.gh.data();
  // h_new may alias h_prev: element (b, k) reads h_prev(b, k) before writing it.
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t b = 0; b < batch; ++b) {
    const float* gi_row = gi + b * g3;
    const float* gh_row = gh + b * g3;
    for (int k = 0; k < hd; ++k) {
      const float gh_n = gh_row[2 * hd + k] + w.b_hh[2 * hd + k];
      const GruGates g = gru_gate_forward(
          gi_row[k] + w.b_ih[k], gi_row[hd + k] + w.b_ih[hd + k],
          gi_row[2 * hd + k] + w.b_ih[2 * hd + k], gh_row[k] + w.b_hh[k],
          gh_row[hd + k] + w.b_hh[hd + k], gh_n, h_prev[b * hd + k]);
      if (cache != nullptr) {
        const int64_t e = b * hd + k;
        c.r[e] = g.r;
        c.z[e] = g.z;
        c.n[e] = g.n;
        c.gh_n[e] = gh_n;
      }
      h_new[b * hd + k] = g.h_new;
    }
  }
}

void gru_layer_backward(const GruLayerWeights& w, const GruLayerCache& cache,
                        const float* d_h_new, int64_t batch, GruLayerGrads grads, float* d_x,
                        float* d_h_prev, int threads) {
  if (batch <= 0) return;
  const int hd = w.hidden;
  const int g3 = 3 * hd;
  std::vector<float> d_gi(static_cast<size_t>(batch) * g3), d_gh(static_cast<size_t>(batch) * g3);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t b = 0; b < batch; ++b) {
    for (int k = 0; k < hd; ++k) {
      const int64_t e = b * hd + k;
      const GruGateGrads d = gru_gate_backward(cache.r[e], cache.z[e], cache.n[e], cache.gh_n[e],
                                               cache.h_prev[e], d_h_new[e]);
      float* gi_row = d_gi.data() + b * g3;
      float* gh_row = d_gh.data() + b * g3;
      gi_row[k] = d.d_gi_r;
      gi_row[hd + k] = d.d_gi_z;
      gi_row[2 * hd + k] = d.d_gi_n;
      gh_row[k] = d.d_gh_r;
      gh_row[hd + k] = d.d_gh_z;
      gh_row[2 * hd + k] = d.d_gh_n;
      if (d_h_prev != nullptr) d_h_prev[e] = d.d_h_prev;  // the direct path; W_hh's below
    }
  }
  if (grads.w_ih != nullptr) {
    dense::gemm_at_b_accumulate(cache.x.data(), d_gi.data(), grads.w_ih, batch, w.in, g3, threads);
  }
  if (grads.w_hh != nullptr) {
    dense::gemm_at_b_accumulate(cache.h_prev.data(), d_gh.data(), grads.w_hh, batch, hd, g3,
                                threads);
  }
  if (grads.b_ih != nullptr) dense::column_sums_accumulate(d_gi.data(), grads.b_ih, batch, g3, threads);
  if (grads.b_hh != nullptr) dense::column_sums_accumulate(d_gh.data(), grads.b_hh, batch, g3, threads);
  // d_x = d_gi · W_ihᵀ and d_h_prev += d_gh · W_hhᵀ through gemm_rows on the
  // transposed weights (small: [3H, in] and [3H, H]).
  if (d_x != nullptr) {
    std::vector<float> w_ih_t(static_cast<size_t>(g3) * w.in);
    dense::transpose(w.w_ih, w_ih_t.data(), w.in, g3);
    dense::gemm_rows(d_gi.data(), w_ih_t.data(), d_x, batch, g3, w.in, threads);
  }
  if (d_h_prev != nullptr) {
    std::vector<float> w_hh_t(static_cast<size_t>(g3) * hd);
    dense::transpose(w.w_hh, w_hh_t.data(), hd, g3);
    std::vector<float> through_w(static_cast<size_t>(batch) * hd);
    dense::gemm_rows(d_gh.data(), w_hh_t.data(), through_w.data(), batch, g3, hd, threads);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t e = 0; e < batch * hd; ++e) d_h_prev[e] += through_w[e];
  }
}

void adagrad_rows(float* param, float* acc, float* mom, int64_t cols, const int32_t* rows,
                  const float* row_grads, int64_t n, float lr, float momentum, float eps,
                  int threads) {
  if (n <= 0) return;
  // Positions grouped by row, ascending position inside a group: each
  // distinct row is summed in a fixed order and updated by one thread.
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [rows](int64_t a, int64_t b) { return rows[a] < rows[b]; });
  std::vector<int64_t> group_start;
  group_start.reserve(static_cast<size_t>(n) + 1);
  for (int64_t i = 0; i < n; ++i) {
    if (i == 0 || rows[order[i]] != rows[order[i - 1]]) group_start.push_back(i);
  }
  group_start.push_back(n);
  const int64_t groups = static_cast<int64_t>(group_start.size()) - 1;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t gidx = 0; gidx < groups; ++gidx) {
    const int64_t first = group_start[gidx], last = group_start[gidx + 1];
    const int64_t base = static_cast<int64_t>(rows[order[first]]) * cols;
    for (int64_t c = 0; c < cols; ++c) {
      float g = row_grads[order[first] * cols + c];
      for (int64_t i = first + 1; i < last; ++i) g += row_grads[order[i] * cols + c];
      adagrad_m_update(param + base + c, acc + base + c, mom != nullptr ? mom + base + c : nullptr,
                       g, lr, momentum, eps);
    }
  }
}

void adagrad_dense(float* param, float* acc, float* mom, const float* grad, int64_t size,
                   float lr, float momentum, float eps, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static) if (size > 65536)
  for (int64_t i = 0; i < size; ++i) {
    adagrad_m_update(param + i, acc + i, mom != nullptr ? mom + i : nullptr, grad[i], lr, momentum,
                     eps);
  }
}

void gather_rows(const float* table, int64_t cols, const int32_t* rows, int64_t n, float* out,
                 int threads) {
#pragma omp parallel for num_threads(threads) schedule(static) if (n * cols > 65536)
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(out + i * cols, table + static_cast<int64_t>(rows[i]) * cols,
                sizeof(float) * static_cast<size_t>(cols));
  }
}

}  // namespace bitrec::gru

#include "methods/ngcf/ngcf_encoder.hpp"

#include <algorithm>
#include <cstring>

#include "cpu/cpu_propagate.hpp"
#include "cpu/dense_gemm.hpp"
#include "methods/ngcf/ngcf_layer.hpp"
#include "methods/ngcf/ngcf_norm.hpp"

namespace bitrec::ngcf {

NgcfEncoder::NgcfEncoder(const NormalizedGraph& graph, int64_t n_nodes, int d, int layers, bool project, int threads)
    : graph_(graph), n_(n_nodes), d_(d), layers_(layers), threads_(threads), project_(project) {
  const size_t table = static_cast<size_t>(n_) * d_;
  e_.assign(static_cast<size_t>(layers_), std::vector<float>(table));
  s_.assign(static_cast<size_t>(layers_), std::vector<float>(table));
  z_.resize(table * (layers_ + 1));
  if (project_) x_.resize(table);
}

const float* NgcfEncoder::forward(const std::vector<ParamBlock>& p) {
  e0_ = p[0].value.data();
  const size_t table = static_cast<size_t>(n_) * d_;
  h_.resize(2 * table);
  for (int l = 0; l < layers_; ++l) {
    const float* e = layer_table(l);
    cpu_spmm(graph_, e, s_[l].data(), d_, threads_);
    layer_inputs(s_[l].data(), e, h_.data(), n_, d_, threads_);
    layer_forward(h_.data(), p[block_w(l)].value.data(), p[block_b(l)].value.data(), e_[l].data(), n_, d_,
                  threads_);
  }
  const int64_t ld = static_cast<int64_t>(layers_ + 1) * d_;
  for (int l = 0; l <= layers_; ++l) normalize_rows_forward(layer_table(l), z_.data() + l * d_, ld, n_, d_, threads_);
  if (!project_) return z_.data();
  dense::gemm_rows(z_.data(), p[block_p(layers_)].value.data(), x_.data(), n_, static_cast<int>(ld), d_, threads_);
  return x_.data();
}

void NgcfEncoder::backward(const std::vector<ParamBlock>& p, const float* dout, std::vector<std::vector<float>>& grads) {
  grads.resize(p.size());
  for (size_t k = 0; k < p.size(); ++k) grads[k].resize(p[k].value.size());
  const size_t table = static_cast<size_t>(n_) * d_;
  const int64_t ld = static_cast<int64_t>(layers_ + 1) * d_;
  const float* dz = dout;
  if (project_) {
    // x = z P: dP = zᵀ dx, dz = dx Pᵀ.
    const float* pm = p[block_p(layers_)].value.data();
    std::vector<float>& dp = grads[block_p(layers_)];
    std::fill(dp.begin(), dp.end(), 0.0f);
    dense::gemm_at_b_accumulate(z_.data(), dout, dp.data(), n_, static_cast<int>(ld), d_, threads_);
    pt_.resize(static_cast<size_t>(ld) * d_);
    dense::transpose(pm, pt_.data(), static_cast<int>(ld), d_);
    dz_.resize(table * (layers_ + 1));
    dense::gemm_rows(dout, pt_.data(), dz_.data(), n_, d_, static_cast<int>(ld), threads_);
    dz = dz_.data();
  }
  // de_a_: dLoss/dE⁽ˡ⁺¹⁾ (complete); de_b_: dLoss/dE⁽ˡ⁾ being built.
  de_a_.assign(table, 0.0f);
  normalize_rows_backward(layer_table(layers_), z_.data() + layers_ * d_, dz + layers_ * d_, ld, de_a_.data(), n_,
                          d_, threads_);
  if (layers_ > 0) {
    de_b_.resize(table);
    dh_.resize(2 * table);
    dpre_.resize(table);
    ds_.resize(table);
    wt_.resize(static_cast<size_t>(2 * d_) * d_);
  }
  for (int l = layers_ - 1; l >= 0; --l) {
    const float* e = layer_table(l);
    std::fill(de_b_.begin(), de_b_.end(), 0.0f);
    normalize_rows_backward(e, z_.data() + l * d_, dz + l * d_, ld, de_b_.data(), n_, d_, threads_);
    layer_inputs(s_[l].data(), e, h_.data(), n_, d_, threads_);
    layer_backward(s_[l].data(), e, h_.data(), p[block_w(l)].value.data(), e_[l].data(), de_a_.data(), dpre_.data(),
                   dh_.data(), wt_.data(), grads[block_w(l)].data(), grads[block_b(l)].data(), ds_.data(),
                   de_b_.data(), n_, d_, threads_);
    // S = Â E: dE += Âᵀ dS = Â dS (Â symmetric); dpre_ is free again.
    cpu_spmm(graph_, ds_.data(), dpre_.data(), d_, threads_);
    const int64_t size = static_cast<int64_t>(table);
    float* de = de_b_.data();
    const float* add = dpre_.data();
#pragma omp parallel for simd num_threads(threads_) schedule(static)
    for (int64_t k = 0; k < size; ++k) de[k] += add[k];
    de_a_.swap(de_b_);
  }
  std::memcpy(grads[0].data(), de_a_.data(), sizeof(float) * table);
}

}  // namespace bitrec::ngcf

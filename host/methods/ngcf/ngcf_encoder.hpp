// NGCF's encoder over the whole graph (docs/methods.md §3, docs/ngcf.md):
//   E⁽ˡ⁺¹⁾ = LeakyReLU([(Â+I)E⁽ˡ⁾ | ÂE⁽ˡ⁾ ⊙ E⁽ˡ⁾] Wˡ + bˡ),  l = 0 … L−1
//   z      = [n(E⁽⁰⁾) | n(E⁽¹⁾) | … | n(E⁽ᴸ⁾)]       [n, (L+1)d], n() = row L2 normalisation
//   x      = z P   (hashed methods: P [(L+1)d, d], bias-free, so --dim = code bits)
// The output is x when projected, else z (full-precision NGCF).
//
// Parameters, in checkpoint order: "E0" [n_nodes, d]; per layer l
// "W.l" [2d, d] = [W₁ˡ; W₂ˡ] and "b.l" [1, d]; then "P" [(L+1)d, d] when
// projected.
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/graph.hpp"
#include "bitrec/model.hpp"

namespace bitrec::ngcf {

// Index of a block in the model's parameter list.
inline size_t block_w(int layer) { return 1 + 2 * static_cast<size_t>(layer); }
inline size_t block_b(int layer) { return 2 + 2 * static_cast<size_t>(layer); }
inline size_t block_p(int layers) { return 1 + 2 * static_cast<size_t>(layers); }

class NgcfEncoder {
 public:
  NgcfEncoder(const NormalizedGraph& graph, int64_t n_nodes, int d, int layers, bool project, int threads);

  int out_dim() const { return project_ ? d_ : (layers_ + 1) * d_; }
  int layers() const { return layers_; }

  // Forward of the parameters `p` (the layout above); keeps what backward
  // needs. Returns the output table [n_nodes, out_dim], valid until the next call.
  const float* forward(const std::vector<ParamBlock>& p);

  // Backward of the last forward given dout [n_nodes, out_dim]: writes one
  // gradient per block into grads (resized to the blocks' sizes); grads[0]
  // (dE0) is overwritten, not accumulated.
  void backward(const std::vector<ParamBlock>& p, const float* dout, std::vector<std::vector<float>>& grads);

 private:
  const NormalizedGraph& graph_;
  int64_t n_ = 0;
  int d_ = 0, layers_ = 0, threads_ = 1;
  bool project_ = false;
  const float* e0_ = nullptr;                     // E⁽⁰⁾ of the last forward (the block itself)
  std::vector<std::vector<float>> e_, s_;         // E⁽¹⁾…E⁽ᴸ⁾, ÂE⁽⁰⁾…ÂE⁽ᴸ⁻¹⁾
  std::vector<float> z_, x_;                      // concatenation, projection
  std::vector<float> h_, dh_, dpre_, ds_, dz_, de_a_, de_b_, wt_, pt_;  // backward scratch
  const float* layer_table(int l) const { return l == 0 ? e0_ : e_[static_cast<size_t>(l - 1)].data(); }
};

}  // namespace bitrec::ngcf

// BGCH (Chen et al., WWW 2023) as a MethodModel (docs/methods.md §4, §8;
// docs/bgch.md): dispersion of E0 → LightGCN layers E⁽⁰⁾…E⁽ᴸ⁾ → one shared
// bias-free hash layer x = E⁽ˡ⁾ W → per-layer scaled sign α·sign(x), (L+1)·d
// bits. Trained with BPR on the code scores + BCE on the raw E0 rows + L2,
// backward through sign by config.estimator (preset: fourier).
//
// Parameters (checkpoint blocks, in this order): "E0" [n_users + n_items, d],
// "W" [d, d] (x_r = e_r W, i.e. torch's Linear weight transposed).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/graph.hpp"
#include "bitrec/kernels/sampling.hpp"
#include "bitrec/method_model.hpp"
#include "methods/bgch/bgch_batch.hpp"

namespace bitrec::bgch {

// Test hooks; the factory uses the defaults.
struct BgchOptions {
  // codes = φ(x) with φ' = the estimator and α ≡ 1, so the backward of the
  // batch loss is its exact gradient (finite-difference checks).
  bool smooth_codes = false;
  // The dispersion directions of the first forward pass are kept and reused
  // (v constant, as the backward assumes).
  bool freeze_dispersion = false;
};

// Milliseconds of the stages of the last compute_gradients (bitrec bench-like
// breakdown for docs/bgch.md).
struct StageTimes {
  double sample = 0, disperse = 0, propagate = 0, hash = 0, loss = 0, hash_backward = 0, propagate_backward = 0,
         rows_backward = 0;
};

class BgchModel final : public MethodModel {
 public:
  BgchModel(const TrainConfig& config, const Dataset& data, const std::vector<ParamBlock>& blocks,
            BgchOptions options = {});

  int64_t batches_per_epoch() const override { return batches_; }
  double train_batch(int epoch, int64_t batch, int64_t adam_step) override;
  HostOutputs outputs() const override;
  const std::vector<ParamBlock>& params() const override { return blocks_; }

  // Loss and gradients of batch `batch` of `epoch` at the current parameters
  // (no update): grad_e0() [n_nodes, d], grad_w() [d, d].
  double compute_gradients(int epoch, int64_t batch);
  const std::vector<float>& grad_e0() const { return grad_e0_; }
  const std::vector<float>& grad_w() const { return grad_w_; }
  std::vector<ParamBlock>& mutable_params() { return blocks_; }
  const StageTimes& stage_times() const { return times_; }
  int bits() const { return (layers_ + 1) * d_; }

 private:
  // Dispersed E0 and its propagations into tables[0..L]; unit_v[t] the
  // dispersion direction of table t (0 users, 1 items). With last_rows,
  // layer L is computed at those rows only, into last_out [R, d].
  void forward_tables(uint32_t epoch_word, uint32_t batch_word, std::vector<std::vector<float>>& tables,
                      std::array<std::vector<float>, 2>& unit_v, double* disperse_ms, const BatchRows* last_rows,
                      float* last_out) const;
  // grad_e0_ = Pᵀ Σ_l Âˡ dE⁽ˡ⁾ from the batch rows' layer gradients dG_.
  void backward_tables(const BatchRows& batch);

  TrainConfig config_;
  int32_t n_users_ = 0, n_items_ = 0;
  int64_t n_nodes_ = 0;
  int d_ = 0, layers_ = 0, threads_ = 1;
  int64_t samples_ = 0, batches_ = 0;
  BgchOptions options_;
  NormalizedGraph graph_;
  Csr train_;
  std::vector<int32_t> sample_users_;
  std::vector<ParamBlock> blocks_;  // E0, W

  // Per-batch state, reused.
  std::vector<int32_t> triples_, node_slot_, batch_slot_;
  BatchRows batch_;
  std::vector<std::vector<float>> tables_;          // E⁽⁰⁾ … E⁽ᴸ⁻¹⁾ [n_nodes, d]
  std::array<std::vector<float>, 2> unit_v_;        // dispersion directions
  bool frozen_ = false;
  std::vector<float> rows_, x_, codes_, dcodes_, dx_, drows_layers_;  // batch rows (layer-major)
  std::vector<float> wt_, grad_w_, grad_e0_;
  std::vector<float> zero_, buf_a_, buf_b_;        // backward of the propagation (zero_: L = 0 only)
  std::vector<float> e0_rows_, de0_rows_, g_pos_, g_neg_;  // per-triple loss derivatives, BPR then BCE
  StageTimes times_;
};

}  // namespace bitrec::bgch

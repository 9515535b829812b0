// The loss of one batch on NGCF's output, per method, computed exactly as
// the trainer does for the LightGCN table (host/train/trainer.cpp), by the
// same CPU backend operations on a private CPU backend (docs/ngcf.md):
//   hash-ste:    triples of scheme (a) (draw_triple) → BPR on the ±1 codes →
//                back through sign by config.estimator; L2 λ on the E0 rows.
//   recall-hash: users config.user_batch at a time in shuffled_users order →
//                smooth recall over all items on the codes (+ --bpr-weight ×
//                BPR over one triple per train pair of those users) → signswish
//                (β = beta_at_epoch, τ_cut = tau_cut_at_epoch); L2 λ·w on the
//                pair triples' E0 rows.
//   lightgcn:    BPR on the continuous output (full-precision NGCF); L2 λ.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/config.hpp"
#include "bitrec/csr.hpp"

namespace bitrec::ngcf {

class BatchLoss {
 public:
  // smooth_codes (tests): codes = φ(x) with φ' = the estimator's backward
  // (ste: x, ste-clip: clamp(x, ±c), signswish: SS_β(x)), so the backward is
  // the exact gradient. Not for recall-hash, whose loss needs ±1 codes.
  BatchLoss(const TrainConfig& config, const Csr& train, int32_t n_users, int width, int threads,
            bool smooth_codes);

  int64_t batches_per_epoch() const { return batches_; }

  // Loss of batch `batch` of `epoch` given the output x [n_nodes, width]:
  // writes dLoss/dx into grad_x [n_nodes, width]. Returns the loss without
  // the L2 term (added by l2_backward).
  double forward_backward(int epoch, int64_t batch, const float* x, float* grad_x);
  // The batch's L2 term on E0 [n_nodes, d]: adds its gradient into grad_e0,
  // returns its value. Call after forward_backward of the same batch.
  double l2_backward(const float* e0, int d, float* grad_e0);

  // ±1 codes of x (evaluation): sign(x), sign(0) = +1.
  static void signs_of(const float* x, float* signs, int64_t size);

 private:
  TrainConfig config_;
  const Csr& train_;
  int32_t n_users_ = 0;
  int64_t n_nodes_ = 0;
  int width_ = 0, threads_ = 1;
  bool smooth_codes_ = false;
  bool hashed_ = false, user_based_ = false;
  int64_t batches_ = 0;
  std::unique_ptr<Backend> be_;
  std::vector<int32_t> epoch_users_, order_;
  int order_epoch_ = -1;
  FloatTensor x_, codes_, grad_codes_, grad_x_, e0_, grad_e0_, loss_acc_;
  IndexTensor triples_;  // the batch's BPR triples (hash-ste, lightgcn) or pair triples (recall-hash)
  CodeTensor no_codes_;
  int64_t l2_rows_ = 0;  // triples in triples_ for the L2 term
  float l2_lambda_ = 0.0f;
};

}  // namespace bitrec::ngcf

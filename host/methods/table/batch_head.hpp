// The loss heads of the LightGCN-style methods, over Backend operations
// (docs/methods.md §1, §2, §5; docs/smooth_recall.md), written once for the
// table model (table_model.hpp) and the NGCF encoder (methods/ngcf):
//   lightgcn:    BPR on the continuous output x over the batch's triples
//                (scheme (a)); L2 λ on their E0 rows.
//   hash-ste:    BPR on the ±1 codes sign(x), back through sign by the
//                epoch's estimator; L2 λ on the triples' E0 rows.
//   recall-hash: users user_batch_for(config) at a time in shuffled_users order →
//                smooth recall over all items on the codes (+ --bpr-weight ×
//                BPR over one triple per train pair of those users) → back
//                through signswish (β = beta_at_epoch, τ_cut =
//                tau_cut_at_epoch); L2 λ·w on the pair triples' E0 rows (the
//                recall loss alone has no L2 term: λ is defined per triple).
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/config.hpp"
#include "bitrec/csr.hpp"

namespace bitrec {

class BatchHead {
 public:
  // `backend` must hold `train` (set_train); x will be [n_users +
  // train.cols, width]. smooth_codes (tests): codes = φ(x) with φ' = the
  // estimator's backward (ste: x, ste-clip: clamp(x, ±c), signswish:
  // SS_β(x)), so the backward is the exact gradient; not for recall-hash,
  // whose loss needs ±1 codes.
  BatchHead(Backend& backend, const TrainConfig& config, const Csr& train, int32_t n_users, int width,
            bool smooth_codes = false);

  int64_t batches_per_epoch() const { return batches_; }

  // Batch `batch` of `epoch` on the output x: adds the loss into
  // loss_acc[0] and writes dLoss/dx into grad_x (zeroed here first).
  void forward_backward(int epoch, int64_t batch, const FloatTensor& x, FloatTensor& grad_x,
                        FloatTensor& loss_acc);
  // The batch's L2 term on E0 [n_nodes, d]: adds its value into loss_acc[0]
  // and its gradient into grad_e0. Call after forward_backward of the same
  // batch; nothing when the batch has no L2 term.
  void l2_forward_backward(const FloatTensor& e0, FloatTensor& grad_e0, FloatTensor& loss_acc);
  bool has_l2() const { return l2_rows_ > 0; }

  // dLoss/d(the scored table) of the last batch: the codes' gradient for
  // hashed methods, else null (grad_x itself).
  const FloatTensor* grad_codes() const { return hashed_ ? &grad_codes_ : nullptr; }

 private:
  Backend& be_;
  TrainConfig config_;
  const Csr& train_;
  int32_t n_users_ = 0;
  bool hashed_ = false, user_based_ = false, smooth_codes_ = false;
  int64_t batches_ = 0;
  int user_batch_ = 0;  // recall-hash: user_batch_for(config, users with train items)
  std::vector<int32_t> epoch_users_, order_;
  int order_epoch_ = -1;
  FloatTensor codes_, grad_codes_;  // hashed methods
  CodeTensor no_codes_;             // training never packs codes (evaluation does)
  IndexTensor triples_;             // BPR triples (lightgcn, hash-ste)
  IndexTensor batch_users_;         // recall-hash
  IndexTensor pair_triples_;        // recall-hash with --bpr-weight > 0
  std::vector<int32_t> host_pair_triples_, host_users_;
  const IndexTensor* l2_triples_ = nullptr;
  int64_t l2_rows_ = 0;
  float l2_lambda_ = 0.0f;
};

}  // namespace bitrec

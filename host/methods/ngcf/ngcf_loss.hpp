// The loss of one batch on NGCF's output: the table methods' loss heads
// (methods/table/batch_head.hpp: BPR on the codes or the continuous output,
// smooth recall, the L2 term on E0) on a private CPU backend, so a batch of
// --encoder ngcf is the batch of the same --method on the LightGCN table
// (docs/ngcf.md). The encoder's output and gradients cross as host arrays.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/config.hpp"
#include "bitrec/csr.hpp"
#include "methods/table/batch_head.hpp"

namespace bitrec::ngcf {

class BatchLoss {
 public:
  // smooth_codes (tests): codes = φ(x) with φ' = the estimator's backward
  // (ste: x, ste-clip: clamp(x, ±c), signswish: SS_β(x)), so the backward is
  // the exact gradient. Not for recall-hash, whose loss needs ±1 codes.
  BatchLoss(const TrainConfig& config, const Csr& train, int32_t n_users, int width, int threads,
            bool smooth_codes);

  int64_t batches_per_epoch() const { return head_->batches_per_epoch(); }

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
  int64_t n_nodes_ = 0;
  int width_ = 0;
  std::unique_ptr<Backend> be_;
  std::unique_ptr<BatchHead> head_;
  FloatTensor x_, grad_x_, e0_, grad_e0_, loss_acc_;
};

}  // namespace bitrec::ngcf

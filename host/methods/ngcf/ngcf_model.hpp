// NGCF (Wang et al., SIGIR 2019) as a MethodModel: --encoder ngcf with
// lightgcn (full-precision NGCF), hash-ste and recall-hash (docs/ngcf.md).
// The encoder (ngcf_encoder.hpp) propagates the whole graph every batch, as
// LightGCN does; the loss (ngcf_loss.hpp) is the method's own; Adam steps
// every block. A batch is a function of (seed, epoch, batch, parameters),
// whatever the thread count.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/graph.hpp"
#include "bitrec/method_model.hpp"
#include "methods/ngcf/ngcf_encoder.hpp"
#include "methods/ngcf/ngcf_loss.hpp"

namespace bitrec::ngcf {

// Test hooks; the factory uses the defaults.
struct NgcfOptions {
  bool smooth_codes = false;  // BatchLoss's smooth surrogate of sign (finite-difference checks)
};

class NgcfModel final : public MethodModel {
 public:
  NgcfModel(const TrainConfig& config, const Dataset& data, const std::vector<ParamBlock>& blocks,
            NgcfOptions options = {});

  int64_t batches_per_epoch() const override { return loss_->batches_per_epoch(); }
  double train_batch(int epoch, int64_t batch, int64_t adam_step) override;
  HostOutputs outputs() const override;
  const std::vector<ParamBlock>& params() const override { return blocks_; }

  // Loss and gradients (grads()[k] for params()[k]) of batch `batch` of
  // `epoch` at the current parameters, without an update.
  double compute_gradients(int epoch, int64_t batch);
  const std::vector<std::vector<float>>& grads() const { return grads_; }
  std::vector<ParamBlock>& mutable_params() { return blocks_; }
  int out_dim() const { return encoder_->out_dim(); }

 private:
  TrainConfig config_;
  int32_t n_users_ = 0, n_items_ = 0;
  int64_t n_nodes_ = 0;
  int threads_ = 1;
  Csr train_;
  NormalizedGraph graph_;
  std::vector<ParamBlock> blocks_;
  std::unique_ptr<NgcfEncoder> encoder_;  // outputs() runs a forward pass: the scratch is not the parameters
  std::unique_ptr<BatchLoss> loss_;
  std::vector<float> grad_out_;
  std::vector<std::vector<float>> grads_;
};

}  // namespace bitrec::ngcf

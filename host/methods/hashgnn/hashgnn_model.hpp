// --method hashgnn as a MethodModel (docs/methods.md §4–§6, §8;
// docs/hashgnn.md): GraphSAGE-mean user and item towers on sampled
// neighbours, tanh hash layers, dropout-ste mixing, BPR + BCE, Adam (lazy on
// the embedding table's rows).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "batch_loss.hpp"
#include "bitrec/method_model.hpp"
#include "example_sampler.hpp"
#include "neighbour_sampler.hpp"

namespace bitrec::hashgnn {

class HashGnnModel final : public MethodModel {
 public:
  // Keeps references to data (its train CSR); blocks: a checkpoint's, or empty.
  HashGnnModel(const TrainConfig& config, const Dataset& data, const std::vector<ParamBlock>& blocks);

  int64_t batches_per_epoch() const override;
  double train_batch(int epoch, int64_t batch, int64_t adam_step) override;
  HostOutputs outputs() const override;
  const std::vector<ParamBlock>& params() const override { return blocks_; }

  // The pieces of train_batch, for tests.
  std::vector<ParamBlock>& mutable_params() { return blocks_; }
  // Probability that an example uses codes at `epoch` (dropout-ste's
  // schedule; 1 for the other estimators, which always use the code).
  float code_probability(int epoch) const;
  LossSettings settings(int epoch) const;
  void examples(int epoch, int64_t batch, float p, ExampleBatch& out) const;
  // Loss of `ex` with the neighbours of (epoch, batch); gradients when asked.
  BatchLoss loss(int epoch, int64_t batch, const ExampleBatch& ex, BatchGrads* grads);
  int threads() const { return threads_; }

 private:
  const Dataset& data_;
  TrainConfig config_;
  int threads_ = 1;
  std::vector<ParamBlock> blocks_;
  NeighbourSampler graph_;
  ExampleSampler sampler_;
  BatchLossEngine engine_;
  ExampleBatch batch_;
  BatchGrads grads_;
};

}  // namespace bitrec::hashgnn

// Helpers of the MethodModel tests (hashgnn, bgch, ngcf): train a model for
// some epochs, and compare two trained models bit for bit.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "bitrec/method_model.hpp"

namespace bitrec::test {

// A model after training: parameters with Adam's moments, outputs, loss sum.
struct TrainedModel {
  std::vector<ParamBlock> params;
  HostOutputs outputs;
  double loss_sum = 0.0;
};

// Runs `epochs` whole epochs from epoch 0 (Adam steps numbered from 1).
inline TrainedModel train_epochs(MethodModel& model, int epochs) {
  TrainedModel trained;
  int64_t step = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (int64_t b = 0; b < model.batches_per_epoch(); ++b) trained.loss_sum += model.train_batch(epoch, b, ++step);
  }
  trained.params = model.params();
  trained.outputs = model.outputs();
  return trained;
}

// Same parameters, moments, losses and outputs, bit for bit.
inline void expect_bitwise_equal(const TrainedModel& a, const TrainedModel& b) {
  ASSERT_EQ(a.params.size(), b.params.size());
  for (size_t k = 0; k < a.params.size(); ++k) {
    EXPECT_EQ(a.params[k].value, b.params[k].value) << a.params[k].name;
    EXPECT_EQ(a.params[k].adam_m, b.params[k].adam_m) << a.params[k].name;
    EXPECT_EQ(a.params[k].adam_v, b.params[k].adam_v) << a.params[k].name;
  }
  EXPECT_EQ(a.loss_sum, b.loss_sum);
  EXPECT_EQ(a.outputs.embeddings, b.outputs.embeddings);
  EXPECT_EQ(a.outputs.signs, b.outputs.signs);
}

}  // namespace bitrec::test

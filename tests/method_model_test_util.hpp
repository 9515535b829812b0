// Helpers of the MethodModel tests (hashgnn, bgch, ngcf): train a model for
// some epochs, compare two trained models bit for bit, and score outputs.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/evaluator.hpp"
#include "bitrec/method_model.hpp"
#include "bitrec/model.hpp"

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

// Hamming Recall@20 on data.test of a model's outputs, train items removed,
// through the same upload and evaluator as the trainer.
inline double hamming_recall_at_20(const Dataset& data, const HostOutputs& out) {
  auto backend = make_cpu_backend(2);
  const ModelOutputs up = upload_outputs(*backend, out);
  EvalInputs in;
  in.n_users = data.n_users;
  in.n_items = data.n_items;
  in.table = &up.embeddings;
  in.codes = &up.codes;
  in.bits = up.bits;
  EvalOptions opt;
  opt.mode = RetrievalMode::kHamming;
  opt.topk = {20};
  opt.kmax = 20;
  return evaluate(*backend, in, data.test, data.train, opt).at("recall@20");
}

}  // namespace bitrec::test

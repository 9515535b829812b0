// gru4rec's device step (cuda/session_trainer.cu, cuda/session_kernels.cu)
// against the host step (host/methods/gru4rec): the same model from the same
// seed, stepped on each for two epochs, must give the same per-step losses
// and the same parameters, Adagrad sums, momenta and carried states, within
// float rounding (cuBLAS sums the products in another order and nvcc fuses
// multiply-adds). Every input mode, loss, dropout, momentum, two layers and
// the hashed scores are covered. Skips without a device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/cuda_backend.hpp"
#include "bitrec/dataset.hpp"
#include "methods/method_factories.hpp"
#include "session_trainer.hpp"
#include "test_data_util.hpp"

namespace bitrec {
namespace {

struct Case {
  const char* name;
  Method method;
  SessionLoss loss;
  SessionInput input;
  std::vector<int> hidden;
  float dropout, momentum, logq;
};

TrainConfig config_of(const Case& c) {
  TrainConfig cfg;
  cfg.method = c.method;
  cfg.session.loss = c.loss;
  cfg.session.input = c.input;
  cfg.session.hidden = c.hidden;
  cfg.dim = c.hidden.back();
  cfg.session.n_sample = 37;
  cfg.session.dropout_embed = c.dropout;
  cfg.session.dropout_hidden = c.dropout;
  cfg.session.momentum = c.momentum;
  cfg.session.logq = c.logq;
  cfg.batch = 8;
  cfg.batch_set = true;
  cfg.threads = 1;
  cfg.seed = 11;
  resolve_config(cfg);
  return cfg;
}

class CudaGru4RecParity : public ::testing::TestWithParam<Case> {};

TEST_P(CudaGru4RecParity, StepsMatchTheHost) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  const std::string dir = test::fresh_test_dir();
  const Dataset data = load_dataset(test::write_session_file(dir, "sessions.tsv", 90, 60, /*walk=*/false, 3));
  ASSERT_TRUE(data.sessions);
  const TrainConfig cfg = config_of(GetParam());
  auto host = make_gru4rec_model_on(cfg, data, {}, nullptr);
  auto gpu = make_gru4rec_model_on(cfg, data, {}, [](const SessionDeviceLayout& l, const SessionDeviceOptions& o) {
    return cuda::make_cuda_session_trainer(l, o);
  });
  const int64_t steps = host->batches_per_epoch();
  ASSERT_GT(steps, 10);
  int64_t adam_step = 0;
  for (int epoch = 0; epoch < 2; ++epoch) {
    for (int64_t s = 0; s < steps; ++s) {
      ++adam_step;
      const double a = host->train_batch(epoch, s, adam_step);
      const double b = gpu->train_batch(epoch, s, adam_step);
      ASSERT_NEAR(a, b, 1e-4 * (1.0 + std::fabs(a))) << "epoch " << epoch << " step " << s;
    }
  }
  const std::vector<ParamBlock>& want = host->params();
  const std::vector<ParamBlock>& got = gpu->params();
  ASSERT_EQ(want.size(), got.size());
  for (size_t k = 0; k < want.size(); ++k) {
    for (const auto& [what, w, g] : {std::make_tuple("value", &want[k].value, &got[k].value),
                                     std::make_tuple("Adagrad sum", &want[k].adam_v, &got[k].adam_v),
                                     std::make_tuple("momentum", &want[k].adam_m, &got[k].adam_m)}) {
      ASSERT_EQ(w->size(), g->size()) << want[k].name;
      float scale = 0.0f;
      for (float v : *w) scale = std::max(scale, std::fabs(v));
      for (size_t i = 0; i < w->size(); ++i) {
        ASSERT_NEAR((*w)[i], (*g)[i], 1e-3f * (1.0f + scale)) << want[k].name << " " << what << " [" << i << "]";
      }
    }
  }
  // The outputs (what evaluation reads) come from the downloaded blocks.
  EXPECT_EQ(host->outputs().dim, gpu->outputs().dim);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CudaGru4RecParity,
    ::testing::Values(
        Case{"xe_constrained_logq", Method::kGru4Rec, SessionLoss::kCrossEntropy, SessionInput::kConstrained, {16},
             0.0f, 0.0f, 0.5f},
        Case{"bprmax_embedding_two_layers_dropout_momentum", Method::kGru4Rec, SessionLoss::kBprMax,
             SessionInput::kEmbedding, {12, 10}, 0.2f, 0.3f, 0.0f},
        Case{"top1max_onehot_dropout", Method::kGru4Rec, SessionLoss::kTop1Max, SessionInput::kOneHot, {12}, 0.2f,
             0.0f, 0.0f},
        Case{"xe_onehot_two_layers", Method::kGru4Rec, SessionLoss::kCrossEntropy, SessionInput::kOneHot, {12, 8},
             0.0f, 0.1f, 0.0f},
        Case{"hashed_xe", Method::kGru4RecHash, SessionLoss::kCrossEntropy, SessionInput::kConstrained, {16}, 0.0f,
             0.0f, 0.0f}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace bitrec

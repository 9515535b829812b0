// BGCH as a MethodModel (host/methods/bgch): the whole batch gradient against
// finite differences (smooth surrogate of sign, dispersion direction held
// fixed), determinism over thread counts, learning on the synthetic data,
// outputs, and restoring checkpoint blocks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>

#include "bitrec/backend.hpp"
#include "bitrec/error.hpp"
#include "bitrec/evaluator.hpp"
#include "cpu_test_util.hpp"
#include "method_model_test_util.hpp"
#include "methods/bgch/bgch_model.hpp"

namespace bitrec::bgch {
namespace {

using test::tiny_dataset;

TrainConfig bgch_config(int dim, int batch, int threads) {
  TrainConfig c;
  c.method = Method::kBgch;
  c.dim = dim;
  c.dim_set = true;
  c.batch = batch;
  c.batch_set = true;
  c.threads = threads;
  resolve_config(c);
  return c;
}

double loss_at(BgchModel& model) { return model.compute_gradients(0, 0); }

void check_batch_gradient(int layers) {
  SCOPED_TRACE("layers " + std::to_string(layers));
  const Dataset data = tiny_dataset();
  TrainConfig cfg = bgch_config(16, 12, 2);
  cfg.layers = layers;
  cfg.init_std = 1.0f;  // |x| across the Fourier estimator's clamped and oscillating parts
  cfg.decay = 0.05f;    // large enough that the L2 terms show in the gradient
  cfg.dispersion = 0.3f;
  BgchOptions options;
  options.smooth_codes = true;
  options.freeze_dispersion = true;
  BgchModel model(cfg, data, {}, options);
  ASSERT_EQ(model.params()[0].name, "E0");
  ASSERT_EQ(model.params()[1].name, "W");
  const double base = loss_at(model);
  ASSERT_TRUE(std::isfinite(base));
  const std::vector<float> grad_e0 = model.grad_e0(), grad_w = model.grad_w();
  auto check = [&](int block, size_t k, float h, double analytic) {
    const double fd = test::central_difference(model.mutable_params()[block].value, k, h,
                                               [&] { return loss_at(model); });
    EXPECT_NEAR(analytic, fd, 3e-4 + 3e-2 * std::fabs(fd)) << "block " << block << " entry " << k;
    return std::fabs(analytic);
  };
  // Entries of E0 over users, items and the zero-degree last user / item.
  double largest = 0.0;
  const int d = cfg.dim;
  for (int node : {0, 3, 8, 9, 12, 19}) {
    for (int col : {0, 7, 15}) largest = std::max(largest, check(0, static_cast<size_t>(node) * d + col, 1e-2f,
                                                                 grad_e0[static_cast<size_t>(node) * d + col]));
  }
  for (size_t k : {0, 17, 100, 255}) largest = std::max(largest, check(1, k, 1e-2f, grad_w[k]));
  EXPECT_GT(largest, 1e-3);  // the checked entries are not all trivially zero
}

// L 2 (the preset), and L 1 / L 0 (the last layer is the first / the
// dispersed table itself: other code paths of the propagation's backward).
TEST(BgchModel, BatchGradientMatchesFiniteDifferences) {
  for (int layers : {2, 1, 0}) check_batch_gradient(layers);
}

TEST(BgchModel, SameBitsWhateverTheThreads) {
  const Dataset data = load_dataset("synthetic:users=120,items=90,clusters=4,per_user=10");
  std::vector<test::TrainedModel> runs;
  for (int threads : {1, 2}) {
    BgchModel model(bgch_config(32, 256, threads), data, {});
    runs.push_back(test::train_epochs(model, 2));
  }
  test::expect_bitwise_equal(runs[0], runs[1]);
}

TEST(BgchModel, OutputsAreTheScaledCodesAndDeterministic) {
  const Dataset data = load_dataset("synthetic:users=60,items=50,clusters=3,per_user=8");
  TrainConfig cfg = bgch_config(24, 128, 2);
  BgchModel model(cfg, data, {});
  model.train_batch(0, 0, 1);
  const HostOutputs a = model.outputs(), b = model.outputs();
  const int bits = 3 * 24;
  ASSERT_EQ(a.dim, bits);
  ASSERT_EQ(a.bits, bits);
  EXPECT_EQ(a.embeddings, b.embeddings);
  EXPECT_EQ(a.signs, b.signs);
  const int64_t nodes = data.n_users + data.n_items;
  ASSERT_EQ(a.embeddings.size(), static_cast<size_t>(nodes * bits));
  ASSERT_EQ(a.signs.size(), a.embeddings.size());
  for (int64_t r = 0; r < nodes; ++r) {
    for (int l = 0; l < 3; ++l) {
      // One α per 24-bit segment: code = α · sign, α = the segment's |code|.
      const float alpha = std::fabs(a.embeddings[r * bits + l * 24]);
      for (int k = 0; k < 24; ++k) {
        const float s = a.signs[r * bits + l * 24 + k];
        ASSERT_TRUE(s == 1.0f || s == -1.0f);
        ASSERT_EQ(a.embeddings[r * bits + l * 24 + k], alpha * s);
      }
    }
  }
  // The codes move with training (the forward pass is not constant).
  model.train_batch(0, 0, 2);
  EXPECT_NE(model.outputs().embeddings, a.embeddings);
}

TEST(BgchModel, TrainingRaisesHammingRecall) {
  const Dataset data = load_dataset("synthetic:users=250,items=180,clusters=4,per_user=12");
  TrainConfig cfg = bgch_config(32, 512, 2);
  cfg.lr = 5e-3f;
  BgchModel model(cfg, data, {});
  const double before = test::hamming_recall_at_20(data, model.outputs());
  int64_t step = 0;
  for (int epoch = 0; epoch < 8; ++epoch) {
    for (int64_t b = 0; b < model.batches_per_epoch(); ++b) model.train_batch(epoch, b, ++step);
  }
  const double after = test::hamming_recall_at_20(data, model.outputs());
  std::printf("bgch synthetic Hamming recall@20: untrained %.4f, 8 epochs %.4f\n", before, after);
  EXPECT_GT(after, before + 0.05) << "before " << before << " after " << after;
}

TEST(BgchModel, RestoresCheckpointBlocks) {
  const Dataset data = load_dataset("synthetic:users=60,items=50,clusters=3,per_user=8");
  const TrainConfig cfg = bgch_config(16, 128, 2);
  BgchModel model(cfg, data, {});
  model.train_batch(0, 0, 1);
  model.train_batch(0, 1, 2);
  const std::vector<ParamBlock> saved = model.params();
  BgchModel restored(cfg, data, saved);
  ASSERT_EQ(restored.params().size(), saved.size());
  for (size_t k = 0; k < saved.size(); ++k) {
    EXPECT_EQ(restored.params()[k].value, saved[k].value);
    EXPECT_EQ(restored.params()[k].adam_m, saved[k].adam_m);
    EXPECT_EQ(restored.params()[k].adam_v, saved[k].adam_v);
  }
  // Training on from the restored blocks continues the same run.
  model.train_batch(0, 2, 3);
  restored.train_batch(0, 2, 3);
  EXPECT_EQ(restored.params()[0].value, model.params()[0].value);
  // The factory takes the same path.
  EXPECT_EQ(make_method_model(cfg, data, saved)->params()[1].value, saved[1].value);

  TrainConfig wider = cfg;
  wider.dim = 24;
  EXPECT_THROW(BgchModel(wider, data, saved), InputError);
  std::vector<ParamBlock> renamed = saved;
  renamed[1].name = "W_hash";
  EXPECT_THROW(BgchModel(cfg, data, renamed), InputError);
  EXPECT_THROW(BgchModel(cfg, data, std::vector<ParamBlock>(saved.begin(), saved.begin() + 1)), InputError);
}

}  // namespace
}  // namespace bitrec::bgch

// Finite-difference checks of a whole gru4rec step (host/methods/gru4rec/
// gru4rec_gradients.hpp): every parameter block's gradient, assembled from
// the step's row gradients as the optimiser applies them, against central
// differences of the step's loss. The pieces (GRU cell, losses) have their
// own checks in tests/cpu; these cover how a step joins them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/method_model.hpp"
#include "data/session_dataset.hpp"
#include "methods/gru4rec/gru4rec_gradients.hpp"

namespace bitrec {
namespace {

// 14 items; sessions of 2–6 events (one of 1, which gives no step).
Dataset tiny_sessions() {
  SessionData s;
  s.name = "tiny";
  s.n_items = 14;
  for (int i = 0; i < s.n_items; ++i) s.item_ids.push_back(std::to_string(i));
  const std::vector<std::vector<int32_t>> train = {{0, 1, 2, 3}, {4, 5},    {6, 7, 8, 9, 10, 11}, {12},
                                                   {13, 0, 2},   {1, 3, 5}, {7, 9, 11, 13},       {2, 4, 6, 8, 10}};
  for (size_t k = 0; k < train.size(); ++k) {
    for (int32_t item : train[k]) s.train.items.push_back(item);
    s.train.offsets.push_back(static_cast<int64_t>(s.train.items.size()));
    s.train.session_ids.push_back("s" + std::to_string(k));
    s.train.start_times.push_back(static_cast<double>(k));
  }
  s.test.items = {0, 1, 2};
  s.test.offsets = {0, 3};
  s.test.session_ids = {"t0"};
  s.test.start_times = {100.0};
  return data::dataset_from_sessions(std::move(s));
}

TrainConfig tiny_config(SessionLoss loss, std::vector<int> hidden, SessionInput input) {
  TrainConfig c;
  c.method = Method::kGru4Rec;
  c.session.hidden = std::move(hidden);
  c.session.loss = loss;
  c.session.input = input;
  c.session.embedding_dim = 5;
  c.session.n_sample = 5;
  c.session.logq = loss == SessionLoss::kCrossEntropy ? 0.7f : 0.0f;
  c.session.dropout_embed = 0.2f;
  c.session.dropout_hidden = 0.3f;
  c.batch = 3;
  c.batch_set = true;
  c.threads = 1;
  c.seed = 7;
  resolve_config(c);
  return c;
}

// The dense gradient of block `name` that the step's row gradients add up
// to (the optimiser's coalesced sparse gradient for Wy, By and E).
std::vector<float> dense_gradient(const gru4rec::StepGradients& g, const ParamBlock& block, const TrainConfig& c,
                                  int layer_part) {
  std::vector<float> out(block.value.size(), 0.0f);
  const int64_t cols = block.cols;
  const auto add_rows = [&](const std::vector<int32_t>& rows, const std::vector<float>& grads) {
    for (size_t r = 0; r < rows.size(); ++r) {
      for (int64_t k = 0; k < cols; ++k) out[rows[r] * cols + k] += grads[r * cols + k];
    }
  };
  if (block.name == "gru4rec.Wy") {
    add_rows(g.columns, g.d_columns);
    if (c.session.input == SessionInput::kConstrained) add_rows(g.inputs, g.d_inputs);
  } else if (block.name == "gru4rec.By") {
    add_rows(g.columns, g.d_bias);
  } else if (block.name == "gru4rec.E" || block.name == "gru4rec.layer1.W_x") {
    add_rows(g.inputs, g.d_inputs);
  } else {
    out = g.layers[layer_part];
  }
  return out;
}

void check_step(const TrainConfig& c, int warm_steps) {
  const Dataset data = tiny_sessions();
  std::unique_ptr<MethodModel> model = make_method_model(c, data, {});
  ASSERT_GT(model->batches_per_epoch(), warm_steps + 1);
  // A few steps first, so that carried states and Adagrad's sums are not zero.
  for (int s = 0; s < warm_steps; ++s) model->train_batch(0, s, s + 1);
  std::vector<ParamBlock> blocks = model->params();
  const int64_t step = warm_steps;
  const gru4rec::StepGradients g = gru4rec::step_gradients(c, data, blocks, 0, step);
  ASSERT_TRUE(std::isfinite(g.loss));
  int layer_part = 0;
  int checked = 0;
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (blocks[b].name == "gru4rec.state") continue;
    // The layers' dense blocks, in order (onehot's W_x is a row-updated table).
    const bool is_layer = blocks[b].name.find(".layer") != std::string::npos && blocks[b].name != "gru4rec.layer1.W_x";
    const std::vector<float> analytic = dense_gradient(g, blocks[b], c, layer_part);
    if (is_layer) ++layer_part;
    ASSERT_EQ(analytic.size(), blocks[b].value.size()) << blocks[b].name;
    float scale = 0.0f;  // the block's largest gradient
    for (float v : analytic) scale = std::max(scale, std::fabs(v));
    // Every entry whose gradient is not zero, and a few zero ones. The
    // loss is float32, so central differences carry ~1e-7·loss / ε of
    // rounding: each entry must agree to a few percent of the block's
    // largest gradient, and the block as a whole (cosine of the two
    // vectors) far more tightly.
    double dot = 0.0, norm_a = 0.0, norm_n = 0.0;
    for (size_t k = 0; k < analytic.size(); ++k) {
      if (analytic[k] == 0.0f && k % 7 != 0) continue;
      const float eps = 1e-2f;
      const float saved = blocks[b].value[k];
      blocks[b].value[k] = saved + eps;
      const double up = gru4rec::step_gradients(c, data, blocks, 0, step).loss;
      blocks[b].value[k] = saved - eps;
      const double down = gru4rec::step_gradients(c, data, blocks, 0, step).loss;
      blocks[b].value[k] = saved;
      const double numeric = (up - down) / (2.0 * eps);
      EXPECT_NEAR(analytic[k], numeric, 2e-6 + 0.03 * scale + 0.03 * std::fabs(numeric))
          << blocks[b].name << " entry " << k;
      dot += analytic[k] * numeric;
      norm_a += static_cast<double>(analytic[k]) * analytic[k];
      norm_n += numeric * numeric;
      ++checked;
    }
    if (norm_n > 0.0) {
      EXPECT_GT(dot / std::sqrt(norm_a * norm_n), 0.998) << blocks[b].name << ": analytic and numeric gradients "
                                                          << "point in different directions";
    }
  }
  EXPECT_GT(checked, 50);
}

TEST(Gru4RecGradients, CrossEntropyWithLogqConstrained) {
  check_step(tiny_config(SessionLoss::kCrossEntropy, {6}, SessionInput::kConstrained), 3);
}

TEST(Gru4RecGradients, BprMaxConstrained) {
  check_step(tiny_config(SessionLoss::kBprMax, {6}, SessionInput::kConstrained), 2);
}

TEST(Gru4RecGradients, Top1MaxTwoLayersWithEmbedding) {
  check_step(tiny_config(SessionLoss::kTop1Max, {5, 4}, SessionInput::kEmbedding), 3);
}

TEST(Gru4RecGradients, BprMaxOneHot) {
  check_step(tiny_config(SessionLoss::kBprMax, {6}, SessionInput::kOneHot), 3);
}

TEST(Gru4RecGradients, CrossEntropyTwoLayersOneHot) {
  check_step(tiny_config(SessionLoss::kCrossEntropy, {5, 4}, SessionInput::kOneHot), 2);
}

TEST(Gru4RecGradients, CrossEntropyTwoLayersConstrainedAtFirstStep) {
  check_step(tiny_config(SessionLoss::kCrossEntropy, {4, 6}, SessionInput::kConstrained), 0);
}

}  // namespace
}  // namespace bitrec

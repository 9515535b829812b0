// The Model interface (include/bitrec/train_model.hpp): every method's model,
// made by make_model, trains two batches with a finite loss, and a model
// restored from its saved state (parameters, Adam's moments, loss sum) is
// the same model: same parameters, same next batch, same outputs.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/error.hpp"
#include "bitrec/train_model.hpp"

namespace bitrec {
namespace {

struct Case {
  Method method;
  Encoder encoder;
  bool encoder_set;
};

std::string label(const Case& c) {
  return std::string(method_name(c.method)) + (c.encoder_set ? std::string(" --encoder ") + encoder_name(c.encoder) : "");
}

TrainConfig config_of(const Case& c) {
  TrainConfig cfg;
  cfg.method = c.method;
  cfg.encoder = c.encoder;
  cfg.encoder_set = c.encoder_set;
  cfg.dim = 16;
  cfg.epochs = 2;
  cfg.threads = 2;
  resolve_config(cfg);
  cfg.batch = 128;  // after the presets (bgch's batch is 4096): several batches per epoch
  cfg.user_batch = 32;
  return cfg;
}

// A model's state as the trainer saves it.
ModelState saved_state(const Model& model, const Dataset& data, const TrainConfig& cfg) {
  ModelState st;
  st.n_users = data.n_users;
  st.n_items = data.n_items;
  st.dim = cfg.dim;
  set_state_blocks(st, model.params());
  st.epoch_loss_sum = model.loss_sum();
  return st;
}

void expect_same_params(const std::vector<ParamBlock>& a, const std::vector<ParamBlock>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].name, b[k].name);
    EXPECT_EQ(a[k].rows, b[k].rows);
    EXPECT_EQ(a[k].cols, b[k].cols);
    EXPECT_EQ(a[k].value, b[k].value) << a[k].name;
    EXPECT_EQ(a[k].adam_m, b[k].adam_m) << a[k].name;
    EXPECT_EQ(a[k].adam_v, b[k].adam_v) << a[k].name;
  }
}

std::vector<float> download(Backend& be, const FloatTensor& t) {
  std::vector<float> host(static_cast<size_t>(t.size()));
  be.download(t, host.data());
  return host;
}

TEST(ModelInterface, EveryMethodTrainsAndRestores) {
  const Dataset data = load_dataset("synthetic:users=120,items=90,clusters=3,per_user=8");
  const std::vector<Case> cases = {
      {Method::kLightGcn, Encoder::kLightGcn, false}, {Method::kHashSte, Encoder::kLightGcn, false},
      {Method::kRecallHash, Encoder::kLightGcn, false}, {Method::kHashGnn, Encoder::kGraphSage, false},
      {Method::kBgch, Encoder::kLightGcn, false},       {Method::kLightGcn, Encoder::kNgcf, true},
      {Method::kHashSte, Encoder::kNgcf, true},         {Method::kRecallHash, Encoder::kNgcf, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(label(c));
    const TrainConfig cfg = config_of(c);
    auto be = make_cpu_backend(2);
    std::unique_ptr<Model> model = make_model(*be, cfg, data, nullptr);
    ASSERT_GE(model->batches_per_epoch(), 2);
    EXPECT_TRUE(model->loss_read_is_free());  // CPU backend or host
    EXPECT_EQ(model->loss_sum(), 0.0f);
    model->train_batch(0, 0, 1);
    const float after_one = model->loss_sum();
    model->train_batch(0, 1, 2);
    const float after_two = model->loss_sum();
    EXPECT_TRUE(std::isfinite(after_one) && std::isfinite(after_two));
    EXPECT_NE(after_two, after_one);  // the second batch added its loss
    ASSERT_FALSE(model->params().empty());
    for (const ParamBlock& b : model->params()) {
      EXPECT_EQ(b.value.size(), static_cast<size_t>(b.size())) << b.name;
    }

    // Save, restore into a new model on a new backend: same state, same next
    // batch, same outputs.
    const ModelState st = saved_state(*model, data, cfg);
    auto be2 = make_cpu_backend(2);
    std::unique_ptr<Model> restored = make_model(*be2, cfg, data, &st);
    expect_same_params(restored->params(), model->params());
    EXPECT_EQ(restored->loss_sum(), after_two);
    model->train_batch(0, 2 % model->batches_per_epoch(), 3);
    restored->train_batch(0, 2 % restored->batches_per_epoch(), 3);
    EXPECT_EQ(restored->loss_sum(), model->loss_sum());
    expect_same_params(restored->params(), model->params());
    const ModelOutputs a = model->outputs(), b = restored->outputs();
    EXPECT_EQ(download(*be, a.embeddings), download(*be2, b.embeddings));
    EXPECT_EQ(a.bits, b.bits);
    model->end_epoch();
    EXPECT_EQ(model->loss_sum(), 0.0f);
    EXPECT_EQ(model->first_non_finite().find("row"), std::string::npos);  // nothing non-finite
  }
}

// The table methods' E0 is a block like any other; a state keeps it in the
// legacy e0/adam_m/adam_v fields (checkpoint layout), every other block in
// `blocks`.
TEST(ModelInterface, TableBlockMapsToLegacyFields) {
  ModelState st;
  st.n_users = 2;
  st.n_items = 1;
  st.dim = 2;
  ParamBlock table;
  table.name = kTableBlock;
  table.rows = 3;
  table.cols = 2;
  table.value = {1, 2, 3, 4, 5, 6};
  table.adam_m.assign(6, 0.5f);
  table.adam_v.assign(6, 0.25f);
  set_state_blocks(st, {table});
  EXPECT_EQ(st.e0, table.value);
  EXPECT_EQ(st.adam_m, table.adam_m);
  EXPECT_TRUE(st.blocks.empty());
  expect_same_params({table_block(st)}, {table});

  ParamBlock other = table;
  other.name = "E0";  // a MethodModel's block of the same shape stays a block
  set_state_blocks(st, {other});
  EXPECT_TRUE(st.e0.empty());
  ASSERT_EQ(st.blocks.size(), 1u);
  EXPECT_THROW(table_block(st), InputError);
}

}  // namespace
}  // namespace bitrec

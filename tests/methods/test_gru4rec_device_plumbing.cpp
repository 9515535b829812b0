// The host side of gru4rec's device step (host/methods/gru4rec/
// gru4rec_model.cpp with include/bitrec/session_device.hpp), on any machine:
// a recording SessionDeviceTrainer stands in for the CUDA one
// (tests/cuda/test_cuda_gru4rec_parity.cpp checks that one against the host
// step on a device). It checks what the model hands over (the layout of its
// blocks, the uploaded values, each step's rows and columns) and that
// params() and outputs() read the device's blocks back.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "methods/gru4rec/session_batches.hpp"
#include "methods/method_factories.hpp"
#include "test_data_util.hpp"

namespace bitrec {
namespace {

struct Record {
  SessionDeviceLayout layout;
  SessionDeviceOptions options;
  std::vector<std::vector<float>> uploaded;
  std::vector<SessionStepRows> steps;
  std::vector<std::vector<int32_t>> columns, inputs;
  int downloads = 0;
};

class RecordingTrainer final : public SessionDeviceTrainer {
 public:
  explicit RecordingTrainer(Record* r) : r_(r) {}
  std::string device_name() const override { return "recording"; }
  void upload(const std::vector<SessionBlockView>& blocks) override {
    for (const SessionBlockView& b : blocks) r_->uploaded.emplace_back(b.value, b.value + b.size);
  }
  // The "device" changed every value to 0.25 and every sum to 2.
  void download(const std::vector<SessionBlockView>& blocks) override {
    ++r_->downloads;
    for (const SessionBlockView& b : blocks) {
      for (int64_t i = 0; i < b.size; ++i) {
        b.value[i] = 0.25f;
        b.acc[i] = 2.0f;
      }
    }
  }
  double step(const SessionStepRows& rows) override {
    r_->steps.push_back(rows);
    r_->columns.emplace_back(rows.columns, rows.columns + rows.cols);
    r_->inputs.emplace_back(rows.inputs, rows.inputs + rows.rows);
    return 0.5;
  }

 private:
  Record* r_;
};

TEST(Gru4RecDevicePlumbing, HandsOverBlocksRowsAndReadsTheDeviceBack) {
  const std::string dir = test::fresh_test_dir();
  const Dataset data = load_dataset(test::write_session_file(dir, "sessions.tsv", 40, 30, /*walk=*/false, 9));
  TrainConfig cfg;
  cfg.method = Method::kGru4Rec;
  cfg.session.hidden = {6, 5};
  cfg.dim = 5;
  cfg.session.input = SessionInput::kOneHot;
  cfg.session.n_sample = 7;
  cfg.session.logq = 0.5f;
  cfg.batch = 4;
  cfg.batch_set = true;
  resolve_config(cfg);
  Record record;
  int made = 0;
  auto model = make_gru4rec_model_on(cfg, data, {}, [&](const SessionDeviceLayout& l, const SessionDeviceOptions& o) {
    ++made;
    record.layout = l;
    record.options = o;
    return std::make_unique<RecordingTrainer>(&record);
  });
  EXPECT_EQ(made, 0) << "a model built for its outputs must not start a device";
  const std::vector<ParamBlock> initial = model->params();
  EXPECT_EQ(record.downloads, 0);

  EXPECT_EQ(model->train_batch(0, 0, 1), 0.5);
  EXPECT_EQ(model->train_batch(0, 1, 2), 0.5);
  ASSERT_EQ(made, 1);
  // The layout names the blocks where the host keeps them.
  const SessionDeviceLayout& l = record.layout;
  ASSERT_EQ(l.sizes.size(), initial.size());
  for (size_t k = 0; k < initial.size(); ++k) EXPECT_EQ(l.sizes[k], initial[k].size()) << initial[k].name;
  EXPECT_EQ(initial[l.wy].name, "gru4rec.Wy");
  EXPECT_EQ(initial[l.by].name, "gru4rec.By");
  EXPECT_EQ(initial[l.state].name, "gru4rec.state");
  EXPECT_EQ(l.e, -1);
  ASSERT_EQ(l.layer_first.size(), 2u);
  EXPECT_EQ(initial[l.layer_first[0]].name, "gru4rec.layer1.W_x");
  EXPECT_EQ(initial[l.layer_first[0] + 3].name, "gru4rec.layer1.b");
  EXPECT_EQ(initial[l.layer_first[1]].name, "gru4rec.layer2.W_ih");
  EXPECT_EQ(initial[l.layer_first[1] + 3].name, "gru4rec.layer2.b_hh");
  EXPECT_TRUE(l.one_hot);
  EXPECT_FALSE(l.constrained);
  EXPECT_EQ(l.hidden, cfg.session.hidden);
  EXPECT_EQ(l.n_items, data.n_items);
  EXPECT_EQ(record.options.scale, 0.25f);
  EXPECT_EQ(record.options.logq, 0.5f);
  EXPECT_EQ(record.options.log_counts.size(), static_cast<size_t>(data.n_items));
  // The initial values went up once.
  ASSERT_EQ(record.uploaded.size(), initial.size());
  for (size_t k = 0; k < initial.size(); ++k) EXPECT_EQ(record.uploaded[k], initial[k].value) << initial[k].name;
  // Each step: the schedule's rows; columns = the targets, then n_sample negatives.
  const gru4rec::SessionBatches batches = gru4rec::build_session_batches(data.sessions->train, cfg.batch);
  ASSERT_EQ(record.steps.size(), 2u);
  for (int64_t s = 0; s < 2; ++s) {
    const int64_t first = batches.offsets[s], n = batches.rows(s);
    EXPECT_EQ(record.steps[s].step, s);
    EXPECT_EQ(record.steps[s].rows, n);
    ASSERT_EQ(record.columns[s].size(), static_cast<size_t>(n + cfg.session.n_sample));
    for (int64_t r = 0; r < n; ++r) {
      EXPECT_EQ(record.columns[s][r], batches.target[first + r]);
      EXPECT_EQ(record.inputs[s][r], batches.input[first + r]);
    }
  }
  // params() and outputs() read the device's blocks, once per change.
  const std::vector<ParamBlock>& after = model->params();
  EXPECT_EQ(record.downloads, 1);
  for (const ParamBlock& b : after) {
    for (float v : b.value) ASSERT_EQ(v, 0.25f) << b.name;
    for (float v : b.adam_v) ASSERT_EQ(v, 2.0f) << b.name;
  }
  const HostOutputs out = model->outputs();
  EXPECT_EQ(record.downloads, 1);
  EXPECT_EQ(out.embeddings.back(), 0.25f);
}

// A step that fails on the device leaves it half-updated: the model must
// not read those blocks back (a checkpoint would save them).
class FailingTrainer final : public SessionDeviceTrainer {
 public:
  std::string device_name() const override { return "failing"; }
  void upload(const std::vector<SessionBlockView>&) override {}
  void download(const std::vector<SessionBlockView>&) override { ADD_FAILURE() << "read back after a failed step"; }
  double step(const SessionStepRows&) override { throw std::runtime_error("CUDA error 700 (illegal address)"); }
};

TEST(Gru4RecDevicePlumbing, AFailedStepIsNeverReadBack) {
  const std::string dir = test::fresh_test_dir();
  const Dataset data = load_dataset(test::write_session_file(dir, "sessions.tsv", 20, 15, /*walk=*/false, 2));
  TrainConfig cfg;
  cfg.method = Method::kGru4Rec;
  cfg.session.hidden = {4};
  cfg.dim = 4;
  cfg.session.n_sample = 3;
  resolve_config(cfg);
  auto model = make_gru4rec_model_on(cfg, data, {}, [](const SessionDeviceLayout&, const SessionDeviceOptions&) {
    return std::make_unique<FailingTrainer>();
  });
  EXPECT_THROW(model->train_batch(0, 0, 1), std::runtime_error);
  try {
    (void)model->params();
    ADD_FAILURE() << "params() after a failed device step";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("failed"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)model->outputs(), std::runtime_error);
}

}  // namespace
}  // namespace bitrec

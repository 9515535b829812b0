// Resume and stop guards (docs/training.md "Stopping, resuming, non-finite
// values"): a run stopped at any batch boundary and
// resumed from its checkpoint equals the uninterrupted run bit for bit; a
// non-finite loss stops training with the tensor named and the last good
// state kept.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "bitrec/backend.hpp"
#include "bitrec/checkpoint.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/trainer.hpp"
#include "resume_test_util.hpp"

namespace bitrec {
namespace {

TrainConfig config_for(Method method) {
  TrainConfig c;
  c.method = method;
  c.epochs = 4;
  c.dim = 32;
  c.batch = 512;
  c.dim_set = c.batch_set = true;  // hashgnn/bgch presets would change them
  c.user_batch = 64;
  c.eval_every = 2;
  c.topk = {20};
  resolve_config(c);
  return c;
}

using testing::expect_same_run;
using testing::stop_after;
using testing::stopped_and_resumed;

class ResumeTest : public ::testing::TestWithParam<Method> {};

TEST_P(ResumeTest, StoppedAnywhereAndResumedEqualsUninterrupted) {
  const Dataset data = load_dataset("synthetic:users=300,items=200,clusters=4,per_user=12");
  const TrainConfig cfg = config_for(GetParam());
  auto backend = make_cpu_backend(2);
  const TrainSummary whole = train_model(*backend, data, cfg, nullptr);
  ASSERT_EQ(whole.stop, TrainStop::kFinished);
  EpochRunner probe(*backend, data, cfg);
  const int64_t per_epoch = probe.batches_per_epoch();
  ASSERT_GE(per_epoch, 3);
  // Mid-epoch, exactly at an epoch boundary (after an evaluation), and late.
  for (const int64_t stop : {int64_t{1}, 2 * per_epoch, 3 * per_epoch + per_epoch / 2}) {
    SCOPED_TRACE("stopped after " + std::to_string(stop) + " batches");
    expect_same_run(whole, stopped_and_resumed(data, cfg, stop));
  }
}

INSTANTIATE_TEST_SUITE_P(Methods, ResumeTest,
                         ::testing::Values(Method::kHashSte, Method::kRecallHash, Method::kLightGcn,
                                           Method::kHashGnn, Method::kBgch),
                         [](const auto& info) {
                           std::string name;
                           for (const char ch : std::string(method_name(info.param))) {
                             if (ch != '-') name += ch;
                           }
                           return name;
                         });

TEST(Resume, InterruptedStateRecordsThePositionInTheEpoch) {
  const Dataset data = load_dataset("synthetic:users=300,items=200,clusters=4,per_user=12");
  const TrainConfig cfg = config_for(Method::kHashSte);
  auto backend = make_cpu_backend(1);
  TrainOptions options;
  options.should_stop = stop_after(3);
  const TrainSummary part = train_model(*backend, data, cfg, nullptr, options);
  ASSERT_EQ(part.stop, TrainStop::kInterrupted);
  EXPECT_EQ(part.state.epochs_done, 0);
  EXPECT_EQ(part.state.epoch_batches_done, 3);
  EXPECT_EQ(part.state.adam_step, 3);
  EXPECT_GT(part.state.epoch_loss_sum, 0.0f);  // three BPR batch losses
  EXPECT_NE(part.stop_message.find("after batch 3"), std::string::npos) << part.stop_message;
}

TEST(Resume, NonFiniteLossStopsWithTheTensorNamedAndTheLastGoodState) {
  // lr 1e30 blows E0 up within a few batches: scores overflow to inf.
  const Dataset data = load_dataset("synthetic:users=300,items=200,clusters=4,per_user=12");
  TrainConfig cfg = config_for(Method::kLightGcn);
  cfg.lr = 1e30f;
  auto backend = make_cpu_backend(2);
  const TrainSummary run = train_model(*backend, data, cfg, nullptr);
  ASSERT_EQ(run.stop, TrainStop::kNonFinite);
  EXPECT_NE(run.stop_message.find("non-finite loss at epoch 1, batch"), std::string::npos) << run.stop_message;
  EXPECT_NE(run.stop_message.find("first non-finite tensor:"), std::string::npos) << run.stop_message;
  // The state kept is the last one with every value finite: here the initial one.
  EXPECT_EQ(run.state.epochs_done, 0);
  EXPECT_EQ(run.state.adam_step, 0);
  for (float v : run.state.e0) ASSERT_TRUE(std::isfinite(v));
  const ModelState init = init_model(data.n_users, data.n_items, cfg.dim, cfg.init_std, cfg.seed);
  EXPECT_EQ(run.state.e0, init.e0);
}

TEST(Resume, CheckpointKeepsPositionAndHistory) {
  const Dataset data = load_dataset("synthetic:users=120,items=90,clusters=3,per_user=8");
  const TrainConfig cfg = config_for(Method::kHashSte);
  auto backend = make_cpu_backend(1);
  TrainOptions options;
  options.should_stop = stop_after(2 * 2 + 1);  // 2 batches per epoch: stops inside epoch 3
  const TrainSummary part = train_model(*backend, data, cfg, nullptr, options);
  ASSERT_EQ(part.stop, TrainStop::kInterrupted);
  ASSERT_EQ(part.evals.size(), 1u);  // the evaluation after epoch 2
  const std::string path = ::testing::TempDir() + "bitrec_resume_history.bin";
  save_checkpoint(path, Checkpoint{cfg, part.state, part.evals});
  const Checkpoint back = load_checkpoint(path);
  std::remove(path.c_str());
  EXPECT_EQ(back.state.epoch_batches_done, part.state.epoch_batches_done);
  EXPECT_EQ(back.state.epoch_loss_sum, part.state.epoch_loss_sum);
  ASSERT_EQ(back.history.size(), 1u);
  EXPECT_EQ(back.history[0].epoch, part.evals[0].epoch);
  EXPECT_EQ(back.history[0].test, part.evals[0].test);
  EXPECT_EQ(back.history[0].codes.distinct_items, part.evals[0].codes.distinct_items);
  EXPECT_EQ(back.history[0].codes.user_item_agreement, part.evals[0].codes.user_item_agreement);
}

}  // namespace
}  // namespace bitrec

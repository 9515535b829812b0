// Warm starts (docs/training.md "Warm start"): --init-from takes another
// run's parameters with fresh Adam moments, refusing sources it cannot read;
// --warmup-epochs trains BPR on the real-valued embeddings first, then the
// method's loss on its own schedule. Both resume bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "bitrec/backend.hpp"
#include "bitrec/checkpoint.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/error.hpp"
#include "bitrec/trainer.hpp"
#include "bitrec/warm_start.hpp"
#include "input_error_of.hpp"
#include "resume_test_util.hpp"

namespace bitrec {
namespace {

const char kData[] = "synthetic:users=300,items=200,clusters=4,per_user=12";

TrainConfig small_config(Method method, int epochs) {
  TrainConfig c;
  c.method = method;
  c.epochs = epochs;
  c.dim = 32;
  c.batch = 512;
  c.dim_set = c.batch_set = true;
  c.user_batch = 64;
  c.eval_every = 1;
  c.topk = {20};
  return c;
}

TrainSummary train(const Dataset& data, const TrainConfig& cfg, const TrainOptions& options = {}) {
  auto backend = make_cpu_backend(2);
  return train_model(*backend, data, cfg, nullptr, options);
}

using testing::input_error_of;

TEST(WarmStart, StartsFromTheSourceParametersWithFreshAdam) {
  const Dataset data = load_dataset(kData);
  TrainConfig source_cfg = small_config(Method::kLightGcn, 2);
  resolve_config(source_cfg);
  const TrainSummary source = train(data, source_cfg);
  const ModelState start = warm_start_state(Checkpoint{source_cfg, source.state, source.evals}, "src",
                                            [] {
                                              TrainConfig c = small_config(Method::kRecallHash, 1);
                                              resolve_config(c);
                                              return c;
                                            }(),
                                            data);
  // A hashed run on the table starts from the source's table rescaled to the
  // initialisation's RMS: one factor for every value, so every ranking holds.
  ASSERT_EQ(start.e0.size(), source.state.e0.size());
  const float factor = start.e0[0] / source.state.e0[0];
  double sum = 0.0;
  for (size_t k = 0; k < start.e0.size(); ++k) {
    ASSERT_FLOAT_EQ(start.e0[k], source.state.e0[k] * factor) << k;
    sum += static_cast<double>(start.e0[k]) * start.e0[k];
  }
  EXPECT_NEAR(std::sqrt(sum / start.e0.size()), 0.1, 1e-4);  // --init-std
  EXPECT_EQ(start.adam_step, 0);
  EXPECT_EQ(start.epochs_done, 0);
  for (float m : start.adam_m) ASSERT_EQ(m, 0.0f);
  for (float v : start.adam_v) ASSERT_EQ(v, 0.0f);

  // The warm-started run's first evaluation already sees the source's ranking;
  // a cold one starts from noise.
  TrainConfig cfg = small_config(Method::kRecallHash, 1);
  resolve_config(cfg);
  TrainOptions warm;
  warm.init = &start;
  const TrainSummary warmed = train(data, cfg, warm);
  const TrainSummary cold = train(data, cfg);
  const double warm_recall = warmed.evals.back().test.at("hamming").at("recall@20");
  const double cold_recall = cold.evals.back().test.at("hamming").at("recall@20");
  EXPECT_GT(warm_recall, cold_recall + 0.05) << "warm " << warm_recall << ", cold " << cold_recall;
}

TEST(WarmStart, ARealValuedRunKeepsTheSourceScale) {
  const Dataset data = load_dataset(kData);
  TrainConfig cfg = small_config(Method::kLightGcn, 1);
  resolve_config(cfg);
  const TrainSummary source = train(data, cfg);
  const ModelState start = warm_start_state(Checkpoint{cfg, source.state, source.evals}, "src", cfg, data);
  EXPECT_EQ(start.e0, source.state.e0);
}

TEST(WarmStart, RescaleRmsKeepsDirectionsAndHitsTheTarget) {
  std::vector<float> table{3.0f, -4.0f, 0.0f, 0.0f};  // RMS 2.5
  EXPECT_FLOAT_EQ(rescale_rms(table, 0.5f), 0.2f);
  EXPECT_EQ(table, (std::vector<float>{0.6f, -0.8f, 0.0f, 0.0f}));
  std::vector<float> zeros(3, 0.0f);
  EXPECT_EQ(rescale_rms(zeros, 0.1f), 1.0f);
  EXPECT_EQ(zeros, std::vector<float>(3, 0.0f));
}

TEST(WarmStart, RefusesSourcesItCannotRead) {
  const Dataset data = load_dataset(kData);
  TrainConfig source_cfg = small_config(Method::kLightGcn, 1);
  resolve_config(source_cfg);
  source_cfg.data_fingerprint = "synthetic";
  const TrainSummary source = train(data, source_cfg);
  const Checkpoint ck{source_cfg, source.state, source.evals};
  const auto refusal = [&](const std::function<void(TrainConfig&)>& change) {
    TrainConfig cfg = small_config(Method::kRecallHash, 1);
    cfg.data_fingerprint = "synthetic";
    change(cfg);
    resolve_config(cfg);
    return input_error_of([&] { warm_start_state(ck, "src", cfg, data); });
  };
  EXPECT_NE(refusal([](TrainConfig& c) { c.dim = 64; }).find("--init-from src: that run has --dim 32 --layers 3"),
            std::string::npos);
  EXPECT_NE(refusal([](TrainConfig& c) { c.layers = 2; }).find("give the same"), std::string::npos);
  EXPECT_NE(refusal([](TrainConfig& c) { c.valid_frac = 0.1; }).find("the validation split must be the same"),
            std::string::npos);
  EXPECT_NE(refusal([](TrainConfig& c) { c.data_fingerprint = "other"; }).find("trained on other data"),
            std::string::npos);
  const std::string bgch = refusal([](TrainConfig& c) {
    c.method = Method::kBgch;
    c.dim_set = c.layers_set = true;
  });
  EXPECT_NE(bgch.find("its model is lightgcn (encoder lightgcn), whose parameters bgch"), std::string::npos) << bgch;
  EXPECT_EQ(refusal([](TrainConfig&) {}), "");  // lightgcn → recall-hash: the same table
  const std::string missing = input_error_of([] { load_init_checkpoint(::testing::TempDir() + "no-such-run"); });
  EXPECT_NE(missing.find("no such run folder"), std::string::npos) << missing;
}

TEST(TwoPhase, WarmupEpochsTrainBprThenTheMethodOnItsOwnSchedule) {
  TrainConfig c = small_config(Method::kRecallHash, 10);
  c.warmup_epochs = 4;
  c.beta_schedule = BetaSchedule::kLinear;
  c.beta = 10.0f;
  c.beta_end = 40.0f;
  resolve_config(c);
  EXPECT_TRUE(in_warmup(c, 3));
  EXPECT_FALSE(in_warmup(c, 4));
  EXPECT_EQ(phase_epochs(c), 6);
  // β and τ_cut start their schedules at the method's first epoch and end at the run's last.
  EXPECT_FLOAT_EQ(beta_at_epoch(c, 4), 10.0f);
  EXPECT_FLOAT_EQ(beta_at_epoch(c, 9), 40.0f);
  EXPECT_FLOAT_EQ(tau_cut_at_epoch(c, 4, 2000), 100.0f);  // n_items / 20
  EXPECT_FLOAT_EQ(tau_cut_at_epoch(c, 9, 2000), c.tau_cut);
  EXPECT_EQ(c.lr_after_warmup, c.lr);  // default: the same step

  const Dataset data = load_dataset(kData);
  const TrainSummary run = train(data, c);
  ASSERT_EQ(run.stop, TrainStop::kFinished) << run.stop_message;
  // BPR's loss is positive (−log σ), the smooth recall loss negative (−recall).
  EXPECT_GT(run.evals[3].loss, 0.0);
  EXPECT_LT(run.evals[4].loss, 0.0);
}

TEST(RecallNSchedule, MovesGeometricallyOverTheMethodsEpochs) {
  TrainConfig c = small_config(Method::kRecallHash, 12);
  c.warmup_epochs = 2;
  c.recall_n = 100;
  c.recall_n_end = 25;
  resolve_config(c);
  EXPECT_EQ(recall_n_at_epoch(c, 0), 100);  // the warm-up keeps the start
  EXPECT_EQ(recall_n_at_epoch(c, 2), 100);  // the method's first epoch
  EXPECT_EQ(recall_n_at_epoch(c, 11), 25);  // its last
  // Phase epoch 3 of the method's 0..9: 100·(1/4)^(3/9).
  EXPECT_EQ(recall_n_at_epoch(c, 2 + 3), static_cast<int>(std::lround(100 * std::pow(0.25, 3.0 / 9))));
  TrainConfig fixed = small_config(Method::kRecallHash, 12);
  resolve_config(fixed);
  EXPECT_EQ(fixed.recall_n_end, fixed.recall_n);
  for (int e = 0; e < 12; ++e) EXPECT_EQ(recall_n_at_epoch(fixed, e), 50);
}

TEST(UserBatch, AutoKeepsAboutAHundredStepsPerEpochCappedAt256) {
  TrainConfig c = small_config(Method::kRecallHash, 1);
  c.user_batch = -1;
  resolve_config(c);
  EXPECT_EQ(c.user_batch, -1);                // auto stays auto in the stored config
  EXPECT_EQ(user_batch_for(c, 29858), 256);   // Gowalla: the batch chosen there
  EXPECT_EQ(user_batch_for(c, 31668), 256);   // Yelp2018: capped
  EXPECT_EQ(user_batch_for(c, 1195), 11);     // 109 steps, not 5
  EXPECT_EQ(user_batch_for(c, 5), 1);
  c.user_batch = 64;
  EXPECT_EQ(user_batch_for(c, 1195), 64);     // given: always wins
  c.user_batch = 0;
  EXPECT_NE(input_error_of([&] { resolve_config(c); }).find("--user-batch"), std::string::npos);
}

TEST(TwoPhase, RefusedWhereThereIsNoBprPhase) {
  const auto refusal = [](const std::function<void(TrainConfig&)>& change) {
    TrainConfig c = small_config(Method::kRecallHash, 5);
    change(c);
    return input_error_of([&] { resolve_config(c); });
  };
  EXPECT_NE(refusal([](TrainConfig& c) { c.warmup_epochs = 5; }).find("must be below --epochs 5"),
            std::string::npos);
  EXPECT_NE(refusal([](TrainConfig& c) {
              c.method = Method::kLightGcn;
              c.warmup_epochs = 2;
            }).find("--warmup-epochs: only with --method hash-ste, recall-hash"),
            std::string::npos);
  EXPECT_NE(refusal([](TrainConfig& c) {
              c.encoder = Encoder::kNgcf;
              c.encoder_set = true;
              c.warmup_epochs = 2;
            }).find("on the lightgcn encoder"),
            std::string::npos);
}

// Stopped at the phase switch, inside the method's first epoch and late,
// then resumed from a checkpoint on disk: the same as the run never stopped.
TEST(TwoPhase, ResumesBitForBitAcrossThePhaseSwitch) {
  const Dataset data = load_dataset(kData);
  TrainConfig cfg = small_config(Method::kRecallHash, 5);
  cfg.warmup_epochs = 2;
  cfg.lr_after_warmup = 5e-4f;
  resolve_config(cfg);
  const TrainSummary whole = train(data, cfg);
  ASSERT_EQ(whole.stop, TrainStop::kFinished);
  auto backend = make_cpu_backend(1);
  const int64_t warm_batches = EpochRunner(*backend, data, cfg).batches_per_epoch();
  TrainConfig method_only = cfg;
  method_only.warmup_epochs = 0;
  const int64_t method_batches = EpochRunner(*backend, data, method_only).batches_per_epoch();
  ASSERT_NE(warm_batches, method_batches);  // the phases' epochs differ: BPR batches vs user batches
  for (const int64_t stop : {2 * warm_batches, 2 * warm_batches + 1, 2 * warm_batches + method_batches + 2}) {
    SCOPED_TRACE("stopped after " + std::to_string(stop) + " batches");
    testing::expect_same_run(whole, testing::stopped_and_resumed(data, cfg, stop));
  }
}

}  // namespace
}  // namespace bitrec

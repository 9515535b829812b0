// Option parsing, presets and validation of TrainConfig.
#include <gtest/gtest.h>

#include <cmath>

#include "bitrec/config.hpp"
#include "bitrec/config_io.hpp"
#include "bitrec/error.hpp"

namespace bitrec {
namespace {

TEST(Config, PresetsFillEpochsAndKmax) {
  TrainConfig c;
  c.method = Method::kLightGcn;
  resolve_config(c);
  EXPECT_EQ(c.epochs, 1000);
  EXPECT_EQ(c.kmax, 100);
  EXPECT_EQ(c.estimator, Estimator::kSte);
  TrainConfig h;
  resolve_config(h);
  EXPECT_EQ(h.method, Method::kRecallHash);  // the best hashing method implemented
  EXPECT_EQ(h.epochs, 100);
  TrainConfig s;
  s.method = Method::kHashSte;
  resolve_config(s);
  EXPECT_EQ(s.epochs, 200);
  EXPECT_EQ(s.estimator, Estimator::kSte);
}

TEST(Config, RejectsBadValuesNamingTheOption) {
  const auto expect_error = [](auto mutate, const std::string& option) {
    TrainConfig c;
    mutate(c);
    try {
      resolve_config(c);
      ADD_FAILURE() << "accepted a bad " << option;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(option), std::string::npos) << e.what();
    }
  };
  expect_error([](TrainConfig& c) { c.dim = 0; }, "--dim");
  expect_error([](TrainConfig& c) { c.lr = 0; }, "--lr");
  expect_error([](TrainConfig& c) { c.valid_frac = 1.0; }, "--valid-frac");
  expect_error([](TrainConfig& c) { c.topk = {0}; }, "--topk");
  expect_error([](TrainConfig& c) { c.kmax = 10; }, "--kmax");
  expect_error([](TrainConfig& c) { c.device = "tpu"; }, "--device");
  expect_error([](TrainConfig& c) { c.eval_every = 0; }, "--eval-every");
  expect_error([](TrainConfig& c) { c.lr = std::nanf(""); }, "--lr: nan is not a finite number");
  expect_error([](TrainConfig& c) { c.threads = 100000; }, "--threads: 100000 is out of range");
  expect_error([](TrainConfig& c) { c.init_std = 0; }, "--init-std");
  expect_error([](TrainConfig& c) { c.tau_cut_start = std::nanf(""); }, "--tau-cut-start");
  expect_error([](TrainConfig& c) { c.epochs = 2000000; }, "--epochs");
  expect_error([](TrainConfig& c) { c.estimator = Estimator::kDropoutSte; c.estimator_set = true; }, "--estimator");
}

TEST(Config, UnknownNamesListTheAllowedOnes) {
  try {
    parse_method("hashnet");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("lightgcn, hash-ste"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_estimator("sigmoid"), InputError);
  EXPECT_THROW(parse_beta_schedule("cosine"), InputError);
  EXPECT_EQ(parse_estimator("signswish"), Estimator::kSignswish);
}

TEST(Config, EntriesRoundTrip) {
  TrainConfig c;
  c.method = Method::kLightGcn;
  c.data = "synthetic:users=10";
  c.dim = 32;
  c.lr = 5e-4f;
  c.topk = {10, 20};
  c.beta = 2.5f;
  c.beta_schedule = BetaSchedule::kExp;
  c.seed = 123456789012345ULL;
  resolve_config(c);
  const TrainConfig back = config_from_entries(config_to_entries(c));
  EXPECT_EQ(config_to_entries(back), config_to_entries(c));
  EXPECT_EQ(back.seed, c.seed);
  EXPECT_EQ(back.lr, c.lr);
  EXPECT_THROW(config_from_entries({{"warp-speed", "9"}}), InputError);
  EXPECT_THROW(config_from_entries({{"dim", "lots"}}), InputError);
}

TEST(Config, TopkParsing) {
  EXPECT_EQ(parse_topk("20,50,100"), (std::vector<int>{20, 50, 100}));
  EXPECT_EQ(parse_topk("7"), (std::vector<int>{7}));
  EXPECT_THROW(parse_topk("20,,50"), InputError);
  EXPECT_THROW(parse_topk("20,x"), InputError);
  EXPECT_THROW(parse_topk("-3"), InputError);
  EXPECT_THROW(parse_topk("5a"), InputError);
}

TEST(Config, RecallHashPresetAndTauCutWarmup) {
  TrainConfig c;
  c.method = Method::kRecallHash;
  c.dim = 64;
  resolve_config(c);
  EXPECT_EQ(c.estimator, Estimator::kSignswish);
  EXPECT_EQ(c.epochs, 100);
  EXPECT_FLOAT_EQ(c.tau_rank, 4.0f);  // √bits / 2
  EXPECT_FLOAT_EQ(c.beta, 20.0f);
  // Warm-up over 30 of 100 epochs from n_items/20 = 2000 down to 50, geometric.
  EXPECT_FLOAT_EQ(tau_cut_at_epoch(c, 0, 40000), 2000.0f);
  EXPECT_NEAR(tau_cut_at_epoch(c, 15, 40000), std::sqrt(2000.0 * 50.0), 1e-2);
  EXPECT_FLOAT_EQ(tau_cut_at_epoch(c, 30, 40000), 50.0f);
  EXPECT_FLOAT_EQ(tau_cut_at_epoch(c, 99, 40000), 50.0f);
  // A small catalogue never starts below tau_cut.
  EXPECT_FLOAT_EQ(tau_cut_at_epoch(c, 0, 100), 50.0f);
  c.tau_cut_warmup = 0.0f;
  EXPECT_FLOAT_EQ(tau_cut_at_epoch(c, 0, 40000), 50.0f);
}

TEST(Config, BetaSchedules) {
  TrainConfig c;
  c.epochs = 11;
  c.beta = 1.0f;
  c.beta_end = 5.0f;
  c.beta_schedule = BetaSchedule::kConst;
  EXPECT_FLOAT_EQ(beta_at_epoch(c, 10), 1.0f);
  c.beta_schedule = BetaSchedule::kLinear;
  EXPECT_FLOAT_EQ(beta_at_epoch(c, 0), 1.0f);
  EXPECT_FLOAT_EQ(beta_at_epoch(c, 5), 3.0f);
  EXPECT_FLOAT_EQ(beta_at_epoch(c, 10), 5.0f);
  c.beta_schedule = BetaSchedule::kExp;
  EXPECT_NEAR(beta_at_epoch(c, 5), std::sqrt(5.0f), 1e-5);
  EXPECT_FLOAT_EQ(beta_at_epoch(c, 10), 5.0f);
}

}  // namespace
}  // namespace bitrec

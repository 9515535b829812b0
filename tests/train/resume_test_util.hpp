// Stop a run at a batch boundary, save and reload its checkpoint, resume it,
// and compare with the run never stopped: shared by the resume tests
// (test_resume.cpp) and the warm-start tests (test_warm_start.cpp).
#pragma once
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "bitrec/backend.hpp"
#include "bitrec/checkpoint.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/trainer.hpp"

namespace bitrec::testing {

// Stops after `batches` batch boundaries have been asked about.
inline std::function<bool()> stop_after(int64_t batches) {
  auto asked = std::make_shared<int64_t>(0);
  return [asked, batches] { return (*asked)++ >= batches; };
}

// Runs cfg in two sessions, stopping the first after `stop_batches` batches
// and resuming the second from a checkpoint written to disk and read back
// (on one thread where the first had two: the count must not matter).
inline TrainSummary stopped_and_resumed(const Dataset& data, const TrainConfig& cfg, int64_t stop_batches) {
  auto backend = make_cpu_backend(2);
  TrainOptions first;
  first.should_stop = stop_after(stop_batches);
  const TrainSummary part = train_model(*backend, data, cfg, nullptr, first);
  EXPECT_EQ(part.stop, TrainStop::kInterrupted) << part.stop_message;

  const std::string path = ::testing::TempDir() + "bitrec_resume_" + std::to_string(stop_batches) + ".bin";
  save_checkpoint(path, Checkpoint{cfg, part.state, part.evals});
  const Checkpoint back = load_checkpoint(path);
  std::remove(path.c_str());

  TrainOptions second;
  second.resume = &back.state;
  second.history = back.history;
  auto fresh_backend = make_cpu_backend(1);
  return train_model(*fresh_backend, data, back.config, nullptr, second);
}

// Every parameter, moment, counter and evaluation equal, bit for bit.
inline void expect_same_run(const TrainSummary& a, const TrainSummary& b) {
  EXPECT_EQ(b.stop, TrainStop::kFinished);
  EXPECT_EQ(a.state.e0, b.state.e0);
  EXPECT_EQ(a.state.adam_m, b.state.adam_m);
  EXPECT_EQ(a.state.adam_v, b.state.adam_v);
  EXPECT_EQ(a.state.adam_step, b.state.adam_step);
  ASSERT_EQ(a.state.blocks.size(), b.state.blocks.size());
  for (size_t k = 0; k < a.state.blocks.size(); ++k) {
    EXPECT_EQ(a.state.blocks[k].name, b.state.blocks[k].name);
    EXPECT_EQ(a.state.blocks[k].value, b.state.blocks[k].value) << a.state.blocks[k].name;
    EXPECT_EQ(a.state.blocks[k].adam_m, b.state.blocks[k].adam_m) << a.state.blocks[k].name;
    EXPECT_EQ(a.state.blocks[k].adam_v, b.state.blocks[k].adam_v) << a.state.blocks[k].name;
  }
  ASSERT_EQ(a.evals.size(), b.evals.size());
  for (size_t k = 0; k < a.evals.size(); ++k) {
    EXPECT_EQ(a.evals[k].epoch, b.evals[k].epoch);
    EXPECT_EQ(a.evals[k].loss, b.evals[k].loss) << "epoch " << a.evals[k].epoch;
    EXPECT_EQ(a.evals[k].test, b.evals[k].test) << "epoch " << a.evals[k].epoch;
  }
  EXPECT_EQ(a.best, b.best);
}

}  // namespace bitrec::testing

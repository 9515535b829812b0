// Timing of BGCH's batch on a real dataset (docs/bgch.md "Cost"), disabled by
// default: BITREC_BGCH_BENCH_DATA=../shared/datasets/gowalla ./bitrec_tests
// --gtest_also_run_disabled_tests --gtest_filter='*BgchBench*'. Prints the
// median stage times of a few batches and the implied seconds per epoch.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "methods/bgch/bgch_model.hpp"

namespace bitrec::bgch {
namespace {

TEST(BgchBench, DISABLED_SecondsPerEpoch) {
  const char* path = std::getenv("BITREC_BGCH_BENCH_DATA");
  if (path == nullptr) GTEST_SKIP() << "set BITREC_BGCH_BENCH_DATA";
  const Dataset data = load_dataset(path);
  TrainConfig cfg;
  cfg.method = Method::kBgch;
  const char* threads = std::getenv("BITREC_BGCH_BENCH_THREADS");
  cfg.threads = threads != nullptr ? std::atoi(threads) : 2;
  resolve_config(cfg);
  BgchModel model(cfg, data, {});
  const int batches = 8;
  std::vector<double> total;
  std::vector<StageTimes> stages;
  for (int b = 0; b < batches; ++b) {
    const auto t0 = std::chrono::steady_clock::now();
    model.train_batch(0, b, b + 1);
    total.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    stages.push_back(model.stage_times());
  }
  std::vector<double> sorted = total;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  const auto t0 = std::chrono::steady_clock::now();
  const HostOutputs out = model.outputs();
  const double outputs_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const StageTimes& s = stages.back();
  std::printf("bgch %s: %lld nodes, d %d, L %d, %d threads, batch %d, %lld batches/epoch\n", path,
              static_cast<long long>(data.n_users + data.n_items), cfg.dim, cfg.layers, cfg.threads, cfg.batch,
              static_cast<long long>(model.batches_per_epoch()));
  std::printf("median batch %.1f ms -> %.1f s/epoch; outputs() %.0f ms (%zu floats)\n", median,
              median * model.batches_per_epoch() / 1000.0, outputs_ms, out.embeddings.size());
  std::printf("last batch ms: sample %.1f disperse %.1f propagate %.1f hash %.1f loss %.1f hash_backward %.1f "
              "propagate_backward %.1f rows+adam %.1f\n",
              s.sample, s.disperse, s.propagate, s.hash, s.loss, s.hash_backward, s.propagate_backward,
              total.back() - (s.sample + s.disperse + s.propagate + s.hash + s.loss + s.hash_backward +
                              s.propagate_backward));
}

}  // namespace
}  // namespace bitrec::bgch

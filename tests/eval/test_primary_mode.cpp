// Which retrieval mode a method is selected and headlined by
// (include/bitrec/evaluate_modes.hpp): Hamming for sign codes, the real
// score for lightgcn and for bgch, whose own ranking is its α-scaled code
// score (docs/bgch.md); the trainer's best epoch follows that mode.
#include <gtest/gtest.h>

#include "bitrec/backend.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/evaluate_modes.hpp"
#include "bitrec/trainer.hpp"

namespace bitrec {
namespace {

TEST(PrimaryMode, HammingForSignCodesRealForLightgcnAndBgch) {
  EXPECT_EQ(primary_mode(Method::kRecallHash), RetrievalMode::kHamming);
  EXPECT_EQ(primary_mode(Method::kHashSte), RetrievalMode::kHamming);
  EXPECT_EQ(primary_mode(Method::kHashGnn), RetrievalMode::kHamming);
  EXPECT_EQ(primary_mode(Method::kLightGcn), RetrievalMode::kReal);
  EXPECT_EQ(primary_mode(Method::kBgch), RetrievalMode::kReal);
}

// A bgch run on the whole train split picks its best test epoch by the
// scaled score's recall@20, not by pure Hamming.
TEST(PrimaryMode, BgchBestEpochFollowsItsScaledScore) {
  const Dataset data = load_dataset("synthetic:users=200,items=150,clusters=4,per_user=12");
  TrainConfig c;
  c.method = Method::kBgch;
  c.epochs = 6;
  c.dim = 16;
  c.layers = 1;
  c.batch = 256;
  c.dim_set = c.layers_set = c.batch_set = true;
  c.eval_every = 1;
  c.topk = {20};
  resolve_config(c);
  auto backend = make_cpu_backend(2);
  const TrainSummary run = train_model(*backend, data, c, nullptr);
  ASSERT_EQ(run.stop, TrainStop::kFinished) << run.stop_message;
  ASSERT_EQ(run.best_selected_on, "test");
  const auto best_by = [&](const char* mode) {
    int best = 0;
    for (size_t k = 0; k < run.evals.size(); ++k) {
      if (run.evals[k].test.at(mode).at("recall@20") > run.evals[best].test.at(mode).at("recall@20")) {
        best = static_cast<int>(k);
      }
    }
    return best;
  };
  ASSERT_NE(best_by("real"), best_by("hamming")) << "this run cannot tell the two rules apart";
  EXPECT_EQ(run.best, best_by("real"));
}

}  // namespace
}  // namespace bitrec

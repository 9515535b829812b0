// sampleable_users / triple_sampler_view (kernels/sample_users.hpp), which
// every BPR sampler builds its view with, and the smooth recall argument
// checks the CPU and CUDA backends share (smooth_recall.hpp).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "bitrec/csr.hpp"
#include "bitrec/kernels/sample_users.hpp"
#include "bitrec/smooth_recall.hpp"

namespace bitrec {
namespace {

// 4 users x 3 items: user 0 has no item, user 1 one, user 2 all three, user 3 two.
Csr small_train() {
  Csr train;
  train.rows = 4;
  train.cols = 3;
  train.indptr = {0, 0, 1, 4, 6};
  train.indices = {2, 0, 1, 2, 0, 1};
  return train;
}

TEST(SampleUsers, KeepsUsersWithATrainAndANonTrainItem) {
  const Csr train = small_train();
  EXPECT_EQ(sampleable_users(train), (std::vector<int32_t>{1, 3}));
}

TEST(SampleUsers, ViewPointsAtTrainAndUsers) {
  const Csr train = small_train();
  const std::vector<int32_t> users = sampleable_users(train);
  const TripleSamplerView v = triple_sampler_view(users, train);
  EXPECT_EQ(v.users, users.data());
  EXPECT_EQ(v.n_users, 2u);
  EXPECT_EQ(v.indptr, train.indptr.data());
  EXPECT_EQ(v.indices, train.indices.data());
  EXPECT_EQ(v.n_items, 3u);
  int32_t t[3];
  draw_triple(7, 0, 0, v, t);
  EXPECT_TRUE(t[0] == 1 || t[0] == 3);
  EXPECT_TRUE(train.contains(t[0], t[1]));
  EXPECT_FALSE(train.contains(t[0], t[2]));
}

std::string args_error(int64_t bits, const SmoothRecallParams& params) {
  const Csr train = small_train();
  try {
    check_smooth_recall_args(bits, 4, 3, train, params);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(SmoothRecallArgs, MessagesOfTheSharedChecks) {
  SmoothRecallParams p;
  EXPECT_EQ(args_error(16, p), "");
  EXPECT_EQ(args_error(0, p), "smooth_recall: bits must be in [1, 65534]");
  EXPECT_EQ(args_error(65535, p), "smooth_recall: bits must be in [1, 65534]");
  p.tau_cut = 0.0f;
  EXPECT_EQ(args_error(16, p), "smooth_recall: needs tau_rank > 0, tau_cut > 0, recall_n >= 1 and dcg_weight >= 0");
  EXPECT_THROW(check_smooth_recall_args(16, 5, 3, small_train(), SmoothRecallParams{}), std::invalid_argument);
  EXPECT_NO_THROW(check_smooth_recall_user(3, 4));
  try {
    check_smooth_recall_user(4, 4);
    ADD_FAILURE() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "smooth_recall: user id 4 outside [0, 4)");
  }
  EXPECT_THROW(check_smooth_recall_signs(true), std::invalid_argument);
  EXPECT_NO_THROW(check_smooth_recall_signs(false));
}

}  // namespace
}  // namespace bitrec

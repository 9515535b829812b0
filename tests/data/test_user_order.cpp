// The seeded user order of user-based epochs.
#include <gtest/gtest.h>

#include <algorithm>

#include "bitrec/csr.hpp"
#include "data/user_order.hpp"

namespace bitrec {
namespace {

TEST(UserOrder, UsersWithTrainItemsOnly) {
  const Csr train = csr_from_pairs(5, 4, {{0, 1}, {2, 3}, {2, 0}, {4, 2}});
  EXPECT_EQ(users_with_train_items(train), (std::vector<int32_t>{0, 2, 4}));
}

TEST(UserOrder, SeededPermutationDiffersByEpoch) {
  std::vector<int32_t> users(1000);
  for (int i = 0; i < 1000; ++i) users[i] = 3 * i;
  const auto a = shuffled_users(users, 7, 0);
  EXPECT_EQ(a, shuffled_users(users, 7, 0));
  EXPECT_NE(a, shuffled_users(users, 7, 1));
  EXPECT_NE(a, shuffled_users(users, 8, 0));
  EXPECT_NE(a, users);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, users);  // a permutation
}

}  // namespace
}  // namespace bitrec

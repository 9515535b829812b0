// The trainer's collapse warning on hand-made code-health figures.
#include <gtest/gtest.h>

#include "train/code_health_watch.hpp"

namespace bitrec {
namespace {

CodeHealth health(int64_t distinct, double balance, double agreement) {
  CodeHealth h;
  h.distinct_items = distinct;
  h.distinct_users = distinct;
  h.bit_balance = balance;
  h.user_item_agreement = agreement;
  return h;
}

TEST(CodeHealthWatch, QuietOnHealthyCodes) {
  CodeHealthWatch watch;
  EXPECT_FALSE(watch.check(10, health(1490, 0.2, 0.52), 1500, 64));
  EXPECT_FALSE(watch.check(20, health(1495, 0.3, 0.55), 1500, 64));
}

TEST(CodeHealthWatch, WarnsOnEachSignOfCollapse) {
  {
    CodeHealthWatch watch;
    EXPECT_TRUE(watch.check(10, health(1490, 0.2, 0.92), 1500, 64));  // 59 of 64 bits agree
  }
  {
    CodeHealthWatch watch;
    EXPECT_TRUE(watch.check(10, health(1490, 0.95, 0.6), 1500, 64));  // bits stuck
  }
  {
    CodeHealthWatch watch;
    EXPECT_FALSE(watch.check(10, health(1400, 0.2, 0.55), 1500, 64));
    EXPECT_TRUE(watch.check(20, health(600, 0.2, 0.55), 1500, 64));  // distinct codes halved
  }
  {
    CodeHealthWatch watch;
    EXPECT_TRUE(watch.check(10, health(12, 0.2, 0.55), 1500, 64));  // tiny code set
  }
}

TEST(CodeHealthWatch, FewBitsMayShareCodes) {
  CodeHealthWatch watch;
  // 4 bits allow 16 codes: 16 distinct codes for 1500 items is all there can be.
  EXPECT_FALSE(watch.check(10, health(16, 0.1, 0.5), 1500, 4));
}

}  // namespace
}  // namespace bitrec

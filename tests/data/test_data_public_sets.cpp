// The public datasets under ../shared/datasets (datasets/README.md "Public
// datasets"), when present: the published
// counts, and the load time (the loader parses by hand to stay well under
// 0.3 s for Gowalla).
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <filesystem>

#include "bitrec/dataset.hpp"
#include "test_data_util.hpp"

namespace bitrec {
namespace {

struct PublishedCounts {
  const char* folder;
  int32_t users, items;
  int64_t train, test;
};

void check_public_dataset(const PublishedCounts& expected) {
  const std::string dir = std::string(BITREC_SOURCE_DIR "/../shared/datasets/") + expected.folder;
  if (!std::filesystem::exists(dir + "/train.txt")) {
    GTEST_SKIP() << dir << " not present; the " << expected.folder << " check needs it";
  }
  const auto start = std::chrono::steady_clock::now();
  const Dataset data = load_dataset(dir);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << expected.folder << " loaded in " << seconds * 1e3 << " ms\n";
  ::testing::Test::RecordProperty("load_ms", static_cast<int>(seconds * 1e3));

  EXPECT_EQ(data.name, expected.folder);
  EXPECT_EQ(data.n_users, expected.users);
  EXPECT_EQ(data.n_items, expected.items);
  EXPECT_EQ(data.train.nnz(), expected.train);
  EXPECT_EQ(data.test.nnz(), expected.test);
  EXPECT_EQ(data.duplicate_train, 0);
  EXPECT_EQ(data.duplicate_test, 0);
  EXPECT_EQ(data.overlap, 0);
  test::expect_valid_csr(data.train, expected.users, expected.items);
  test::expect_valid_csr(data.test, expected.users, expected.items);
  // A loose bound: the target is < 0.3 s; this only catches a regression to
  // token-by-token stream parsing on a loaded machine.
  EXPECT_LT(seconds, 3.0);
}

TEST(DataPublicSets, Gowalla) {
  check_public_dataset({"gowalla", 29858, 40981, 810128, 217242});
}

TEST(DataPublicSets, Yelp2018) {
  check_public_dataset({"yelp2018", 31668, 38048, 1237259, 324147});
}

}  // namespace
}  // namespace bitrec

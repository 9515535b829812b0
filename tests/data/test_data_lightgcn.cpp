// The LightGCN directory loader: good input, what it tolerates, and an error
// with file:line for every kind of bad input.
#include <gtest/gtest.h>

#include <filesystem>

#include "bitrec/dataset.hpp"
#include "test_data_util.hpp"

namespace bitrec {
namespace {

using test::input_error_of;
using test::row_of;
using test::write_lightgcn;
using V = std::vector<int32_t>;

TEST(DataLightGcn, LoadsAGoodDirectory) {
  const std::string dir = write_lightgcn(test::fresh_test_dir(), "toy",
                                         "0 1 2 3\n1 0\n2 4 2\n", "0 4\n2 0\n");
  const Dataset data = load_dataset(dir);
  EXPECT_EQ(data.name, "toy");
  EXPECT_EQ(data.source, dir);
  EXPECT_EQ(data.n_users, 3);
  EXPECT_EQ(data.n_items, 5);
  test::expect_valid_csr(data.train, 3, 5);
  test::expect_valid_csr(data.test, 3, 5);
  test::expect_valid_csr(data.valid, 3, 5);
  EXPECT_EQ(row_of(data.train, 0), (V{1, 2, 3}));
  EXPECT_EQ(row_of(data.train, 1), (V{0}));
  EXPECT_EQ(row_of(data.train, 2), (V{2, 4}));
  EXPECT_EQ(row_of(data.test, 0), (V{4}));
  EXPECT_EQ(row_of(data.test, 2), (V{0}));
  EXPECT_EQ(data.valid.nnz(), 0);
  EXPECT_TRUE(data.user_ids.empty());
  EXPECT_TRUE(data.item_ids.empty());
  EXPECT_EQ(data.duplicate_train, 0);
  EXPECT_EQ(data.duplicate_test, 0);
  EXPECT_EQ(data.overlap, 0);
}

TEST(DataLightGcn, NameIgnoresTrailingSlash) {
  const std::string dir = write_lightgcn(test::fresh_test_dir(), "gowalla_toy", "0 1\n", "0 0\n");
  EXPECT_EQ(load_dataset(dir + "/").name, "gowalla_toy");
}

TEST(DataLightGcn, CountsCoverTestIdsAndUsersWithoutItems) {
  // User 3 has a line but no items; user 4 and item 9 appear only in test.
  const std::string dir =
      write_lightgcn(test::fresh_test_dir(), "toy", "0 1\n3\n", "0 2\n4 9\n");
  const Dataset data = load_dataset(dir);
  EXPECT_EQ(data.n_users, 5);
  EXPECT_EQ(data.n_items, 10);
  EXPECT_EQ(data.train.row_size(3), 0);
  EXPECT_EQ(row_of(data.test, 4), (V{9}));
}

TEST(DataLightGcn, AcceptsCrlfBomTabsAndBlankLines) {
  const std::string dir = write_lightgcn(test::fresh_test_dir(), "toy",
                                         "\xEF\xBB\xBF" "0\t1  2\r\n\r\n   \n1 3 \t\r\n2 0",
                                         "\xEF\xBB\xBF" "0 3\r\n");
  const Dataset data = load_dataset(dir);
  EXPECT_EQ(data.n_users, 3);
  EXPECT_EQ(data.n_items, 4);
  EXPECT_EQ(row_of(data.train, 0), (V{1, 2}));
  EXPECT_EQ(row_of(data.train, 1), (V{3}));
  EXPECT_EQ(row_of(data.train, 2), (V{0}));  // last line without a newline
  EXPECT_EQ(row_of(data.test, 0), (V{3}));
}

TEST(DataLightGcn, AcceptsOldMacLineBreaks) {
  const std::string dir =
      write_lightgcn(test::fresh_test_dir(), "toy", "0 1\r1 2\r\r2 3\r", "0 2\r\n1 0\r\n");
  const Dataset data = load_dataset(dir);
  EXPECT_EQ(data.n_users, 3);
  EXPECT_EQ(row_of(data.train, 0), (V{1}));
  EXPECT_EQ(row_of(data.train, 1), (V{2}));
  EXPECT_EQ(row_of(data.train, 2), (V{3}));
  EXPECT_EQ(row_of(data.test, 1), (V{0}));
}

TEST(DataLightGcn, CountsDuplicatesAndOverlap) {
  // Train: (0,1) twice on one line, (0,2) again on a second line for user 0.
  // Test: (1,0) twice; (0,1) and (1,3) are also train pairs.
  const std::string dir = write_lightgcn(test::fresh_test_dir(), "toy",
                                         "0 1 1 2\n1 3\n0 2\n", "0 1 4\n1 0 0 3\n");
  const Dataset data = load_dataset(dir);
  EXPECT_EQ(data.duplicate_train, 2);
  EXPECT_EQ(data.duplicate_test, 1);
  EXPECT_EQ(data.overlap, 2);
  EXPECT_EQ(row_of(data.train, 0), (V{1, 2}));
  EXPECT_EQ(row_of(data.test, 0), (V{1, 4}));  // overlapping pairs stay in test
  EXPECT_EQ(row_of(data.test, 1), (V{0, 3}));
}

TEST(DataLightGcn, DeclaredCountsWidenTheShape) {
  LoadOptions options;
  options.n_items = 50;
  options.n_users = 7;
  const std::string dir = write_lightgcn(test::fresh_test_dir(), "toy", "0 1\n", "0 2\n");
  const Dataset data = load_dataset(dir, options);
  EXPECT_EQ(data.n_items, 50);
  EXPECT_EQ(data.n_users, 7);
  test::expect_valid_csr(data.train, 7, 50);
}

TEST(DataLightGcn, ItemIdAtOrAboveDeclaredCountNamesFileAndLine) {
  LoadOptions options;
  options.n_items = 5;
  const std::string dir =
      write_lightgcn(test::fresh_test_dir(), "toy", "0 1\n1 4\n", "0 2\n\n1 5\n");
  const std::string message = input_error_of([&] { load_dataset(dir, options); });
  EXPECT_NE(message.find("test.txt:3: item id 5 is not below --items 5"), std::string::npos)
      << message;
}

TEST(DataLightGcn, UserIdAtOrAboveDeclaredCountNamesFileAndLine) {
  LoadOptions options;
  options.n_users = 2;
  const std::string dir = write_lightgcn(test::fresh_test_dir(), "toy", "0 1\n2 4\n", "0 2\n");
  const std::string message = input_error_of([&] { load_dataset(dir, options); });
  EXPECT_NE(message.find("train.txt:2: user id 2 is not below --users 2"), std::string::npos)
      << message;
}

struct BadFile {
  const char* train;
  const char* test;
  const char* expected;  // a part of the message
};

class DataLightGcnBadInput : public ::testing::TestWithParam<BadFile> {};

TEST_P(DataLightGcnBadInput, ThrowsInputErrorWithFileAndLine) {
  const BadFile bad = GetParam();
  const std::string dir = write_lightgcn(test::fresh_test_dir(), "toy", bad.train, bad.test);
  const std::string message = input_error_of([&] { load_dataset(dir); });
  EXPECT_NE(message.find(bad.expected), std::string::npos) << message;
  EXPECT_EQ(message.rfind(dir, 0), 0u) << "message should start with the file path: " << message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DataLightGcnBadInput,
    ::testing::Values(
        BadFile{"0 1\n1 abc\n", "0 2\n", "train.txt:2: 'abc' is not a non-negative integer item id"},
        BadFile{"0 1\nxyz 2\n", "0 2\n", "train.txt:2: 'xyz' is not a non-negative integer user id"},
        BadFile{"0 1.5\n", "0 2\n", "train.txt:1: '1.5' is not a non-negative integer item id"},
        BadFile{"0 1\n", "0 2\n\n0 -3\n", "test.txt:3: '-3' is a negative item id"},
        BadFile{"-1 1\n", "0 2\n", "train.txt:1: '-1' is a negative user id"},
        BadFile{"0 2147483647\n", "0 2\n", "train.txt:1: '2147483647' is too large: the largest item id accepted is 2147483646"},
        BadFile{"0 1\n", "99999999999999999999999 2\n",
                "test.txt:1: '99999999999999999999999' is too large: the largest user id"},
        BadFile{"", "0 2\n", "train.txt:1: empty train file"},
        BadFile{"0 1\n", "\n0 2000000000\n",
                "test.txt:2: item id 2000000000 asks for 2000000001 items, too many for 3 "
                "lines of input: LightGCN ids must be dense"},
        BadFile{"0 1\n5000000\n", "", "train.txt:2: user id 5000000 asks for 5000001 users"},
        BadFile{"\x1F\x8B\x08\x00", "", "train.txt: gzip-compressed"},
        BadFile{"\xFF\xFE" "0\0 \0" "1\0", "", "train.txt: UTF-16 text"},
        BadFile{"0 1\x01\n", "", "train.txt:1: '1\\x01' is not a non-negative integer item id"},
        BadFile{"\n  \n0\n", "0 2\n", "train.txt:3: empty train file"}));

TEST(DataLightGcn, LargestIdIsAccepted) {
  // INT32_MAX - 1 is the largest id whose count still fits int32_t; declaring
  // a small item count keeps the test from allocating a 2^31-row CSR.
  const std::string dir =
      write_lightgcn(test::fresh_test_dir(), "toy", "0 1\n", "0 0002\n");
  EXPECT_EQ(load_dataset(dir).n_items, 3);  // leading zeros are fine
  LoadOptions options;
  options.n_items = 10;
  const std::string big = write_lightgcn(test::fresh_test_dir(), "big", "0 2147483646\n", "");
  const std::string message = input_error_of([&] { load_dataset(big, options); });
  EXPECT_NE(message.find("item id 2147483646 is not below --items 10"), std::string::npos)
      << message;
}

TEST(DataLightGcn, MissingFilesAreNamed) {
  const std::string parent = test::fresh_test_dir();
  const std::string dir = write_lightgcn(parent, "toy", "0 1\n", "0 2\n");
  std::filesystem::remove(std::filesystem::path(dir) / "test.txt");
  std::string message = input_error_of([&] { load_dataset(dir); });
  EXPECT_NE(message.find("test.txt: file not found"), std::string::npos) << message;

  std::filesystem::remove(std::filesystem::path(dir) / "train.txt");
  message = input_error_of([&] { load_dataset(dir); });
  EXPECT_NE(message.find("train.txt: file not found"), std::string::npos) << message;
}

TEST(DataLightGcn, EmptyTestFileIsLegal) {
  const std::string dir = write_lightgcn(test::fresh_test_dir(), "toy", "0 1\n1 2\n", "");
  const Dataset data = load_dataset(dir);
  EXPECT_EQ(data.test.nnz(), 0);
  EXPECT_EQ(data.n_users, 2);
}

}  // namespace
}  // namespace bitrec

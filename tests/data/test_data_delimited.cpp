// CSV / TSV loading: header columns, dense remapping in order of first
// appearance, the fixed per-user test split, and errors with file:line.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "bitrec/dataset.hpp"
#include "data/loaders.hpp"
#include "test_data_util.hpp"

namespace bitrec {
namespace {

using test::input_error_of;
using test::row_of;
using test::write_file;
using V = std::vector<int32_t>;

// Rows of the union train ∪ test, to check the loaded relation whatever the split.
std::set<std::pair<int32_t, int32_t>> all_pairs(const Dataset& data) {
  std::set<std::pair<int32_t, int32_t>> pairs;
  for (const Csr* csr : {&data.train, &data.test}) {
    for (int64_t u = 0; u < csr->rows; ++u) {
      for (int32_t i : row_of(*csr, u)) pairs.emplace(static_cast<int32_t>(u), i);
    }
  }
  return pairs;
}

TEST(DataDelimited, CsvRemapsIdsInOrderOfFirstAppearance) {
  const std::string path = write_file(test::fresh_test_dir(), "ratings.csv",
                                      "rating,user,item,time\n"
                                      "5,alice,book-9,1\n"
                                      "3,bob,book-2,2\n"
                                      "4,alice,book-2,3\n"
                                      "1,carol,pen,4\n");
  const Dataset data = load_dataset(path);
  EXPECT_EQ(data.name, "ratings");
  EXPECT_EQ(data.source, path);
  EXPECT_EQ(data.n_users, 3);
  EXPECT_EQ(data.n_items, 3);
  EXPECT_EQ(data.user_ids, (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(data.item_ids, (std::vector<std::string>{"book-9", "book-2", "pen"}));
  test::expect_valid_csr(data.train, 3, 3);
  test::expect_valid_csr(data.test, 3, 3);
  test::expect_valid_csr(data.valid, 3, 3);
  EXPECT_EQ(all_pairs(data), (std::set<std::pair<int32_t, int32_t>>{{0, 0}, {1, 1}, {0, 1}, {2, 2}}));
  EXPECT_EQ(data.overlap, 0);
}

TEST(DataDelimited, TsvWithNamedColumnsQuotesCrlfAndBom) {
  LoadOptions options;
  options.user_column = "customer id";
  options.item_column = "sku";
  const std::string path = write_file(test::fresh_test_dir(), "orders.TSV",
                                      "\xEF\xBB\xBF" "sku\tcustomer id\tnote\r\n"
                                      "A1\tc1\tfirst, with comma\r\n"
                                      "\r\n"
                                      "\"A 2\"\t c2 \t\r\n"
                                      "A1\tc2\t\"said \"\"hi\"\"\"\r\n");
  const Dataset data = load_dataset(path, options);
  EXPECT_EQ(data.name, "orders");
  EXPECT_EQ(data.user_ids, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(data.item_ids, (std::vector<std::string>{"A1", "A 2"}));
  EXPECT_EQ(all_pairs(data), (std::set<std::pair<int32_t, int32_t>>{{0, 0}, {1, 1}, {1, 0}}));
}

TEST(DataDelimited, QuotedIdsAreUnescaped) {
  const std::string path = write_file(test::fresh_test_dir(), "q.csv",
                                      "user,item\n\"a,1\",\"say \"\"x\"\"\"\n");
  const Dataset data = load_dataset(path);
  EXPECT_EQ(data.user_ids, (std::vector<std::string>{"a,1"}));
  EXPECT_EQ(data.item_ids, (std::vector<std::string>{"say \"x\""}));
}

TEST(DataDelimited, DuplicatesAreCountedOnce) {
  const std::string path = write_file(test::fresh_test_dir(), "d.csv",
                                      "user,item\nu,i\nu,j\nu,i\nu,i\nv,i\n");
  const Dataset data = load_dataset(path);
  EXPECT_EQ(data.duplicate_train, 2);
  EXPECT_EQ(data.duplicate_test, 0);
  EXPECT_EQ(data.train.nnz() + data.test.nnz(), 3);
}

TEST(DataDelimited, SplitHoldsOutAFifthOfEachUserAndIsDeterministic) {
  // 40 users with 1..40 items each.
  std::string csv = "user,item\n";
  for (int u = 0; u < 40; ++u) {
    for (int i = 0; i <= u; ++i) csv += "u" + std::to_string(u) + ",i" + std::to_string((i * 7 + u) % 60) + "\n";
  }
  const std::string path = write_file(test::fresh_test_dir(), "many.csv", csv);
  const Dataset first = load_dataset(path);
  const Dataset second = load_dataset(path);
  EXPECT_TRUE(test::same_csr(first.train, second.train));
  EXPECT_TRUE(test::same_csr(first.test, second.test));
  for (int64_t u = 0; u < first.n_users; ++u) {
    const int64_t total = first.train.row_size(u) + first.test.row_size(u);
    const int64_t expected_test = total <= 1 ? 0 : std::min<int64_t>(std::llround(0.2 * total), total - 1);
    EXPECT_EQ(first.test.row_size(u), expected_test) << "user " << u;
    EXPECT_GE(first.train.row_size(u), 1) << "user " << u;
  }
  EXPECT_EQ(first.overlap, 0);
  EXPECT_EQ(data::count_overlap(first.train, first.test), 0);
}

TEST(DataDelimited, DeclaredItemCountIsEnforcedAndPadded) {
  const std::string dir = test::fresh_test_dir();
  const std::string path = write_file(dir, "c.csv", "user,item\na,x\na,y\nb,z\n");
  LoadOptions options;
  options.n_items = 2;
  const std::string message = input_error_of([&] { load_dataset(path, options); });
  EXPECT_NE(message.find("c.csv:4: item 'z' is distinct item number 3, more than --items 2"),
            std::string::npos)
      << message;

  options.n_items = 5;
  const Dataset data = load_dataset(path, options);
  EXPECT_EQ(data.n_items, 5);
  EXPECT_EQ(data.item_ids, (std::vector<std::string>{"x", "y", "z", "#3", "#4"}));
}

struct BadCsv {
  const char* file_name;
  const char* bytes;
  const char* expected;
};

class DataDelimitedBadInput : public ::testing::TestWithParam<BadCsv> {};

TEST_P(DataDelimitedBadInput, ThrowsInputErrorWithFileAndLine) {
  const BadCsv bad = GetParam();
  const std::string path = write_file(test::fresh_test_dir(), bad.file_name, bad.bytes);
  const std::string message = input_error_of([&] { load_dataset(path); });
  EXPECT_NE(message.find(bad.expected), std::string::npos) << message;
  EXPECT_EQ(message.rfind(path, 0), 0u) << "message should start with the path: " << message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DataDelimitedBadInput,
    ::testing::Values(
        BadCsv{"a.csv", "uid,item,rating\n1,2,3\n",
               "a.csv:1: the header has no user column 'user' (columns: 'uid', 'item', 'rating')"},
        BadCsv{"a.tsv", "\n\nuser\tproduct\n", "a.tsv:3: the header has no item column 'item'"},
        BadCsv{"a.csv", "user,item,rating\n1,2,3\n4,5\n",
               "a.csv:3: row has 2 fields, the header has 3 (delimiter ',')"},
        BadCsv{"a.tsv", "user\titem\n1,2\n", "a.tsv:2: row has 1 fields, the header has 2 (delimiter tab)"},
        BadCsv{"a.csv", "user,item\n1,2,\n", "a.csv:2: row has 3 fields"},
        BadCsv{"a.csv", "user,item\n,2\n", "a.csv:2: empty user id"},
        BadCsv{"a.csv", "user,item\n1,\"\"\n", "a.csv:2: empty item id"},
        BadCsv{"a.csv", "user,item\n1,\"2\n", "a.csv:2: unterminated quote"},
        BadCsv{"a.csv", "user,item\n1,\"2\"x\n", "a.csv:2: unexpected text after a closing quote"},
        BadCsv{"a.csv", "", "a.csv:1: empty file: expected a header row"},
        BadCsv{"a.csv", "user,item\n\n", "a.csv:1: no interactions after the header row"}));

TEST(DataDelimited, HeaderNamesMatchIgnoringCaseWhenUnambiguous) {
  const std::string dir = test::fresh_test_dir();
  const Dataset data = load_dataset(write_file(dir, "m.csv", "User,ITEM\n1,2\n"));
  EXPECT_EQ(data.user_ids, (std::vector<std::string>{"1"}));
  // An exact match wins over case variants.
  EXPECT_EQ(load_dataset(write_file(dir, "e.csv", "User,user,item\nA,b,c\n")).user_ids,
            (std::vector<std::string>{"b"}));
  const std::string path = write_file(dir, "amb.csv", "User,USER,item\n1,2,3\n");
  const std::string message = input_error_of([&] { load_dataset(path); });
  EXPECT_NE(message.find("amb.csv:1: the user column 'user' matches columns 1 and 2"),
            std::string::npos)
      << message;
}

TEST(DataDelimited, SameColumnForUserAndItemIsRefused) {
  LoadOptions options;
  options.item_column = "user";
  const std::string path = write_file(test::fresh_test_dir(), "s.csv", "user,item\n1,2\n");
  const std::string message = input_error_of([&] { load_dataset(path, options); });
  EXPECT_NE(message.find("both 'user'"), std::string::npos) << message;
}

}  // namespace
}  // namespace bitrec

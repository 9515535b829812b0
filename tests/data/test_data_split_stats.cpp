// carve_validation, compute_stats, save_id_maps and the dispatch of --data.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bitrec/dataset.hpp"
#include "test_data_util.hpp"

namespace bitrec {
namespace {

using test::input_error_of;
using test::row_of;

TEST(DataValidation, SplitIsDeterministicAndKeepsInvariants) {
  const Dataset original = load_dataset("synthetic:users=500,items=300,per_user=20");
  Dataset a = original, b = original;
  carve_validation(a, 0.1, 42);
  carve_validation(b, 0.1, 42);
  EXPECT_TRUE(test::same_csr(a.train, b.train));
  EXPECT_TRUE(test::same_csr(a.valid, b.valid));
  test::expect_valid_csr(a.train, original.n_users, original.n_items);
  test::expect_valid_csr(a.valid, original.n_users, original.n_items);
  EXPECT_TRUE(test::same_csr(a.test, original.test));  // test is never touched

  for (int64_t u = 0; u < original.n_users; ++u) {
    const int64_t degree = original.train.row_size(u);
    const int64_t expected = degree <= 1 ? 0 : std::min<int64_t>(std::llround(0.1 * degree), degree - 1);
    EXPECT_EQ(a.valid.row_size(u), expected) << "user " << u;
    EXPECT_EQ(a.train.row_size(u) + a.valid.row_size(u), degree);
    // train ∪ valid is the original train row, and they are disjoint.
    std::vector<int32_t> merged = row_of(a.train, u);
    const std::vector<int32_t> valid = row_of(a.valid, u);
    merged.insert(merged.end(), valid.begin(), valid.end());
    std::sort(merged.begin(), merged.end());
    EXPECT_EQ(merged, row_of(original.train, u));
  }

  Dataset c = original;
  carve_validation(c, 0.1, 43);
  EXPECT_FALSE(test::same_csr(a.valid, c.valid));
}

TEST(DataValidation, LeavesOneTrainItemAndHandlesZero) {
  Dataset data;
  data.n_users = 3;
  data.n_items = 4;
  data.train = csr_from_pairs(3, 4, {{0, 0}, {0, 1}, {1, 2}});
  data.test = csr_from_pairs(3, 4, {});
  data.valid = csr_from_pairs(3, 4, {});
  Dataset high = data;
  carve_validation(high, 0.99, 1);
  EXPECT_EQ(high.train.row_size(0), 1);  // round(1.98) = 2, capped at 1
  EXPECT_EQ(high.valid.row_size(0), 1);
  EXPECT_EQ(high.train.row_size(1), 1);  // a single item stays
  EXPECT_EQ(high.valid.row_size(1), 0);

  Dataset none = data;
  carve_validation(none, 0.0, 1);
  EXPECT_TRUE(test::same_csr(none.train, data.train));
  test::expect_valid_csr(none.valid, 3, 4);
  EXPECT_EQ(none.valid.nnz(), 0);
}

TEST(DataValidation, FractionOutsideRangeIsAnInputError) {
  Dataset data = load_dataset("synthetic:users=20,items=50,per_user=6");
  for (double bad : {-0.1, 1.0, 1.5, std::nan("")}) {
    Dataset copy = data;
    const std::string message = input_error_of([&] { carve_validation(copy, bad, 1); });
    EXPECT_NE(message.find("--valid-frac"), std::string::npos) << message;
    EXPECT_NE(message.find("is not in [0, 1)"), std::string::npos) << message;
  }
  carve_validation(data, 0.2, 1);
  EXPECT_THROW(carve_validation(data, 0.2, 1), std::logic_error);
}

TEST(DataStats, HandCase) {
  // 4 users x 5 items. Train degrees: users 3,1,0,2; items 2,1,1,0,2.
  Dataset data;
  data.n_users = 4;
  data.n_items = 5;
  data.train = csr_from_pairs(4, 5, {{0, 0}, {0, 1}, {0, 4}, {1, 0}, {3, 2}, {3, 4}});
  data.test = csr_from_pairs(4, 5, {{0, 3}, {2, 1}});
  data.valid = csr_from_pairs(4, 5, {{3, 1}});
  const DatasetStats stats = compute_stats(data);
  EXPECT_EQ(stats.users, 4);
  EXPECT_EQ(stats.items, 5);
  EXPECT_EQ(stats.train, 6);
  EXPECT_EQ(stats.test, 2);
  EXPECT_EQ(stats.valid, 1);
  EXPECT_DOUBLE_EQ(stats.density, 6.0 / 20.0);
  EXPECT_EQ(stats.users_without_train, 1);
  EXPECT_EQ(stats.items_without_train, 1);
  EXPECT_EQ(stats.users_with_test, 2);
  // Nearest rank on sorted user degrees {0,1,2,3}: ceil(p·4/100).
  EXPECT_EQ(stats.user_degree_quantiles, (std::vector<double>{0, 0, 1, 2, 3, 3, 3}));
  // Sorted item degrees {0,1,1,2,2}: ranks 1,2,3,4,5,5,5.
  EXPECT_EQ(stats.item_degree_quantiles, (std::vector<double>{0, 1, 1, 2, 2, 2, 2}));
}

TEST(DataStats, EmptyDataset) {
  const DatasetStats stats = compute_stats(Dataset{});
  EXPECT_EQ(stats.users, 0);
  EXPECT_EQ(stats.density, 0.0);
  EXPECT_EQ(stats.user_degree_quantiles.size(), 7u);
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(DataIdMaps, WritesBothMapsForRemappedData) {
  const std::string dir = test::fresh_test_dir();
  const std::string csv =
      test::write_file(dir, "x.csv", "user,item\nann,\"b\tk\"\nbo,pen\nann,pen\n");
  const Dataset data = load_dataset(csv);
  const std::string out = dir + "/run";
  ASSERT_TRUE(save_id_maps(data, out));
  EXPECT_EQ(slurp(out + "/users.tsv"), "dense_id\texternal_id\n0\tann\n1\tbo\n");
  EXPECT_EQ(slurp(out + "/items.tsv"), "dense_id\texternal_id\n0\tb\\tk\n1\tpen\n");
}

TEST(DataIdMaps, NothingForDenseIds) {
  const std::string dir = test::fresh_test_dir();
  EXPECT_FALSE(save_id_maps(load_dataset("synthetic:users=10,items=20,per_user=5"), dir));
  EXPECT_FALSE(std::filesystem::exists(dir + "/users.tsv"));
}

TEST(DataDispatch, UnknownPathsAndFormatsAreExplained) {
  const std::string dir = test::fresh_test_dir();
  std::string message = input_error_of([&] { load_dataset(dir + "/nope"); });
  EXPECT_NE(message.find("not found"), std::string::npos) << message;
  EXPECT_NE(message.find("train.txt and test.txt, a .csv or .tsv file, session data (a session file, a sequence "
                         "file, a directory with train.tsv and test.tsv), or synthetic"),
            std::string::npos)
      << message;

  const std::string json = test::write_file(dir, "data.json", "{}");
  message = input_error_of([&] { load_dataset(json); });
  EXPECT_NE(message.find("is not a dataset"), std::string::npos) << message;

  // "0 1" also reads as a sequence file line: the LightGCN name wins.
  const std::string train = test::write_file(dir, "train.txt", "0 1\n");
  message = input_error_of([&] { load_dataset(train); });
  EXPECT_NE(message.find("pass the directory that holds them"), std::string::npos) << message;
  const std::string test_file = test::write_file(dir, "test.txt", "3 4\n");
  message = input_error_of([&] { load_dataset(test_file); });
  EXPECT_NE(message.find("pass the directory that holds them"), std::string::npos) << message;
  // The same lines under another name are a sequence file.
  const std::string sequences = test::write_file(dir, "seq.txt", "1 7\n1 8\n2 7\n2 8\n10 7\n10 8\n");
  const Dataset from_sequences = load_dataset(sequences);
  ASSERT_TRUE(from_sequences.sessions);
  EXPECT_EQ(from_sequences.sessions->format, "sequence-file");

  LoadOptions options;
  options.n_items = 3'000'000'000LL;
  message = input_error_of([&] { load_dataset("synthetic", options); });
  EXPECT_NE(message.find("--items: 3000000000 exceeds"), std::string::npos) << message;
}

}  // namespace
}  // namespace bitrec

// The synthetic generator: determinism, its keys, and that its planted
// structure is learnable — a cluster-aware scorer must beat popularity.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <numeric>

#include "bitrec/dataset.hpp"
#include "data/synthetic.hpp"
#include "test_data_util.hpp"

namespace bitrec {
namespace {

using test::input_error_of;

TEST(DataSynthetic, DefaultsAndInvariants) {
  const Dataset data = load_dataset("synthetic");
  EXPECT_EQ(data.name, "synthetic");
  EXPECT_EQ(data.source, "synthetic");
  EXPECT_EQ(data.n_users, 2000);
  EXPECT_EQ(data.n_items, 1500);
  test::expect_valid_csr(data.train, 2000, 1500);
  test::expect_valid_csr(data.test, 2000, 1500);
  test::expect_valid_csr(data.valid, 2000, 1500);
  EXPECT_TRUE(data.user_ids.empty());
  EXPECT_EQ(data.overlap, 0);
  EXPECT_EQ(data.duplicate_train, 0);

  const double total = static_cast<double>(data.train.nnz() + data.test.nnz());
  EXPECT_NEAR(total / data.n_users, 30.0, 3.0);  // per_user is the mean
  EXPECT_NEAR(data.test.nnz() / total, 0.2, 0.02);
  for (int64_t u = 0; u < data.n_users; ++u) {
    EXPECT_GE(data.train.row_size(u) + data.test.row_size(u), 5) << "user " << u;
    EXPECT_GE(data.train.row_size(u), 1) << "user " << u;
    for (const int32_t* i = data.test.row_begin(u); i != data.test.row_end(u); ++i) {
      ASSERT_FALSE(data.train.contains(u, *i));
    }
  }
}

TEST(DataSynthetic, SameSpecGivesIdenticalData) {
  const std::string spec = "synthetic:users=300,items=400,clusters=8,per_user=12,seed=11";
  const Dataset a = load_dataset(spec);
  const Dataset b = load_dataset(spec);
  EXPECT_TRUE(test::same_csr(a.train, b.train));
  EXPECT_TRUE(test::same_csr(a.test, b.test));
  EXPECT_EQ(a.n_users, 300);
  EXPECT_EQ(a.n_items, 400);

  const Dataset other_seed =
      load_dataset("synthetic:users=300,items=400,clusters=8,per_user=12,seed=12");
  EXPECT_FALSE(test::same_csr(a.train, other_seed.train));
}

TEST(DataSynthetic, KeysAreParsed) {
  const data::SyntheticSpec spec = data::parse_synthetic_spec(
      "synthetic: users=10 ,items=20,clusters=3,per_user=4.5,test_frac=0.25,affinity=0.5,"
      "zipf=0.7,seed=18446744073709551615,");
  EXPECT_EQ(spec.users, 10);
  EXPECT_EQ(spec.items, 20);
  EXPECT_EQ(spec.clusters, 3);
  EXPECT_DOUBLE_EQ(spec.per_user, 4.5);
  EXPECT_DOUBLE_EQ(spec.test_frac, 0.25);
  EXPECT_DOUBLE_EQ(spec.affinity, 0.5);
  EXPECT_DOUBLE_EQ(spec.zipf, 0.7);
  EXPECT_EQ(spec.seed, 18446744073709551615ull);
  EXPECT_EQ(data::parse_synthetic_spec("synthetic:").users, 2000);
}

TEST(DataSynthetic, BadKeysAndValuesNameTheKeyAndTheAllowedKeys) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"synthetic:colour=3", "unknown key 'colour'"},
      {"synthetic:users=abc", "users='abc' is not an integer"},
      {"synthetic:users=0", "users='0' is not an integer in [1, "},
      {"synthetic:items=5", "items='5' is not an integer in [10, "},
      {"synthetic:per_user=-2", "per_user='-2' is not a number"},
      {"synthetic:test_frac=1", "test_frac='1' is not a number in [0, 1)"},
      {"synthetic:affinity=1.5", "affinity='1.5'"},
      {"synthetic:zipf=nan", "zipf='nan'"},
      {"synthetic:seed=-1", "seed='-1'"},
      {"synthetic:users", "'users' is not key=value"},
      {"synthetic:users=5,users=6", "key 'users' given twice"},
      {"synthetic:items=100,clusters=101", "clusters=101 exceeds items=100"},
      {"synthetic:items=100,per_user=60", "per_user=60 exceeds items/2=50"},
  };
  for (const auto& [spec, expected] : cases) {
    const std::string message = input_error_of([&] { load_dataset(spec); });
    EXPECT_NE(message.find(expected), std::string::npos) << spec << " -> " << message;
    EXPECT_NE(message.find("allowed keys: users, items, clusters, per_user, test_frac"),
              std::string::npos)
        << spec << " -> " << message;
  }
}

TEST(DataSynthetic, DeclaredCountsMustAgree) {
  LoadOptions options;
  options.n_items = 1500;
  EXPECT_EQ(load_dataset("synthetic", options).n_items, 1500);
  options.n_items = 100;
  const std::string message = input_error_of([&] { load_dataset("synthetic", options); });
  EXPECT_NE(message.find("--items 100 disagrees"), std::string::npos) << message;
}

// Recall@20 averaged over users with test items, train items excluded.
double recall_at_20(const Dataset& data, const std::function<std::vector<double>(int64_t)>& score) {
  constexpr int kTop = 20;
  double total = 0.0;
  int64_t users = 0;
  std::vector<int32_t> order(data.n_items);
  for (int64_t u = 0; u < data.n_users; ++u) {
    if (data.test.row_size(u) == 0) continue;
    std::vector<double> s = score(u);
    for (const int32_t* i = data.train.row_begin(u); i != data.train.row_end(u); ++i) s[*i] = -1e300;
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + kTop, order.end(), [&](int32_t a, int32_t b) {
      return s[a] != s[b] ? s[a] > s[b] : a < b;
    });
    int hits = 0;
    for (int r = 0; r < kTop; ++r) hits += data.test.contains(u, order[r]) ? 1 : 0;
    total += static_cast<double>(hits) / static_cast<double>(data.test.row_size(u));
    ++users;
  }
  return total / static_cast<double>(users);
}

TEST(DataSynthetic, ClusterAwareScorerBeatsPopularityByFar) {
  data::SyntheticTruth truth;
  const Dataset data = data::generate_synthetic(data::SyntheticSpec{}, &truth);
  std::vector<double> popularity(data.n_items, 0.0);
  for (int32_t i : data.train.indices) popularity[i] += 1.0;

  const double popularity_recall =
      recall_at_20(data, [&](int64_t) { return popularity; });
  // Oracle-ish: the user's train items vote for their planted clusters;
  // an item scores its train popularity times its cluster's share of votes.
  const double cluster_recall = recall_at_20(data, [&](int64_t u) {
    std::vector<double> votes(20, 0.0);
    for (const int32_t* i = data.train.row_begin(u); i != data.train.row_end(u); ++i) {
      votes[truth.item_cluster[*i]] += 1.0;
    }
    std::vector<double> s(data.n_items);
    for (int32_t i = 0; i < data.n_items; ++i) {
      s[i] = (popularity[i] + 1.0) * votes[truth.item_cluster[i]];
    }
    return s;
  });
  std::cout << "synthetic recall@20: popularity " << popularity_recall << ", cluster-aware "
            << cluster_recall << "\n";
  EXPECT_GT(popularity_recall, 0.02);  // popularity is a real, if weak, signal
  EXPECT_GE(cluster_recall, 1.5 * popularity_recall);
}

TEST(DataSynthetic, StructureIsLearnableWithoutTheTruth) {
  // Item-kNN (co-occurrence, cosine-normalised) knows nothing of the planted
  // clusters; it must still find them from train data alone.
  const Dataset data = load_dataset("synthetic");
  const int32_t n = data.n_items;
  std::vector<float> cooc(static_cast<size_t>(n) * n, 0.0f);
  std::vector<double> degree(n, 0.0);
  for (int64_t u = 0; u < data.n_users; ++u) {
    for (const int32_t* a = data.train.row_begin(u); a != data.train.row_end(u); ++a) {
      degree[*a] += 1.0;
      for (const int32_t* b = data.train.row_begin(u); b != data.train.row_end(u); ++b) {
        if (*a != *b) cooc[static_cast<size_t>(*a) * n + *b] += 1.0f;
      }
    }
  }
  std::vector<double> popularity(degree);
  const double popularity_recall = recall_at_20(data, [&](int64_t) { return popularity; });
  const double knn_recall = recall_at_20(data, [&](int64_t u) {
    std::vector<double> s(n, 0.0);
    for (const int32_t* j = data.train.row_begin(u); j != data.train.row_end(u); ++j) {
      for (int32_t i = 0; i < n; ++i) {
        const float c = cooc[static_cast<size_t>(*j) * n + i];
        if (c > 0) s[i] += c / std::sqrt(degree[i] * degree[*j]);
      }
    }
    return s;
  });
  std::cout << "synthetic recall@20: popularity " << popularity_recall << ", item-kNN "
            << knn_recall << "\n";
  EXPECT_GE(knn_recall, 1.5 * popularity_recall);
}

}  // namespace
}  // namespace bitrec

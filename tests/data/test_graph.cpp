// build_normalized_graph: Â = D^-½ A D^-½ over users then items (docs/methods.md §2).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "bitrec/graph.hpp"
#include "cpu_test_util.hpp"

namespace bitrec {
namespace {

// 3 users, 4 items: u0 = {0, 1, 3}, u1 = {1}, u2 = {} ; item 2 has no user.
// Nodes: u0 0, u1 1, u2 2, i0 3, i1 4, i2 5, i3 6.
Csr hand_train() { return csr_from_pairs(3, 4, {{0, 0}, {0, 1}, {0, 3}, {1, 1}}); }

TEST(Graph, HandCaseValuesAndLayout) {
  const NormalizedGraph g = build_normalized_graph(hand_train(), 3, 4);
  EXPECT_EQ(g.n_users, 3);
  EXPECT_EQ(g.n_items, 4);
  EXPECT_EQ(g.n_nodes, 7);
  EXPECT_EQ(g.nnz(), 8);
  EXPECT_EQ(g.indptr, (std::vector<int64_t>{0, 3, 4, 4, 5, 7, 7, 8}));
  EXPECT_EQ(g.indices, (std::vector<int32_t>{3, 4, 6, 4, 0, 0, 1, 0}));
  // Degrees: u0 3, u1 1, u2 0, i0 1, i1 2, i2 0, i3 1.
  const std::vector<double> expected = {1 / std::sqrt(3.0), 1 / std::sqrt(6.0), 1 / std::sqrt(3.0),
                                        1 / std::sqrt(2.0), 1 / std::sqrt(3.0), 1 / std::sqrt(6.0),
                                        1 / std::sqrt(2.0), 1 / std::sqrt(3.0)};
  ASSERT_EQ(g.values.size(), expected.size());
  for (size_t p = 0; p < expected.size(); ++p) {
    EXPECT_EQ(g.values[p], static_cast<float>(expected[p])) << "nnz " << p;
  }
}

TEST(Graph, ZeroDegreeRowsAreEmpty) {
  const NormalizedGraph g = build_normalized_graph(hand_train(), 3, 4);
  EXPECT_EQ(g.indptr[3] - g.indptr[2], 0);  // user 2
  EXPECT_EQ(g.indptr[6] - g.indptr[5], 0);  // item 2
}

TEST(Graph, EmptyTrain) {
  const NormalizedGraph g = build_normalized_graph(csr_from_pairs(2, 3, {}), 2, 3);
  EXPECT_EQ(g.n_nodes, 5);
  EXPECT_EQ(g.nnz(), 0);
  EXPECT_EQ(g.indptr, (std::vector<int64_t>(6, 0)));
}

class GraphRandom : public ::testing::TestWithParam<uint32_t> {};

TEST_P(GraphRandom, MatchesDenseDefinitionAndIsSymmetric) {
  const int32_t m = 23, n = 31;
  const Csr train = test::random_train(m, n, 0.2, GetParam());
  const NormalizedGraph g = build_normalized_graph(train, m, n);
  const std::vector<double> dense = test::dense_normalized(train, m, n);
  const int64_t nodes = g.n_nodes;
  std::vector<double> from_csr(static_cast<size_t>(nodes * nodes), 0.0);
  for (int64_t r = 0; r < nodes; ++r) {
    for (int64_t p = g.indptr[r]; p < g.indptr[r + 1]; ++p) {
      if (p > g.indptr[r]) {
        EXPECT_LT(g.indices[p - 1], g.indices[p]) << "row " << r;
      }
      // Bipartite: users link to items only, items to users only.
      EXPECT_EQ(r < m, g.indices[p] >= m);
      from_csr[r * nodes + g.indices[p]] = g.values[p];
    }
  }
  for (int64_t r = 0; r < nodes; ++r) {
    for (int64_t c = 0; c < nodes; ++c) {
      EXPECT_NEAR(from_csr[r * nodes + c], dense[r * nodes + c], 1e-7) << r << "," << c;
      // Exactly symmetric: both halves are the same float.
      EXPECT_EQ(from_csr[r * nodes + c], from_csr[c * nodes + r]) << r << "," << c;
    }
  }
}

TEST_P(GraphRandom, RowsOfAHoldTheDegrees) {
  // nnz of row r = Σ_c A_rc = deg(r), and Â D^½ 1 = D^½ 1 (Σ_c Â_rc √deg_c = √deg_r).
  const int32_t m = 40, n = 25;
  const Csr train = test::random_train(m, n, 0.15, GetParam());
  const NormalizedGraph g = build_normalized_graph(train, m, n);
  std::vector<int64_t> item_degree(n, 0);
  for (const int32_t i : train.indices) ++item_degree[i];
  for (int64_t r = 0; r < g.n_nodes; ++r) {
    const int64_t deg = r < m ? train.row_size(r) : item_degree[r - m];
    ASSERT_EQ(g.indptr[r + 1] - g.indptr[r], deg) << "row " << r;
    double s = 0.0;
    for (int64_t p = g.indptr[r]; p < g.indptr[r + 1]; ++p) {
      const int64_t c = g.indices[p];
      const int64_t deg_c = c < m ? train.row_size(c) : item_degree[c - m];
      s += g.values[p] * std::sqrt(static_cast<double>(deg_c));
    }
    EXPECT_NEAR(s, std::sqrt(static_cast<double>(deg)), 1e-6) << "row " << r;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, GraphRandom, ::testing::Values(1u, 2u, 3u));

TEST(Graph, RejectsMismatchedTrain) {
  const Csr train = hand_train();
  EXPECT_THROW(build_normalized_graph(train, 4, 4), std::invalid_argument);
  EXPECT_THROW(build_normalized_graph(train, 3, 5), std::invalid_argument);
  Csr bad = train;
  bad.indices[0] = 7;
  EXPECT_THROW(build_normalized_graph(bad, 3, 4), std::invalid_argument);
}

}  // namespace
}  // namespace bitrec

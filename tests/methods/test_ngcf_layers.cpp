// NGCF's pieces (host/methods/ngcf) against central finite differences in
// float: one layer (both terms, LeakyReLU, bias; gradients w.r.t. W, b and
// both inputs), the row L2 normalisation into a strided concatenation, and
// the whole encoder (graph, layers, normalisation, concatenation, projection)
// w.r.t. entries of E0, W, b and P. Each loss is Σ G ⊙ output with a fixed
// random G. Step h = 2e-4: with h = 1e-3 a step of a bias (which moves a
// whole column of pre-activations) crossed LeakyReLU's kink and missed by up
// to 15 %. Tolerance |analytic − fd| ≤ 2e-3 + 2e-2·|fd|: float rounding of a
// loss of order 1-5 (~3e-7) over 2h gives ≤ 1e-3 absolute noise; a wrong
// term is off by O(|fd|).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "cpu_test_util.hpp"
#include "methods/ngcf/ngcf_encoder.hpp"
#include "methods/ngcf/ngcf_layer.hpp"
#include "methods/ngcf/ngcf_norm.hpp"

namespace bitrec::ngcf {
namespace {

double weighted_sum(const std::vector<float>& out, const std::vector<float>& g) {
  double s = 0.0;
  for (size_t k = 0; k < out.size(); ++k) s += static_cast<double>(out[k]) * g[k];
  return s;
}

using test::central_difference;

void expect_close(double analytic, double fd, const std::string& what) {
  EXPECT_NEAR(analytic, fd, 2e-3 + 2e-2 * std::fabs(fd)) << what;
}

TEST(NgcfLayer, BackwardMatchesFiniteDifferences) {
  const int64_t n = 7;
  const int d = 5;
  std::vector<float> s = test::random_vector(n * d, 1.0f, 1), e = test::random_vector(n * d, 1.0f, 2);
  std::vector<float> w = test::random_vector(2 * d * d, 0.6f, 3), b = test::random_vector(d, 0.3f, 4);
  const std::vector<float> g = test::random_vector(n * d, 1.0f, 5);
  std::vector<float> h(2 * n * d), out(n * d);
  auto loss = [&] {
    layer_inputs(s.data(), e.data(), h.data(), n, d, 1);
    layer_forward(h.data(), w.data(), b.data(), out.data(), n, d, 1);
    return weighted_sum(out, g);
  };
  loss();
  int negative = 0;
  for (float v : out) negative += v < 0.0f;
  ASSERT_GT(negative, 3);  // both branches of LeakyReLU are exercised
  std::vector<float> dpre(n * d), dh(2 * n * d), wt(2 * d * d), dw(2 * d * d), db(d), ds(n * d), de(n * d, 0.0f);
  layer_backward(s.data(), e.data(), h.data(), w.data(), out.data(), g.data(), dpre.data(), dh.data(), wt.data(),
                 dw.data(), db.data(), ds.data(), de.data(), n, d, 2);
  const float step = 2e-4f;
  for (size_t k = 0; k < w.size(); ++k) expect_close(dw[k], central_difference(w, k, step, loss), "W " + std::to_string(k));
  for (size_t k = 0; k < b.size(); ++k) expect_close(db[k], central_difference(b, k, step, loss), "b " + std::to_string(k));
  for (size_t k = 0; k < s.size(); ++k) expect_close(ds[k], central_difference(s, k, step, loss), "S " + std::to_string(k));
  for (size_t k = 0; k < e.size(); ++k) expect_close(de[k], central_difference(e, k, step, loss), "E " + std::to_string(k));
}

TEST(NgcfLayer, NormalizeBackwardMatchesFiniteDifferencesInAStridedConcatenation) {
  const int64_t n = 6, ld = 12;
  const int d = 4;
  std::vector<float> x = test::random_vector(n * d, 1.0f, 7);
  const std::vector<float> g = test::random_vector(n * ld, 1.0f, 8);
  std::vector<float> y(n * ld, 0.0f);
  auto loss = [&] {
    normalize_rows_forward(x.data(), y.data() + 4, ld, n, d, 1);  // columns 4..7 of the concatenation
    return weighted_sum(y, g);
  };
  loss();
  for (int64_t r = 0; r < n; ++r) {
    double norm = 0.0;
    for (int k = 0; k < d; ++k) norm += static_cast<double>(y[r * ld + 4 + k]) * y[r * ld + 4 + k];
    EXPECT_NEAR(norm, 1.0, 1e-6);
    EXPECT_EQ(y[r * ld + 0], 0.0f);  // other segments untouched
  }
  std::vector<float> dx(n * d, 0.0f);
  normalize_rows_backward(x.data(), y.data() + 4, g.data() + 4, ld, dx.data(), n, d, 2);
  for (size_t k = 0; k < x.size(); ++k) {
    expect_close(dx[k], central_difference(x, k, 2e-4f, loss), "x " + std::to_string(k));
  }
}

// The encoder's parameter blocks with random values.
std::vector<ParamBlock> random_blocks(int64_t nodes, int d, int layers, bool project) {
  std::vector<ParamBlock> p;
  auto add = [&](const std::string& name, int64_t rows, int64_t cols, float scale, uint32_t seed) {
    ParamBlock b;
    b.name = name;
    b.rows = rows;
    b.cols = cols;
    b.value = test::random_vector(static_cast<size_t>(rows * cols), scale, seed);
    p.push_back(b);
  };
  add("E0", nodes, d, 1.0f, 20);
  for (int l = 0; l < layers; ++l) {
    add("W." + std::to_string(l), 2 * d, d, 0.7f, 21 + l);
    add("b." + std::to_string(l), 1, d, 0.2f, 31 + l);
  }
  if (project) add("P", (layers + 1) * d, d, 0.5f, 41);
  return p;
}

void check_encoder(int layers, bool project) {
  SCOPED_TRACE("layers " + std::to_string(layers) + (project ? ", projected" : ", concatenation"));
  const int32_t m = 6, n_items = 7;
  const int d = 4;
  const Csr train = test::random_train(m, n_items, 0.4, 11);
  const NormalizedGraph graph = build_normalized_graph(train, m, n_items);
  const int64_t nodes = m + n_items;
  std::vector<ParamBlock> p = random_blocks(nodes, d, layers, project);
  NgcfEncoder encoder(graph, nodes, d, layers, project, 2);
  const int width = encoder.out_dim();
  ASSERT_EQ(width, project ? d : (layers + 1) * d);
  const std::vector<float> g = test::random_vector(static_cast<size_t>(nodes * width), 1.0f, 12);
  auto loss = [&] {
    const float* out = encoder.forward(p);
    return weighted_sum(std::vector<float>(out, out + nodes * width), g);
  };
  loss();
  std::vector<std::vector<float>> grads;
  encoder.backward(p, g.data(), grads);
  ASSERT_EQ(grads.size(), p.size());
  double largest = 0.0;
  for (size_t block = 0; block < p.size(); ++block) {
    const size_t size = p[block].value.size();
    for (size_t k = 0; k < size; k += std::max<size_t>(1, size / 9)) {
      // Rows of the zero-degree last user (6) and item (12) are among E0's checked entries.
      expect_close(grads[block][k], central_difference(p[block].value, k, 2e-4f, loss),
                   p[block].name + " entry " + std::to_string(k));
      largest = std::max(largest, std::fabs(static_cast<double>(grads[block][k])));
    }
  }
  EXPECT_GT(largest, 1e-2);
}

TEST(NgcfEncoder, BackwardMatchesFiniteDifferences) {
  for (int layers : {2, 1, 0}) {
    check_encoder(layers, true);
    check_encoder(layers, false);
  }
}

TEST(NgcfEncoder, SameBitsWhateverTheThreads) {
  const int32_t m = 40, n_items = 30;
  const int d = 8, layers = 2;
  const Csr train = test::random_train(m, n_items, 0.2, 13);
  const NormalizedGraph graph = build_normalized_graph(train, m, n_items);
  const std::vector<ParamBlock> p = random_blocks(m + n_items, d, layers, true);
  const std::vector<float> g = test::random_vector(static_cast<size_t>((m + n_items) * d), 1.0f, 14);
  std::vector<std::vector<float>> outs, grads;
  for (int threads : {1, 2}) {
    NgcfEncoder encoder(graph, m + n_items, d, layers, true, threads);
    const float* out = encoder.forward(p);
    outs.emplace_back(out, out + (m + n_items) * d);
    std::vector<std::vector<float>> gr;
    encoder.backward(p, g.data(), gr);
    std::vector<float> flat;
    for (const auto& v : gr) flat.insert(flat.end(), v.begin(), v.end());
    grads.push_back(flat);
  }
  EXPECT_EQ(outs[0], outs[1]);
  EXPECT_EQ(grads[0], grads[1]);
}

}  // namespace
}  // namespace bitrec::ngcf

// GRU4Rec's one-hot input layer (the official GRUEmbedding): host/cpu/
// gru_embedding_cpu and the element rules of include/bitrec/kernels/
// gru_cell.hpp against a double reference written from the official
// forward, gradients against central differences in double, a hand-computed
// element, and the layer bitwise the same on 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "bitrec/kernels/gru_cell.hpp"
#include "cpu/gru_embedding_cpu.hpp"
#include "cpu_test_util.hpp"

namespace bitrec {
namespace {

using test::random_vector;

double sigmoid_ref(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The official GRUEmbedding.forward in double:
//   Vx = Wx0[X] + Bh0 → (x, r, z); Vrz = H·Wrz0 → (r, z);
//   r = σ, z = σ, h = tanh((r ⊙ H)·Wh0 + vx_x); out = (1 − z) ⊙ H + z ⊙ h.
struct EmbeddingRef {
  int hidden;
  std::vector<double> w_x, w_rz, w_h, b;

  std::vector<double> forward(const std::vector<int32_t>& items, const std::vector<double>& h) const {
    const int hd = hidden;
    const int batch = static_cast<int>(items.size());
    std::vector<double> out(static_cast<size_t>(batch) * hd);
    for (int row = 0; row < batch; ++row) {
      const double* vx = &w_x[static_cast<size_t>(items[row]) * 3 * hd];
      const double* hp = &h[static_cast<size_t>(row) * hd];
      std::vector<double> r(hd), z(hd);
      for (int j = 0; j < hd; ++j) {
        double vr = vx[hd + j] + b[hd + j], vz = vx[2 * hd + j] + b[2 * hd + j];
        for (int i = 0; i < hd; ++i) {
          vr += hp[i] * w_rz[i * 2 * hd + j];
          vz += hp[i] * w_rz[i * 2 * hd + hd + j];
        }
        r[j] = sigmoid_ref(vr);
        z[j] = sigmoid_ref(vz);
      }
      for (int j = 0; j < hd; ++j) {
        double a = vx[j] + b[j];
        for (int i = 0; i < hd; ++i) a += r[i] * hp[i] * w_h[i * hd + j];
        out[row * hd + j] = (1.0 - z[j]) * hp[j] + z[j] * std::tanh(a);
      }
    }
    return out;
  }
};

struct EmbeddingCase {
  int items_count, hidden;
  std::vector<float> w_x, w_rz, w_h, b, h;
  std::vector<int32_t> items;
  gru::GruEmbeddingWeights weights() const { return {w_x.data(), w_rz.data(), w_h.data(), b.data(), hidden}; }
  EmbeddingRef ref() const {
    return {hidden, test::to_double(w_x), test::to_double(w_rz), test::to_double(w_h), test::to_double(b)};
  }
};

// `batch` rows over `n_items` items; item 2 is read by two rows, so W_x's
// row gradients must be summed where rows repeat.
EmbeddingCase make_case(int batch, int n_items, int hidden, uint32_t seed) {
  EmbeddingCase c{n_items,
                  hidden,
                  random_vector(static_cast<size_t>(n_items) * 3 * hidden, 0.7f, seed),
                  random_vector(static_cast<size_t>(hidden) * 2 * hidden, 0.6f, seed + 1),
                  random_vector(static_cast<size_t>(hidden) * hidden, 0.6f, seed + 2),
                  random_vector(static_cast<size_t>(3 * hidden), 0.5f, seed + 3),
                  random_vector(static_cast<size_t>(batch) * hidden, 0.9f, seed + 4),
                  {}};
  for (int row = 0; row < batch; ++row) c.items.push_back((row * 5 + 2) % n_items);
  c.items[batch - 1] = 2;
  c.items[0] = 2;
  return c;
}

TEST(GruEmbeddingLayer, HandComputedElement) {
  // One row, H = 1, all weights 0 but W_x's row: vx = (x 0.3, r 0, z 0),
  // h = 0.8 → r = z = ½, c = tanh(0.3), h' = ½·0.8 + ½·tanh(0.3).
  const std::vector<float> w_x{0.3f, 0.0f, 0.0f}, w_rz{0.0f, 0.0f}, w_h{0.0f}, b{0.0f, 0.0f, 0.0f};
  const int32_t item = 0;
  const float h_prev = 0.8f;
  float h_new = 0.0f;
  gru::gru_embedding_forward({w_x.data(), w_rz.data(), w_h.data(), b.data(), 1}, &item, &h_prev, 1, &h_new, nullptr,
                             1);
  EXPECT_FLOAT_EQ(h_new, 0.4f + 0.5f * std::tanh(0.3f));
  // The gate rules alone.
  const GruEmbeddingGates g = gru_embedding_gates(0.0f, 0.0f, 0.0f, 0.0f);
  EXPECT_FLOAT_EQ(g.r, 0.5f);
  EXPECT_FLOAT_EQ(g.z, 0.5f);
  EXPECT_FLOAT_EQ(gru_embedding_output(0.25f, 1.0f, 0.0f), 0.25f);  // z weighs the candidate
}

TEST(GruEmbeddingLayer, ForwardMatchesTheOfficialFormulaInDouble) {
  const EmbeddingCase c = make_case(6, 9, 5, 11);
  std::vector<float> h_new(c.h.size());
  gru::GruEmbeddingCache cache;
  gru::gru_embedding_forward(c.weights(), c.items.data(), c.h.data(), 6, h_new.data(), &cache, 2);
  const auto want = c.ref().forward(c.items, test::to_double(c.h));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(h_new[i], want[i], 5e-7) << i;
  // In place over the hidden state, without a cache: the same values.
  std::vector<float> h = c.h;
  gru::gru_embedding_forward(c.weights(), c.items.data(), h.data(), 6, h.data(), nullptr, 2);
  EXPECT_EQ(h, h_new);
  EXPECT_EQ(cache.h_prev, c.h);
}

TEST(GruEmbeddingLayer, BackwardMatchesCentralDifferencesOfAWeightedSum) {
  const int batch = 6, n_items = 9, hd = 5;
  const EmbeddingCase c = make_case(batch, n_items, hd, 21);
  const auto coef_f = random_vector(static_cast<size_t>(batch) * hd, 1.0f, 31);
  const std::vector<double> coef = test::to_double(coef_f);
  std::vector<float> h_new(c.h.size());
  gru::GruEmbeddingCache cache;
  gru::gru_embedding_forward(c.weights(), c.items.data(), c.h.data(), batch, h_new.data(), &cache, 2);
  // Dense gradients start at 0.5 to check they are accumulated, not written.
  std::vector<float> g_rz(c.w_rz.size(), 0.5f), g_h(c.w_h.size(), 0.5f), g_b(c.b.size(), 0.5f),
      rows(static_cast<size_t>(batch) * 3 * hd, 9.0f);
  gru::gru_embedding_backward(c.weights(), cache, coef_f.data(), batch, {g_rz.data(), g_h.data(), g_b.data(), rows.data()},
                              2);
  // W_x's gradient: the rows summed per item, as the optimiser coalesces them.
  std::vector<float> g_x(c.w_x.size(), 0.0f);
  for (int row = 0; row < batch; ++row) {
    for (int k = 0; k < 3 * hd; ++k) g_x[c.items[row] * 3 * hd + k] += rows[row * 3 * hd + k];
  }

  EmbeddingRef ref = c.ref();
  const std::vector<double> h = test::to_double(c.h);
  const auto loss = [&](const std::vector<double>&) {
    const auto out = ref.forward(c.items, h);
    double s = 0.0;
    for (size_t i = 0; i < out.size(); ++i) s += coef[i] * out[i];
    return s;
  };
  const auto check = [&](std::vector<double>& param, const std::vector<float>& got, float offset, const char* what) {
    for (size_t i = 0; i < param.size(); ++i) {
      const double fd = test::central_difference(param, i, 1e-6, loss);
      ASSERT_NEAR(got[i] - offset, fd, 2e-6) << what << " [" << i << "]";
    }
  };
  check(ref.w_x, g_x, 0.0f, "w_x");
  check(ref.w_rz, g_rz, 0.5f, "w_rz");
  check(ref.w_h, g_h, 0.5f, "w_h");
  check(ref.b, g_b, 0.5f, "b");
}

TEST(GruEmbeddingLayer, ForwardAndBackwardDoNotDependOnThreads) {
  const int batch = 257, n_items = 40, hd = 33;
  const EmbeddingCase c = make_case(batch, n_items, hd, 41);
  const auto d_out = random_vector(static_cast<size_t>(batch) * hd, 1.0f, 51);
  const auto run = [&](int threads) {
    std::vector<float> h(c.h.size()), g_rz(c.w_rz.size()), g_h(c.w_h.size()), g_b(c.b.size()),
        rows(static_cast<size_t>(batch) * 3 * hd);
    gru::GruEmbeddingCache cache;
    gru::gru_embedding_forward(c.weights(), c.items.data(), c.h.data(), batch, h.data(), &cache, threads);
    gru::gru_embedding_backward(c.weights(), cache, d_out.data(), batch, {g_rz.data(), g_h.data(), g_b.data(), rows.data()},
                                threads);
    return std::vector<std::vector<float>>{h, g_rz, g_h, g_b, rows};
  };
  EXPECT_EQ(run(1), run(2));
}

}  // namespace
}  // namespace bitrec

// GRU4Rec's cell and optimizer: include/bitrec/kernels/gru_cell.hpp's element
// rules and host/cpu/gru_cpu's layer step against double references written
// from PyTorch's GRUCell, gradients against central differences in double,
// the layer bitwise the same on 1 and 2 threads, IndexedAdagradM against
// hand-computed steps, and dropout's keep rate against a binomial bound.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "bitrec/kernels/gru_cell.hpp"
#include "bitrec/kernels/philox.hpp"
#include "cpu/gru_cpu.hpp"
#include "cpu_test_util.hpp"

namespace bitrec {
namespace {

using test::random_vector;

double sigmoid_ref(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// PyTorch's GRUCell element in double: v = (gi_r, gi_z, gi_n, gh_r, gh_z, gh_n, h).
double gate_ref(const std::vector<double>& v) {
  const double r = sigmoid_ref(v[0] + v[3]);
  const double z = sigmoid_ref(v[1] + v[4]);
  const double n = std::tanh(v[2] + r * v[5]);
  return (1.0 - z) * n + z * v[6];
}

// A GRUCell layer over a batch in double, straight from the definition.
struct LayerRef {
  int batch, in, hidden;
  std::vector<double> w_ih, w_hh, b_ih, b_hh;

  std::vector<double> forward(const std::vector<double>& x, const std::vector<double>& h) const {
    const int g3 = 3 * hidden;
    std::vector<double> out(static_cast<size_t>(batch) * hidden);
    for (int b = 0; b < batch; ++b) {
      for (int k = 0; k < hidden; ++k) {
        double gi[3], gh[3];
        for (int g = 0; g < 3; ++g) {
          const int col = g * hidden + k;
          gi[g] = b_ih[col];
          for (int i = 0; i < in; ++i) gi[g] += x[b * in + i] * w_ih[i * g3 + col];
          gh[g] = b_hh[col];
          for (int i = 0; i < hidden; ++i) gh[g] += h[b * hidden + i] * w_hh[i * g3 + col];
        }
        out[b * hidden + k] = gate_ref({gi[0], gi[1], gi[2], gh[0], gh[1], gh[2], h[b * hidden + k]});
      }
    }
    return out;
  }
};

double weighted_sum(const std::vector<double>& c, const std::vector<double>& h) {
  double s = 0.0;
  for (size_t i = 0; i < h.size(); ++i) s += c[i] * h[i];
  return s;
}

TEST(GruCell, GateForwardMatchesADoubleReference) {
  const auto v = random_vector(7 * 40, 2.5f, 1);
  for (int t = 0; t < 40; ++t) {
    const float* a = v.data() + 7 * t;
    const std::vector<double> d(a, a + 7);
    const GruGates g = gru_gate_forward(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    const double r = sigmoid_ref(d[0] + d[3]), z = sigmoid_ref(d[1] + d[4]);
    const double n = std::tanh(d[2] + r * d[5]);
    EXPECT_NEAR(g.r, r, 1e-7);
    EXPECT_NEAR(g.z, z, 1e-7);
    EXPECT_NEAR(g.n, n, 3e-7);
    EXPECT_NEAR(g.h_new, gate_ref(d), 3e-7);
  }
  // By hand: all pre-activations 0 → r = z = ½, n = 0, h' = ½·h.
  const GruGates g = gru_gate_forward(0, 0, 0, 0, 0, 0.7f, 0.6f);
  EXPECT_FLOAT_EQ(g.r, 0.5f);
  EXPECT_FLOAT_EQ(g.n, std::tanh(0.35f));
  EXPECT_FLOAT_EQ(g.h_new, 0.5f * std::tanh(0.35f) + 0.3f);
}

TEST(GruCell, GateBackwardMatchesCentralDifferences) {
  const auto v = random_vector(8 * 30, 2.0f, 2);
  for (int t = 0; t < 30; ++t) {
    const float* a = v.data() + 8 * t;
    const float d_h = a[7];
    const GruGates g = gru_gate_forward(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    const GruGateGrads d = gru_gate_backward(g.r, g.z, g.n, a[5], a[6], d_h);
    std::vector<double> x(a, a + 7);
    const auto f = [&](const std::vector<double>& p) { return d_h * gate_ref(p); };
    const float got[7] = {d.d_gi_r, d.d_gi_z, d.d_gi_n, d.d_gh_r, d.d_gh_z, d.d_gh_n, d.d_h_prev};
    for (int i = 0; i < 7; ++i) {
      const double fd = test::central_difference(x, static_cast<size_t>(i), 1e-6, f);
      EXPECT_NEAR(got[i], fd, 2e-6 * (std::fabs(d_h) + 1e-3)) << "input " << i << " case " << t;
    }
    EXPECT_EQ(d.d_gi_r, d.d_gh_r);
    EXPECT_EQ(d.d_gi_z, d.d_gh_z);
    EXPECT_EQ(d.d_gh_n, d.d_gi_n * g.r);
  }
}

struct LayerCase {
  int batch, in, hidden;
  std::vector<float> w_ih, w_hh, b_ih, b_hh, x, h;
  gru::GruLayerWeights weights() const {
    return {w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data(), in, hidden};
  }
  LayerRef ref() const {
    return {batch, in, hidden, test::to_double(w_ih), test::to_double(w_hh),
            test::to_double(b_ih), test::to_double(b_hh)};
  }
};

LayerCase make_layer(int batch, int in, int hidden, uint32_t seed) {
  const int g3 = 3 * hidden;
  return {batch,
          in,
          hidden,
          random_vector(static_cast<size_t>(in) * g3, 0.6f, seed),
          random_vector(static_cast<size_t>(hidden) * g3, 0.6f, seed + 1),
          random_vector(g3, 0.5f, seed + 2),
          random_vector(g3, 0.5f, seed + 3),
          random_vector(static_cast<size_t>(batch) * in, 1.0f, seed + 4),
          random_vector(static_cast<size_t>(batch) * hidden, 0.9f, seed + 5)};
}

TEST(GruLayer, ForwardMatchesANaiveDoubleLayer) {
  const LayerCase c = make_layer(5, 7, 6, 10);
  std::vector<float> h_new(5 * 6);
  gru::GruLayerCache cache;
  gru::gru_layer_forward(c.weights(), c.x.data(), c.h.data(), 5, h_new.data(), &cache, 2);
  const auto want = c.ref().forward(test::to_double(c.x), test::to_double(c.h));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(h_new[i], want[i], 5e-7) << i;
  // Without a cache, and in place over the hidden state: the same values.
  std::vector<float> h = c.h;
  gru::gru_layer_forward(c.weights(), c.x.data(), h.data(), 5, h.data(), nullptr, 2);
  EXPECT_EQ(h, h_new);
  EXPECT_EQ(cache.x, c.x);
  EXPECT_EQ(cache.h_prev, c.h);
}

TEST(GruLayer, BackwardMatchesCentralDifferencesOfAWeightedSum) {
  const int batch = 5, in = 7, hd = 6, g3 = 3 * hd;
  const LayerCase c = make_layer(batch, in, hd, 20);
  const auto coef_f = random_vector(static_cast<size_t>(batch) * hd, 1.0f, 30);
  const std::vector<double> coef = test::to_double(coef_f);
  std::vector<float> h_new(batch * hd);
  gru::GruLayerCache cache;
  gru::gru_layer_forward(c.weights(), c.x.data(), c.h.data(), batch, h_new.data(), &cache, 2);
  // Gradients start at 0.5 to check they are accumulated, not written.
  std::vector<float> gw_ih(c.w_ih.size(), 0.5f), gw_hh(c.w_hh.size(), 0.5f),
      gb_ih(g3, 0.5f), gb_hh(g3, 0.5f), d_x(batch * in), d_h(batch * hd);
  gru::gru_layer_backward(c.weights(), cache, coef_f.data(), batch,
                          {gw_ih.data(), gw_hh.data(), gb_ih.data(), gb_hh.data()}, d_x.data(),
                          d_h.data(), 2);

  LayerRef ref = c.ref();
  std::vector<double> x = test::to_double(c.x), h = test::to_double(c.h);
  const auto loss = [&](const std::vector<double>&) { return weighted_sum(coef, ref.forward(x, h)); };
  // Analytic gradients sum ≤ in + H terms of size ~1 in float: 2e-6 absolute
  // is float rounding; a wrong term is ~1e-1.
  const auto check = [&](std::vector<double>& param, const std::vector<float>& got, float offset,
                         const char* what) {
    for (size_t i = 0; i < param.size(); ++i) {
      const double fd = test::central_difference(param, i, 1e-6, loss);
      ASSERT_NEAR(got[i] - offset, fd, 2e-6) << what << " [" << i << "]";
    }
  };
  check(ref.w_ih, gw_ih, 0.5f, "w_ih");
  check(ref.w_hh, gw_hh, 0.5f, "w_hh");
  check(ref.b_ih, gb_ih, 0.5f, "b_ih");
  check(ref.b_hh, gb_hh, 0.5f, "b_hh");
  check(x, d_x, 0.0f, "d_x");
  check(h, d_h, 0.0f, "d_h_prev");
}

TEST(GruLayer, ForwardAndBackwardDoNotDependOnThreads) {
  // Enough rows for the products to split across threads and chunks.
  const int batch = 301, in = 40, hd = 33, g3 = 3 * hd;
  const LayerCase c = make_layer(batch, in, hd, 40);
  const auto d_out = random_vector(static_cast<size_t>(batch) * hd, 1.0f, 50);
  struct Result {
    std::vector<float> h, gw_ih, gw_hh, gb_ih, gb_hh, d_x, d_h;
  };
  const auto run = [&](int threads) {
    Result r{std::vector<float>(batch * hd), std::vector<float>(c.w_ih.size()),
             std::vector<float>(c.w_hh.size()), std::vector<float>(g3), std::vector<float>(g3),
             std::vector<float>(batch * in), std::vector<float>(batch * hd)};
    gru::GruLayerCache cache;
    gru::gru_layer_forward(c.weights(), c.x.data(), c.h.data(), batch, r.h.data(), &cache, threads);
    gru::gru_layer_backward(c.weights(), cache, d_out.data(), batch,
                            {r.gw_ih.data(), r.gw_hh.data(), r.gb_ih.data(), r.gb_hh.data()},
                            r.d_x.data(), r.d_h.data(), threads);
    return r;
  };
  const Result one = run(1), two = run(2);
  EXPECT_EQ(one.h, two.h);
  EXPECT_EQ(one.gw_ih, two.gw_ih);
  EXPECT_EQ(one.gw_hh, two.gw_hh);
  EXPECT_EQ(one.gb_ih, two.gb_ih);
  EXPECT_EQ(one.gb_hh, two.gb_hh);
  EXPECT_EQ(one.d_x, two.d_x);
  EXPECT_EQ(one.d_h, two.d_h);
}

TEST(GruOptimizer, AdagradMUpdateMatchesHandComputedSteps) {
  // acc 0.5 + 2² = 4.5; step = −0.1·2/√(4.5 + 1e-6).
  const double step1 = -0.2 / std::sqrt(4.500001);
  float p = 1.0f, acc = 0.5f;
  adagrad_m_update(&p, &acc, nullptr, 2.0f, 0.1f, 0.0f, 1e-6f);
  EXPECT_FLOAT_EQ(acc, 4.5f);
  EXPECT_NEAR(p, 1.0 + step1, 1e-7);
  // Second step, g = −1: acc 5.5, step = 0.1/√5.500001.
  const double step2 = 0.1 / std::sqrt(5.500001);
  adagrad_m_update(&p, &acc, nullptr, -1.0f, 0.1f, 0.0f, 1e-6f);
  EXPECT_NEAR(p, 1.0 + step1 + step2, 1e-7);

  // Momentum 0.3 from mom 0.2: mom = 0.06 + step1, p += mom; then
  // mom = 0.3·mom + step2, p += mom.
  float pm = 1.0f, accm = 0.5f, mom = 0.2f;
  adagrad_m_update(&pm, &accm, &mom, 2.0f, 0.1f, 0.3f, 1e-6f);
  const double mom1 = 0.3 * 0.2 + step1;
  EXPECT_NEAR(mom, mom1, 1e-7);
  EXPECT_NEAR(pm, 1.0 + mom1, 1e-7);
  adagrad_m_update(&pm, &accm, &mom, -1.0f, 0.1f, 0.3f, 1e-6f);
  const double mom2 = 0.3 * mom1 + step2;
  EXPECT_NEAR(mom, mom2, 1e-7);
  EXPECT_NEAR(pm, 1.0 + mom1 + mom2, 1e-7);
}

TEST(GruOptimizer, AdagradRowsSumsRepeatedRowsThenUpdatesEachOnce) {
  const int64_t table_rows = 9, cols = 5;
  const std::vector<int32_t> rows = {3, 7, 3, 0, 7, 3, 5};
  const int64_t n = static_cast<int64_t>(rows.size());
  const auto grads = random_vector(static_cast<size_t>(n * cols), 1.0f, 60);
  const auto param0 = random_vector(static_cast<size_t>(table_rows * cols), 1.0f, 61);
  const auto acc_f = random_vector(static_cast<size_t>(table_rows * cols), 1.0f, 62);
  std::vector<float> acc0(acc_f.size());
  for (size_t i = 0; i < acc0.size(); ++i) acc0[i] = std::fabs(acc_f[i]);
  const auto mom0 = random_vector(static_cast<size_t>(table_rows * cols), 0.1f, 63);

  for (const float momentum : {0.0f, 0.3f}) {
    // Expected: each distinct row's gradient summed in ascending position,
    // then one element update; untouched rows unchanged.
    std::vector<float> p_want = param0, acc_want = acc0, mom_want = mom0;
    for (int32_t row = 0; row < table_rows; ++row) {
      for (int64_t c = 0; c < cols; ++c) {
        bool touched = false;
        float g = 0.0f;
        for (int64_t i = 0; i < n; ++i) {
          if (rows[i] != row) continue;
          g = touched ? g + grads[i * cols + c] : grads[i * cols + c];
          touched = true;
        }
        if (!touched) continue;
        const int64_t e = row * cols + c;
        adagrad_m_update(&p_want[e], &acc_want[e], &mom_want[e], g, 0.05f, momentum, 1e-6f);
      }
    }
    for (const int threads : {1, 2}) {
      std::vector<float> p = param0, acc = acc0, mom = mom0;
      gru::adagrad_rows(p.data(), acc.data(), momentum > 0.0f ? mom.data() : nullptr, cols,
                        rows.data(), grads.data(), n, 0.05f, momentum, 1e-6f, threads);
      EXPECT_EQ(p, p_want) << "momentum " << momentum << " threads " << threads;
      EXPECT_EQ(acc, acc_want);
      EXPECT_EQ(mom, mom_want);
    }
  }
}

TEST(GruOptimizer, AdagradDenseAndGatherRowsAreTheElementRules) {
  const int64_t size = 23;
  const auto grad = random_vector(size, 1.0f, 70);
  std::vector<float> p(size, 0.25f), acc(size, 0.1f), mom(size, 0.0f);
  std::vector<float> p_want = p, acc_want = acc, mom_want = mom;
  for (int64_t i = 0; i < size; ++i) {
    adagrad_m_update(&p_want[i], &acc_want[i], &mom_want[i], grad[i], 0.05f, 0.3f, 1e-6f);
  }
  gru::adagrad_dense(p.data(), acc.data(), mom.data(), grad.data(), size, 0.05f, 0.3f, 1e-6f, 2);
  EXPECT_EQ(p, p_want);
  EXPECT_EQ(acc, acc_want);
  EXPECT_EQ(mom, mom_want);

  const auto table = random_vector(6 * 4, 1.0f, 71);
  const std::vector<int32_t> rows = {5, 0, 5, 2};
  std::vector<float> out(4 * 4);
  gru::gather_rows(table.data(), 4, rows.data(), 4, out.data(), 2);
  for (int i = 0; i < 4; ++i) {
    for (int c = 0; c < 4; ++c) EXPECT_EQ(out[i * 4 + c], table[rows[i] * 4 + c]);
  }
}

TEST(GruCell, EluAndItsDerivative) {
  EXPECT_EQ(elu(1.5f, 0.5f), 1.5f);
  EXPECT_NEAR(elu(-1.0f, 0.5f), 0.5 * std::expm1(-1.0), 1e-7);
  EXPECT_EQ(elu(-1.0f, 0.0f), -1.0f);  // α 0: the identity, as the official's "elu_param > 0"
  EXPECT_EQ(elu_grad(-1.0f, 0.0f), 1.0f);
  EXPECT_EQ(elu_grad(2.0f, 0.5f), 1.0f);
  for (const float x : {-2.0f, -0.3f, 0.4f}) {
    std::vector<double> v = {x};
    const double fd = test::central_difference(
        v, 0, 1e-6, [](const std::vector<double>& a) {
          return a[0] > 0.0 ? a[0] : 0.5 * std::expm1(a[0]);
        });
    EXPECT_NEAR(elu_grad(x, 0.5f), fd, 1e-7) << x;
  }
}

TEST(GruCell, DropoutKeepsAtRateOneMinusPScaledByItsInverse) {
  EXPECT_EQ(dropout_keep_scale(12345u, 0.0f), 1.0f);
  for (const float p : {0.1f, 0.25f, 0.5f}) {
    const int draws = 1 << 20;
    int kept = 0;
    for (int i = 0; i < draws; i += 4) {
      const Philox4 d = philox_draw(7, RngStream::kDropout, static_cast<uint32_t>(i), 99, 0);
      for (const uint32_t w : d.v) {
        const float s = dropout_keep_scale(w, p);
        ASSERT_TRUE(s == 0.0f || s == 1.0f / (1.0f - p)) << s;
        kept += s != 0.0f;
      }
    }
    // Five binomial standard deviations (~2e-3 of the draws at p ½).
    const double rate = static_cast<double>(kept) / draws;
    EXPECT_NEAR(rate, 1.0 - p, 5.0 * std::sqrt(p * (1.0 - p) / draws)) << "p " << p;
  }
}

}  // namespace
}  // namespace bitrec

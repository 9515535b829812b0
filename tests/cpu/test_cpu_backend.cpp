// CpuBackend operations against dense double references and hand cases:
// propagation, hashing, losses, Adam, buffers, the backend factory, and
// independence of the thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>

#include "bitrec/backend_factory.hpp"
#include "bitrec/error.hpp"
#include "bitrec/kernels/bpr.hpp"
#include "cpu/cpu_backend.hpp"
#include "cpu/cpu_propagate.hpp"
#include "cpu_test_util.hpp"

namespace bitrec {
namespace {

using test::random_train;
using test::random_vector;
using test::to_host;
using test::to_tensor;

double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// ---- propagation -------------------------------------------------------------

class PropagateDense : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(PropagateDense, MatchesDenseDoubleReference) {
  const auto [d, layers] = GetParam();
  const int32_t m = 23, n = 31;
  const Csr train = random_train(m, n, 0.2, 7);
  const NormalizedGraph g = build_normalized_graph(train, m, n);
  CpuBackend be(2);
  be.set_graph(g);
  const std::vector<float> in = random_vector(static_cast<size_t>(g.n_nodes * d), 1.0f, 11);
  FloatTensor tin = to_tensor(be, in, g.n_nodes, d);
  FloatTensor tout = be.alloc_f32(g.n_nodes, d);
  be.propagate_mean(tin, tout, layers);
  const std::vector<float> out = to_host(be, tout);
  const std::vector<double> ref = test::dense_propagate_mean(
      test::dense_normalized(train, m, n), g.n_nodes, test::to_double(in), d, layers);
  const double tol = 2e-6 * std::max(1.0, max_abs(ref));
  for (size_t i = 0; i < ref.size(); ++i) ASSERT_NEAR(out[i], ref[i], tol) << "element " << i;
  EXPECT_EQ(to_host(be, tin), in);  // input untouched
}

// d = 101 and 200 exercise every column window (64, 32, …, 1).
INSTANTIATE_TEST_SUITE_P(DimsLayers, PropagateDense,
                         ::testing::Combine(::testing::Values(1, 5, 64, 101, 200),
                                            ::testing::Values(0, 1, 2, 3, 4)));

TEST(CpuPropagate, SpmmMatchesDense) {
  const int32_t m = 17, n = 12;
  const int d = 37;
  const Csr train = random_train(m, n, 0.3, 3);
  const NormalizedGraph g = build_normalized_graph(train, m, n);
  const std::vector<double> a = test::dense_normalized(train, m, n);
  const std::vector<float> x = random_vector(static_cast<size_t>(g.n_nodes * d), 1.0f, 5);
  std::vector<float> y(x.size(), -1.0f);
  cpu_spmm(g, x.data(), y.data(), d, 2);
  for (int64_t r = 0; r < g.n_nodes; ++r) {
    for (int k = 0; k < d; ++k) {
      double s = 0.0;
      for (int64_t c = 0; c < g.n_nodes; ++c) s += a[r * g.n_nodes + c] * x[c * d + k];
      ASSERT_NEAR(y[r * d + k], s, 1e-5) << r << "," << k;
    }
  }
}

TEST(CpuPropagate, InPlaceEqualsOutOfPlace) {
  const int32_t m = 30, n = 20;
  const int d = 16;
  const NormalizedGraph g = build_normalized_graph(random_train(m, n, 0.2, 4), m, n);
  CpuBackend be(2);
  be.set_graph(g);
  const std::vector<float> in = random_vector(static_cast<size_t>(g.n_nodes * d), 1.0f, 9);
  for (int layers : {1, 2, 3}) {
    FloatTensor a = to_tensor(be, in, g.n_nodes, d), b = be.alloc_f32(g.n_nodes, d);
    be.propagate_mean(a, b, layers);
    be.propagate_mean(a, a, layers);
    EXPECT_EQ(to_host(be, a), to_host(be, b)) << "layers " << layers;
  }
}

TEST(CpuPropagate, BitwiseIndependentOfThreadCount) {
  const int32_t m = 400, n = 300;
  const int d = 64;
  const NormalizedGraph g = build_normalized_graph(random_train(m, n, 0.05, 8), m, n);
  const std::vector<float> in = random_vector(static_cast<size_t>(g.n_nodes * d), 0.1f, 2);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3, 5}) {
    CpuBackend be(threads);
    be.set_graph(g);
    FloatTensor tin = to_tensor(be, in, g.n_nodes, d), tout = be.alloc_f32(g.n_nodes, d);
    be.propagate_mean(tin, tout, 3);
    results.push_back(to_host(be, tout));
  }
  for (size_t t = 1; t < results.size(); ++t) EXPECT_EQ(results[t], results[0]) << "variant " << t;
}

TEST(CpuPropagate, RejectsWrongShapes) {
  const NormalizedGraph g = build_normalized_graph(random_train(5, 6, 0.5, 1), 5, 6);
  CpuBackend be(1);
  be.set_graph(g);
  FloatTensor a = be.alloc_f32(g.n_nodes, 4), b = be.alloc_f32(g.n_nodes + 1, 4),
              c = be.alloc_f32(g.n_nodes, 3);
  EXPECT_THROW(be.propagate_mean(a, b, 2), std::invalid_argument);
  EXPECT_THROW(be.propagate_mean(a, c, 2), std::invalid_argument);
  EXPECT_THROW(be.propagate_mean(a, a, -1), std::invalid_argument);
}

// ---- hashing -----------------------------------------------------------------

TEST(CpuHash, SignsAndPackedCodes) {
  CpuBackend be(2);
  const int64_t rows = 3;
  const int bits = 70;  // two words, 58 padding bits
  std::vector<float> x = random_vector(static_cast<size_t>(rows * bits), 1.0f, 21);
  x[0] = 0.0f;    // sign(0) = +1
  x[1] = -0.0f;   // -0 compares equal to 0: +1 as well
  x[2] = -1e-30f;
  x[69] = -2.0f;  // last real bit
  FloatTensor tx = to_tensor(be, x, rows, bits), signs = be.alloc_f32(rows, bits);
  CodeTensor codes = be.alloc_u64(rows, 2);
  be.hash_forward(tx, signs, codes);
  const std::vector<float> s = to_host(be, signs);
  std::vector<uint64_t> c(static_cast<size_t>(rows * 2));
  be.download(codes, c.data());
  for (int64_t r = 0; r < rows; ++r) {
    for (int k = 0; k < bits; ++k) {
      const float v = x[r * bits + k];
      EXPECT_EQ(s[r * bits + k], v >= 0.0f ? 1.0f : -1.0f) << r << "," << k;
      const uint64_t bit = (c[r * 2 + k / 64] >> (k % 64)) & 1u;
      EXPECT_EQ(bit, v >= 0.0f ? 1u : 0u) << r << "," << k;
    }
    EXPECT_EQ(c[r * 2 + 1] >> 6, 0u) << "padding bits of row " << r;
  }
  EXPECT_EQ(s[0], 1.0f);
  EXPECT_EQ(s[1], 1.0f);
  EXPECT_EQ(s[2], -1.0f);

  // The training path passes no codes; evaluation may pass no signs.
  CodeTensor none;
  FloatTensor signs2 = be.alloc_f32(rows, bits), no_signs;
  be.hash_forward(tx, signs2, none);
  EXPECT_EQ(to_host(be, signs2), s);
  CodeTensor codes2 = be.alloc_u64(rows, 2);
  be.hash_forward(tx, no_signs, codes2);
  std::vector<uint64_t> c2(c.size());
  be.download(codes2, c2.data());
  EXPECT_EQ(c2, c);
}

TEST(CpuHash, BackwardIsGradTimesEstimator) {
  CpuBackend be(2);
  const int64_t rows = 6;
  const int d = 40;
  const std::vector<float> x = random_vector(static_cast<size_t>(rows * d), 2.0f, 31);
  std::vector<float> g = random_vector(x.size(), 1.0f, 32);
  for (int k = 0; k < d; ++k) g[2 * d + k] = 0.0f;  // an all-zero gradient row
  FloatTensor tx = to_tensor(be, x, rows, d), tg = to_tensor(be, g, rows, d),
              out = be.alloc_f32(rows, d);
  std::vector<EstimatorParams> estimators(4);
  estimators[1].kind = Estimator::kSteClip;
  estimators[1].clip = 0.7f;
  estimators[2].kind = Estimator::kFourier;
  estimators[2].fourier_terms = 8;
  estimators[2].fourier_omega = 1.5f;
  estimators[3].kind = Estimator::kSignswish;
  estimators[3].beta = 4.0f;
  for (const EstimatorParams& e : estimators) {
    be.hash_backward(e, tx, tg, out);
    const std::vector<float> got = to_host(be, out);
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(got[i], g[i] * estimator_grad(e, x[i])) << "estimator " << static_cast<int>(e.kind)
                                                         << " element " << i;
    }
  }
}

// A zero upstream gradient gives +0 on every estimator, in an all-zero row
// and inside a row with other gradients: not the −0 of 0·f(x) with f(x) < 0,
// nor the NaN of 0·f(±inf) under signswish (estimator_backward, shared with
// the CUDA backend).
TEST(CpuHash, ZeroGradientGivesPositiveZero) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<EstimatorParams> estimators(4);
  estimators[1].kind = Estimator::kSteClip;
  estimators[1].clip = 0.7f;
  estimators[2].kind = Estimator::kFourier;
  estimators[3].kind = Estimator::kSignswish;
  estimators[3].beta = 4.0f;
  EXPECT_TRUE(std::isnan(signswish_grad(inf, 4.0f)));  // the case this guards against
  EXPECT_TRUE(std::signbit(0.0f * signswish_grad(3.43f / 4.0f, 4.0f)));  // and this one
  const std::vector<float> xs = {inf, -inf, 3.43f / 4.0f, -0.5f, 0.0f, 2.0f};
  const int d = static_cast<int>(xs.size());
  std::vector<float> x, g;
  for (int r = 0; r < 2; ++r) x.insert(x.end(), xs.begin(), xs.end());
  g = {0.0f, -0.0f, 0.0f, 1.5f, 0.0f, -2.0f,   // row 0: zeros beside gradients
       0.0f, 0.0f, -0.0f, 0.0f, 0.0f, 0.0f};   // row 1: all zero
  CpuBackend be(2);
  FloatTensor tx = to_tensor(be, x, 2, d), tg = to_tensor(be, g, 2, d), out = be.alloc_f32(2, d);
  for (const EstimatorParams& e : estimators) {
    be.hash_backward(e, tx, tg, out);
    const std::vector<float> got = to_host(be, out);
    for (size_t i = 0; i < x.size(); ++i) {
      SCOPED_TRACE("estimator " + std::to_string(static_cast<int>(e.kind)) + " element " + std::to_string(i));
      EXPECT_EQ(got[i], estimator_backward(e, g[i], x[i]));
      if (g[i] == 0.0f) {
        EXPECT_EQ(got[i], 0.0f);
        EXPECT_FALSE(std::signbit(got[i]));
      } else {
        EXPECT_EQ(got[i], g[i] * estimator_grad(e, x[i]));
      }
    }
  }
  // The shared function itself.
  EXPECT_FALSE(std::signbit(estimator_backward(0.0f, -3.0f)));
  EXPECT_FALSE(std::signbit(estimator_backward(-0.0f, 3.0f)));
  EXPECT_EQ(estimator_backward(0.0f, std::numeric_limits<float>::quiet_NaN()), 0.0f);
  EXPECT_EQ(estimator_backward(estimators[3], 0.0f, -inf), 0.0f);
  EXPECT_EQ(estimator_backward(-2.0f, 0.25f), -0.5f);
  EXPECT_EQ(estimator_backward(estimators[3], 1.5f, 0.1f), 1.5f * signswish_grad(0.1f, 4.0f));
}

// ---- losses ------------------------------------------------------------------

TEST(CpuLosses, BprValueAndGradientByHand) {
  // One user (row 0), two items (rows 1, 2), d = 2.
  CpuBackend be(1);
  const std::vector<float> table = {1.0f, 2.0f, 0.5f, -1.0f, 2.0f, 1.0f};
  FloatTensor t = to_tensor(be, table, 3, 2), grad = be.alloc_f32(3, 2), loss = be.alloc_f32(1, 1);
  IndexTensor tr = test::triples_tensor(be, {0, 0, 1});
  be.bpr_forward_backward(t, tr, 1, 1, 1.0f, grad, loss);
  // s_ui = 0.5 - 2 = -1.5, s_uj = 2 + 2 = 4, margin = -5.5.
  const double margin = -5.5, sig = 1.0 / (1.0 + std::exp(margin));  // σ(−margin)
  EXPECT_NEAR(to_host(be, loss)[0], std::log1p(std::exp(5.5)), 1e-6);
  const std::vector<float> g = to_host(be, grad);
  const std::vector<double> expected = {-sig * (0.5 - 2.0), -sig * (-1.0 - 1.0), -sig * 1.0,
                                        -sig * 2.0,         sig * 1.0,           sig * 2.0};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(g[i], expected[i], 1e-6) << i;
}

TEST(CpuLosses, BprMatchesReferenceAndRepeatedRowsCountTwice) {
  const int32_t m = 5, n = 7;
  const int d = 9;
  CpuBackend be(2);
  const std::vector<float> table = random_vector(static_cast<size_t>((m + n) * d), 0.5f, 41);
  // User 1 twice with the same positive; item 3 positive once, negative once.
  const std::vector<int32_t> flat = {1, 2, 3, 1, 2, 5, 4, 3, 0, 0, 6, 1};
  FloatTensor t = to_tensor(be, table, m + n, d), grad = be.alloc_f32(m + n, d),
              loss = be.alloc_f32(1, 1);
  IndexTensor tr = test::triples_tensor(be, flat);
  be.bpr_forward_backward(t, tr, 4, m, 1.0f, grad, loss);
  const std::vector<double> td = test::to_double(table);
  EXPECT_NEAR(to_host(be, loss)[0], test::bpr_loss_ref(td, d, m, flat), 1e-6);

  // Gradient by accumulating each triple's closed form in double.
  std::vector<double> expected(td.size(), 0.0);
  for (int t3 = 0; t3 < 4; ++t3) {
    const int64_t u = flat[3 * t3], i = m + flat[3 * t3 + 1], j = m + flat[3 * t3 + 2];
    double margin = 0.0;
    for (int k = 0; k < d; ++k) margin += td[u * d + k] * (td[i * d + k] - td[j * d + k]);
    const double c = -1.0 / (1.0 + std::exp(margin)) / 4.0;
    for (int k = 0; k < d; ++k) {
      expected[u * d + k] += c * (td[i * d + k] - td[j * d + k]);
      expected[i * d + k] += c * td[u * d + k];
      expected[j * d + k] -= c * td[u * d + k];
    }
  }
  const std::vector<float> g = to_host(be, grad);
  for (size_t k = 0; k < g.size(); ++k) EXPECT_NEAR(g[k], expected[k], 1e-6) << k;

  // Accumulates: a second call adds the same again.
  be.bpr_forward_backward(t, tr, 4, m, 1.0f, grad, loss);
  const std::vector<float> g2 = to_host(be, grad);
  for (size_t k = 0; k < g.size(); ++k) EXPECT_NEAR(g2[k], 2 * expected[k], 2e-6) << k;
  EXPECT_NEAR(to_host(be, loss)[0], 2 * test::bpr_loss_ref(td, d, m, flat), 2e-6);
}

TEST(CpuLosses, BprWeightScalesLossAndGradient) {
  // --bpr-weight mixes BPR into the recall loss: weight w must give exactly
  // w × the unweighted loss and gradient (up to float rounding).
  const int32_t m = 5, n = 7;
  const int d = 9;
  CpuBackend be(2);
  const std::vector<float> table = random_vector(static_cast<size_t>((m + n) * d), 0.5f, 43);
  const std::vector<int32_t> flat = {1, 2, 3, 4, 3, 0, 0, 6, 1};
  FloatTensor t = to_tensor(be, table, m + n, d);
  IndexTensor tr = test::triples_tensor(be, flat);
  FloatTensor g1 = be.alloc_f32(m + n, d), l1 = be.alloc_f32(1, 1);
  FloatTensor gw = be.alloc_f32(m + n, d), lw = be.alloc_f32(1, 1);
  be.bpr_forward_backward(t, tr, 3, m, 1.0f, g1, l1);
  be.bpr_forward_backward(t, tr, 3, m, 0.25f, gw, lw);
  EXPECT_NEAR(to_host(be, lw)[0], 0.25 * to_host(be, l1)[0], 1e-7);
  const std::vector<float> a = to_host(be, g1), b = to_host(be, gw);
  double max_abs = 0.0;
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_NEAR(b[k], 0.25 * a[k], 1e-7) << k;
    max_abs = std::max(max_abs, std::abs(static_cast<double>(a[k])));
  }
  EXPECT_GT(max_abs, 1e-3);  // the case has a gradient to scale
}

TEST(CpuLosses, BprStableForHugeMargins) {
  // Raw ±1 code scores reach ±2d: the loss must stay finite.
  CpuBackend be(1);
  const int d = 64;
  std::vector<float> table(3 * d, 1.0f);
  for (int k = 0; k < d; ++k) table[d + k] = -1.0f;  // pos opposite to the user: margin −128
  FloatTensor t = to_tensor(be, table, 3, d), grad = be.alloc_f32(3, d), loss = be.alloc_f32(1, 1);
  IndexTensor tr = test::triples_tensor(be, {0, 0, 1});
  be.bpr_forward_backward(t, tr, 1, 1, 1.0f, grad, loss);
  EXPECT_NEAR(to_host(be, loss)[0], 128.0f, 1e-4);
  for (float v : to_host(be, grad)) EXPECT_TRUE(std::isfinite(v));
}

TEST(CpuLosses, L2ValueAndGradient) {
  const int32_t m = 4, n = 5;
  const int d = 6;
  CpuBackend be(2);
  const std::vector<float> e0 = random_vector(static_cast<size_t>((m + n) * d), 1.0f, 51);
  const std::vector<int32_t> flat = {0, 1, 2, 3, 1, 4, 0, 2, 1};  // user 0 and item 1 twice
  FloatTensor te = to_tensor(be, e0, m + n, d), grad = be.alloc_f32(m + n, d),
              loss = be.alloc_f32(1, 1);
  IndexTensor tr = test::triples_tensor(be, flat);
  const float lambda = 0.3f;
  be.l2_forward_backward(te, tr, 3, m, lambda, grad, loss);
  EXPECT_NEAR(to_host(be, loss)[0], test::l2_loss_ref(test::to_double(e0), d, m, flat, lambda),
              1e-6);
  std::vector<int> occurrences(m + n, 0);
  for (int t3 = 0; t3 < 3; ++t3) {
    ++occurrences[flat[3 * t3]];
    ++occurrences[m + flat[3 * t3 + 1]];
    ++occurrences[m + flat[3 * t3 + 2]];
  }
  const std::vector<float> g = to_host(be, grad);
  for (int r = 0; r < m + n; ++r) {
    for (int k = 0; k < d; ++k) {
      EXPECT_NEAR(g[r * d + k], occurrences[r] * lambda / 3.0 * e0[r * d + k], 1e-7);
    }
  }
}

TEST(CpuLosses, BitwiseIndependentOfThreadCount) {
  const int32_t m = 50, n = 80;
  const int d = 32;
  const Csr train = random_train(m, n, 0.1, 61);
  const std::vector<float> table = random_vector(static_cast<size_t>((m + n) * d), 0.3f, 62);
  std::vector<std::vector<float>> grads, losses;
  for (int threads : {1, 2, 3}) {
    CpuBackend be(threads);
    be.set_train(train);
    IndexTensor tr = be.alloc_i32(500, 3);
    be.sample_triples(5, 0, 0, 500, tr);
    FloatTensor t = to_tensor(be, table, m + n, d), grad = be.alloc_f32(m + n, d),
                loss = be.alloc_f32(1, 1);
    be.bpr_forward_backward(t, tr, 500, m, 1.0f, grad, loss);
    be.l2_forward_backward(t, tr, 500, m, 1e-2f, grad, loss);
    grads.push_back(to_host(be, grad));
    losses.push_back(to_host(be, loss));
  }
  for (size_t i = 1; i < grads.size(); ++i) {
    EXPECT_EQ(grads[i], grads[0]);
    EXPECT_EQ(losses[i], losses[0]);
  }
}

// ---- Adam --------------------------------------------------------------------

TEST(CpuAdam, TwoStepsMatchTorchFormulas) {
  CpuBackend be(2);
  AdamParams p;
  p.lr = 0.1f;
  // Element 0 is the hand case; the others follow the same formulas in double.
  const std::vector<float> p0 = {1.0f, -0.3f, 0.0f, 2.5f};
  const std::vector<float> g1 = {0.5f, 1e-3f, 0.0f, -4.0f};
  const std::vector<float> g2 = {-0.25f, 2e-3f, 1.0f, 3.0f};
  FloatTensor param = to_tensor(be, p0, 1, 4), m = be.alloc_f32(1, 4), v = be.alloc_f32(1, 4);
  for (int t = 1; t <= 2; ++t) {
    FloatTensor g = to_tensor(be, t == 1 ? g1 : g2, 1, 4);
    be.adam_step(param, g, m, v, adam_step_scalars(p, t));
  }
  const std::vector<float> got = to_host(be, param);
  for (size_t i = 0; i < p0.size(); ++i) {
    double pd = p0[i], md = 0.0, vd = 0.0;
    for (int t = 1; t <= 2; ++t) {
      const double g = t == 1 ? g1[i] : g2[i];
      md = 0.9 * md + 0.1 * g;
      vd = 0.999 * vd + 0.001 * g * g;
      const double m_hat = md / (1.0 - std::pow(0.9, t)), v_hat = vd / (1.0 - std::pow(0.999, t));
      pd -= 0.1 * m_hat / (std::sqrt(v_hat) + 1e-8);
    }
    EXPECT_NEAR(got[i], pd, 2e-6 * std::max(1.0, std::fabs(pd))) << "element " << i;
  }
  // Hand value: 1 − 0.1·0.5/(0.5+1e-8) = 0.9, then m = 0.02, v = 3.1225e-4,
  // m̂ = 0.02/0.19, v̂ = 3.1225e-4/0.001999 → 0.8733663.
  EXPECT_NEAR(got[0], 0.8733663f, 1e-6);
}

// ---- buffers, factory --------------------------------------------------------

TEST(CpuBuffers, AllocZeroUploadDownloadFill) {
  CpuBackend be(2);
  FloatTensor f = be.alloc_f32(300, 301);
  IndexTensor i = be.alloc_i32(7, 3);
  CodeTensor c = be.alloc_u64(5, 2);
  EXPECT_EQ(f.rows(), 300);
  EXPECT_EQ(f.cols(), 301);
  for (float v : to_host(be, f)) ASSERT_EQ(v, 0.0f);
  std::vector<int32_t> ih(21, -1);
  be.download(i, ih.data());
  for (int32_t v : ih) EXPECT_EQ(v, 0);
  std::vector<uint64_t> ch(10, 1);
  be.download(c, ch.data());
  for (uint64_t v : ch) EXPECT_EQ(v, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(f.data()) % 64, 0u);

  const std::vector<float> data = random_vector(300 * 301, 1.0f, 3);
  be.upload(data.data(), f);
  EXPECT_EQ(to_host(be, f), data);
  be.fill_zero(f);
  for (float v : to_host(be, f)) ASSERT_EQ(v, 0.0f);
  FloatTensor empty = be.alloc_f32(0, 64);
  EXPECT_TRUE(empty.empty());
  be.fill_zero(empty);
}

TEST(CpuBackendFactory, DevicesAndErrors) {
  EXPECT_EQ(make_cpu_backend(1)->name(), "cpu");
  BackendOptions cpu;
  cpu.device = "cpu";
  cpu.threads = 2;
  const auto be = make_backend(cpu);
  EXPECT_EQ(be->name(), "cpu");
  EXPECT_NE(be->device_name().find("CPU"), std::string::npos);
  EXPECT_NE(be->device_name().find("2 threads"), std::string::npos);
  EXPECT_GE(static_cast<CpuBackend&>(*make_cpu_backend(0)).threads(), 1);

  BackendOptions bad;
  bad.device = "gpu";
  try {
    make_backend(bad);
    FAIL() << "no error for --device gpu";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("auto, cpu, cuda"), std::string::npos) << e.what();
  }

  BackendOptions automatic;  // "auto" always gives a backend
  EXPECT_NE(make_backend(automatic), nullptr);
  if (!cuda_built()) {
    EXPECT_EQ(make_backend(automatic)->name(), "cpu");
    BackendOptions cuda;
    cuda.device = "cuda";
    try {
      make_backend(cuda);
      FAIL() << "no error for --device cuda without CUDA";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("--device cuda: ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace bitrec

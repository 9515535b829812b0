// Finite-difference checks of every backward pass of the CPU backend:
// propagation (through Â = Âᵀ), BPR, BPR through sign with each gradient
// estimator (against the estimator's surrogate forward), L2, and the whole
// LightGCN step E0 → propagate → BPR + L2 → dE0. References are in double;
// the backend computes in float, hence the tolerances.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "bitrec/kernels/estimators.hpp"
#include "cpu/cpu_backend.hpp"
#include "cpu_test_util.hpp"

namespace bitrec {
namespace {

using test::central_difference;
using test::random_train;
using test::random_vector;
using test::to_double;
using test::to_host;
using test::to_tensor;

constexpr double kPi = 3.14159265358979323846;

// |analytic − fd| within rel·|fd| + abs_frac·max|fd| for every checked coordinate.
void expect_gradients_near(const std::vector<float>& analytic, const std::vector<double>& fd,
                           const std::vector<bool>& checked, double rel, double abs_frac,
                           const std::string& what) {
  double scale = 0.0;
  for (size_t i = 0; i < fd.size(); ++i) {
    if (checked[i]) scale = std::max(scale, std::fabs(fd[i]));
  }
  ASSERT_GT(scale, 0.0) << what << ": every checked derivative is zero";
  int count = 0;
  for (size_t i = 0; i < fd.size(); ++i) {
    if (!checked[i]) continue;
    ++count;
    EXPECT_NEAR(analytic[i], fd[i], rel * std::fabs(fd[i]) + abs_frac * scale)
        << what << ", coordinate " << i;
  }
  EXPECT_GT(count, 0) << what;
}

std::vector<double> finite_differences(std::vector<double> x, double h,
                                       const std::function<double(const std::vector<double>&)>& f) {
  std::vector<double> fd(x.size());
  for (size_t i = 0; i < x.size(); ++i) fd[i] = central_difference(x, i, h, f);
  return fd;
}

// A small batch over a random relation, drawn by the backend's own sampler.
struct Batch {
  int32_t m, n;
  int d;
  Csr train;
  NormalizedGraph graph;
  std::vector<int32_t> triples;
};

Batch make_batch(int32_t m, int32_t n, int d, int count, uint32_t seed) {
  Batch b{m, n, d, random_train(m, n, 0.35, seed), {}, {}};
  b.graph = build_normalized_graph(b.train, m, n);
  CpuBackend be(1);
  be.set_train(b.train);
  IndexTensor t = be.alloc_i32(count, 3);
  be.sample_triples(seed, 0, 0, count, t);
  b.triples.resize(static_cast<size_t>(3 * count));
  be.download(t, b.triples.data());
  return b;
}

// ---- (1) propagation ---------------------------------------------------------

TEST(Gradients, PropagationBackwardIsTheTranspose) {
  const int32_t m = 9, n = 13;
  const int d = 5;
  const NormalizedGraph g = build_normalized_graph(random_train(m, n, 0.3, 1), m, n);
  CpuBackend be(2);
  be.set_graph(g);
  const int64_t size = g.n_nodes * d;
  const std::vector<float> in = random_vector(static_cast<size_t>(size), 1.0f, 2);
  const std::vector<float> w = random_vector(static_cast<size_t>(size), 1.0f, 3);
  for (int layers : {1, 2, 3}) {
    // f(in) = Σ w ⊙ propagate_mean(in); the backward pass claims df/din = propagate_mean(w).
    FloatTensor tw = to_tensor(be, w, g.n_nodes, d), grad = be.alloc_f32(g.n_nodes, d);
    be.propagate_mean(tw, grad, layers);
    const std::vector<float> analytic = to_host(be, grad);
    auto f = [&](const std::vector<double>& x) {
      std::vector<float> xf(x.begin(), x.end());
      FloatTensor tx = to_tensor(be, xf, g.n_nodes, d), out = be.alloc_f32(g.n_nodes, d);
      be.propagate_mean(tx, out, layers);
      const std::vector<float> o = to_host(be, out);
      double s = 0.0;
      for (size_t i = 0; i < o.size(); ++i) s += static_cast<double>(w[i]) * o[i];
      return s;
    };
    // f is linear: a large step makes the float forward's rounding negligible.
    const std::vector<double> fd = finite_differences(to_double(in), 0.5, f);
    expect_gradients_near(analytic, fd, std::vector<bool>(fd.size(), true), 1e-5, 1e-5,
                          "propagation, L=" + std::to_string(layers));
    // Adjoint identity <w, P in> = <P w, in>.
    double lhs = f(to_double(in)), rhs = 0.0;
    for (size_t i = 0; i < in.size(); ++i) rhs += static_cast<double>(analytic[i]) * in[i];
    EXPECT_NEAR(lhs, rhs, 1e-5 * std::max(1.0, std::fabs(lhs)));
  }
}

// ---- (2) BPR on embeddings, (4) L2 -------------------------------------------

TEST(Gradients, BprOnEmbeddings) {
  const Batch b = make_batch(7, 11, 6, 12, 21);
  CpuBackend be(2);
  const std::vector<float> table = random_vector(static_cast<size_t>((b.m + b.n) * b.d), 0.8f, 22);
  FloatTensor t = to_tensor(be, table, b.m + b.n, b.d), grad = be.alloc_f32(b.m + b.n, b.d),
              loss = be.alloc_f32(1, 1);
  IndexTensor tr = test::triples_tensor(be, b.triples);
  be.bpr_forward_backward(t, tr, 12, b.m, 1.0f, grad, loss);
  auto f = [&](const std::vector<double>& x) { return test::bpr_loss_ref(x, b.d, b.m, b.triples); };
  EXPECT_NEAR(to_host(be, loss)[0], f(to_double(table)), 1e-6);
  const std::vector<double> fd = finite_differences(to_double(table), 1e-6, f);
  expect_gradients_near(to_host(be, grad), fd, std::vector<bool>(fd.size(), true), 1e-4, 1e-5,
                        "bpr");
}

TEST(Gradients, L2Term) {
  const Batch b = make_batch(6, 9, 5, 10, 31);
  CpuBackend be(2);
  const std::vector<float> e0 = random_vector(static_cast<size_t>((b.m + b.n) * b.d), 1.0f, 32);
  const double lambda = 0.25;
  FloatTensor t = to_tensor(be, e0, b.m + b.n, b.d), grad = be.alloc_f32(b.m + b.n, b.d),
              loss = be.alloc_f32(1, 1);
  IndexTensor tr = test::triples_tensor(be, b.triples);
  be.l2_forward_backward(t, tr, 10, b.m, static_cast<float>(lambda), grad, loss);
  auto f = [&](const std::vector<double>& x) {
    return test::l2_loss_ref(x, b.d, b.m, b.triples, lambda);
  };
  EXPECT_NEAR(to_host(be, loss)[0], f(to_double(e0)), 1e-6);
  const std::vector<double> fd = finite_differences(to_double(e0), 1e-6, f);
  expect_gradients_near(to_host(be, grad), fd, std::vector<bool>(fd.size(), true), 1e-5, 1e-6,
                        "l2");
}

// ---- (3) BPR through sign, each estimator -------------------------------------

// The surrogate forward whose derivative each estimator is, in double.
double surrogate(const EstimatorParams& e, double x) {
  switch (e.kind) {
    case Estimator::kSteClip:
      return std::min<double>(e.clip, std::max<double>(-e.clip, x));
    case Estimator::kSignswish: {
      const double z = e.beta * x, s = 1.0 / (1.0 + std::exp(-z));
      return 2.0 * s * (1.0 + z * (1.0 - s)) - 1.0;
    }
    case Estimator::kFourier: {
      double sum = 0.0;
      for (int k = 1; k < e.fourier_terms; k += 2) {
        sum += 4.0 / (k * kPi) * std::sin(k * e.fourier_omega * x);
      }
      return sum;
    }
    default:
      return x;  // ste, dropout-ste: identity
  }
}

// d/dx of the Fourier sine series before the clamp.
double fourier_unclamped(const EstimatorParams& e, double x) {
  double sum = 0.0;
  for (int k = 1; k < e.fourier_terms; k += 2) sum += std::cos(k * e.fourier_omega * x);
  return 4.0 * e.fourier_omega / kPi * sum;
}

class GradientsThroughSign : public ::testing::TestWithParam<Estimator> {};

TEST_P(GradientsThroughSign, HashBackwardMatchesSurrogate) {
  EstimatorParams e;
  e.kind = GetParam();
  e.clip = 0.6f;
  e.beta = 2.5f;
  e.fourier_terms = 8;
  e.fourier_omega = 1.0f;
  const Batch b = make_batch(6, 8, 8, 10, 41);
  const int64_t rows = b.m + b.n;
  CpuBackend be(2);
  const std::vector<float> x = random_vector(static_cast<size_t>(rows * b.d), 2.0f, 42);

  // Backend: BPR on S(x), then hash_backward multiplies by the estimator.
  std::vector<float> sx(x.size());
  for (size_t i = 0; i < x.size(); ++i) sx[i] = static_cast<float>(surrogate(e, x[i]));
  FloatTensor tsx = to_tensor(be, sx, rows, b.d), tx = to_tensor(be, x, rows, b.d),
              grad_s = be.alloc_f32(rows, b.d), grad_x = be.alloc_f32(rows, b.d),
              loss = be.alloc_f32(1, 1);
  IndexTensor tr = test::triples_tensor(be, b.triples);
  be.bpr_forward_backward(tsx, tr, 10, b.m, 1.0f, grad_s, loss);
  be.hash_backward(e, tx, grad_s, grad_x);
  const std::vector<float> analytic = to_host(be, grad_x);
  const std::vector<float> gs = to_host(be, grad_s);

  auto f = [&](const std::vector<double>& xd) {
    std::vector<double> s(xd.size());
    for (size_t i = 0; i < xd.size(); ++i) s[i] = surrogate(e, xd[i]);
    return test::bpr_loss_ref(s, b.d, b.m, b.triples);
  };
  const double h = 1e-6;
  const std::vector<double> fd = finite_differences(to_double(x), h, f);
  std::vector<bool> checked(x.size(), true);
  int clamped = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (e.kind == Estimator::kSteClip && std::fabs(std::fabs(x[i]) - e.clip) < 1e-3) {
      checked[i] = false;  // the kink
    }
    if (e.kind == Estimator::kFourier && std::fabs(fourier_unclamped(e, x[i])) >= 1.0) {
      // The clamp region: the estimator is ±1 there, not the series' slope.
      checked[i] = false;
      ++clamped;
      EXPECT_EQ(analytic[i], gs[i] * (fourier_unclamped(e, x[i]) > 0 ? 1.0f : -1.0f)) << i;
    }
  }
  if (e.kind == Estimator::kFourier) {
    EXPECT_GT(clamped, 10);
    EXPECT_LT(clamped, static_cast<int>(x.size()) - 10);
  }
  expect_gradients_near(analytic, fd, checked, 1e-4, 1e-5,
                        "estimator " + std::to_string(static_cast<int>(e.kind)));
}

INSTANTIATE_TEST_SUITE_P(Estimators, GradientsThroughSign,
                         ::testing::Values(Estimator::kSte, Estimator::kSteClip,
                                           Estimator::kSignswish, Estimator::kFourier),
                         [](const ::testing::TestParamInfo<Estimator>& info) {
                           switch (info.param) {
                             case Estimator::kSteClip: return std::string("SteClip");
                             case Estimator::kSignswish: return std::string("Signswish");
                             case Estimator::kFourier: return std::string("Fourier");
                             default: return std::string("Ste");
                           }
                         });

TEST(Gradients, FourierClampIsExact) {
  // N = 8, ω = 1: the slope at 0 is 16/π ≈ 5.09, clamped to 1; near π it is
  // about −16/π, clamped to −1.
  EXPECT_EQ(fourier_grad(0.0f, 8, 1.0f), 1.0f);
  EXPECT_EQ(fourier_grad(0.01f, 8, 1.0f), 1.0f);
  EXPECT_EQ(fourier_grad(3.1f, 8, 1.0f), -1.0f);
  for (float x = -6.0f; x <= 6.0f; x += 0.01f) {
    const float g = fourier_grad(x, 8, 1.0f);
    ASSERT_LE(std::fabs(g), 1.0f) << x;
    EXPECT_NEAR(g, std::max(-1.0, std::min(1.0, fourier_unclamped(EstimatorParams{
                                                     Estimator::kFourier, 1.0f, 1.0f, 8, 1.0f},
                                                 x))),
                1e-5)
        << x;
  }
}

TEST(Gradients, SignswishStableAtExtremes) {
  for (float beta : {1.0f, 10.0f, 100.0f}) {
    for (float z : {-1000.0f, -100.0f, -50.0f, -44.0f, -3.43f, -2.4f, 0.0f, 2.4f, 3.43f, 44.0f,
                    100.0f, 1000.0f}) {
      const float x = z / beta;
      const float g = signswish_grad(x, beta);
      ASSERT_TRUE(std::isfinite(g)) << "beta x = " << z;
      // Double reference of 2β s(1−s)(2 + βx(1−2s)), s = σ(βx).
      const double s = 1.0 / (1.0 + std::exp(-static_cast<double>(z)));
      const double ref = 2.0 * beta * s * (1.0 - s) * (2.0 + z * (1.0 - 2.0 * s));
      EXPECT_NEAR(g, ref, 1e-5 * beta) << "beta x = " << z;
      EXPECT_TRUE(std::isfinite(signswish_value(x, beta))) << "beta x = " << z;
    }
    // At |βx| = 100 the derivative has vanished; its minimum ≈ −0.074β is at |βx| ≈ 3.43.
    EXPECT_NEAR(signswish_grad(100.0f / beta, beta), 0.0f, 1e-30f);
    EXPECT_NEAR(signswish_grad(-100.0f / beta, beta), 0.0f, 1e-30f);
    EXPECT_NEAR(signswish_grad(3.43f / beta, beta), -0.074 * beta, 0.001 * beta);
    EXPECT_GT(signswish_grad(2.3f / beta, beta), 0.0f);
    EXPECT_LT(signswish_grad(2.5f / beta, beta), 0.0f);
    // The value saturates at ±1.
    EXPECT_NEAR(signswish_value(100.0f / beta, beta), 1.0f, 1e-6);
    EXPECT_NEAR(signswish_value(-100.0f / beta, beta), -1.0f, 1e-6);
  }
}

// ---- (5) the composed LightGCN step -----------------------------------------

// Reference: L(E0) = BPR(S(propagate_mean(E0))) + L2(E0), all in double.
double lightgcn_loss_ref(const Batch& b, const std::vector<double>& a, int layers, double lambda,
                         const EstimatorParams* hash, const std::vector<double>& e0) {
  std::vector<double> e = test::dense_propagate_mean(a, b.graph.n_nodes, e0, b.d, layers);
  if (hash != nullptr) {
    for (double& v : e) v = surrogate(*hash, v);
  }
  return test::bpr_loss_ref(e, b.d, b.m, b.triples) +
         test::l2_loss_ref(e0, b.d, b.m, b.triples, lambda);
}

// Backend: the trainer's sequence of calls (host/train/trainer.cpp).
std::vector<float> lightgcn_grad(const Batch& b, const std::vector<float>& e0, int layers,
                                 float lambda, const EstimatorParams* hash, float* loss_out) {
  CpuBackend be(2);
  be.set_graph(b.graph);
  const int64_t rows = b.graph.n_nodes;
  const int count = static_cast<int>(b.triples.size() / 3);
  FloatTensor te0 = to_tensor(be, e0, rows, b.d), emb = be.alloc_f32(rows, b.d),
              scored = be.alloc_f32(rows, b.d), grad_scored = be.alloc_f32(rows, b.d),
              grad_emb = be.alloc_f32(rows, b.d), grad_e0 = be.alloc_f32(rows, b.d),
              loss = be.alloc_f32(1, 1);
  IndexTensor tr = test::triples_tensor(be, b.triples);
  be.propagate_mean(te0, emb, layers);
  if (hash != nullptr) {
    // The surrogate's forward value stands in for sign() so that finite
    // differences of the whole loss see the slope the estimator claims.
    std::vector<float> e = to_host(be, emb);
    for (float& v : e) v = static_cast<float>(surrogate(*hash, v));
    be.upload(e.data(), scored);
  }
  be.bpr_forward_backward(hash ? scored : emb, tr, count, b.m, 1.0f, grad_scored, loss);
  if (hash != nullptr) be.hash_backward(*hash, emb, grad_scored, grad_emb);
  be.propagate_mean(hash ? grad_emb : grad_scored, grad_e0, layers);
  be.l2_forward_backward(te0, tr, count, b.m, lambda, grad_e0, loss);
  *loss_out = to_host(be, loss)[0];
  return to_host(be, grad_e0);
}

TEST(Gradients, ComposedLightGcnStep) {
  const Batch b = make_batch(7, 9, 4, 16, 51);
  const std::vector<double> a = test::dense_normalized(b.train, b.m, b.n);
  const std::vector<float> e0 = random_vector(static_cast<size_t>(b.graph.n_nodes * b.d), 0.5f, 52);
  const float lambda = 1e-2f;
  for (int layers : {1, 3}) {
    float loss = 0.0f;
    const std::vector<float> analytic = lightgcn_grad(b, e0, layers, lambda, nullptr, &loss);
    auto f = [&](const std::vector<double>& x) {
      return lightgcn_loss_ref(b, a, layers, lambda, nullptr, x);
    };
    EXPECT_NEAR(loss, f(to_double(e0)), 1e-6);
    const std::vector<double> fd = finite_differences(to_double(e0), 1e-6, f);
    expect_gradients_near(analytic, fd, std::vector<bool>(fd.size(), true), 1e-4, 1e-5,
                          "lightgcn L=" + std::to_string(layers));
  }
}

TEST(Gradients, ComposedHashedStepWithSignswish) {
  const Batch b = make_batch(7, 9, 4, 16, 61);
  const std::vector<double> a = test::dense_normalized(b.train, b.m, b.n);
  const std::vector<float> e0 = random_vector(static_cast<size_t>(b.graph.n_nodes * b.d), 0.5f, 62);
  EstimatorParams e;
  e.kind = Estimator::kSignswish;
  e.beta = 8.0f;  // βx spans both signs of the derivative at this scale
  float loss = 0.0f;
  const std::vector<float> analytic = lightgcn_grad(b, e0, 2, 1e-3f, &e, &loss);
  auto f = [&](const std::vector<double>& x) { return lightgcn_loss_ref(b, a, 2, 1e-3, &e, x); };
  EXPECT_NEAR(loss, f(to_double(e0)), 1e-5);
  const std::vector<double> fd = finite_differences(to_double(e0), 1e-6, f);
  expect_gradients_near(analytic, fd, std::vector<bool>(fd.size(), true), 1e-4, 1e-5,
                        "hashed signswish");
}

}  // namespace
}  // namespace bitrec

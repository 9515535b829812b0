// HashGNN's layers against double-precision references: each test writes the
// layer's forward again in double, takes central differences of it
// (ε = 1e-6, so truncation and rounding are ~1e-9), and compares the float
// backward with them. Tolerance: 1e-4 absolute + 1e-3 relative, float
// rounding of sums of at most a few dozen terms.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "bitrec/kernels/philox.hpp"
#include "methods/hashgnn/hash_layer.hpp"
#include "methods/hashgnn/hashgnn_layout.hpp"
#include "methods/hashgnn/hashgnn_loss.hpp"
#include "methods/hashgnn/row_accumulator.hpp"
#include "methods/hashgnn/sage_layer.hpp"

namespace bitrec::hashgnn {
namespace {

std::vector<float> randoms(size_t n, uint32_t tag, float scale) {
  std::vector<float> v(n);
  for (size_t k = 0; k < n; ++k) {
    const Philox4 r = philox_draw(99, RngStream::kInit, static_cast<uint32_t>(k), 7, tag);
    v[k] = scale * (2.0f * uniform_open01(r.v[0]) - 1.0f);
  }
  return v;
}

std::vector<double> to_double(const std::vector<float>& v) { return {v.begin(), v.end()}; }

// Central difference of f at every entry of x (double).
std::vector<double> numeric_grad(std::vector<double>& x, const std::function<double()>& f) {
  constexpr double kEps = 1e-6;
  std::vector<double> g(x.size());
  for (size_t k = 0; k < x.size(); ++k) {
    const double keep = x[k];
    x[k] = keep + kEps;
    const double up = f();
    x[k] = keep - kEps;
    const double down = f();
    x[k] = keep;
    g[k] = (up - down) / (2 * kEps);
  }
  return g;
}

void expect_close(const std::vector<float>& analytic, const std::vector<double>& numeric, const char* what) {
  ASSERT_EQ(analytic.size(), numeric.size()) << what;
  double biggest = 0.0;
  for (size_t k = 0; k < numeric.size(); ++k) {
    EXPECT_NEAR(analytic[k], numeric[k], 1e-4 + 1e-3 * std::fabs(numeric[k])) << what << "[" << k << "]";
    biggest = std::max(biggest, std::fabs(numeric[k]));
  }
  EXPECT_GT(biggest, 1e-3) << what << ": the check would pass on all-zero gradients";
}

// GraphSAGE-mean + linear + LeakyReLU.
TEST(HashGnnLayers, SageLayerBackwardMatchesDoubleReference) {
  constexpr int K = 3, H = 4, kSourceRows = 6;
  SageRows rows;
  const int32_t n0[] = {1, 2, 2, 5}, n1[] = {0}, n3[] = {4, 3};
  rows.add(0, n0, 4);
  rows.add(3, n1, 1);
  rows.add(5, nullptr, 0);  // no neighbours: zero mean
  rows.add(2, n3, 2);
  const int64_t N = rows.size();
  std::vector<float> X = randoms(kSourceRows * K, 1, 1.0f), W = randoms(2 * K * H, 2, 0.8f),
                     b = randoms(H, 3, 0.3f), c = randoms(N * H, 4, 1.0f);
  std::vector<double> Xd = to_double(X), Wd = to_double(W), bd = to_double(b);
  auto reference = [&](std::vector<double>* out) {
    double objective = 0.0;
    for (int64_t n = 0; n < N; ++n) {
      std::vector<double> a(2 * K, 0.0);
      for (int k = 0; k < K; ++k) a[k] = Xd[rows.self[n] * K + k];
      const int64_t cnt = rows.nbr_ptr[n + 1] - rows.nbr_ptr[n];
      for (int64_t t = rows.nbr_ptr[n]; t < rows.nbr_ptr[n + 1]; ++t) {
        for (int k = 0; k < K; ++k) a[K + k] += Xd[rows.nbr[t] * K + k] / cnt;
      }
      for (int h = 0; h < H; ++h) {
        double pre = bd[h];
        for (int k = 0; k < 2 * K; ++k) pre += a[k] * Wd[k * H + h];
        const double o = pre > 0 ? pre : kLeakySlope * pre;
        if (out) out->push_back(o);
        objective += c[n * H + h] * o;
      }
    }
    return objective;
  };
  SageLayerCache cache;
  sage_forward(X.data(), K, rows, W.data(), b.data(), H, cache, 1);
  std::vector<double> ref_out;
  reference(&ref_out);
  for (size_t k = 0; k < ref_out.size(); ++k) EXPECT_NEAR(cache.out[k], ref_out[k], 1e-5);

  std::vector<float> dW(W.size(), 0.0f), db(H, 0.0f);
  std::vector<GradEntry> entries;
  sage_backward(rows, K, W.data(), H, c.data(), cache, dW.data(), db.data(), entries, 1);
  RowAccumulator acc(kSourceRows);
  SparseRowGrad sparse;
  acc.accumulate(entries, K, sparse, 1);
  std::vector<float> dX(X.size(), 0.0f);
  for (size_t r = 0; r < sparse.rows.size(); ++r) {
    for (int k = 0; k < K; ++k) dX[sparse.rows[r] * K + k] = sparse.grad[r * K + k];
  }
  auto f = [&] { return reference(nullptr); };
  expect_close(dX, numeric_grad(Xd, f), "dX");
  expect_close(dW, numeric_grad(Wd, f), "dW");
  expect_close(db, numeric_grad(bd, f), "db");
}

TEST(HashGnnLayers, TanhHashLayerBackwardMatchesDoubleReference) {
  constexpr int N = 5, K = 4, bits = 3;
  std::vector<float> z = randoms(N * K, 11, 1.0f), W = randoms(K * bits, 12, 0.9f), b = randoms(bits, 13, 0.2f),
                     c = randoms(N * bits, 14, 1.0f);
  std::vector<double> zd = to_double(z), Wd = to_double(W), bd = to_double(b);
  auto reference = [&] {
    double objective = 0.0;
    for (int n = 0; n < N; ++n) {
      for (int j = 0; j < bits; ++j) {
        double pre = bd[j];
        for (int k = 0; k < K; ++k) pre += zd[n * K + k] * Wd[k * bits + j];
        objective += c[n * bits + j] * std::tanh(pre);
      }
    }
    return objective;
  };
  HashLayerCache cache;
  hash_forward(z.data(), N, K, W.data(), b.data(), bits, cache, 1);
  std::vector<float> dW(W.size(), 0.0f), db(bits, 0.0f);
  hash_backward(z.data(), N, K, W.data(), bits, c.data(), cache, dW.data(), db.data(), 1);
  expect_close(cache.d_z, numeric_grad(zd, reference), "dz");
  expect_close(dW, numeric_grad(Wd, reference), "dW");
  expect_close(db, numeric_grad(bd, reference), "db");
}

// BPR + w·BCE on mixed vectors. The reference is a function of the mixed
// vectors m; on continuous slots dL/dh = dL/dm, on code slots the
// estimator's factor times dL/dm (STE: 1, signswish: its derivative at h).
void check_loss(Estimator kind) {
  constexpr int B = 3, J = 2, S = 1 + J, bits = 4;
  const float w_bce = 0.3f;
  std::vector<float> hu = randoms(B * bits, 21, 0.9f), hi = randoms(B * S * bits, 22, 0.9f);
  const std::vector<uint8_t> code_user = {0, 1, 1}, code_neg = {0, 1, 0, 0, 1, 1};
  LossInputs in;
  in.h_user = hu.data();
  in.h_item = hi.data();
  in.code_user = code_user.data();
  in.code_neg = code_neg.data();
  in.B = B;
  in.J = J;
  in.bits = bits;
  in.bce_weight = w_bce;
  in.estimator.kind = kind;
  in.estimator.beta = 2.0f;
  std::vector<float> du(hu.size()), di(hi.size());
  const LossTerms t = hashgnn_loss(in, du.data(), di.data(), 1);

  auto code_of_slot = [&](int b, int s) { return s == 0 ? code_user[b] : code_neg[b * J + s - 1]; };
  std::vector<double> mu(hu.size()), mi(hi.size());
  for (int b = 0; b < B; ++b) {
    for (int c = 0; c < bits; ++c) mu[b * bits + c] = code_user[b] ? sign_code(hu[b * bits + c]) : hu[b * bits + c];
    for (int s = 0; s < S; ++s) {
      for (int c = 0; c < bits; ++c) {
        const float h = hi[(b * S + s) * bits + c];
        mi[(b * S + s) * bits + c] = code_of_slot(b, s) ? sign_code(h) : h;
      }
    }
  }
  auto reference = [&] {
    double bpr = 0.0, bce = 0.0;
    auto sp = [](double x) { return std::log1p(std::exp(x)); };
    for (int b = 0; b < B; ++b) {
      double s[S];
      for (int k = 0; k < S; ++k) {
        s[k] = 0.0;
        for (int c = 0; c < bits; ++c) s[k] += mu[b * bits + c] * mi[(b * S + k) * bits + c];
      }
      bce += sp(-s[0]);
      for (int j = 1; j < S; ++j) {
        bpr += sp(s[j] - s[0]);
        bce += sp(s[j]);
      }
    }
    return bpr / (B * J) + w_bce * bce / (B * S);
  };
  EXPECT_NEAR(t.total(w_bce), reference(), 1e-5);
  const std::vector<double> gu = numeric_grad(mu, reference), gi = numeric_grad(mi, reference);
  EstimatorParams est = in.estimator;
  std::vector<double> want_u(gu.size()), want_i(gi.size());
  for (int b = 0; b < B; ++b) {
    for (int c = 0; c < bits; ++c) {
      const int k = b * bits + c;
      want_u[k] = code_user[b] ? gu[k] * estimator_grad(est, hu[k]) : gu[k];
    }
    for (int s = 0; s < S; ++s) {
      for (int c = 0; c < bits; ++c) {
        const int k = (b * S + s) * bits + c;
        want_i[k] = code_of_slot(b, s) ? gi[k] * estimator_grad(est, hi[k]) : gi[k];
      }
    }
  }
  expect_close(du, want_u, "dL/dh_user");
  expect_close(di, want_i, "dL/dh_item");
}

TEST(HashGnnLayers, MixedBprBceLossMatchesDoubleReference) { check_loss(Estimator::kDropoutSte); }
TEST(HashGnnLayers, MixedLossAppliesTheEstimatorOnCodeSlots) { check_loss(Estimator::kSignswish); }

TEST(HashGnnLayers, RowAccumulatorSumsInListOrderPerRow) {
  const std::vector<float> a = {1, 2}, b = {10, 20}, c = {100, 200};
  const std::vector<GradEntry> entries = {{3, 1.0f, a.data()}, {1, 0.5f, b.data()}, {3, 2.0f, c.data()}};
  RowAccumulator acc(5);
  SparseRowGrad out;
  acc.accumulate(entries, 2, out, 2);
  ASSERT_EQ(out.rows, (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(out.grad, (std::vector<float>{5, 10, 201, 402}));
  acc.accumulate({{0, 1.0f, a.data()}}, 2, out, 1);  // counts were reset
  EXPECT_EQ(out.rows, (std::vector<int32_t>{0}));
}

}  // namespace
}  // namespace bitrec::hashgnn

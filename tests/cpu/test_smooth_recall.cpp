// The smooth recall loss (docs/methods.md §5, docs/smooth_recall.md): the
// histogram form of host/cpu/cpu_smooth_recall.cpp against the direct
// O(|P_u|·n) form below, finite differences, a hand-computed case,
// determinism across thread counts and batch order, the τ_cut warm-up
// behaviour, and the backend entry point.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bitrec/smooth_recall.hpp"
#include "cpu/cpu_backend.hpp"
#include "cpu_test_util.hpp"

namespace bitrec {
namespace {

using test::central_difference;
using test::to_host;
using test::to_tensor;

double sigmoid_ref(double z) { return 1.0 / (1.0 + std::exp(-z)); }
double sigmoid_grad_ref(double z) { return sigmoid_ref(z) * (1.0 - sigmoid_ref(z)); }

// The loss straight from the definition, on a real-valued table x [m + n, d]
// (users first) in double: s_uj = x_uᵀx_j, r_ui = 1 + Σ_{j≠i} σ((s_uj −
// s_ui)/τ_r), L = −(1/|Ω|) Σ g(r_ui), g(r) = σ((N − r)/τ_c)·(1 + w/log₂(1 + r)).
// When `grad` is given, adds the analytic dL/dx into it, also straight from
// the definition:
//   dL/ds_uj = Σ_{i∈P_u, i≠j} a_i σ'((s_uj − s_ui)/τ_r)/τ_r
//              − [j∈P_u] a_j Σ_{k≠j} σ'((s_uk − s_uj)/τ_r)/τ_r,
//   a_i = −g'(r_ui)/|Ω|, g'(r) = −σ'((N − r)/τ_c)/τ_c·(1 + w/log₂(1+r))
//                               − σ((N − r)/τ_c)·w/(ln 2·(1 + r)·log₂²(1 + r)).
double smooth_recall_direct(const std::vector<double>& x, int d, int32_t m, int32_t n,
                            const Csr& train, const std::vector<int32_t>& users,
                            const SmoothRecallParams& p, std::vector<double>* grad) {
  int64_t omega = 0;
  for (const int32_t u : users) omega += train.row_size(u);
  if (omega == 0) return 0.0;
  const double tr = p.tau_rank, tc = p.tau_cut, big_n = p.recall_n, w = p.dcg_weight;
  double loss = 0.0;
  std::vector<double> s(n), ds(n);
  for (const int32_t u : users) {
    const double* xu = &x[static_cast<size_t>(u) * d];
    for (int32_t j = 0; j < n; ++j) {
      const double* xj = &x[static_cast<size_t>(m + j) * d];
      s[j] = 0.0;
      for (int k = 0; k < d; ++k) s[j] += xu[k] * xj[k];
    }
    std::fill(ds.begin(), ds.end(), 0.0);
    for (const int32_t* it = train.row_begin(u); it != train.row_end(u); ++it) {
      const int32_t i = *it;
      double r = 1.0;
      for (int32_t j = 0; j < n; ++j) {
        if (j != i) r += sigmoid_ref((s[j] - s[i]) / tr);
      }
      const double cut = sigmoid_ref((big_n - r) / tc), discount = 1.0 + w / std::log2(1.0 + r);
      loss -= cut * discount / omega;
      const double gain_grad = -sigmoid_grad_ref((big_n - r) / tc) / tc * discount -
                               cut * w / (std::log(2.0) * (1.0 + r) * std::pow(std::log2(1.0 + r), 2));
      const double a = -gain_grad / omega;
      for (int32_t j = 0; j < n; ++j) {
        if (j == i) continue;
        const double t = a * sigmoid_grad_ref((s[j] - s[i]) / tr) / tr;
        ds[j] += t;  // ∂r_ui/∂s_uj
        ds[i] -= t;  // ∂r_ui/∂s_ui
      }
    }
    if (grad == nullptr) continue;
    double* gu = &(*grad)[static_cast<size_t>(u) * d];
    for (int32_t j = 0; j < n; ++j) {
      const double* xj = &x[static_cast<size_t>(m + j) * d];
      double* gj = &(*grad)[static_cast<size_t>(m + j) * d];
      for (int k = 0; k < d; ++k) {
        gu[k] += ds[j] * xj[k];
        gj[k] += ds[j] * xu[k];
      }
    }
  }
  return loss;
}

std::vector<float> random_signs(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> v(size);
  for (float& x : v) x = (rng() & 1u) ? 1.0f : -1.0f;
  return v;
}

// Users with varied train rows: user 0 has one positive, user 1 about half
// the items, the last user none, the rest a few each.
Csr varied_train(int32_t m, int32_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::pair<int32_t, int32_t>> pairs;
  pairs.emplace_back(0, 3 % n);
  for (int32_t i = 0; i < n; i += 2) pairs.emplace_back(1, i);
  std::uniform_int_distribution<int32_t> item(0, n - 1);
  for (int32_t u = 2; u + 1 < m; ++u) {
    const int count = 1 + static_cast<int>(rng() % 12);
    for (int c = 0; c < count; ++c) pairs.emplace_back(u, item(rng));
  }
  return csr_from_pairs(m, n, std::move(pairs));
}

// |a − b| ≤ tol·max|b| for every coordinate.
void expect_close_to(const std::vector<float>& a, const std::vector<double>& b, double tol,
                     const std::string& what) {
  double scale = 0.0;
  for (const double v : b) scale = std::max(scale, std::fabs(v));
  ASSERT_GT(scale, 0.0) << what << ": reference gradient is all zero";
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_NEAR(a[i], b[i], tol * scale) << what << ", coordinate " << i;
  }
}

TEST(SmoothRecall, HistogramMatchesDirectForm) {
  const int32_t m = 9, n = 160;
  const Csr train = varied_train(m, n, 5);
  // Every user, one twice, and the user without positives.
  const std::vector<int32_t> users = {0, 1, 2, 3, 4, 5, 6, 7, 8, 2};
  for (const int bits : {8, 64, 100}) {
    for (const SmoothRecallParams p : {SmoothRecallParams{1.0f, 50.0f, 50},
                                       SmoothRecallParams{3.0f, 7.0f, 20},
                                       SmoothRecallParams{0.25f, 200.0f, 5},
                                       SmoothRecallParams{2.0f, 30.0f, 10, 1.5f}}) {
      const std::string what = "bits " + std::to_string(bits) + ", tau_rank " +
                               std::to_string(p.tau_rank) + ", tau_cut " +
                               std::to_string(p.tau_cut) + ", dcg_weight " + std::to_string(p.dcg_weight);
      const std::vector<float> signs = random_signs(static_cast<size_t>(m + n) * bits, bits);
      std::vector<float> grad(signs.size(), 0.0f);
      const double loss = smooth_recall_forward_backward_cpu(
          signs.data(), bits, m, n, train, users.data(), static_cast<int64_t>(users.size()), p,
          grad.data(), 2);
      std::vector<double> grad_ref(signs.size(), 0.0);
      const double loss_ref =
          smooth_recall_direct(test::to_double(signs), bits, m, n, train, users, p, &grad_ref);
      EXPECT_NEAR(loss, loss_ref, 1e-12 * std::fabs(loss_ref)) << what;
      // Float block and float products: ~1e-7 relative per term.
      expect_close_to(grad, grad_ref, 2e-6, what);
    }
  }
}

// 1 user, 3 items, bits 2, τ_rank = τ_cut = 1, N = 2, P_u = {1}:
//   b_u = (+,+); b_0 = (+,+), b_1 = (+,−), b_2 = (−,−) → s = (2, 0, −2), all
//   three levels distinct.
//   r_1 = 1 + σ(2 − 0) + σ(−2 − 0) = 1 + σ(2) + σ(−2) = 2.
//   L = −σ((2 − 2)/1) = −½.
//   a_1 = σ'(0)/τ_c/|Ω| = ¼.
//   dL/ds_0 = a_1 σ'(2)  = ¼·0.104993585403506… = 0.026248396350876…
//   dL/ds_2 = a_1 σ'(−2) = the same
//   dL/ds_1 = −a_1 (σ'(2) + σ'(−2)) = −0.052496792701753…
//   dL/db_u = Σ_j (dL/ds_j) b_j = (g0 + g1 − g2, g0 − g1 − g2) = (g1, −g1)
//   dL/db_j = (dL/ds_j)·b_u = (g_j, g_j).
TEST(SmoothRecall, HandComputedOneUserThreeItems) {
  const Csr train = csr_from_pairs(1, 3, {{0, 1}});
  const std::vector<float> signs = {1, 1, /*items*/ 1, 1, 1, -1, -1, -1};
  const std::vector<int32_t> users = {0};
  std::vector<float> grad(signs.size(), 0.0f);
  const double loss = smooth_recall_forward_backward_cpu(signs.data(), 2, 1, 3, train,
                                                         users.data(), 1, {1.0f, 1.0f, 2},
                                                         grad.data(), 1);
  EXPECT_NEAR(loss, -0.5, 1e-15);
  const double g0 = 0.25 * 0.10499358540350652, g1 = -2.0 * g0, g2 = g0;
  const std::vector<double> expected = {g1, -g1, g0, g0, g1, g1, g2, g2};
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_NEAR(grad[k], expected[k], 1e-8) << "coordinate " << k;
  }
}

// The same case with the top weight w = 1: g(r) = σ((N − r)/τ_c)·(1 + 1/log₂(1 + r))
// at r = 2: L = −½·(1 + 1/log₂3) = −0.815464876785729…;
//   g'(2) = −σ'(0)·(1 + 1/log₂3) − σ(0)·1/(ln2·3·log₂²3)
//         = −0.407732438392864… − 0.095716168491124… = −0.503448606883988…,
//   so a_1 = −g'(2)/|Ω| = 0.503448606883988…, and every dL/ds is the
//   unweighted case's times a_1/¼.
TEST(SmoothRecall, HandComputedTopWeight) {
  const Csr train = csr_from_pairs(1, 3, {{0, 1}});
  const std::vector<float> signs = {1, 1, /*items*/ 1, 1, 1, -1, -1, -1};
  const std::vector<int32_t> users = {0};
  std::vector<float> grad(signs.size(), 0.0f);
  const double loss = smooth_recall_forward_backward_cpu(signs.data(), 2, 1, 3, train, users.data(), 1,
                                                         {1.0f, 1.0f, 2, 1.0f}, grad.data(), 1);
  EXPECT_NEAR(loss, -0.8154648767857288, 1e-13);
  const double log2_3 = 1.5849625007211562;
  const double a1 = 0.25 * (1.0 + 1.0 / log2_3) + 0.5 / (0.6931471805599453 * 3.0 * log2_3 * log2_3);
  const double g0 = a1 * 0.10499358540350652, g1 = -2.0 * g0, g2 = g0;
  const std::vector<double> expected = {g1, -g1, g0, g0, g1, g1, g2, g2};
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_NEAR(grad[k], expected[k], 1e-7) << "coordinate " << k;
  }
}

TEST(SmoothRecall, DirectFormMatchesFiniteDifferencesOnRealInputs) {
  const int32_t m = 3, n = 14;
  const int d = 5;
  const Csr train = varied_train(m, n, 11);
  const std::vector<int32_t> users = {0, 1, 2};
  for (const SmoothRecallParams p : {SmoothRecallParams{0.7f, 1.5f, 4}, SmoothRecallParams{0.7f, 1.5f, 4, 2.0f}}) {
    std::vector<double> x = test::to_double(test::random_vector(static_cast<size_t>(m + n) * d,
                                                                1.0f, 3));
    std::vector<double> grad(x.size(), 0.0);
    smooth_recall_direct(x, d, m, n, train, users, p, &grad);
    const auto f = [&](const std::vector<double>& y) {
      return smooth_recall_direct(y, d, m, n, train, users, p, nullptr);
    };
    double scale = 0.0;
    for (const double g : grad) scale = std::max(scale, std::fabs(g));
    ASSERT_GT(scale, 1e-4);
    for (size_t at = 0; at < x.size(); ++at) {
      const double fd = central_difference(x, at, 1e-5, f);
      EXPECT_NEAR(grad[at], fd, 1e-6 * scale) << "coordinate " << at << ", dcg_weight " << p.dcg_weight;
    }
  }
}

// The histogram gradient at ±1 signs against central differences of the
// direct loss, each sign entry perturbed as a real number (the direct form is
// smooth in the table).
TEST(SmoothRecall, HistogramGradientMatchesFiniteDifferencesOfDirectLoss) {
  const int32_t m = 4, n = 40;
  const int bits = 8;
  const Csr train = varied_train(m, n, 17);
  const std::vector<int32_t> users = {0, 1, 2, 3};
  for (const SmoothRecallParams p : {SmoothRecallParams{1.0f, 4.0f, 6}, SmoothRecallParams{1.0f, 4.0f, 6, 2.0f}}) {
    const std::vector<float> signs = random_signs(static_cast<size_t>(m + n) * bits, 23);
    std::vector<float> grad(signs.size(), 0.0f);
    smooth_recall_forward_backward_cpu(signs.data(), bits, m, n, train, users.data(), 4, p,
                                       grad.data(), 2);
    std::vector<double> x = test::to_double(signs);
    const auto f = [&](const std::vector<double>& y) {
      return smooth_recall_direct(y, bits, m, n, train, users, p, nullptr);
    };
    std::vector<double> fd(x.size());
    for (size_t at = 0; at < x.size(); ++at) fd[at] = central_difference(x, at, 1e-4, f);
    expect_close_to(grad, fd, 1e-5, "histogram vs finite differences, dcg_weight " + std::to_string(p.dcg_weight));
  }
}

TEST(SmoothRecall, BitwiseIndependentOfThreadCountAndLossOfUserOrder) {
  // More users than one tile (64) so the tiling and its serial merge run.
  const int32_t m = 150, n = 700;
  const int bits = 64;
  const Csr train = varied_train(m, n, 29);
  std::vector<int32_t> users(m);
  for (int32_t u = 0; u < m; ++u) users[u] = u;
  users.push_back(7);  // a repeat in another tile
  users.push_back(7);
  const std::vector<float> signs = random_signs(static_cast<size_t>(m + n) * bits, 31);
  const SmoothRecallParams p{2.0f, 300.0f, 50};
  const auto run = [&](const std::vector<int32_t>& batch, int threads, std::vector<float>& grad) {
    grad.assign(signs.size(), 0.0f);
    return smooth_recall_forward_backward_cpu(signs.data(), bits, m, n, train, batch.data(),
                                              static_cast<int64_t>(batch.size()), p, grad.data(),
                                              threads);
  };
  std::vector<float> g1, g2, g3;
  const double l1 = run(users, 1, g1), l2 = run(users, 2, g2), l3 = run(users, 3, g3);
  EXPECT_EQ(std::memcmp(&l1, &l2, sizeof l1), 0);
  EXPECT_EQ(std::memcmp(&l1, &l3, sizeof l1), 0);
  EXPECT_EQ(std::memcmp(g1.data(), g2.data(), g1.size() * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(g1.data(), g3.data(), g1.size() * sizeof(float)), 0);

  std::vector<int32_t> shuffled = users;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(37));
  std::vector<float> gs;
  const double ls = run(shuffled, 2, gs);
  EXPECT_NEAR(ls, l1, 1e-13 * std::fabs(l1));
  double scale = 0.0;
  for (const float g : g1) scale = std::max(scale, static_cast<double>(std::fabs(g)));
  for (size_t k = 0; k < g1.size(); ++k) ASSERT_NEAR(gs[k], g1[k], 1e-5 * scale) << k;
}

// docs/methods.md §5's warm-up concern: positives ranked far below N (here each
// positive's code is −b_u, the worst an init can do) give σ'((N − r)/τ_cut)
// that underflows to exactly 0 for a small τ_cut, while a τ_cut on the scale
// of the ranks keeps a usable gradient. τ_rank = 8 = √bits, the spread of
// random-code scores: with τ_rank = 1 the rank terms of a positive at
// s = −bits saturate too (σ'(64) ≈ 1e−28), whatever τ_cut.
TEST(SmoothRecall, LargeTauCutKeepsGradientFromFarRanks) {
  const int32_t m = 6, n = 3000;
  const int bits = 64;
  std::vector<float> signs = random_signs(static_cast<size_t>(m + n) * bits, 41);
  std::vector<std::pair<int32_t, int32_t>> pairs;
  for (int32_t u = 0; u < m; ++u) {
    for (int32_t c = 0; c < 5; ++c) {
      const int32_t item = u * 5 + c;
      pairs.emplace_back(u, item);
      for (int k = 0; k < bits; ++k) {
        signs[static_cast<size_t>(m + item) * bits + k] = -signs[static_cast<size_t>(u) * bits + k];
      }
    }
  }
  const Csr train = csr_from_pairs(m, n, std::move(pairs));
  std::vector<int32_t> users(m);
  for (int32_t u = 0; u < m; ++u) users[u] = u;
  const auto max_abs_grad = [&](float tau_cut, double* loss) {
    std::vector<float> grad(signs.size(), 0.0f);
    *loss = smooth_recall_forward_backward_cpu(signs.data(), bits, m, n, train, users.data(), m,
                                               {8.0f, tau_cut, 50}, grad.data(), 2);
    float mx = 0.0f;
    for (const float g : grad) mx = std::max(mx, std::fabs(g));
    return mx;
  };
  double loss_small = 0.0, loss_large = 0.0;
  EXPECT_EQ(max_abs_grad(1.0f, &loss_small), 0.0f);  // (50 − ~3000)/1: e^−2950 = 0
  EXPECT_GT(max_abs_grad(2000.0f, &loss_large), 1e-6f);
  EXPECT_GT(loss_small, -1e-300);
  EXPECT_LT(loss_large, -0.05);
}

TEST(SmoothRecall, BackendMethodAccumulatesLikeTheReference) {
  const int32_t m = 7, n = 90;
  const int bits = 32;
  const Csr train = varied_train(m, n, 43);
  const std::vector<float> signs = random_signs(static_cast<size_t>(m + n) * bits, 47);
  const std::vector<int32_t> batch = {3, 1, 6, 0};
  const SmoothRecallParams p{1.5f, 20.0f, 10};
  CpuBackend be(2);
  be.set_train(train);
  FloatTensor t_signs = to_tensor(be, signs, m + n, bits);
  FloatTensor grad = be.alloc_f32(m + n, bits);
  FloatTensor loss = be.alloc_f32(1, 1);
  IndexTensor t_users = be.alloc_i32(static_cast<int64_t>(batch.size()) + 2, 1);
  std::copy(batch.begin(), batch.end(), t_users.data());  // CPU tensor: write through
  // Two calls accumulate twice; only the first `count` ids are read.
  be.smooth_recall_forward_backward(t_signs, t_users, 4, p, grad, loss);
  be.smooth_recall_forward_backward(t_signs, t_users, 4, p, grad, loss);
  std::vector<double> grad_ref(signs.size(), 0.0);
  const double loss_ref =
      smooth_recall_direct(test::to_double(signs), bits, m, n, train, batch, p, &grad_ref);
  for (double& g : grad_ref) g *= 2.0;
  EXPECT_NEAR(to_host(be, loss)[0], 2.0 * loss_ref, 1e-6 * std::fabs(loss_ref));
  expect_close_to(to_host(be, grad), grad_ref, 2e-6, "backend");
}

TEST(SmoothRecall, RejectsBadInput) {
  const Csr train = csr_from_pairs(1, 3, {{0, 1}});
  std::vector<float> signs = {1, 1, 1, 1, 1, -1, -1, -1};
  std::vector<float> grad(signs.size(), 0.0f);
  const int32_t user = 0, bad_user = 1;
  signs[3] = 0.5f;  // not ±1
  EXPECT_THROW(smooth_recall_forward_backward_cpu(signs.data(), 2, 1, 3, train, &user, 1, {},
                                                  grad.data()),
               std::invalid_argument);
  signs[3] = 1.0f;
  EXPECT_THROW(smooth_recall_forward_backward_cpu(signs.data(), 2, 1, 3, train, &bad_user, 1,
                                                  {}, grad.data()),
               std::invalid_argument);
  EXPECT_THROW(smooth_recall_forward_backward_cpu(signs.data(), 2, 1, 3, train, &user, 1,
                                                  {0.0f, 1.0f, 5}, grad.data()),
               std::invalid_argument);
}

}  // namespace
}  // namespace bitrec

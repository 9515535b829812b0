// BGCH's pieces one by one (host/methods/bgch): the dense products against a
// double reference, the dispersion and its backward (v detached) against
// finite differences, the scaled sign and its estimator link, the hash layer
// chain with the smooth surrogate of sign, and the losses against finite
// differences. The whole batch is checked in test_bgch_model.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "bitrec/kernels/estimators.hpp"
#include "methods/bgch/bgch_batch.hpp"
#include "methods/bgch/bgch_codes.hpp"
#include "cpu/dense_gemm.hpp"
#include "methods/bgch/bgch_dispersion.hpp"
#include "methods/bgch/bgch_losses.hpp"
#include "methods/bgch/bgch_sparse.hpp"
#include "cpu/cpu_propagate.hpp"
#include "cpu_test_util.hpp"

namespace bitrec::bgch {
namespace {

std::vector<float> random_values(size_t n, float scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

using dense::gemm_at_b_accumulate;
using dense::gemm_rows;
using dense::transpose;
using test::central_difference;

void expect_gradient(double analytic, double numeric, double rel, double abs_tol, const std::string& what) {
  EXPECT_NEAR(analytic, numeric, abs_tol + rel * std::fabs(numeric)) << what;
}

// The batch-row products equal cpu_spmm restricted to / fed by those rows
// (the same sums in the same order; the compiler may contract them into FMAs
// differently, hence a float tolerance), for d over several windows.
TEST(BgchSparse, BatchRowProductsEqualTheFullSpmm) {
  const NormalizedGraph g = build_normalized_graph(test::random_train(40, 30, 0.2, 3), 40, 30);
  for (int d : {256, 77}) {
    const auto x = random_values(static_cast<size_t>(g.n_nodes) * d, 1.0f, 14);
    std::vector<float> full(x.size());
    cpu_spmm(g, x.data(), full.data(), d, 2);
    const std::vector<int32_t> nodes{0, 5, 39, 40, 52, 69};
    std::vector<float> rows(nodes.size() * d);
    spmm_rows(g, x.data(), nodes.data(), static_cast<int64_t>(nodes.size()), rows.data(), d, 2);
    for (size_t r = 0; r < nodes.size(); ++r) {
      for (int k = 0; k < d; ++k) ASSERT_NEAR(rows[r * d + k], full[nodes[r] * d + k], 1e-5f) << d;
    }
    // Â applied to a table that is zero but for `nodes`.
    std::vector<float> sparse(x.size(), 0.0f), sparse_rows(nodes.size() * d);
    std::vector<int32_t> slot(static_cast<size_t>(g.n_nodes), -1);
    for (size_t r = 0; r < nodes.size(); ++r) {
      slot[nodes[r]] = static_cast<int32_t>(r);
      for (int k = 0; k < d; ++k) sparse[nodes[r] * d + k] = sparse_rows[r * d + k] = x[nodes[r] * d + k];
    }
    std::vector<float> want(x.size()), got(x.size(), 7.0f);
    cpu_spmm(g, sparse.data(), want.data(), d, 2);
    spmm_from_rows(g, sparse_rows.data(), slot.data(), got.data(), d, 2);
    for (size_t k = 0; k < got.size(); ++k) ASSERT_NEAR(got[k], want[k], 1e-5f) << d << " " << k;
    // Rows without a batch neighbour are written as zeros.
    EXPECT_EQ(got[39 * d], 0.0f);
  }
}

TEST(BgchDispersion, DirectionIsTheAveragedPowerIteration) {
  const int rows = 300, d = 12, draws = 2;
  const auto x = random_values(static_cast<size_t>(rows) * d, 0.1f, 4);
  std::vector<float> start(static_cast<size_t>(draws) * d);
  dispersion_start(7, 3, 5, 1, d, draws, start.data());
  std::vector<float> again(start.size()), other(start.size());
  dispersion_start(7, 3, 5, 1, d, draws, again.data());
  dispersion_start(7, 3, 6, 1, d, draws, other.data());
  EXPECT_EQ(start, again);
  EXPECT_NE(start, other);
  // Reference: v = mean_j (XᵀX)² r_j in double.
  std::vector<double> mean(d, 0.0);
  for (int j = 0; j < draws; ++j) {
    std::vector<double> v(start.begin() + j * d, start.begin() + (j + 1) * d);
    for (int it = 0; it < 2; ++it) {
      std::vector<double> next(d, 0.0);
      for (int r = 0; r < rows; ++r) {
        double t = 0.0;
        for (int k = 0; k < d; ++k) t += x[r * d + k] * v[k];
        for (int k = 0; k < d; ++k) next[k] += x[r * d + k] * t;
      }
      v.swap(next);
    }
    for (int k = 0; k < d; ++k) mean[k] += v[k] / draws;
  }
  double norm = 0.0;
  for (double m : mean) norm += m * m;
  norm = std::sqrt(norm);
  std::vector<float> unit(d), unit1(d);
  ASSERT_TRUE(dispersion_direction(x.data(), rows, d, start.data(), draws, 2, unit.data(), 2));
  dispersion_direction(x.data(), rows, d, start.data(), draws, 2, unit1.data(), 1);
  EXPECT_EQ(unit, unit1);
  for (int k = 0; k < d; ++k) EXPECT_NEAR(unit[k], mean[k] / norm, 1e-5);
  // An all-zero table has no direction.
  std::vector<float> zeros(static_cast<size_t>(rows) * d, 0.0f);
  EXPECT_FALSE(dispersion_direction(zeros.data(), rows, d, start.data(), draws, 2, unit1.data(), 2));
  EXPECT_EQ(unit1, std::vector<float>(d, 0.0f));
}

TEST(BgchDispersion, ProjectionAndItsBackwardMatchFiniteDifferences) {
  const int rows = 9, d = 6;
  const float s = 0.1f;
  auto x = random_values(static_cast<size_t>(rows) * d, 0.5f, 5);
  const auto upstream = random_values(x.size(), 1.0f, 6);
  std::vector<float> start(2 * d);
  dispersion_start(1, 0, 0, 0, d, 2, start.data());
  std::vector<float> unit(d);
  dispersion_direction(x.data(), rows, d, start.data(), 2, 2, unit.data(), 1);
  // The component along v̂ shrinks by 1 − s, the rest is kept.
  std::vector<float> y(x.size());
  dispersion_project(x.data(), y.data(), rows, d, unit.data(), s, 2);
  for (int r = 0; r < rows; ++r) {
    double px = 0.0, py = 0.0;
    for (int k = 0; k < d; ++k) {
      px += x[r * d + k] * unit[k];
      py += y[r * d + k] * unit[k];
    }
    EXPECT_NEAR(py, (1.0 - s) * px, 1e-5);
    for (int k = 0; k < d; ++k) EXPECT_NEAR(y[r * d + k] - py * unit[k], x[r * d + k] - px * unit[k], 1e-5);
  }
  // f(X) = Σ upstream ⊙ project(X) with v̂ held fixed (detached).
  auto f = [&] {
    std::vector<float> out(x.size());
    dispersion_project(x.data(), out.data(), rows, d, unit.data(), s, 1);
    double sum = 0.0;
    for (size_t k = 0; k < out.size(); ++k) sum += static_cast<double>(upstream[k]) * out[k];
    return sum;
  };
  std::vector<float> dx(x.size());
  dispersion_backward(upstream.data(), dx.data(), rows, d, unit.data(), s, 2);
  for (size_t k = 0; k < x.size(); k += 5) {
    expect_gradient(dx[k], central_difference(x, k, 1e-2f, f), 1e-3, 1e-4, "dX " + std::to_string(k));
  }
}

TEST(BgchCodes, ScaledSignAndItsEstimatorLink) {
  const int rows = 5, segments = 3, d = 8;
  auto x = random_values(static_cast<size_t>(segments) * rows * d, 1.0f, 7);
  x[3] = 0.0f;  // sign(0) = +1
  std::vector<float> codes(static_cast<size_t>(rows) * segments * d), signs(codes.size()), alpha(rows * segments);
  scaled_sign_forward(x.data(), rows, segments, d, codes.data(), signs.data(), alpha.data(), 2);
  for (int r = 0; r < rows; ++r) {
    for (int l = 0; l < segments; ++l) {
      double mean_abs = 0.0;
      for (int k = 0; k < d; ++k) mean_abs += std::fabs(x[(l * rows + r) * d + k]) / d;
      EXPECT_NEAR(alpha[r * segments + l], mean_abs, 1e-6);
      for (int k = 0; k < d; ++k) {
        const float xv = x[(l * rows + r) * d + k];
        const float sg = xv >= 0.0f ? 1.0f : -1.0f;
        EXPECT_EQ(signs[r * segments * d + l * d + k], sg);
        EXPECT_FLOAT_EQ(codes[r * segments * d + l * d + k], alpha[r * segments + l] * sg);
      }
    }
  }
  // The score Σ_l α_uˡ α_iˡ b_uˡᵀ b_iˡ is the codes' inner product.
  double score = 0.0, inner = 0.0;
  for (int l = 0; l < segments; ++l) {
    double bb = 0.0;
    for (int k = 0; k < d; ++k) bb += signs[0 * segments * d + l * d + k] * signs[1 * segments * d + l * d + k];
    score += alpha[0 * segments + l] * alpha[1 * segments + l] * bb;
  }
  for (int k = 0; k < segments * d; ++k) inner += codes[k] * codes[segments * d + k];
  EXPECT_NEAR(score, inner, 1e-5);

  // Backward: dx = dcode · estimator(x) for every estimator, no factor α.
  const auto dcodes = random_values(codes.size(), 1.0f, 8);
  std::vector<float> dx(x.size());
  for (Estimator kind : {Estimator::kFourier, Estimator::kSte, Estimator::kSteClip, Estimator::kSignswish}) {
    EstimatorParams est;
    est.kind = kind;
    est.clip = 0.5f;
    est.beta = 3.0f;
    codes_backward(x.data(), dcodes.data(), dx.data(), rows, segments, d, est, 2);
    for (int r = 0; r < rows; ++r) {
      for (int l = 0; l < segments; ++l) {
        for (int k = 0; k < d; ++k) {
          const float xv = x[(l * rows + r) * d + k];
          EXPECT_NEAR(dx[(l * rows + r) * d + k], dcodes[r * segments * d + l * d + k] * estimator_grad(est, xv),
                      2e-6f * (1.0f + std::fabs(dcodes[r * segments * d + l * d + k])));
        }
      }
    }
  }
}

TEST(BgchCodes, FastFourierEqualsTheSeries) {
  for (int terms : {2, 3, 8, 16, 64}) {
    for (float omega : {0.5f, 1.0f, 2.0f}) {
      for (float x = -6.0f; x <= 6.0f; x += 0.01f) {
        double sum = 0.0;
        for (int k = 1; k < terms; k += 2) sum += std::cos(static_cast<double>(k) * omega * x);
        const double exact = std::min(1.0, std::max(-1.0, 4.0 * omega / 3.141592653589793 * sum));
        ASSERT_NEAR(fourier_grad_fast(x, terms, omega), exact, 1e-6) << terms << " " << omega << " " << x;
      }
    }
  }
  // The preset's estimator (N 8, ω 1) as estimators.hpp evaluates it.
  for (float x = -4.0f; x <= 4.0f; x += 0.003f) ASSERT_NEAR(fourier_grad_fast(x, 8, 1.0f), fourier_grad(x, 8, 1.0f), 3e-6);
}

TEST(BgchCodes, SurrogateHasTheEstimatorAsDerivative) {
  // h 1e-3: float noise in the estimator's values stays ~5e-5 after the
  // division; the Fourier clamp's kinks in φ'' cost up to ~|jump|·h/4.
  for (Estimator kind : {Estimator::kFourier, Estimator::kSignswish}) {
    EstimatorParams est;
    est.kind = kind;
    est.beta = 4.0f;
    const double tol = kind == Estimator::kFourier ? 5e-3 : 2e-4;
    for (double x : {-2.3, -0.7, -0.05, 0.0, 0.3, 1.1, 2.9}) {
      const double h = 1e-3;
      const double fd = (estimator_antiderivative(est, x + h) - estimator_antiderivative(est, x - h)) / (2 * h);
      EXPECT_NEAR(fd, estimator_grad(est, static_cast<float>(x)), tol) << x;
    }
  }
}

// x = e W, codes = φ(x) (the surrogate), f = Σ upstream ⊙ codes: the chain's
// backward (codes_backward, then dW = eᵀ dx, de = dx Wᵀ) against FD, for the
// smooth signswish and for the Fourier estimator. φ is summed in double (no
// float rounding of the codes); the Fourier φ'' jumps where the series meets
// the clamp, so its step is smaller and its tolerance wider.
void check_hash_chain(const EstimatorParams& est, float h, double rel, double abs_tol) {
  const int rows = 4, segments = 3, d = 16;  // d 16: the vectorised tiles
  auto e = random_values(static_cast<size_t>(segments) * rows * d, 1.0f, 9);
  auto w = random_values(static_cast<size_t>(d) * d, 0.25f, 10);
  const auto upstream = random_values(static_cast<size_t>(rows) * segments * d, 1.0f, 11);
  auto f = [&] {
    std::vector<float> x(e.size());
    gemm_rows(e.data(), w.data(), x.data(), segments * rows, d, d, 1);
    double sum = 0.0;
    for (int r = 0; r < rows; ++r) {
      for (int l = 0; l < segments; ++l) {
        for (int k = 0; k < d; ++k) {
          sum += upstream[r * segments * d + l * d + k] * estimator_antiderivative(est, x[(l * rows + r) * d + k]);
        }
      }
    }
    return sum;
  };
  std::vector<float> x(e.size()), dx(e.size()), de(e.size()), dw(w.size(), 0.0f), wt(w.size()),
      codes(upstream.size());
  gemm_rows(e.data(), w.data(), x.data(), segments * rows, d, d, 2);
  surrogate_codes_forward(x.data(), rows, segments, d, est, codes.data(), 2);
  EXPECT_NEAR(codes[5], estimator_antiderivative(est, x[5]), 1e-6);
  codes_backward(x.data(), upstream.data(), dx.data(), rows, segments, d, est, 2);
  gemm_at_b_accumulate(e.data(), dx.data(), dw.data(), segments * rows, d, d, 2);
  transpose(w.data(), wt.data(), d, d);
  gemm_rows(dx.data(), wt.data(), de.data(), segments * rows, d, d, 2);
  for (size_t k = 0; k < e.size(); k += 13) {
    expect_gradient(de[k], central_difference(e, k, h, f), rel, abs_tol, "de " + std::to_string(k));
  }
  for (size_t k = 0; k < w.size(); k += 17) {
    expect_gradient(dw[k], central_difference(w, k, h, f), rel, abs_tol, "dW " + std::to_string(k));
  }
}

TEST(BgchCodes, HashLayerChainMatchesFiniteDifferences) {
  EstimatorParams smooth;
  smooth.kind = Estimator::kSignswish;
  smooth.beta = 2.0f;
  check_hash_chain(smooth, 1e-2f, 1e-2, 1e-3);
  EstimatorParams fourier;
  fourier.kind = Estimator::kFourier;
  fourier.fourier_terms = 8;
  fourier.fourier_omega = 1.0f;
  check_hash_chain(fourier, 2e-3f, 3e-2, 3e-3);
}

// Three triples over users 0, 1 and items 0..2 (nodes 2..4), user 0 twice.
BatchRows small_batch(std::vector<int32_t>& node_slot) {
  const std::vector<int32_t> triples{0, 0, 2, 1, 1, 0, 0, 2, 1};
  BatchRows batch;
  node_slot.assign(5, -1);
  build_batch_rows(triples.data(), 3, 2, node_slot, batch);
  return batch;
}

TEST(BgchBatch, DistinctRowsAndOccurrencesInTripleOrder) {
  std::vector<int32_t> node_slot;
  const BatchRows batch = small_batch(node_slot);
  EXPECT_EQ(batch.nodes, (std::vector<int32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(batch.slots, (std::vector<int32_t>{0, 2, 4, 1, 3, 2, 0, 4, 3}));
  EXPECT_EQ(batch.occ_begin, (std::vector<int64_t>{0, 2, 3, 5, 7, 9}));
  EXPECT_EQ(batch.occurrences, (std::vector<int32_t>{0, 6, 3, 1, 5, 4, 8, 2, 7}));
  EXPECT_EQ(node_slot, std::vector<int32_t>(5, -1));
}

TEST(BgchLosses, BprOnCodesAndBceMatchFiniteDifferences) {
  std::vector<int32_t> node_slot;
  const BatchRows batch = small_batch(node_slot);
  const int width = 12, d = 5;
  const float lambda = 0.3f, weight = 0.7f;
  auto codes = random_values(static_cast<size_t>(batch.rows()) * width, 0.4f, 12);
  auto e0 = random_values(static_cast<size_t>(batch.rows()) * d, 0.8f, 13);
  std::vector<float> gp(3), gq(3), dcodes(codes.size()), drows(e0.size());
  auto bpr = [&] {
    return bpr_codes_forward(codes.data(), width, batch, gp.data(), gq.data(), 1) +
           pair_rows_backward(codes.data(), width, batch, gp.data(), gq.data(), lambda, dcodes.data(), 1);
  };
  auto bce = [&] {
    return bce_forward(e0.data(), d, batch, weight, gp.data(), gq.data(), 1) +
           pair_rows_backward(e0.data(), d, batch, gp.data(), gq.data(), lambda, drows.data(), 1);
  };
  // Reference values of the two terms from their definitions.
  double bpr_ref = 0.0, bce_ref = 0.0, reg_codes = 0.0, reg_rows = 0.0;
  auto dot = [](const float* a, const float* b, int n) {
    double s = 0.0;
    for (int k = 0; k < n; ++k) s += static_cast<double>(a[k]) * b[k];
    return s;
  };
  for (int b = 0; b < 3; ++b) {
    const int32_t* s = batch.slots.data() + 3 * b;
    const float* cu = codes.data() + s[0] * width;
    bpr_ref += std::log1p(std::exp(dot(cu, codes.data() + s[2] * width, width) -
                                   dot(cu, codes.data() + s[1] * width, width))) / 3.0;
    const float* eu = e0.data() + s[0] * d;
    bce_ref += weight / 6.0 *
               (std::log1p(std::exp(-dot(eu, e0.data() + s[1] * d, d))) +
                std::log1p(std::exp(dot(eu, e0.data() + s[2] * d, d))));
    for (int role = 0; role < 3; ++role) {
      reg_codes += lambda / 6.0 * dot(codes.data() + s[role] * width, codes.data() + s[role] * width, width);
      reg_rows += lambda / 6.0 * dot(e0.data() + s[role] * d, e0.data() + s[role] * d, d);
    }
  }
  EXPECT_NEAR(bpr(), bpr_ref + reg_codes, 1e-5);
  EXPECT_NEAR(bce(), bce_ref + reg_rows, 1e-5);
  bpr();
  const std::vector<float> dcodes_at = dcodes;
  for (size_t k = 0; k < codes.size(); ++k) {
    expect_gradient(dcodes_at[k], central_difference(codes, k, 1e-2f, bpr), 1e-2, 1e-4, "dcode " + std::to_string(k));
  }
  bce();
  const std::vector<float> drows_at = drows;
  for (size_t k = 0; k < e0.size(); ++k) {
    expect_gradient(drows_at[k], central_difference(e0, k, 1e-2f, bce), 1e-2, 1e-4, "de0 " + std::to_string(k));
  }
}

}  // namespace
}  // namespace bitrec::bgch

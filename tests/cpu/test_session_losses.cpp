// include/bitrec/kernels/session_losses.hpp: GRU4Rec's per-row losses
// (sampled cross-entropy with and without logq, bpr-max with and without ELU,
// TOP1-max) against double references written from the official formulas,
// their gradients against central differences of those references, and
// small cases worked out by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "bitrec/kernels/session_losses.hpp"
#include "cpu_test_util.hpp"

namespace bitrec {
namespace {

using test::random_vector;

double sigmoid_ref(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double elu_ref(double x, double alpha) {
  return (alpha <= 0.0 || x > 0.0) ? x : alpha * std::expm1(x);
}

// −log(softmax(s − logq)_t + 1e-24), as the official xe_loss_with_softmax.
double xe_ref(const std::vector<double>& s, int t, const std::vector<double>* logq) {
  std::vector<double> o(s.size());
  for (size_t j = 0; j < s.size(); ++j) o[j] = s[j] - (logq != nullptr ? (*logq)[j] : 0.0);
  const double m = *std::max_element(o.begin(), o.end());
  double sum = 0.0;
  for (double v : o) sum += std::exp(v - m);
  return -std::log(std::exp(o[t] - m) / sum + 1e-24);
}

// The official softmax_neg of one row.
std::vector<double> softmax_neg_ref(const std::vector<double>& o, int t) {
  double m = 0.0;  // the masked target entry
  for (size_t j = 0; j < o.size(); ++j) {
    if (static_cast<int>(j) != t) m = std::max(m, o[j]);
  }
  std::vector<double> s(o.size(), 0.0);
  double sum = 0.0;
  for (size_t j = 0; j < o.size(); ++j) {
    if (static_cast<int>(j) != t) sum += s[j] = std::exp(o[j] - m);
  }
  for (double& v : s) v /= sum;
  return s;
}

double bpr_max_ref(const std::vector<double>& scores, int t, double alpha, double bpreg) {
  std::vector<double> o(scores.size());
  for (size_t j = 0; j < o.size(); ++j) o[j] = elu_ref(scores[j], alpha);
  const auto s = softmax_neg_ref(o, t);
  double p = 0.0, reg = 0.0;
  for (size_t j = 0; j < o.size(); ++j) {
    p += sigmoid_ref(o[t] - o[j]) * s[j];
    reg += o[j] * o[j] * s[j];
  }
  return -std::log(p + 1e-24) + bpreg * reg;
}

double top1_max_ref(const std::vector<double>& o, int t) {
  const auto s = softmax_neg_ref(o, t);
  double loss = 0.0;
  for (size_t j = 0; j < o.size(); ++j) {
    loss += s[j] * (sigmoid_ref(o[j] - o[t]) + sigmoid_ref(o[j] * o[j]));
  }
  return loss;
}

// Every column's gradient against the central difference of `ref` (double,
// step 1e-5: truncation ~1e-10), scaled by `scale`. The float row sums a
// handful of terms, so 2e-6 relative to the row's largest gradient is loose
// only by float rounding.
template <class Ref>
void expect_gradient_matches(const std::vector<float>& scores, const std::vector<float>& grad,
                             float scale, Ref&& ref, const char* what) {
  std::vector<double> x(scores.begin(), scores.end());
  double largest = 0.0;
  std::vector<double> fd(x.size());
  for (size_t j = 0; j < x.size(); ++j) {
    fd[j] = scale * test::central_difference(x, j, 1e-5, ref);
    largest = std::max(largest, std::fabs(fd[j]));
  }
  for (size_t j = 0; j < x.size(); ++j) {
    EXPECT_NEAR(grad[j], fd[j], 2e-6 * largest + 1e-9) << what << " column " << j;
  }
}

TEST(SessionLosses, SampledXeMatchesAHandComputedThreeColumnRow) {
  const std::vector<float> s = {1.0f, 2.0f, 0.0f};
  std::vector<float> grad(3);
  // softmax(1, 2, 0): loss = log(1 + e + e²) − 1.
  EXPECT_NEAR(sampled_xe_row(s.data(), 3, 0, nullptr, 1.0f, grad.data()), 1.4076059644, 1e-6);
  EXPECT_NEAR(grad[0], -0.7552715289, 1e-6);
  EXPECT_NEAR(grad[1], 0.6652409558, 1e-6);
  EXPECT_NEAR(grad[2], 0.0900305732, 1e-6);
  // logq (0.5, 1, −1) shifts the row to (0.5, 1, 1): loss = log(1 + 2e^½) − ½.
  const std::vector<float> logq = {0.5f, 1.0f, -1.0f};
  EXPECT_NEAR(sampled_xe_row(s.data(), 3, 0, logq.data(), 2.0f, grad.data()), 1.4580200879,
              1e-6);
  EXPECT_NEAR(grad[0], 2.0 * -0.7673034624, 2e-6);
  EXPECT_NEAR(grad[1], 2.0 * 0.3836517312, 2e-6);
  EXPECT_NEAR(grad[2], 2.0 * 0.3836517312, 2e-6);
}

TEST(SessionLosses, SampledXeMatchesTheReferenceAndItsDifferences) {
  const int cols = 11;
  for (const int target : {0, 4, 10}) {
    for (const bool with_logq : {false, true}) {
      const auto scores = random_vector(cols, 3.0f, 10 + target);
      const auto logq_f = random_vector(cols, 2.0f, 20 + target);
      const std::vector<double> logq(logq_f.begin(), logq_f.end());
      std::vector<float> grad(cols);
      const float scale = 0.125f;
      const float loss = sampled_xe_row(scores.data(), cols, target,
                                        with_logq ? logq_f.data() : nullptr, scale, grad.data());
      auto ref = [&](const std::vector<double>& x) {
        return xe_ref(x, target, with_logq ? &logq : nullptr);
      };
      const std::vector<double> x(scores.begin(), scores.end());
      EXPECT_NEAR(loss, ref(x), 2e-6 * (1.0 + ref(x))) << "target " << target;
      expect_gradient_matches(scores, grad, scale, ref, with_logq ? "xe logq" : "xe");
    }
  }
}

TEST(SessionLosses, BprMaxMatchesAHandComputedThreeColumnRow) {
  // scores (1, ½, −1), target 0, bpreg 1: s = softmax(½, −1) over the
  // negatives, loss = −log(σ(½)s₁ + σ(2)s₂) + (¼s₁ + s₂); with ELU ½ the last
  // score becomes ½(e⁻¹ − 1). Values and derivatives from the formula in
  // double precision (central differences with step 1e-6).
  const std::vector<float> s = {1.0f, 0.5f, -1.0f};
  std::vector<float> grad(3);
  EXPECT_NEAR(bpr_max_row(s.data(), 3, 0, 0.0f, 1.0f, 1.0f, grad.data()), 0.7879137207, 1e-6);
  EXPECT_NEAR(grad[0], -0.3155476913, 2e-6);
  EXPECT_NEAR(grad[1], 1.0502005491, 2e-6);
  EXPECT_NEAR(grad[2], -0.2819294294, 2e-6);
  EXPECT_NEAR(bpr_max_row(s.data(), 3, 0, 0.5f, 1.0f, 1.0f, grad.data()), 0.5994298727, 1e-6);
  EXPECT_NEAR(grad[0], -0.3179178253, 2e-6);
  EXPECT_NEAR(grad[1], 1.0197334822, 2e-6);
  EXPECT_NEAR(grad[2], -0.0371971708, 2e-6);
}

TEST(SessionLosses, BprMaxMatchesTheReferenceAndItsDifferences) {
  const int cols = 13;
  for (const float alpha : {0.5f, 0.0f}) {
    for (const float bpreg : {1.0f, 0.0f}) {
      for (const int target : {0, 6, 12}) {
        // Scores on both sides of 0, so ELU's two branches and a negative
        // target score are all visited.
        const auto scores = random_vector(cols, 2.5f, 30 + target);
        std::vector<float> grad(cols);
        const float scale = 0.25f;
        const float loss =
            bpr_max_row(scores.data(), cols, target, alpha, bpreg, scale, grad.data());
        auto ref = [&](const std::vector<double>& x) {
          return bpr_max_ref(x, target, alpha, bpreg);
        };
        const std::vector<double> x(scores.begin(), scores.end());
        EXPECT_NEAR(loss, ref(x), 2e-6 * (1.0 + std::fabs(ref(x))))
            << "alpha " << alpha << " bpreg " << bpreg << " target " << target;
        expect_gradient_matches(scores, grad, scale, ref, "bpr-max");
      }
    }
  }
}

TEST(SessionLosses, Top1MaxMatchesAHandComputedRowTheReferenceAndItsDifferences) {
  const std::vector<float> s = {1.0f, 0.5f, -1.0f};
  std::vector<float> grad(3);
  // s = softmax(½, −1); loss = s₁(σ(−½) + σ(¼)) + s₂(σ(−2) + σ(1)).
  EXPECT_NEAR(top1_max_row(s.data(), 3, 0, 1.0f, grad.data()), 0.9233981724, 1e-6);
  EXPECT_NEAR(grad[0], -0.2112865468, 2e-6);
  EXPECT_NEAR(grad[1], 0.4067079762, 2e-6);
  EXPECT_NEAR(grad[2], -0.0659225556, 2e-6);
  const int cols = 12;
  for (const int target : {0, 5, 11}) {
    const auto scores = random_vector(cols, 2.0f, 40 + target);
    std::vector<float> g(cols);
    const float scale = 0.5f;
    const float loss = top1_max_row(scores.data(), cols, target, scale, g.data());
    auto ref = [&](const std::vector<double>& x) { return top1_max_ref(x, target); };
    const std::vector<double> x(scores.begin(), scores.end());
    EXPECT_NEAR(loss, ref(x), 2e-6 * (1.0 + ref(x))) << "target " << target;
    expect_gradient_matches(scores, g, scale, ref, "top1-max");
  }
}

// session_loss_row (the host step's and the device kernel's one call) is
// each row function, and a row without negatives is zero for the two
// losses whose softmax over the other columns would be 0/0.
TEST(SessionLosses, RowDispatchAndNoNegativeRow) {
  const auto scores = random_vector(9, 2.0f, 77);
  const std::vector<float> logq = random_vector(9, 1.0f, 78);
  std::vector<float> want(9), got(9);
  EXPECT_EQ(session_loss_row(SessionLoss::kCrossEntropy, scores.data(), 9, 3, logq.data(), 0.5f, 1.0f, 0.25f,
                             got.data()),
            sampled_xe_row(scores.data(), 9, 3, logq.data(), 0.25f, want.data()));
  EXPECT_EQ(got, want);
  EXPECT_EQ(session_loss_row(SessionLoss::kBprMax, scores.data(), 9, 3, nullptr, 0.5f, 1.0f, 0.25f, got.data()),
            bpr_max_row(scores.data(), 9, 3, 0.5f, 1.0f, 0.25f, want.data()));
  EXPECT_EQ(got, want);
  EXPECT_EQ(session_loss_row(SessionLoss::kTop1Max, scores.data(), 9, 3, nullptr, 0.5f, 1.0f, 0.25f, got.data()),
            top1_max_row(scores.data(), 9, 3, 0.25f, want.data()));
  EXPECT_EQ(got, want);
  for (const SessionLoss loss : {SessionLoss::kBprMax, SessionLoss::kTop1Max}) {
    float g = 7.0f;
    EXPECT_EQ(session_loss_row(loss, scores.data(), 1, 0, nullptr, 0.5f, 1.0f, 0.25f, &g), 0.0f);
    EXPECT_EQ(g, 0.0f);
  }
  float g = 7.0f;  // cross-entropy over its one column: the target's softmax is 1
  EXPECT_EQ(session_loss_row(SessionLoss::kCrossEntropy, scores.data(), 1, 0, nullptr, 0.5f, 1.0f, 0.25f, &g),
            sampled_xe_row(scores.data(), 1, 0, nullptr, 0.25f, want.data()));
  EXPECT_EQ(g, want[0]);
}

}  // namespace
}  // namespace bitrec

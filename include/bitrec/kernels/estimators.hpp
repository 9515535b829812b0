// Binarisation and the backward of sign for every gradient estimator
// (docs/methods.md §4). Each *_grad returns d sign_estimate(x) / dx, the factor
// that multiplies the upstream gradient.
#pragma once
#include <cmath>

#include "bitrec/hd.hpp"

namespace bitrec {

// sign(0) = +1 (docs/contract.md "Codes").
BITREC_HD float sign_code(float x) { return x >= 0.0f ? 1.0f : -1.0f; }

BITREC_HD float ste_grad(float /*x*/) { return 1.0f; }

BITREC_HD float ste_clip_grad(float x, float clip) {
  return fabsf(x) <= clip ? 1.0f : 0.0f;
}

BITREC_HD float stable_sigmoid(float z) {
  if (z >= 0.0f) {
    return 1.0f / (1.0f + expf(-z));
  }
  const float e = expf(z);
  return e / (1.0f + e);
}

// d/dx of SS_beta(x) = 2σ(βx)(1 + βx(1 − σ(βx))) − 1, in the form that stays
// finite for any βx (the exp form overflows in float32 below βx ≈ −44).
BITREC_HD float signswish_grad(float x, float beta) {
  const float s = stable_sigmoid(beta * x);
  return 2.0f * beta * s * (1.0f - s) * (2.0f + beta * x * (1.0f - 2.0f * s));
}

// The forward value SS_beta(x); only the gradient checks use it.
BITREC_HD float signswish_value(float x, float beta) {
  const float s = stable_sigmoid(beta * x);
  return 2.0f * s * (1.0f + beta * x * (1.0f - s)) - 1.0f;
}

// BGCH's Fourier series estimator (FDA-BNN): the derivative of the first
// terms of the square wave's sine series, clamped to [-1, 1].
BITREC_HD float fourier_grad(float x, int terms, float omega) {
  float sum = 0.0f;
  for (int k = 1; k < terms; k += 2) {
    sum += cosf(static_cast<float>(k) * omega * x);
  }
  const float g = (4.0f * omega / 3.14159265358979f) * sum;
  return fminf(1.0f, fmaxf(-1.0f, g));
}

enum class Estimator { kSte, kSteClip, kDropoutSte, kFourier, kSignswish };

struct EstimatorParams {
  Estimator kind = Estimator::kSte;
  float clip = 1.0f;     // ste-clip
  float beta = 1.0f;     // signswish (current value of its schedule)
  int fourier_terms = 8; // fourier N
  float fourier_omega = 1.0f;
};

BITREC_HD float estimator_grad(const EstimatorParams& p, float x) {
  switch (p.kind) {
    case Estimator::kSteClip:
      return ste_clip_grad(x, p.clip);
    case Estimator::kFourier:
      return fourier_grad(x, p.fourier_terms, p.fourier_omega);
    case Estimator::kSignswish:
      return signswish_grad(x, p.beta);
    case Estimator::kSte:
    case Estimator::kDropoutSte:
    default:
      return ste_grad(x);
  }
}

// One element of hash_backward, both backends: the upstream gradient g
// times the estimator's factor f(x), and +0 wherever g is zero — never the
// −0 of g·f(x) with f(x) < 0, nor the NaN of 0·f(±inf) (signswish's factor
// is NaN at x = ±inf). A zero gradient means "this code was not used".
BITREC_HD float estimator_backward(float g, float f_of_x) { return g == 0.0f ? 0.0f : g * f_of_x; }

BITREC_HD float estimator_backward(const EstimatorParams& p, float g, float x) {
  return g == 0.0f ? 0.0f : estimator_backward(g, estimator_grad(p, x));
}

}  // namespace bitrec

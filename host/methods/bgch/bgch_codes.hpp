// BGCH's per-layer scaled sign (docs/methods.md §4): for row r and layer l of the
// hash layer's output x, the code segment α_rˡ sign(x_rˡ) with α_rˡ = mean|x_rˡ|;
// the (L+1) segments of a row are concatenated ((L+1)·d bits). Backward:
// dx = dcode · estimator(x), no factor α and no gradient to α (BGCH's FS
// autograd function; docs/methods.md §4 table).
//
// Layouts: x and dx are layer-major, [segments · rows, d] (block l holds
// layer l's rows); codes and dcodes are row-major, [rows, segments · d].
#pragma once
#include <cstdint>

#include "bitrec/kernels/estimators.hpp"

namespace bitrec::bgch {

// codes[r, l·d + k] = α_rˡ sign(x[l·rows + r, k]); signs (optional) the ±1
// values in the same layout; alpha (optional) [rows, segments].
void scaled_sign_forward(const float* x, int64_t rows, int segments, int d, float* codes, float* signs,
                         float* alpha, int threads);

// dx[l·rows + r, k] = dcodes[r, l·d + k] · estimator_grad(est, x[l·rows + r, k]).
// The Fourier estimator is evaluated as fourier_grad_fast (one cosine per
// element instead of N/2).
void codes_backward(const float* x, const float* dcodes, float* dx, int64_t rows, int segments, int d,
                    const EstimatorParams& est, int threads);

// fourier_grad (estimators.hpp) with cos(kωx) for odd k from cos(ωx) by
// the Chebyshev recurrence cos((k+2)θ) = 2 cos 2θ · cos kθ − cos((k−2)θ) in
// double: within 1e-6 of the exact series (tests/methods/test_bgch_pieces.cpp),
// closer than fourier_grad's float phases kωx.
float fourier_grad_fast(float x, int terms, float omega);

// Test surrogate for sign (tests only): φ(x) = ∫₀ˣ estimator_grad(est, t) dt,
// so that codes_backward is the exact derivative of codes = φ(x). Composite
// Simpson in double, fine enough that its error is far below float's.
double estimator_antiderivative(const EstimatorParams& est, double x);

// codes[r, l·d + k] = φ(x[l·rows + r, k]) (no α: α's gradient is not
// propagated, so only an unscaled code has codes_backward as its derivative).
void surrogate_codes_forward(const float* x, int64_t rows, int segments, int d, const EstimatorParams& est,
                             float* codes, int threads);

}  // namespace bitrec::bgch

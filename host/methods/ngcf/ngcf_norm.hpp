// Row L2 normalisation of each layer before concatenation (NGCF's
// l2_normalize, as torch.nn.functional.normalize: y = x / max(‖x‖, ε)).
// Rows are read with stride d and written into a wider table with stride
// `ld`, so layer l lands in columns [l·d, (l+1)·d) of the concatenation.
#pragma once
#include <cstdint>

namespace bitrec::ngcf {

constexpr float kNormEps = 1e-12f;

// y[r, 0..d) (stride ld) = x[r] / max(‖x[r]‖, ε); x [n, d].
void normalize_rows_forward(const float* x, float* y, int64_t ld, int64_t n, int d, int threads);

// dx[r] += (dy − y (y·dy)) / ‖x[r]‖  (or dy / ε where ‖x‖ ≤ ε); y and dy
// with stride ld, x and dx [n, d].
void normalize_rows_backward(const float* x, const float* y, const float* dy, int64_t ld, float* dx, int64_t n,
                             int d, int threads);

}  // namespace bitrec::ngcf

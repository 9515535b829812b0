// BGCH's latent feature dispersion (docs/methods.md §8, docs/bgch.md): before
// propagation each table X (users, then items) loses part of its component
// along its dominant direction,
//   X ← X − s · X v vᵀ / ‖v‖²,   v = mean over draws of (XᵀX)^iterations r,
// r ~ N(0, I_d) (BGCH: 2 draws, 2 iterations, s 0.1). bitrec treats v as a
// constant in backward (detached), so the map is the symmetric projection
// P = I − s v̂ v̂ᵀ applied to each row and its backward is P again.
#pragma once
#include <cstdint>

#include "bitrec/kernels/philox.hpp"

namespace bitrec::bgch {

// The Philox stream of the random start vectors.
constexpr RngStream kDispersionStream = RngStream::kDispersion;

// Counter words of the deterministic start vectors outputs() uses.
constexpr uint32_t kEvalWord = 0xFFFFFFFFu;

// start[draws, d] ~ N(0, 1) for `table` (0 users, 1 items) of batch
// (epoch_word, batch_word): Philox(key seed, counter (table·2^16 + j,
// epoch_word, batch_word, kDispersionStream)), Box–Muller on word pairs,
// 4 normals per draw j.
void dispersion_start(uint64_t seed, uint32_t epoch_word, uint32_t batch_word, int table, int d, int draws,
                      float* start);

// unit_v[d] = v / ‖v‖ for x [rows, d] and start [draws, d]; all sums in
// double over fixed chunks of rows (the same for every thread count).
// Returns false and zeros unit_v when v = 0 (e.g. an all-zero table).
bool dispersion_direction(const float* x, int64_t rows, int d, const float* start, int draws, int iterations,
                          float* unit_v, int threads);

// y = x − s (x v̂) v̂ᵀ row by row; x [rows, d], y may equal x.
void dispersion_project(const float* x, float* y, int64_t rows, int d, const float* unit_v, float s,
                        int threads);

// Backward with v detached: dx = dy − s (dy v̂) v̂ᵀ (P is symmetric).
inline void dispersion_backward(const float* dy, float* dx, int64_t rows, int d, const float* unit_v, float s,
                                int threads) {
  dispersion_project(dy, dx, rows, d, unit_v, s, threads);
}

}  // namespace bitrec::bgch

// The smooth recall loss on the device (docs/methods.md §5, docs/smooth_recall.md,
// docs/cuda.md "smooth_recall_forward_backward"). The host part of the call
// (argument checks, the batch's ids and |Ω_b|) is CudaBackend's; these are
// the kernels and the per-tile cuBLAS products.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdint>

#include "device_buffer.hpp"

namespace bitrec::cuda {

// Largest code length the per-user kernel takes: its shared memory holds the
// user's code, an int histogram of bits+1 levels and one byte per level
// (8193 levels: 42 KB of the 48 KB a block may use without opting in).
constexpr int kSmoothRecallMaxBits = 8192;

// Bits of the status word written by launch_smooth_recall_pack.
constexpr int kSmoothRecallBadSign = 1;  // an entry of a checked row is not exactly ±1
constexpr int kSmoothRecallBadUser = 2;  // a user id outside [0, n_users) (row skipped)

// Scratch of the call, grown as needed and reused across calls.
struct SmoothRecallScratch {
  DeviceBuffer<int> status;             // [1]
  DeviceBuffer<uint64_t> item_codes;    // [n_items, words]
  DeviceBuffer<uint64_t> user_codes;    // [count, words]
  DeviceBuffer<float> user_rows;        // [count, bits] the batch users' sign rows
  DeviceBuffer<double> rank_tables;     // [2, 2·bits+1] σ and σ'/τ_r per level difference
  DeviceBuffer<int64_t> pair_offsets;   // [count] first pair of batch user b
  DeviceBuffer<double> pair_a;          // [|Ω_b|] a_i
  DeviceBuffer<double> pair_term;       // [|Ω_b|] σ((N − r_ui)/τ_c)
  DeviceBuffer<int> pair_level;         // [|Ω_b|] level of the positive
  DeviceBuffer<double> user_terms;      // [count] Σ_i σ((N − r_ui)/τ_c) per batch user
  DeviceBuffer<double> level_tables;    // [tile, 4, bits+1] R_u, H_u, A_u, G_u per level
  DeviceBuffer<int> level_lists;        // [tile, bits+1] the positives' distinct levels
  DeviceBuffer<float> g;                // [tile, n_items] ∂L/∂s of the tile's users
  DeviceBuffer<float> user_grad;        // [tile, bits]
};

// Packs the item rows signs[n_users + j] (j < n_items) into item_codes and
// the batch users' rows signs[users[b]] (b < count) into user_codes, copies
// the latter to user_rows, and ORs kSmoothRecallBadSign into *status if any
// of these entries is not exactly ±1, kSmoothRecallBadUser for an id outside
// [0, n_users) (that row is skipped). Bit k of a code is bit k % 64 of word
// k / 64, +1 → 1, padding 0 (docs/contract.md "Codes", pack_signs).
void launch_smooth_recall_pack(const float* signs, int bits, int32_t n_users, int32_t n_items,
                               const int32_t* users, int64_t count, uint64_t* item_codes,
                               uint64_t* user_codes, float* user_rows, int* status,
                               cudaStream_t stream);

// Everything the tiles of one call read. Device pointers except where noted.
struct SmoothRecallCall {
  int bits = 0;
  int32_t n_users = 0, n_items = 0;
  int64_t count = 0;                  // batch users
  const float* signs = nullptr;       // [n_users + n_items, bits]
  const int32_t* users = nullptr;     // [count], every id valid
  const int64_t* train_indptr = nullptr;
  const int32_t* train_indices = nullptr;
  double recall_n = 0.0, tau_cut = 0.0, dcg_weight = 0.0;
  double inv_omega = 0.0;             // 1/|Ω_b| (host value)
  float* grad_signs = nullptr;        // [n_users + n_items, bits], accumulated into
  float* loss_acc = nullptr;          // loss_acc[0] += L
};

// Users per tile for this shape: at most 256, and the tile's ∂L/∂s block
// plus its level tables within 256 MiB.
int64_t smooth_recall_tile(int64_t count, int32_t n_items, int bits);

// Runs the loss and gradient of the call after launch_smooth_recall_pack
// (scratch.item_codes/user_codes/user_rows filled) and with
// scratch.rank_tables, pair_offsets and every buffer sized for `tile` users
// and the call's |Ω_b|: per tile the per-user kernel, the two SGEMMs and the
// in-order scatter of the users' rows, then loss_acc[0] += L.
void run_smooth_recall(const SmoothRecallCall& call, int64_t tile, SmoothRecallScratch& scratch,
                       cublasHandle_t cublas, cudaStream_t stream);

}  // namespace bitrec::cuda

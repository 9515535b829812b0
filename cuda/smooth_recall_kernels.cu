// The smooth recall loss on the device: the histogram form of
// host/cpu/cpu_smooth_recall.cpp (derivation in docs/smooth_recall.md,
// design in docs/cuda.md). Per tile of batch users:
//   1. smooth_recall_user_kernel, one block per user: levels of all items by
//      popcount (kept in the user's row of the g block), histogram c_u in
//      shared memory, R_u/H_u at the positives' levels, a_i and the recall
//      terms, A_u(w) = Σ a_i per level and the user's loss partial (one
//      thread, positives in CSR order, as the CPU), G_u at every level (the
//      positives' levels in order of first appearance, as the CPU), then the
//      g row ∂L/∂s_uj = G_u(level_j) − [j∈P_u]·a_j·H_u(level_j) in float;
//   2. grad_items += gᵀ·U_tile and user_grad = g·I (cuBLAS SGEMM, FP32);
//   3. user_grad rows added into grad_signs serially in batch order per
//      column (a repeated user adds twice, in a fixed order).
// Last, one block sums the per-user partials in a fixed order and adds
// L = −Σ/|Ω_b| to loss_acc[0]. Per-user scalars, the loss and the level
// tables are double (as the CPU); the g block and the products are float.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "bitrec/kernels/hamming.hpp"
#include "bitrec/kernels/smooth_recall.hpp"
#include "check.hpp"
#include "loss_kernels.hpp"
#include "smooth_recall_kernels.hpp"

namespace bitrec::cuda {
namespace {

constexpr int kPackThreads = 256;
constexpr int kUserThreads = 256;
constexpr int kScatterThreads = 128;
constexpr int64_t kMaxTile = 256;
constexpr size_t kTileBudget = size_t{256} << 20;  // bytes of g block + level tables
constexpr size_t kMaxSharedBytes = 48 * 1024;

// One warp per (row, 64-bit word) as hash_forward_kernel: lane l takes bits
// 64w + l and 64w + 32 + l; two ballots give the word's halves.
__global__ void pack_kernel(const float* __restrict__ signs, int bits, int words, int32_t n_users,
                            int32_t n_items, const int32_t* __restrict__ users, int64_t count,
                            uint64_t* __restrict__ item_codes, uint64_t* __restrict__ user_codes,
                            float* __restrict__ user_rows, int* __restrict__ status) {
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const int lane = threadIdx.x & 31;
  if (warp >= (static_cast<int64_t>(n_items) + count) * words) return;  // whole warps
  const int64_t row = warp / words;
  const int word = static_cast<int>(warp - row * words);
  const float* x;
  uint64_t* out;
  float* copy = nullptr;
  if (row < n_items) {
    x = signs + (static_cast<int64_t>(n_users) + row) * bits;
    out = item_codes + row * words + word;
  } else {
    const int64_t b = row - n_items;
    const int32_t u = users[b];
    if (u < 0 || u >= n_users) {  // the host throws; never read outside the table
      if (lane == 0) atomicOr(status, kSmoothRecallBadUser);
      return;
    }
    x = signs + static_cast<int64_t>(u) * bits;
    out = user_codes + b * words + word;
    copy = user_rows + b * bits;
  }
  const int k_lo = word * 64 + lane, k_hi = k_lo + 32;
  bool bit_lo = false, bit_hi = false, bad = false;
  if (k_lo < bits) {
    const float v = x[k_lo];
    bad |= v != 1.0f && v != -1.0f;
    bit_lo = v >= 0.0f;  // pack_signs' rule
    if (copy) copy[k_lo] = v;
  }
  if (k_hi < bits) {
    const float v = x[k_hi];
    bad |= v != 1.0f && v != -1.0f;
    bit_hi = v >= 0.0f;
    if (copy) copy[k_hi] = v;
  }
  const unsigned lo = __ballot_sync(0xffffffffu, bit_lo);
  const unsigned hi = __ballot_sync(0xffffffffu, bit_hi);
  const unsigned any_bad = __ballot_sync(0xffffffffu, bad);
  if (lane == 0) {
    *out = static_cast<uint64_t>(lo) | (static_cast<uint64_t>(hi) << 32);
    if (any_bad) atomicOr(status, kSmoothRecallBadSign);
  }
}

struct UserPass {
  int bits, words;
  int32_t n_items;
  int64_t first;                       // batch index of the tile's first user
  const int32_t* users;                // [count]
  const uint64_t* user_codes;          // [count, words]
  const uint64_t* item_codes;          // [n_items, words]
  const int64_t* indptr;
  const int32_t* indices;
  const int64_t* pair_offsets;         // [count]
  const double* term;                  // [2·bits+1] σ(2(v − w)/τ_r) at v − w + bits
  const double* term_grad;             // [2·bits+1] σ'(2(v − w)/τ_r)/τ_r
  double recall_n, tau_cut, dcg_weight, inv_omega;
  double* pair_a;
  double* pair_term;
  int* pair_level;
  double* level_tables;                // [tile, 4, bits+1]
  int* level_lists;                    // [tile, bits+1]
  float* g;                            // [tile, n_items]
  double* user_terms;                  // [count]
};

// One block per user of the tile. Shared memory: the user's code [words],
// the histogram [bits+1] (int) and a per-level mark [bits+1] (byte).
__global__ void __launch_bounds__(kUserThreads) user_kernel(UserPass a) {
  extern __shared__ uint64_t shared_words[];
  __shared__ int s_levels_used;
  const int t = blockIdx.x;
  const int64_t b = a.first + t;
  const int bits = a.bits, words = a.words, n_levels = bits + 1;
  const int32_t n_items = a.n_items;
  uint64_t* code = shared_words;
  int* hist = reinterpret_cast<int*>(code + words);
  unsigned char* mark = reinterpret_cast<unsigned char*>(hist + n_levels);

  for (int w = threadIdx.x; w < words; w += blockDim.x) code[w] = a.user_codes[b * words + w];
  for (int v = threadIdx.x; v < n_levels; v += blockDim.x) {
    hist[v] = 0;
    mark[v] = 0;
  }
  __syncthreads();

  // Levels of all items, kept as int bit patterns in the user's g row until
  // the G_u pass overwrites them; histogram c_u.
  float* g_row = a.g + static_cast<int64_t>(t) * n_items;
  for (int32_t j = threadIdx.x; j < n_items; j += blockDim.x) {
    const int level =
        bits - hamming_distance(code, a.item_codes + static_cast<int64_t>(j) * words, words);
    g_row[j] = __int_as_float(level);
    atomicAdd(&hist[level], 1);
  }
  const int32_t u = a.users[b];
  const int64_t p_begin = a.indptr[u];
  const int64_t n_pos = a.indptr[u + 1] - p_begin;
  const int32_t* pos = a.indices + p_begin;
  __syncthreads();
  if (n_pos == 0) {  // no pairs: no loss and ∂L/∂s = 0 (as the CPU)
    for (int32_t j = threadIdx.x; j < n_items; j += blockDim.x) g_row[j] = 0.0f;
    if (threadIdx.x == 0) a.user_terms[b] = 0.0;
    return;
  }

  const int64_t q = a.pair_offsets[b];
  double* pair_a = a.pair_a + q;
  double* pair_term = a.pair_term + q;
  int* pair_level = a.pair_level + q;
  double* rank_at = a.level_tables + static_cast<int64_t>(t) * 4 * n_levels;
  double* curv_at = rank_at + n_levels;
  double* a_at = curv_at + n_levels;
  double* g_at = a_at + n_levels;
  int* levels_used = a.level_lists + static_cast<int64_t>(t) * n_levels;

  // The positives' levels (several threads may mark one level: same value).
  for (int64_t p = threadIdx.x; p < n_pos; p += blockDim.x) {
    const int w = __float_as_int(g_row[pos[p]]);
    pair_level[p] = w;
    mark[w] = 1;
  }
  __syncthreads();

  // R_u(w) and H_u(w) at each marked level, v ascending (the CPU's order).
  for (int w = threadIdx.x; w < n_levels; w += blockDim.x) {
    if (!mark[w]) continue;
    double rank = 0.0, curv = 0.0;
    for (int v = 0; v < n_levels; ++v) {
      const int c_v = hist[v];
      if (c_v == 0) continue;
      const double c = static_cast<double>(c_v);
      rank += c * a.term[v - w + bits];
      curv += c * a.term_grad[v - w + bits];
    }
    rank_at[w] = rank;
    curv_at[w] = curv;
  }
  __syncthreads();

  // Per pair: r_ui = ½ + R_u(s_ui), the recall term and a_i.
  for (int64_t p = threadIdx.x; p < n_pos; p += blockDim.x) {
    const double r = 0.5 + rank_at[pair_level[p]];
    pair_term[p] = smooth_recall_cut(r, a.recall_n, a.tau_cut, a.dcg_weight);
    pair_a[p] = -a.inv_omega * smooth_recall_cut_grad(r, a.recall_n, a.tau_cut, a.dcg_weight);
  }
  __syncthreads();

  // One thread, positives in CSR order: A_u per level, the distinct levels
  // in order of first appearance, the user's recall sum — the CPU's sums.
  if (threadIdx.x == 0) {
    int n_used = 0;
    double recall_sum = 0.0;
    for (int64_t p = 0; p < n_pos; ++p) {
      const int w = pair_level[p];
      if (mark[w] == 1) {
        mark[w] = 2;
        levels_used[n_used++] = w;
        a_at[w] = 0.0;
      }
      a_at[w] += pair_a[p];
      recall_sum += pair_term[p];
    }
    a.user_terms[b] = recall_sum;
    s_levels_used = n_used;
  }
  __syncthreads();

  // G_u(v) = Σ_w A_u(w)·σ'((v − w)/τ_r)/τ_r over the distinct levels.
  const int n_used = s_levels_used;
  for (int v = threadIdx.x; v < n_levels; v += blockDim.x) {
    double g = 0.0;
    for (int k = 0; k < n_used; ++k) {
      const int w = levels_used[k];
      g += a_at[w] * a.term_grad[v - w + bits];
    }
    g_at[v] = g;
  }
  __syncthreads();

  for (int32_t j = threadIdx.x; j < n_items; j += blockDim.x) {
    g_row[j] = static_cast<float>(g_at[__float_as_int(g_row[j])]);
  }
  __syncthreads();
  // The positives' correction (a duplicate CSR entry writes the same value).
  for (int64_t p = threadIdx.x; p < n_pos; p += blockDim.x) {
    const int w = pair_level[p];
    g_row[pos[p]] = static_cast<float>(g_at[w] - pair_a[p] * curv_at[w]);
  }
}

// grad_signs[users[t]] += user_grad[t] for t = 0..nt−1 in order; one thread
// per column, so every element's additions happen in batch order.
__global__ void scatter_user_rows_kernel(const float* __restrict__ user_grad,
                                         const int32_t* __restrict__ users, int64_t nt, int bits,
                                         float* __restrict__ grad_signs) {
  const int k = static_cast<int>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= bits) return;
  for (int64_t t = 0; t < nt; ++t) {
    grad_signs[static_cast<int64_t>(users[t]) * bits + k] += user_grad[t * bits + k];
  }
}

size_t user_kernel_shared_bytes(int bits) {
  const size_t levels = static_cast<size_t>(bits) + 1;
  return static_cast<size_t>(code_words(bits)) * sizeof(uint64_t) + levels * sizeof(int) +
         levels;
}

}  // namespace

void launch_smooth_recall_pack(const float* signs, int bits, int32_t n_users, int32_t n_items,
                               const int32_t* users, int64_t count, uint64_t* item_codes,
                               uint64_t* user_codes, float* user_rows, int* status,
                               cudaStream_t stream) {
  const int words = code_words(bits);
  const int64_t warps = (static_cast<int64_t>(n_items) + count) * words;
  if (warps == 0) return;
  const int64_t blocks = (warps * 32 + kPackThreads - 1) / kPackThreads;
  pack_kernel<<<static_cast<unsigned>(blocks), kPackThreads, 0, stream>>>(
      signs, bits, words, n_users, n_items, users, count, item_codes, user_codes, user_rows,
      status);
  CUDA_CHECK_LAUNCH();
}

int64_t smooth_recall_tile(int64_t count, int32_t n_items, int bits) {
  const size_t per_user = static_cast<size_t>(n_items) * sizeof(float) +
                          (static_cast<size_t>(bits) + 1) * (4 * sizeof(double) + sizeof(int));
  const int64_t fit = static_cast<int64_t>(kTileBudget / per_user);
  return std::max<int64_t>(1, std::min({kMaxTile, count, fit}));
}

void run_smooth_recall(const SmoothRecallCall& call, int64_t tile, SmoothRecallScratch& s,
                       cublasHandle_t cublas, cudaStream_t stream) {
  const int bits = call.bits;
  const size_t shared = user_kernel_shared_bytes(bits);
  if (bits > kSmoothRecallMaxBits || shared > kMaxSharedBytes) {
    throw std::invalid_argument("smooth_recall: the device kernel takes at most " +
                                std::to_string(kSmoothRecallMaxBits) + " bits, got " +
                                std::to_string(bits));
  }
  UserPass pass{};
  pass.bits = bits;
  pass.words = code_words(bits);
  pass.n_items = call.n_items;
  pass.users = call.users;
  pass.user_codes = s.user_codes.data();
  pass.item_codes = s.item_codes.data();
  pass.indptr = call.train_indptr;
  pass.indices = call.train_indices;
  pass.pair_offsets = s.pair_offsets.data();
  pass.term = s.rank_tables.data();
  pass.term_grad = s.rank_tables.data() + (2 * bits + 1);
  pass.recall_n = call.recall_n;
  pass.tau_cut = call.tau_cut;
  pass.dcg_weight = call.dcg_weight;
  pass.inv_omega = call.inv_omega;
  pass.pair_a = s.pair_a.data();
  pass.pair_term = s.pair_term.data();
  pass.pair_level = s.pair_level.data();
  pass.level_tables = s.level_tables.data();
  pass.level_lists = s.level_lists.data();
  pass.g = s.g.data();
  pass.user_terms = s.user_terms.data();

  const int n_items = call.n_items;
  const float* item_signs = call.signs + static_cast<int64_t>(call.n_users) * bits;
  float* item_grad = call.grad_signs + static_cast<int64_t>(call.n_users) * bits;
  const float one = 1.0f, zero = 0.0f;
  for (int64_t t0 = 0; t0 < call.count; t0 += tile) {
    const int nt = static_cast<int>(std::min(tile, call.count - t0));
    pass.first = t0;
    user_kernel<<<static_cast<unsigned>(nt), kUserThreads, shared, stream>>>(pass);
    CUDA_CHECK_LAUNCH();
    // Row-major X[r, c] is column-major Xᵀ (c × r, ld c). Item side:
    // grad_itemsᵀ [bits × n_items] += U_tileᵀ [bits × nt] · g [nt × n_items].
    CUBLAS_CHECK(cublasSgemm(cublas, CUBLAS_OP_N, CUBLAS_OP_T, bits, n_items, nt, &one,
                             s.user_rows.data() + t0 * bits, bits, s.g.data(), n_items, &one,
                             item_grad, bits));
    // User side: user_gradᵀ [bits × nt] = Iᵀ [bits × n_items] · gᵀ [n_items × nt].
    CUBLAS_CHECK(cublasSgemm(cublas, CUBLAS_OP_N, CUBLAS_OP_N, bits, nt, n_items, &one,
                             item_signs, bits, s.g.data(), n_items, &zero, s.user_grad.data(),
                             bits));
    const unsigned blocks = static_cast<unsigned>((bits + kScatterThreads - 1) / kScatterThreads);
    scatter_user_rows_kernel<<<blocks, kScatterThreads, 0, stream>>>(
        s.user_grad.data(), call.users + t0, nt, bits, call.grad_signs);
    CUDA_CHECK_LAUNCH();
  }
  // loss_acc[0] += −inv_omega·Σ terms (the same float as −inv_omega·Σ / 1).
  launch_reduce_terms(s.user_terms.data(), call.count, -call.inv_omega, 1.0, call.loss_acc, stream);
}

}  // namespace bitrec::cuda

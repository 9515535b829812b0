// The smooth recall loss over all items, forward and backward, on the CPU
// (docs/methods.md §5; docs/smooth_recall.md has the derivation). Per user u with
// positives P_u, code levels l = (s + bits)/2 ∈ [0, bits] and the histogram
// c_u(l) of the levels of all n items:
//
//   R_u(w) = Σ_v c_u(v)·σ((v − w)/τ_r)            (score-space sums; v, w scores)
//   H_u(w) = Σ_v c_u(v)·σ'((v − w)/τ_r)/τ_r
//   r_ui   = ½ + R_u(s_ui)                          (the j = i term of R is σ(0) = ½)
//   a_i    = ∂L/∂r_ui = σ'((N − r_ui)/τ_c) / (τ_c·|Ω_b|)
//   G_u(v) = Σ_{i∈P_u} a_i·σ'((v − s_ui)/τ_r)/τ_r
//   ∂L/∂s_uj = G_u(s_uj) − [j∈P_u]·a_j·H_u(s_uj)
//
// (the σ'(0) terms of "i ≠ j" in G and "k ≠ j" in H cancel exactly). Then
// ∂L/∂b_u = Σ_j (∂L/∂s_uj)·b_j and ∂L/∂b_j += (∂L/∂s_uj)·b_u: two products
// of a [users-tile, n_items] block with the sign rows.
//
// Determinism: the per-user pass writes only its own row of the block; the
// item-side product runs over fixed item blocks, each (item, bit) summing the
// tile's users in batch order from 0 and then added to grad_signs once per
// tile; the user-side product sums each (user, bit) over items in ascending
// order into a per-tile buffer that is added to grad_signs serially. Nothing
// depends on which thread did what.
//
// Speed (docs/smooth_recall.md, "Measured"): the two products are
// register-blocked micro-kernels (R rows × NV vectors of accumulators, GCC/
// Clang vector types, so any target's SIMD registers); they keep exactly the
// summation orders above, so the blocking shapes change no bit of the result
// (and since every product g·(±1) is exact, neither does FMA contraction).
// The per-user pass computes levels in a vectorisable popcount loop and
// the histogram in four interleaved partial counts.
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitrec/kernels/hamming.hpp"
#include "bitrec/kernels/smooth_recall.hpp"
#include "bitrec/smooth_recall.hpp"

namespace bitrec {

namespace {

// Users per tile: the [kUserTile, n_items] float block of ∂L/∂s is the
// largest buffer (64 × 40 981 × 4 B = 10.5 MB on Gowalla).
constexpr int64_t kUserTile = 64;

// Packs row x[0..bits) like pack_signs (bit k set where x[k] is +1) and
// returns nonzero when some entry is not exactly ±1 (the packed bits are then
// meaningless). Works on the float bit patterns, 32 entries per step, so the
// loops vectorise.
uint32_t pack_checked_signs(const float* x, int bits, uint64_t* out) {
  constexpr uint32_t kAbsMask = 0x7fffffffu, kOne = 0x3f800000u;  // |x|, 1.0f
  uint32_t bad = 0;
  for (int w = 0; w < code_words(bits); ++w) out[w] = 0;
  for (int k0 = 0; k0 < bits; k0 += 32) {
    const int n = std::min(32, bits - k0);
    uint32_t u[32];
    std::memcpy(u, x + k0, static_cast<size_t>(n) * sizeof(float));
    uint32_t half = 0;
    if (n == 32) {
      for (int k = 0; k < 32; ++k) {
        bad |= (u[k] & kAbsMask) ^ kOne;
        half |= ((~u[k]) >> 31) << k;
      }
    } else {
      for (int k = 0; k < n; ++k) {
        bad |= (u[k] & kAbsMask) ^ kOne;
        half |= ((~u[k]) >> 31) << k;
      }
    }
    out[k0 / 64] |= static_cast<uint64_t>(half) << (k0 % 64);
  }
  return bad;
}

// σ((v − w)/τ_r) and σ'((v − w)/τ_r)/τ_r for level differences v − w ∈
// [−bits, bits] (score difference 2·(v − w)), indexed by v − w + bits.
struct RankTables {
  std::vector<double> term, term_grad;
  RankTables(int bits, double tau_rank) : term(2 * bits + 1), term_grad(2 * bits + 1) {
    for (int t = 0; t <= 2 * bits; ++t) {
      const double diff = 2.0 * (t - bits);
      term[t] = smooth_rank_term(diff, tau_rank);
      term_grad[t] = smooth_rank_term_grad(diff, tau_rank);
    }
  }
};

// One thread's scratch for the per-user pass.
struct UserScratch {
  std::vector<uint16_t> level;      // [n_items] level of each item
  std::vector<uint32_t> count4;     // [4][bits+1] partial histograms (independent chains)
  std::vector<int64_t> count;       // [bits+1] histogram c_u
  std::vector<double> a_at_level;   // [bits+1] Σ a_i over positives at the level
  std::vector<double> g_at_level;   // [bits+1] G_u
  std::vector<float> g_at_level_f;  // [bits+1] G_u rounded to float
  std::vector<double> rank_at;      // [bits+1] R_u, valid where `have`
  std::vector<double> curv_at;      // [bits+1] H_u, valid where `have`
  std::vector<char> have;           // [bits+1]
  std::vector<int> levels_used;     // distinct levels of the positives
  std::vector<double> a;            // [|P_u|]
  UserScratch(int64_t n_items, int bits)
      : level(n_items), count4(4 * static_cast<size_t>(bits + 1)), count(bits + 1),
        a_at_level(bits + 1), g_at_level(bits + 1), g_at_level_f(bits + 1), rank_at(bits + 1),
        curv_at(bits + 1), have(bits + 1) {}
};

// level[j] = bits − hamming(user, item j) for every item. kWords > 0 fixes
// the code words at compile time (the loop then vectorises, e.g. with
// AVX-512 VPOPCNTDQ); 0 reads `words`.
template <int kWords>
void item_levels(const uint64_t* user_code, const uint64_t* item_codes, int words_runtime,
                 int bits, int64_t n_items, uint16_t* level) {
  const int words = kWords > 0 ? kWords : words_runtime;
  for (int64_t j = 0; j < n_items; ++j) {
    int h = 0;
    for (int w = 0; w < words; ++w) h += popcount64(user_code[w] ^ item_codes[j * words + w]);
    level[j] = static_cast<uint16_t>(bits - h);
  }
}

// Writes g_row[j] = ∂L/∂s_uj for every item and returns Σ_{i∈P_u} σ((N − r_ui)/τ_c).
double user_pass(const uint64_t* user_code, const uint64_t* item_codes, int words, int bits,
                 int64_t n_items, const int32_t* pos_begin, const int32_t* pos_end,
                 const RankTables& tables, const SmoothRecallParams& params, double inv_omega,
                 UserScratch& s, float* g_row) {
  uint16_t* level = s.level.data();
  switch (words) {
    case 1: item_levels<1>(user_code, item_codes, words, bits, n_items, level); break;
    case 2: item_levels<2>(user_code, item_codes, words, bits, n_items, level); break;
    case 4: item_levels<4>(user_code, item_codes, words, bits, n_items, level); break;
    default: item_levels<0>(user_code, item_codes, words, bits, n_items, level);
  }
  // Histogram in four interleaved partial counts: consecutive items mostly
  // share a level, and one counter would serialise on its own increments.
  {
    const int stride = bits + 1;
    uint32_t* c0 = s.count4.data();
    uint32_t *c1 = c0 + stride, *c2 = c1 + stride, *c3 = c2 + stride;
    std::fill(s.count4.begin(), s.count4.end(), 0u);
    int64_t j = 0;
    for (; j + 4 <= n_items; j += 4) {
      ++c0[level[j]];
      ++c1[level[j + 1]];
      ++c2[level[j + 2]];
      ++c3[level[j + 3]];
    }
    for (; j < n_items; ++j) ++c0[level[j]];
    for (int v = 0; v < stride; ++v) {
      s.count[v] = static_cast<int64_t>(c0[v]) + c1[v] + c2[v] + c3[v];
    }
  }
  const int64_t n_pos = pos_end - pos_begin;
  if (n_pos == 0) {
    std::fill(g_row, g_row + n_items, 0.0f);
    return 0.0;
  }
  // R_u and H_u at the positives' levels only: ≤ min(|P_u|, bits+1)·(bits+1).
  std::fill(s.have.begin(), s.have.end(), 0);
  std::fill(s.a_at_level.begin(), s.a_at_level.end(), 0.0);
  s.levels_used.clear();
  s.a.resize(static_cast<size_t>(n_pos));
  const double* term = tables.term.data();
  const double* term_grad = tables.term_grad.data();
  double recall_sum = 0.0;
  for (int64_t p = 0; p < n_pos; ++p) {
    const int w = s.level[pos_begin[p]];
    if (!s.have[w]) {
      double rank = 0.0, curv = 0.0;
      for (int v = 0; v <= bits; ++v) {
        if (s.count[v] == 0) continue;
        const double c = static_cast<double>(s.count[v]);
        rank += c * term[v - w + bits];
        curv += c * term_grad[v - w + bits];
      }
      s.rank_at[w] = rank;
      s.curv_at[w] = curv;
      s.have[w] = 1;
      s.levels_used.push_back(w);
    }
    const double r = 0.5 + s.rank_at[w];
    recall_sum += smooth_recall_cut(r, params.recall_n, params.tau_cut, params.dcg_weight);
    s.a[p] = -inv_omega * smooth_recall_cut_grad(r, params.recall_n, params.tau_cut, params.dcg_weight);
    s.a_at_level[w] += s.a[p];
  }
  // G_u(v) = Σ_w A(w)·σ'((v − w)/τ_r)/τ_r over the positives' distinct levels w.
  for (int v = 0; v <= bits; ++v) {
    double g = 0.0;
    for (const int w : s.levels_used) g += s.a_at_level[w] * term_grad[v - w + bits];
    s.g_at_level[v] = g;
  }
  for (int v = 0; v <= bits; ++v) s.g_at_level_f[v] = static_cast<float>(s.g_at_level[v]);
  const float* gf = s.g_at_level_f.data();
#pragma omp simd
  for (int64_t j = 0; j < n_items; ++j) g_row[j] = gf[level[j]];
  for (int64_t p = 0; p < n_pos; ++p) {
    const int32_t j = pos_begin[p];
    const int w = level[j];
    g_row[j] = static_cast<float>(s.g_at_level[w] - s.a[p] * s.curv_at[w]);
  }
  return recall_sum;
}

// ---- the two products of the chain to the signs ---------------------------
//
// Register-blocked micro-kernels on GCC/Clang vector types (portable: the
// compiler lowers them to AVX-512, AVX2, SSE or NEON registers). A kernel
// keeps an [R rows × NV vectors] block of accumulators in registers while it
// streams the reduction dimension: per step NV vector loads of one sign row
// and R broadcasts of block entries feed R·NV FMAs (instead of one FMA per
// load + load + store). Every accumulator is the same left-to-right chain of
// fused multiply-adds over the reduction index as in the plain loop, so the
// blocking shapes (and the thread count) do not change a single bit.
#if defined(__AVX512F__)
constexpr int kVec = 16;       // floats per vector register
constexpr int kAccRegs = 24;   // of 32 registers, for accumulators
#elif defined(__AVX__)
constexpr int kVec = 8;
constexpr int kAccRegs = 12;   // of 16
#elif defined(__aarch64__)
constexpr int kVec = 4;
constexpr int kAccRegs = 24;   // of 32
#else
constexpr int kVec = 4;
constexpr int kAccRegs = 12;   // of 16 (SSE)
#endif
typedef float VecF __attribute__((vector_size(kVec * sizeof(float))));

inline VecF load_vec(const float* p) {
  VecF v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store_vec(float* p, VecF v) { std::memcpy(p, &v, sizeof v); }

// Rows of a kernel holding NV vectors per row (at most 12 rows).
template <int NV>
constexpr int kernel_rows() {
  return std::max(1, std::min(12, kAccRegs / NV));
}

// Item side, R items × NV vectors of bits: out[jj][k] += Σ_t g[t][jj]·b_t[k],
// t = 0..nt−1 in order (g rows `ldg` apart, b_t = user_signs[t] + koff).
template <int R, int NV>
void item_kernel(const float* g, int64_t ldg, int64_t nt, const float* const* user_signs,
                 int64_t koff, float* out, int64_t ldo) {
  VecF acc[R][NV];
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = VecF{};
  }
  for (int64_t t = 0; t < nt; ++t) {
    const float* bu = user_signs[t] + koff;
    const float* gt = g + t * ldg;
    VecF b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = load_vec(bu + v * kVec);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const float c = gt[r];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] += c * b[v];
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      float* o = out + r * ldo + v * kVec;
      store_vec(o, load_vec(o) + acc[r][v]);
    }
  }
}

// User side, R users × NV vectors of bits: out[tt][k] += Σ_j g[tt][j]·b_j[k]
// over j = j0..j1−1 in ascending order (b_j = item_signs + j·bits + koff).
template <int R, int NV>
void user_kernel(const float* g, int64_t ldg, int64_t j0, int64_t j1, const float* item_signs,
                 int64_t bits, int64_t koff, float* out, int64_t ldo) {
  VecF acc[R][NV];
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = load_vec(out + r * ldo + v * kVec);
  }
  for (int64_t j = j0; j < j1; ++j) {
    const float* bj = item_signs + j * bits + koff;
    VecF b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = load_vec(bj + v * kVec);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const float c = g[r * ldg + j];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] += c * b[v];
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) store_vec(out + r * ldo + v * kVec, acc[r][v]);
  }
}

// `rows` (≤ R) rows through the kernel of exactly that many rows.
template <int R, int NV>
void item_rows(int rows, const float* g, int64_t ldg, int64_t nt, const float* const* user_signs,
               int64_t koff, float* out, int64_t ldo) {
  if constexpr (R > 1) {
    if (rows < R) return item_rows<R - 1, NV>(rows, g, ldg, nt, user_signs, koff, out, ldo);
  }
  item_kernel<R, NV>(g, ldg, nt, user_signs, koff, out, ldo);
}
template <int R, int NV>
void user_rows(int rows, const float* g, int64_t ldg, int64_t j0, int64_t j1,
               const float* item_signs, int64_t bits, int64_t koff, float* out, int64_t ldo) {
  if constexpr (R > 1) {
    if (rows < R) {
      return user_rows<R - 1, NV>(rows, g, ldg, j0, j1, item_signs, bits, koff, out, ldo);
    }
  }
  user_kernel<R, NV>(g, ldg, j0, j1, item_signs, bits, koff, out, ldo);
}

// Items [j0, j1) × bits [k0, k1) (k1 − k0 a multiple of NV·kVec); gb points
// at g[0][j0], rows ldg apart.
template <int NV>
void item_side_block(const float* gb, int64_t ldg, int64_t nt, const float* const* user_signs,
                     int64_t bits, int64_t k0, int64_t k1, int64_t j0, int64_t j1,
                     float* item_grad) {
  constexpr int R = kernel_rows<NV>();
  for (int64_t k = k0; k < k1; k += NV * kVec) {
    for (int64_t j = j0; j < j1; j += R) {
      item_rows<R, NV>(static_cast<int>(std::min<int64_t>(R, j1 - j)), gb + (j - j0), ldg, nt,
                       user_signs, k, item_grad + j * bits + k, bits);
    }
  }
}

// Users [t0, t1) × bits [k0, k1) over items [j0, j1).
template <int NV>
void user_side_block(const float* g, int64_t n_items, int64_t t0, int64_t t1,
                     const float* item_signs, int64_t bits, int64_t k0, int64_t k1, int64_t j0,
                     int64_t j1, float* user_grad) {
  constexpr int R = kernel_rows<NV>();
  for (int64_t k = k0; k < k1; k += NV * kVec) {
    for (int64_t t = t0; t < t1; t += R) {
      user_rows<R, NV>(static_cast<int>(std::min<int64_t>(R, t1 - t)), g + t * n_items, n_items,
                       j0, j1, item_signs, bits, k, user_grad + t * bits + k, bits);
    }
  }
}

// Vectors per kernel row for a code length: up to 4 with 32 registers, 2
// with 16 (R·NV accumulators + NV sign vectors + 1 broadcast must fit), fewer
// when the code is short.
constexpr int kMaxVectors = kAccRegs >= 24 ? 4 : 2;
constexpr int main_vectors(int64_t bits) {
  return kMaxVectors >= 4 && bits >= 4 * kVec ? 4 : bits >= 2 * kVec ? 2 : 1;
}

// Items per block of the item side (the unit of work sharing; the tile's
// user sign rows stay in L1/L2 while a block's items sweep them).
constexpr int64_t kItemSideItems = 96;

// grad_items[j] += Σ_{t<nt} g[t][j]·b_{user t} and user_grad[t] = Σ_j g[t][j]·b_j
// for one tile. kBits > 0 fixes the code length at compile time; 0 reads
// `bits_runtime`. Bits are split into a main part in chunks of NV vectors,
// then single vectors, then a scalar tail (only for lengths that are not a
// multiple of kVec); every part keeps the summation order.
template <int kBits>
void chain_to_signs(const float* g, int64_t nt, const float* const* user_signs,
                    const float* item_signs, int64_t n_items, int bits_runtime,
                    float* item_grad, float* user_grad, int threads) {
  const int64_t bits = kBits > 0 ? kBits : bits_runtime;
  constexpr int NV = main_vectors(kBits > 0 ? kBits : 4 * kVec);
  const int64_t k_main = bits / (NV * kVec) * (NV * kVec);
  const int64_t k_vec = bits / kVec * kVec;
  // Items per block of the user side: their sign rows (≤ 256 KB) stay in L2
  // while the thread's users sweep them.
  const int64_t user_side_items = std::max<int64_t>(64, (int64_t{64} << 10) / bits);
#pragma omp parallel num_threads(threads)
  {
    // Item side: fixed item blocks, the tile's users in order within each.
#pragma omp for schedule(static)
    for (int64_t jb = 0; jb < n_items; jb += kItemSideItems) {
      const int64_t je = std::min(jb + kItemSideItems, n_items);
      // The block reads a few floats from each of the tile's g rows, too many
      // streams for the hardware prefetcher: fetch the next block's now.
      if (je < n_items) {
        const int64_t pe = std::min(je + kItemSideItems, n_items);
        for (int64_t t = 0; t < nt; ++t) {
          for (int64_t j = je; j < pe; j += 16) __builtin_prefetch(g + t * n_items + j, 0, 3);
          __builtin_prefetch(g + t * n_items + pe - 1, 0, 3);
        }
      }
      item_side_block<NV>(g + jb, n_items, nt, user_signs, bits, 0, k_main, jb, je, item_grad);
      if (k_vec > k_main) {
        item_side_block<1>(g + jb, n_items, nt, user_signs, bits, k_main, k_vec, jb, je,
                           item_grad);
      }
      for (int64_t k = k_vec; k < bits; ++k) {
        for (int64_t j = jb; j < je; ++j) {
          float a = 0.0f;
          for (int64_t t = 0; t < nt; ++t) a += g[t * n_items + j] * user_signs[t][k];
          item_grad[j * bits + k] += a;
        }
      }
    }
    // User side: a contiguous share of the tile's users per thread, swept
    // over item blocks; each user's sum runs over items in ascending order
    // whatever the share.
    const int tid = omp_get_thread_num(), team = omp_get_num_threads();
    const int64_t t_begin = nt * tid / team, t_end = nt * (tid + 1) / team;
    std::fill(user_grad + t_begin * bits, user_grad + t_end * bits, 0.0f);
    for (int64_t jb = 0; jb < n_items; jb += user_side_items) {
      const int64_t je = std::min(jb + user_side_items, n_items);
      user_side_block<NV>(g, n_items, t_begin, t_end, item_signs, bits, 0, k_main, jb, je,
                          user_grad);
      if (k_vec > k_main) {
        user_side_block<1>(g, n_items, t_begin, t_end, item_signs, bits, k_main, k_vec, jb, je,
                           user_grad);
      }
      for (int64_t t = t_begin; t < t_end; ++t) {
        for (int64_t k = k_vec; k < bits; ++k) {
          float a = user_grad[t * bits + k];
          for (int64_t j = jb; j < je; ++j) a += g[t * n_items + j] * item_signs[j * bits + k];
          user_grad[t * bits + k] = a;
        }
      }
    }
  }
}

}  // namespace

double smooth_recall_forward_backward_cpu(const float* signs, int bits, int32_t n_users,
                                          int32_t n_items, const Csr& train,
                                          const int32_t* users, int64_t n_batch_users,
                                          const SmoothRecallParams& params, float* grad_signs,
                                          int threads) {
  check_smooth_recall_args(bits, n_users, n_items, train, params);
  smooth_recall_require(n_batch_users >= 0 && (n_batch_users == 0 || users != nullptr), "users missing");
  if (threads <= 0) threads = omp_get_max_threads();

  int64_t omega = 0;
  for (int64_t b = 0; b < n_batch_users; ++b) {
    check_smooth_recall_user(users[b], n_users);
    omega += train.row_size(users[b]);
  }
  if (omega == 0) return 0.0;
  const double inv_omega = 1.0 / static_cast<double>(omega);

  // Pack the items' and the batch users' signs, checking they are ±1.
  const int words = code_words(bits);
  const float* item_signs = signs + static_cast<int64_t>(n_users) * bits;
  std::vector<uint64_t> item_codes(static_cast<size_t>(n_items) * words);
  std::vector<uint64_t> user_codes(static_cast<size_t>(n_batch_users) * words);
  uint32_t bad = 0;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(| : bad)
  for (int64_t r = 0; r < n_items + n_batch_users; ++r) {
    const bool item = r < n_items;
    const float* x = item ? item_signs + r * bits
                          : signs + static_cast<int64_t>(users[r - n_items]) * bits;
    uint64_t* code = item ? item_codes.data() + r * words : user_codes.data() + (r - n_items) * words;
    bad |= pack_checked_signs(x, bits, code);
  }
  check_smooth_recall_signs(bad != 0);

  const RankTables tables(bits, params.tau_rank);
  const int64_t tile = std::min<int64_t>(kUserTile, n_batch_users);
  // ∂L/∂s, [tile, n_items]; every row a tile uses is written before it is read.
  const std::unique_ptr<float[]> g_block(new float[static_cast<size_t>(tile) * n_items]);
  float* const g = g_block.get();
  std::vector<float> user_grad(static_cast<size_t>(tile) * bits);       // [tile, bits]
  std::vector<const float*> user_rows(static_cast<size_t>(tile));
  std::vector<double> recall_terms(static_cast<size_t>(n_batch_users));
  float* item_grad = grad_signs + static_cast<int64_t>(n_users) * bits;

  for (int64_t t0 = 0; t0 < n_batch_users; t0 += tile) {
    const int64_t nt = std::min(tile, n_batch_users - t0);
#pragma omp parallel num_threads(threads)
    {
      UserScratch scratch(n_items, bits);
#pragma omp for schedule(dynamic, 1)
      for (int64_t t = 0; t < nt; ++t) {
        const int32_t u = users[t0 + t];
        recall_terms[t0 + t] =
            user_pass(user_codes.data() + (t0 + t) * words, item_codes.data(), words, bits,
                      n_items, train.row_begin(u), train.row_end(u), tables, params, inv_omega,
                      scratch, g + t * n_items);
      }
    }
    for (int64_t t = 0; t < nt; ++t) {
      user_rows[t] = signs + static_cast<int64_t>(users[t0 + t]) * bits;
    }
    switch (bits) {
      case 32:
        chain_to_signs<32>(g, nt, user_rows.data(), item_signs, n_items, bits, item_grad,
                           user_grad.data(), threads);
        break;
      case 64:
        chain_to_signs<64>(g, nt, user_rows.data(), item_signs, n_items, bits, item_grad,
                           user_grad.data(), threads);
        break;
      case 128:
        chain_to_signs<128>(g, nt, user_rows.data(), item_signs, n_items, bits,
                            item_grad, user_grad.data(), threads);
        break;
      case 256:
        chain_to_signs<256>(g, nt, user_rows.data(), item_signs, n_items, bits,
                            item_grad, user_grad.data(), threads);
        break;
      default:
        chain_to_signs<0>(g, nt, user_rows.data(), item_signs, n_items, bits, item_grad,
                          user_grad.data(), threads);
    }
    // Serial, in batch order: a user listed twice accumulates the same way
    // for any thread count.
    for (int64_t t = 0; t < nt; ++t) {
      float* out = grad_signs + static_cast<int64_t>(users[t0 + t]) * bits;
      const float* in = user_grad.data() + t * bits;
      for (int k = 0; k < bits; ++k) out[k] += in[k];
    }
  }

  double recall_sum = 0.0;
  for (const double r : recall_terms) recall_sum += r;
  return -inv_omega * recall_sum;
}

}  // namespace bitrec

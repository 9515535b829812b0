// The smooth recall loss over all items, forward and backward, on the CPU
// (methods.md §5; docs/smooth_recall.md has the derivation). Per user u with
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
// item-side product runs over fixed item blocks, each summing the tile's
// users in batch order; the user-side product sums each user's items in
// ascending order into a per-tile buffer that is added to grad_signs
// serially. Nothing depends on which thread did what.
#include <omp.h>

#include <algorithm>
#include <cstdint>
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
// Items per block of the user-side product: 256 sign rows (64 KB at 64 bits)
// stay in L2 while a thread's users sweep them.
constexpr int64_t kUserSideItems = 256;
// Items per block of the item-side product: 16 accumulator rows (4 KB at 64
// bits) stay in L1 while the tile's users sweep them.
constexpr int64_t kItemSideItems = 16;

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("smooth_recall: " + what);
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
  std::vector<int64_t> count;       // [bits+1] histogram c_u
  std::vector<double> a_at_level;   // [bits+1] Σ a_i over positives at the level
  std::vector<double> g_at_level;   // [bits+1] G_u
  std::vector<double> rank_at;      // [bits+1] R_u, valid where `have`
  std::vector<double> curv_at;      // [bits+1] H_u, valid where `have`
  std::vector<char> have;           // [bits+1]
  std::vector<int> levels_used;     // distinct levels of the positives
  std::vector<double> a;            // [|P_u|]
  UserScratch(int64_t n_items, int bits)
      : level(n_items), count(bits + 1), a_at_level(bits + 1), g_at_level(bits + 1),
        rank_at(bits + 1), curv_at(bits + 1), have(bits + 1) {}
};

// Writes g_row[j] = ∂L/∂s_uj for every item and returns Σ_{i∈P_u} σ((N − r_ui)/τ_c).
double user_pass(const uint64_t* user_code, const uint64_t* item_codes, int words, int bits,
                 int64_t n_items, const int32_t* pos_begin, const int32_t* pos_end,
                 const RankTables& tables, const SmoothRecallParams& params, double inv_omega,
                 UserScratch& s, float* g_row) {
  std::fill(s.count.begin(), s.count.end(), 0);
  for (int64_t j = 0; j < n_items; ++j) {
    const int l = bits - hamming_distance(user_code, item_codes + j * words, words);
    s.level[j] = static_cast<uint16_t>(l);
    ++s.count[l];
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
    recall_sum += smooth_recall_cut(r, params.recall_n, params.tau_cut);
    s.a[p] = -inv_omega * smooth_recall_cut_grad(r, params.recall_n, params.tau_cut);
    s.a_at_level[w] += s.a[p];
  }
  // G_u(v) = Σ_w A(w)·σ'((v − w)/τ_r)/τ_r over the positives' distinct levels w.
  for (int v = 0; v <= bits; ++v) {
    double g = 0.0;
    for (const int w : s.levels_used) g += s.a_at_level[w] * term_grad[v - w + bits];
    s.g_at_level[v] = g;
  }
  for (int64_t j = 0; j < n_items; ++j) g_row[j] = static_cast<float>(s.g_at_level[s.level[j]]);
  for (int64_t p = 0; p < n_pos; ++p) {
    const int32_t j = pos_begin[p];
    const int w = s.level[j];
    g_row[j] = static_cast<float>(s.g_at_level[w] - s.a[p] * s.curv_at[w]);
  }
  return recall_sum;
}

// grad_items[j] += Σ_{t<nt} g[t][j]·b_{user t} and user_grad[t] = Σ_j g[t][j]·b_j
// for one tile. kBits > 0 fixes the code length at compile time (the inner
// loops then unroll and vectorise fully); 0 reads `bits_runtime`.
template <int kBits>
void chain_to_signs(const float* g, int64_t nt, const float* const* user_signs,
                    const float* item_signs, int64_t n_items, int bits_runtime,
                    float* item_grad, float* user_grad, int threads) {
  const int64_t bits = kBits > 0 ? kBits : bits_runtime;
#pragma omp parallel num_threads(threads)
  {
    std::vector<float> acc(static_cast<size_t>(kItemSideItems * bits));
    // Item side: fixed item blocks, users of the tile in order within each.
#pragma omp for schedule(static)
    for (int64_t jb = 0; jb < n_items; jb += kItemSideItems) {
      const int64_t nj = std::min(kItemSideItems, n_items - jb);
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (int64_t t = 0; t < nt; ++t) {
        const float* bu = user_signs[t];
        const float* gt = g + t * n_items + jb;
        for (int64_t jj = 0; jj < nj; ++jj) {
          const float c = gt[jj];
          float* a = acc.data() + jj * bits;
#pragma omp simd
          for (int64_t k = 0; k < bits; ++k) a[k] += c * bu[k];
        }
      }
      for (int64_t jj = 0; jj < nj; ++jj) {
        float* out = item_grad + (jb + jj) * bits;
        const float* a = acc.data() + jj * bits;
#pragma omp simd
        for (int64_t k = 0; k < bits; ++k) out[k] += a[k];
      }
    }
    // User side: a contiguous share of the tile's users per thread, swept
    // over item blocks; each user's sum runs over items in ascending order
    // whatever the share.
    const int tid = omp_get_thread_num(), team = omp_get_num_threads();
    const int64_t t_begin = nt * tid / team, t_end = nt * (tid + 1) / team;
    for (int64_t t = t_begin; t < t_end; ++t) {
      std::fill(user_grad + t * bits, user_grad + (t + 1) * bits, 0.0f);
    }
    for (int64_t jb = 0; jb < n_items; jb += kUserSideItems) {
      const int64_t je = std::min(jb + kUserSideItems, n_items);
      for (int64_t t = t_begin; t < t_end; ++t) {
        float* out = user_grad + t * bits;
        const float* gt = g + t * n_items;
        for (int64_t j = jb; j < je; ++j) {
          const float c = gt[j];
          const float* bj = item_signs + j * bits;
#pragma omp simd
          for (int64_t k = 0; k < bits; ++k) out[k] += c * bj[k];
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
  require(bits > 0 && bits < 65535, "bits must be in [1, 65534]");
  require(n_users >= 0 && n_items > 0, "needs n_users >= 0 and n_items > 0");
  require(train.rows == n_users && train.cols == n_items &&
              static_cast<int64_t>(train.indptr.size()) == train.rows + 1,
          "train must be n_users x n_items");
  require(params.tau_rank > 0.0f && params.tau_cut > 0.0f && params.recall_n >= 1,
          "needs tau_rank > 0, tau_cut > 0 and recall_n >= 1");
  require(n_batch_users >= 0 && (n_batch_users == 0 || users != nullptr), "users missing");
  if (threads <= 0) threads = omp_get_max_threads();

  int64_t omega = 0;
  for (int64_t b = 0; b < n_batch_users; ++b) {
    require(users[b] >= 0 && users[b] < n_users,
            "user id " + std::to_string(users[b]) + " outside [0, " + std::to_string(n_users) +
                ")");
    omega += train.row_size(users[b]);
  }
  if (omega == 0) return 0.0;
  const double inv_omega = 1.0 / static_cast<double>(omega);

  // Pack the items' and the batch users' signs, checking they are ±1.
  const int words = code_words(bits);
  const float* item_signs = signs + static_cast<int64_t>(n_users) * bits;
  std::vector<uint64_t> item_codes(static_cast<size_t>(n_items) * words);
  std::vector<uint64_t> user_codes(static_cast<size_t>(n_batch_users) * words);
  int bad = 0;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(| : bad)
  for (int64_t r = 0; r < n_items + n_batch_users; ++r) {
    const bool item = r < n_items;
    const float* x = item ? item_signs + r * bits
                          : signs + static_cast<int64_t>(users[r - n_items]) * bits;
    for (int k = 0; k < bits; ++k) bad |= (x[k] != 1.0f && x[k] != -1.0f);
    pack_signs(x, bits, item ? item_codes.data() + r * words
                             : user_codes.data() + (r - n_items) * words);
  }
  require(!bad, "signs of the batch's users and of all items must be exactly ±1");

  const RankTables tables(bits, params.tau_rank);
  const int64_t tile = std::min<int64_t>(kUserTile, n_batch_users);
  std::vector<float> g(static_cast<size_t>(tile) * n_items);            // ∂L/∂s, [tile, n_items]
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
                      scratch, g.data() + t * n_items);
      }
    }
    for (int64_t t = 0; t < nt; ++t) {
      user_rows[t] = signs + static_cast<int64_t>(users[t0 + t]) * bits;
    }
    switch (bits) {
      case 32:
        chain_to_signs<32>(g.data(), nt, user_rows.data(), item_signs, n_items, bits, item_grad,
                           user_grad.data(), threads);
        break;
      case 64:
        chain_to_signs<64>(g.data(), nt, user_rows.data(), item_signs, n_items, bits, item_grad,
                           user_grad.data(), threads);
        break;
      case 128:
        chain_to_signs<128>(g.data(), nt, user_rows.data(), item_signs, n_items, bits,
                            item_grad, user_grad.data(), threads);
        break;
      case 256:
        chain_to_signs<256>(g.data(), nt, user_rows.data(), item_signs, n_items, bits,
                            item_grad, user_grad.data(), threads);
        break;
      default:
        chain_to_signs<0>(g.data(), nt, user_rows.data(), item_signs, n_items, bits, item_grad,
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

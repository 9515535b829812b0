// CPU ↔ CUDA parity of retrieval (topk_hamming, topk_real). Hamming top-k is
// exact on both, so items, distances and distance histograms must be equal,
// ties included (ascending item id). Real top-k: with integer-valued tables
// every score is exact in float whatever the summation order, so both CUDA
// score paths must equal the CPU exactly; with random tables the fmaf-chain
// path must too when the CPU build computes an fma chain (detected below),
// and otherwise — and for cuBLAS — the lists must agree up to near-ties
// (score tolerance 1e-6 at |score| < 1). Skipped without a CUDA device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "bitrec/kernels/hamming.hpp"
#include "cuda_parity_util.hpp"

namespace bitrec::cuda_test {
namespace {

// Every user once, shuffled, plus some repeated.
std::vector<int32_t> user_list(int32_t n_users, uint64_t seed) {
  std::vector<int32_t> users(static_cast<size_t>(n_users));
  std::iota(users.begin(), users.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(users.begin(), users.end(), rng);
  for (int r = 0; r < 5 && n_users > 0; ++r) users.push_back(users[static_cast<size_t>(r)]);
  return users;
}

// Exclusion rows with the awkward cases: user 0 excludes every item, user 1
// nothing, and the last 3 users have no row at all (exclude.rows < n_users).
Csr exclusion(int32_t n_users, int32_t n_items, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution take(0.15);
  std::vector<std::pair<int32_t, int32_t>> pairs;
  const int32_t rows = std::max(0, n_users - 3);
  for (int32_t u = 0; u < rows; ++u) {
    for (int32_t i = 0; i < n_items; ++i) {
      if (u == 0 || (u != 1 && take(rng))) pairs.emplace_back(u, i);
    }
  }
  return csr_from_pairs(rows, n_items, std::move(pairs));
}

void expect_same_topk(const TopK& cpu, const TopK& gpu, const std::string& what) {
  EXPECT_EQ(cpu.k, gpu.k) << what;
  EXPECT_EQ(cpu.n_users, gpu.n_users) << what;
  EXPECT_EQ(cpu.items, gpu.items) << what << ": items";
  EXPECT_EQ(cpu.scores, gpu.scores) << what << ": scores";  // == : +0 equals -0
  EXPECT_EQ(cpu.hist_bins, gpu.hist_bins) << what;
  EXPECT_EQ(cpu.distance_hist, gpu.distance_hist) << what << ": distance_hist";
}

// --- Hamming -------------------------------------------------------------------------

struct HammingCase {
  int bits;
  bool few_codes;  // rows drawn from 3 codes: nearly every item ties
};

class CudaHammingParity : public ::testing::TestWithParam<HammingCase> {};

TEST_P(CudaHammingParity, ItemsDistancesHistogramsExact) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  const HammingCase hc = GetParam();
  const int32_t n_users = 47, n_items = 700;
  const int64_t n = n_users + n_items;
  std::vector<float> x = normal_vector(static_cast<size_t>(n * hc.bits), 1.0f, hc.bits);
  if (hc.few_codes) {
    for (int64_t r = 0; r < n; ++r) {
      const int64_t src = r % 3;
      std::copy(x.begin() + src * hc.bits, x.begin() + (src + 1) * hc.bits,
                x.begin() + r * hc.bits);
    }
  }
  CpuBackend cpu(2);
  auto gpu = make_gpu();
  const int words = code_words(hc.bits);
  FloatTensor cx = to_tensor(cpu, x, n, hc.bits), gx = to_tensor(*gpu, x, n, hc.bits);
  CodeTensor cc = cpu.alloc_u64(n, words), gc = gpu->alloc_u64(n, words);
  FloatTensor none;
  cpu.hash_forward(cx, none, cc);
  gpu->hash_forward(gx, none, gc);
  ASSERT_EQ(to_host(cpu, cc), to_host(*gpu, gc));

  const Csr exclude = exclusion(n_users, n_items, 3);
  const std::vector<int32_t> users = user_list(n_users, 4);
  for (const int k : {0, 1, 20, 100, 699, 700, 1000, 1024}) {
    TopK ct, gt;
    cpu.topk_hamming(cc, n_users, n_items, hc.bits, exclude, users, k, ct);
    gpu->topk_hamming(gc, n_users, n_items, hc.bits, exclude, users, k, gt);
    expect_same_topk(ct, gt, "bits " + std::to_string(hc.bits) + " k " + std::to_string(k));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Widths, CudaHammingParity,
    ::testing::Values(HammingCase{32, false}, HammingCase{64, false}, HammingCase{100, false},
                      HammingCase{130, false}, HammingCase{256, false},
                      HammingCase{1024, false}, HammingCase{64, true}, HammingCase{130, true}),
    [](const ::testing::TestParamInfo<HammingCase>& info) {
      return "bits" + std::to_string(info.param.bits) + (info.param.few_codes ? "_ties" : "");
    });

// More users × items than one key tile holds (256 MiB): the tile loop.
TEST(CudaTopkParity, HammingAcrossKeyTiles) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  const int32_t n_users = 1000, n_items = 70000;
  const int bits = 64;
  const int64_t n = n_users + n_items;
  const std::vector<float> x = normal_vector(static_cast<size_t>(n * bits), 1.0f, 8);
  CpuBackend cpu(2);
  auto gpu = make_gpu();
  FloatTensor cx = to_tensor(cpu, x, n, bits), gx = to_tensor(*gpu, x, n, bits);
  CodeTensor cc = cpu.alloc_u64(n, 1), gc = gpu->alloc_u64(n, 1);
  FloatTensor none;
  cpu.hash_forward(cx, none, cc);
  gpu->hash_forward(gx, none, gc);
  const Csr exclude = exclusion(n_users, n_items, 9);
  const std::vector<int32_t> users = user_list(n_users, 10);
  TopK ct, gt;
  cpu.topk_hamming(cc, n_users, n_items, bits, exclude, users, 100, ct);
  gpu->topk_hamming(gc, n_users, n_items, bits, exclude, users, 100, gt);
  expect_same_topk(ct, gt, "tiled");
}

// --- real ------------------------------------------------------------------------------

TEST(CudaTopkParity, RealIntegerScoresExactBothPaths) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  const int32_t n_users = 45, n_items = 600;
  const int64_t n = n_users + n_items;
  for (const int dim : {8, 64, 100}) {
    std::mt19937_64 rng(dim);
    std::uniform_int_distribution<int> small(-2, 2);  // scores exact: ties everywhere
    std::vector<float> table(static_cast<size_t>(n * dim));
    for (float& v : table) v = static_cast<float>(small(rng));
    // A NaN item (ranks as -inf) and an infinite one.
    table[static_cast<size_t>((n_users + 7) * dim)] = std::numeric_limits<float>::quiet_NaN();
    table[static_cast<size_t>((n_users + 8) * dim + 1)] = std::numeric_limits<float>::infinity();
    const Csr exclude = exclusion(n_users, n_items, 5);
    const std::vector<int32_t> users = user_list(n_users, 6);
    CpuBackend cpu(2);
    FloatTensor ctab = to_tensor(cpu, table, n, dim);
    for (const char* path : {"fma", "cublas"}) {
      auto gpu = make_gpu("cusparse", path);
      FloatTensor gtab = to_tensor(*gpu, table, n, dim);
      for (const int k : {0, 1, 20, 100, 600, 1000}) {
        TopK ct, gt;
        cpu.topk_real(ctab, n_users, n_items, exclude, users, k, ct);
        gpu->topk_real(gtab, n_users, n_items, exclude, users, k, gt);
        expect_same_topk(ct, gt, std::string(path) + " d " + std::to_string(dim) + " k " +
                                     std::to_string(k));
      }
    }
  }
}

// Real scores for more users × items than one key tile holds (256 MiB: 958
// users of 70,000 items), so topk_real's tile loop runs twice, each tile
// over 1,094 item tiles of the score kernel; an integer-valued table keeps
// every score exact, so both score paths must equal the CPU, ties included.
TEST(CudaTopkParity, RealAcrossKeyTiles) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  const int32_t n_users = 1000, n_items = 70000;
  const int dim = 16;
  const int64_t n = n_users + n_items;
  std::mt19937_64 rng(21);
  std::uniform_int_distribution<int> small(-2, 2);
  std::vector<float> table(static_cast<size_t>(n * dim));
  for (float& v : table) v = static_cast<float>(small(rng));
  const Csr exclude = exclusion(n_users, n_items, 22);
  const std::vector<int32_t> users = user_list(n_users, 23);
  ASSERT_GT(static_cast<int64_t>(users.size()) * n_items * 4, int64_t{256} << 20)
      << "the call must span more than one key tile";
  CpuBackend cpu(2);
  FloatTensor ctab = to_tensor(cpu, table, n, dim);
  TopK ct;
  cpu.topk_real(ctab, n_users, n_items, exclude, users, 100, ct);
  for (const char* path : {"fma", "cublas"}) {
    auto gpu = make_gpu("cusparse", path);
    FloatTensor gtab = to_tensor(*gpu, table, n, dim);
    TopK gt;
    gpu->topk_real(gtab, n_users, n_items, exclude, users, 100, gt);
    expect_same_topk(ct, gt, std::string("real across key tiles, ") + path);
  }
}

// Float fma chain Σ_d u[d]·i[d] in d order: the CPU's score when it contracts.
float fma_chain_score(const std::vector<float>& table, int dim, int64_t a, int64_t b) {
  float acc = 0.0f;
  for (int d = 0; d < dim; ++d) {
    acc = std::fma(table[static_cast<size_t>(a * dim + d)], table[static_cast<size_t>(b * dim + d)], acc);
  }
  return acc;
}

// The lists agree up to near-ties: position-wise scores within tol, and every
// item the CPU ranks clearly inside the top k (score > k-th + 2 tol) is in
// the CUDA list, which holds no excluded and no repeated item.
void expect_equivalent_real_topk(const TopK& cpu, const TopK& gpu, const Csr& exclude,
                                 const std::vector<int32_t>& users, double tol,
                                 const std::string& what) {
  ASSERT_EQ(cpu.items.size(), gpu.items.size()) << what;
  const int k = cpu.k;
  int bad = 0;
  for (size_t r = 0; r < users.size() && bad < 5; ++r) {
    const int32_t* ci = cpu.items.data() + r * k;
    const int32_t* gi = gpu.items.data() + r * k;
    const float* cs = cpu.scores.data() + r * k;
    const float* gs = gpu.scores.data() + r * k;
    std::set<int32_t> listed;
    for (int j = 0; j < k; ++j) {
      const bool score_ok = (std::isinf(cs[j]) || std::isinf(gs[j]))
                                ? cs[j] == gs[j]
                                : std::fabs(cs[j] - gs[j]) <= tol;
      if (!score_ok || (gi[j] < 0) != (ci[j] < 0)) {
        ADD_FAILURE() << what << ": user " << users[r] << " rank " << j << " cpu (" << ci[j]
                      << ", " << cs[j] << ") gpu (" << gi[j] << ", " << gs[j] << ")";
        ++bad;
      }
      if (gi[j] >= 0) {
        EXPECT_TRUE(listed.insert(gi[j]).second) << what << ": repeated item " << gi[j];
        if (users[r] < exclude.rows) {
          EXPECT_FALSE(exclude.contains(users[r], gi[j])) << what << ": excluded item listed";
        }
      }
    }
    if (k > 0 && ci[k - 1] >= 0) {
      for (int j = 0; j < k; ++j) {
        if (cs[j] > cs[k - 1] + 2 * tol && !listed.count(ci[j])) {
          ADD_FAILURE() << what << ": user " << users[r] << " misses item " << ci[j];
          ++bad;
        }
      }
    }
  }
}

TEST(CudaTopkParity, RealRandomScores) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  const int32_t n_users = 60, n_items = 900;
  const int dim = 64;
  const int64_t n = n_users + n_items;
  const std::vector<float> table = normal_vector(static_cast<size_t>(n * dim), 0.1f, 12);
  const Csr exclude = exclusion(n_users, n_items, 13);
  const std::vector<int32_t> users = user_list(n_users, 14);
  CpuBackend cpu(2);
  FloatTensor ctab = to_tensor(cpu, table, n, dim);
  TopK ct;
  cpu.topk_real(ctab, n_users, n_items, exclude, users, 100, ct);

  // Does this CPU build compute an fma chain (FMA hardware and contraction)?
  bool cpu_fma_chain = true;
  for (size_t r = 0; r < users.size() && cpu_fma_chain; ++r) {
    for (int j = 0; j < ct.k; ++j) {
      const int32_t item = ct.items[r * ct.k + j];
      if (item >= 0 && ct.scores[r * ct.k + j] !=
                           fma_chain_score(table, dim, users[r], int64_t{n_users} + item)) {
        cpu_fma_chain = false;
        break;
      }
    }
  }
  for (const char* path : {"fma", "cublas"}) {
    auto gpu = make_gpu("cusparse", path);
    FloatTensor gtab = to_tensor(*gpu, table, n, dim);
    TopK gt;
    gpu->topk_real(gtab, n_users, n_items, exclude, users, 100, gt);
    if (std::string(path) == "fma" && cpu_fma_chain) {
      expect_same_topk(ct, gt, "fma path vs the CPU's fma chain");
    } else {
      expect_equivalent_real_topk(ct, gt, exclude, users, 1e-6, path);
    }
  }
}

TEST(CudaTopkParity, DegenerateCalls) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  CpuBackend cpu(2);
  auto gpu = make_gpu();
  const int32_t n_users = 4;
  const std::vector<float> table = normal_vector(4 * 8, 1.0f, 1);
  FloatTensor ctab = to_tensor(cpu, table, 4, 8), gtab = to_tensor(*gpu, table, 4, 8);
  const Csr exclude = csr_from_pairs(n_users, 0, {});
  const std::vector<int32_t> users{3, 0, 0};
  TopK ct, gt;
  // No items at all: padded lists.
  cpu.topk_real(ctab, n_users, 0, exclude, users, 5, ct);
  gpu->topk_real(gtab, n_users, 0, exclude, users, 5, gt);
  expect_same_topk(ct, gt, "real, no items");
  // No users asked.
  cpu.topk_real(ctab, n_users, 0, exclude, {}, 5, ct);
  gpu->topk_real(gtab, n_users, 0, exclude, {}, 5, gt);
  expect_same_topk(ct, gt, "real, no users");

  CodeTensor cc = cpu.alloc_u64(4, 1), gc = gpu->alloc_u64(4, 1);
  FloatTensor none;
  cpu.hash_forward(ctab, none, cc);
  gpu->hash_forward(gtab, none, gc);
  cpu.topk_hamming(cc, n_users, 0, 8, exclude, users, 5, ct);
  gpu->topk_hamming(gc, n_users, 0, 8, exclude, users, 5, gt);
  expect_same_topk(ct, gt, "hamming, no items");

  // k beyond the device selection's limit (1024) is refused, not truncated.
  const std::vector<int32_t> two_users{0, 1};
  EXPECT_THROW(gpu->topk_real(gtab, 2, 2, exclude, two_users, 1025, gt), std::invalid_argument);
}

}  // namespace
}  // namespace bitrec::cuda_test

// Helpers of the CPU ↔ CUDA parity tests: both backends on the same inputs,
// host copies of their tensors, seeded random relations with the awkward
// cases built in, and element-wise comparison with a stated tolerance.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/csr.hpp"
#include "bitrec/cuda_backend.hpp"
#include "bitrec/graph.hpp"
#include "bitrec/kernels/hamming.hpp"
#include "cpu/cpu_backend.hpp"
#include "cpu_test_util.hpp"

namespace bitrec::cuda_test {

// A CUDA backend whose alternative paths are chosen by the environment
// variables it reads at construction (docs/cuda.md): BITREC_SPMM = cusparse |
// warp, BITREC_REAL_SCORES = fma | cublas.
inline std::unique_ptr<Backend> make_gpu(const std::string& spmm = "cusparse",
                                         const std::string& real_scores = "fma") {
  ::setenv("BITREC_SPMM", spmm.c_str(), 1);
  ::setenv("BITREC_REAL_SCORES", real_scores.c_str(), 1);
  std::unique_ptr<Backend> gpu = make_cuda_backend();
  ::unsetenv("BITREC_SPMM");
  ::unsetenv("BITREC_REAL_SCORES");
  return gpu;
}

// Upload/download helpers shared with the CPU tests.
using test::to_host;
using test::to_tensor;

inline std::vector<uint64_t> to_host(Backend& b, const CodeTensor& t) {
  std::vector<uint64_t> out(static_cast<size_t>(t.size()));
  b.download(t, out.data());
  return out;
}
inline std::vector<int32_t> to_host(Backend& b, const IndexTensor& t) {
  std::vector<int32_t> out(static_cast<size_t>(t.size()));
  b.download(t, out.data());
  return out;
}

inline std::vector<float> normal_vector(size_t n, float stddev, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> dist(0.0f, stddev);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Every element within abs_tol + rel_tol·max(|a|, |b|); NaNs must sit at the
// same places. Reports the count and the first few offenders.
inline void expect_all_near(const std::vector<float>& cpu, const std::vector<float>& gpu,
                            double abs_tol, double rel_tol, const std::string& what) {
  ASSERT_EQ(cpu.size(), gpu.size()) << what;
  size_t bad = 0;
  double worst = 0.0;
  std::ostringstream first;
  for (size_t i = 0; i < cpu.size(); ++i) {
    const double a = cpu[i], b = gpu[i];
    bool ok;
    if (std::isnan(a) || std::isnan(b)) {
      ok = std::isnan(a) && std::isnan(b);
    } else if (std::isinf(a) || std::isinf(b)) {
      ok = a == b;
    } else {
      const double diff = std::fabs(a - b);
      worst = std::max(worst, diff);
      ok = diff <= abs_tol + rel_tol * std::max(std::fabs(a), std::fabs(b));
    }
    if (!ok && bad++ < 5) first << "\n  [" << i << "] cpu " << a << " gpu " << b;
  }
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << cpu.size()
                     << " elements outside abs " << abs_tol << " + rel " << rel_tol
                     << " (largest finite difference " << worst << ")" << first.str();
}

// A seeded user × item relation with the cases that break kernels:
// - empty_users: users 0 and users-1 have no item (empty CSR rows, zero-degree nodes);
// - full_users: user 1 has every item that can have users, user 2 all but
//   one of them (the sampler's hardest rejection);
// - the last zero_degree_items items have no user at all.
struct RelationSpec {
  int32_t users = 60;
  int32_t items = 80;
  double density = 0.1;
  bool empty_users = true;
  bool full_users = true;
  int32_t zero_degree_items = 2;
  uint64_t seed = 1;
};

inline Csr random_relation(const RelationSpec& s) {
  std::mt19937_64 rng(s.seed);
  std::bernoulli_distribution take(s.density);
  const int32_t usable = s.items - s.zero_degree_items;
  std::vector<std::pair<int32_t, int32_t>> pairs;
  for (int32_t u = 0; u < s.users; ++u) {
    const bool empty = s.empty_users && (u == 0 || u == s.users - 1);
    if (empty) continue;
    for (int32_t i = 0; i < usable; ++i) {
      const bool all = s.full_users && u == 1;
      const bool all_but_one = s.full_users && u == 2 && i != usable / 2;
      if (all || all_but_one || take(rng)) pairs.emplace_back(u, i);
    }
  }
  return csr_from_pairs(s.users, s.items, std::move(pairs));
}

// One backend's copy of the trainer's buffers for a table method (E0, Adam
// moments, E, signs, gradients, loss, codes): the lockstep tests drive a CPU
// and a GPU copy through the same batches and compare them.
struct TableBuffers {
  Backend& b;
  FloatTensor e0, m, v, e, signs, grad_scored, grad_e, grad_e0, loss;
  CodeTensor codes;

  TableBuffers(Backend& backend, const std::vector<float>& init, int64_t rows, int dim) : b(backend) {
    e0 = to_tensor(b, init, rows, dim);
    m = b.alloc_f32(rows, dim);
    v = b.alloc_f32(rows, dim);
    e = b.alloc_f32(rows, dim);
    signs = b.alloc_f32(rows, dim);
    grad_scored = b.alloc_f32(rows, dim);
    grad_e = b.alloc_f32(rows, dim);
    grad_e0 = b.alloc_f32(rows, dim);
    loss = b.alloc_f32(1, 1);
    codes = b.alloc_u64(rows, code_words(dim));
  }
};

}  // namespace bitrec::cuda_test

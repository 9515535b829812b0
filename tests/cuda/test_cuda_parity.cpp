// CPU ↔ CUDA parity of every training operation of the Backend interface:
// the CUDA backend run against CpuBackend (the reference) on the same inputs,
// random and adversarial (ties, empty users, zero-degree items, widths that
// are not a multiple of 64). Retrieval: test_cuda_topk_parity.cpp; whole
// epochs: test_cuda_epoch_parity.cpp. Skipped without a CUDA device.
//
// Tolerances, and why:
// - exact: buffers, signs and codes, sampled triples (same integer math);
// - propagate: abs 2e-6 + rel 1e-5 — cuSPARSE sums a row's products in its
//   own order; the warp kernel uses the CPU's order and is held to the same;
// - hash backward: abs 1e-5·max(1, β)·|g| + rel 1e-5 (|g| ~ 1e-3 here) —
//   device expf/cosf are within 2 ulp of glibc's, and signswish's
//   (2 + βx(1−2s)) and fourier's cosine sum cancel;
// - BPR / L2: loss rel 1e-5; gradients abs 1e-8 + rel 1e-5 — scores are
//   summed in double on both, but rows drawn twice are scattered with float
//   atomics in another order than the CPU's triple order;
// - Adam: abs 1e-9 + rel 1e-6 — the same adam_update, FMA contraction may
//   differ between nvcc and the host compiler.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "bitrec/error.hpp"
#include "bitrec/kernels/adam.hpp"
#include "bitrec/kernels/hamming.hpp"
#include "cuda_parity_util.hpp"

namespace bitrec::cuda_test {
namespace {

TEST(CudaParity, BuffersRoundTripAndZero) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  auto gpu = make_gpu();
  EXPECT_EQ(gpu->name(), "cuda");
  EXPECT_FALSE(gpu->device_name().empty());

  FloatTensor f = gpu->alloc_f32(37, 13);
  IndexTensor i = gpu->alloc_i32(5, 3);
  CodeTensor c = gpu->alloc_u64(7, 2);
  EXPECT_EQ(to_host(*gpu, f), std::vector<float>(37 * 13, 0.0f));
  EXPECT_EQ(to_host(*gpu, i), std::vector<int32_t>(15, 0));
  EXPECT_EQ(to_host(*gpu, c), std::vector<uint64_t>(14, 0));

  const std::vector<float> values = normal_vector(37 * 13, 1.0f, 7);
  gpu->upload(values.data(), f);
  EXPECT_EQ(to_host(*gpu, f), values);
  gpu->fill_zero(f);
  EXPECT_EQ(to_host(*gpu, f), std::vector<float>(37 * 13, 0.0f));

  FloatTensor empty = gpu->alloc_f32(0, 64);  // zero-size tensors are legal
  EXPECT_TRUE(empty.empty());
  gpu->fill_zero(empty);
  EXPECT_TRUE(to_host(*gpu, empty).empty());
  gpu->synchronize();
}

// --- propagation -------------------------------------------------------------------

struct PropagateCase {
  const char* spmm;
  int dim;
};

class CudaPropagateParity : public ::testing::TestWithParam<PropagateCase> {};

TEST_P(CudaPropagateParity, MeanOfLayersMatchesCpu) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  const PropagateCase pc = GetParam();
  RelationSpec spec;  // empty users, zero-degree items, a full user
  spec.users = 90;
  spec.items = 70;
  spec.zero_degree_items = 3;
  const Csr train = random_relation(spec);
  const NormalizedGraph graph = build_normalized_graph(train, spec.users, spec.items);
  CpuBackend cpu(2);
  auto gpu = make_gpu(pc.spmm);
  cpu.set_graph(graph);
  gpu->set_graph(graph);

  const int64_t n = graph.n_nodes;
  const std::vector<float> x = normal_vector(static_cast<size_t>(n * pc.dim), 0.1f, 11);
  FloatTensor cin = to_tensor(cpu, x, n, pc.dim), gin = to_tensor(*gpu, x, n, pc.dim);
  for (int layers = 0; layers <= 4; ++layers) {
    FloatTensor cout = cpu.alloc_f32(n, pc.dim), gout = gpu->alloc_f32(n, pc.dim);
    cpu.propagate_mean(cin, cout, layers);
    gpu->propagate_mean(gin, gout, layers);
    expect_all_near(to_host(cpu, cout), to_host(*gpu, gout), 2e-6, 1e-5,
                    std::string(pc.spmm) + " d=" + std::to_string(pc.dim) +
                        " L=" + std::to_string(layers));
  }
  // In place (out == in), as the backward pass may call it.
  FloatTensor cio = to_tensor(cpu, x, n, pc.dim), gio = to_tensor(*gpu, x, n, pc.dim);
  cpu.propagate_mean(cio, cio, 3);
  gpu->propagate_mean(gio, gio, 3);
  expect_all_near(to_host(cpu, cio), to_host(*gpu, gio), 2e-6, 1e-5,
                  std::string(pc.spmm) + " in place");
}

INSTANTIATE_TEST_SUITE_P(
    Widths, CudaPropagateParity,
    ::testing::Values(PropagateCase{"cusparse", 64}, PropagateCase{"cusparse", 100},
                      PropagateCase{"cusparse", 3}, PropagateCase{"warp", 64},
                      PropagateCase{"warp", 100}, PropagateCase{"warp", 3},
                      PropagateCase{"warp", 256}),
    [](const ::testing::TestParamInfo<PropagateCase>& info) {
      return std::string(info.param.spmm) + "_d" + std::to_string(info.param.dim);
    });

// --- hashing -----------------------------------------------------------------------

// Values that decide signs: ±0, denormals, infinities, ordinary numbers.
std::vector<float> awkward_values(size_t n, uint64_t seed) {
  std::vector<float> v = normal_vector(n, 0.05f, seed);
  const float specials[] = {0.0f, -0.0f, std::numeric_limits<float>::denorm_min(),
                            -std::numeric_limits<float>::denorm_min(),
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), 1e-30f, -1e-30f};
  for (size_t i = 0; i < n; i += 7) v[i] = specials[(i / 7) % 8];
  return v;
}

TEST(CudaParity, HashForwardBitExact) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  CpuBackend cpu(2);
  auto gpu = make_gpu();
  for (const int bits : {1, 32, 63, 64, 65, 100, 130, 256, 1024}) {
    const int64_t rows = 77;
    const int words = code_words(bits);
    const std::vector<float> x = awkward_values(static_cast<size_t>(rows * bits), bits);
    FloatTensor cx = to_tensor(cpu, x, rows, bits), gx = to_tensor(*gpu, x, rows, bits);
    FloatTensor cs = cpu.alloc_f32(rows, bits), gs = gpu->alloc_f32(rows, bits);
    CodeTensor cc = cpu.alloc_u64(rows, words), gc = gpu->alloc_u64(rows, words);
    cpu.hash_forward(cx, cs, cc);
    gpu->hash_forward(gx, gs, gc);
    EXPECT_EQ(to_host(cpu, cs), to_host(*gpu, gs)) << "signs, bits " << bits;
    EXPECT_EQ(to_host(cpu, cc), to_host(*gpu, gc)) << "codes, bits " << bits;

    // Either output may be left empty.
    FloatTensor none_f;
    CodeTensor none_c;
    CodeTensor gc2 = gpu->alloc_u64(rows, words);
    gpu->hash_forward(gx, none_f, gc2);
    EXPECT_EQ(to_host(cpu, cc), to_host(*gpu, gc2)) << "codes only, bits " << bits;
    FloatTensor gs2 = gpu->alloc_f32(rows, bits);
    gpu->hash_forward(gx, gs2, none_c);
    EXPECT_EQ(to_host(cpu, cs), to_host(*gpu, gs2)) << "signs only, bits " << bits;
  }
}

TEST(CudaParity, HashBackwardEveryEstimator) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  CpuBackend cpu(2);
  auto gpu = make_gpu();
  const int64_t rows = 64, cols = 130;
  // x spans the regions of every estimator: |βx| up to ~60 for signswish.
  std::vector<float> x = normal_vector(static_cast<size_t>(rows * cols), 0.5f, 3);
  for (size_t i = 0; i < x.size(); i += 11) x[i] = -1.2f + 0.0003f * static_cast<float>(i);
  std::vector<float> g = normal_vector(x.size(), 1e-3f, 4);
  for (int64_t c = 0; c < cols; ++c) g[static_cast<size_t>(5 * cols + c)] = 0.0f;  // a zero row
  // Zero gradients beside nonzero ones, at x = ±inf (signswish's factor is
  // NaN there) and where the factor is negative (0·f = −0): +0 on both.
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<std::pair<int64_t, float>> zero_grad_at = {
      {5 * cols, inf}, {7 * cols + 3, inf}, {7 * cols + 4, -inf}, {7 * cols + 5, 0.9f}, {7 * cols + 6, 0.069f}};
  for (const auto& [at, value] : zero_grad_at) {
    x[static_cast<size_t>(at)] = value;
    g[static_cast<size_t>(at)] = at % 2 ? -0.0f : 0.0f;
  }
  FloatTensor cx = to_tensor(cpu, x, rows, cols), gx = to_tensor(*gpu, x, rows, cols);
  FloatTensor cg = to_tensor(cpu, g, rows, cols), gg = to_tensor(*gpu, g, rows, cols);

  std::vector<EstimatorParams> estimators;
  for (const Estimator kind : {Estimator::kSte, Estimator::kDropoutSte}) {
    EstimatorParams p;
    p.kind = kind;
    estimators.push_back(p);
  }
  for (const float clip : {0.05f, 1.0f}) {
    EstimatorParams p;
    p.kind = Estimator::kSteClip;
    p.clip = clip;
    estimators.push_back(p);
  }
  for (const int terms : {2, 8, 16}) {
    EstimatorParams p;
    p.kind = Estimator::kFourier;
    p.fourier_terms = terms;
    estimators.push_back(p);
  }
  for (const float beta : {1.0f, 10.0f, 50.0f}) {
    EstimatorParams p;
    p.kind = Estimator::kSignswish;
    p.beta = beta;
    estimators.push_back(p);
  }
  for (const EstimatorParams& p : estimators) {
    FloatTensor cout = cpu.alloc_f32(rows, cols), gout = gpu->alloc_f32(rows, cols);
    cpu.hash_backward(p, cx, cg, cout);
    gpu->hash_backward(p, gx, gg, gout);
    const double abs_tol = 1e-5 * std::max(1.0f, p.beta) * 1e-3;  // |g| ~ 1e-3
    const std::string what = "estimator " + std::to_string(static_cast<int>(p.kind)) + " beta " +
                             std::to_string(p.beta) + " terms " + std::to_string(p.fourier_terms);
    const std::vector<float> on_gpu = to_host(*gpu, gout);
    expect_all_near(to_host(cpu, cout), on_gpu, abs_tol, 1e-5, what);
    for (size_t i = 0; i < g.size(); ++i) {
      if (g[i] != 0.0f) continue;
      EXPECT_EQ(on_gpu[i], 0.0f) << what << " element " << i;
      EXPECT_FALSE(std::signbit(on_gpu[i])) << what << " element " << i << ": -0";
    }
  }
}

// --- sampling ----------------------------------------------------------------------

TEST(CudaParity, SampledTriplesIdentical) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  RelationSpec spec;  // user 1 has every item (never sampled), user 2 all but one
  spec.users = 120;
  spec.items = 300;
  spec.density = 0.05;
  spec.zero_degree_items = 0;
  const Csr train = random_relation(spec);
  CpuBackend cpu(2);
  auto gpu = make_gpu();
  cpu.set_train(train);
  gpu->set_train(train);

  struct Window {
    uint64_t seed;
    uint32_t epoch;
    int64_t first, count;
  };
  for (const Window w : {Window{2020, 0, 0, 1}, Window{2020, 0, 0, 5000},
                         Window{2020, 3, 777, 1000}, Window{1ull << 40 | 5, 9, 4096, 2048},
                         Window{7, 0, (int64_t{1} << 32) - 300, 300}}) {
    IndexTensor ct = cpu.alloc_i32(w.count + 3, 3), gt = gpu->alloc_i32(w.count + 3, 3);
    cpu.sample_triples(w.seed, w.epoch, w.first, w.count, ct);
    gpu->sample_triples(w.seed, w.epoch, w.first, w.count, gt);
    EXPECT_EQ(to_host(cpu, ct), to_host(*gpu, gt))
        << "seed " << w.seed << " epoch " << w.epoch << " first " << w.first;
  }
  // User 2's only negative is found by rejection: it must appear, and user 1 never.
  IndexTensor gt = gpu->alloc_i32(20000, 3);
  gpu->sample_triples(5, 1, 0, 20000, gt);
  const std::vector<int32_t> t = to_host(*gpu, gt);
  int user2 = 0;
  for (size_t s = 0; s < t.size(); s += 3) {
    ASSERT_NE(t[s], 1) << "a user with every item was sampled";
    ASSERT_FALSE(train.contains(t[s], t[s + 2])) << "negative is a train item";
    ASSERT_TRUE(train.contains(t[s], t[s + 1])) << "positive is not a train item";
    if (t[s] == 2) {
      ++user2;
      EXPECT_EQ(t[s + 2], (spec.items - spec.zero_degree_items) / 2);
    }
  }
  EXPECT_GT(user2, 0);
}

TEST(CudaParity, SamplingWithoutCandidatesThrowsLikeCpu) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  // Every user has no item or every item: nobody can be sampled.
  const Csr train = csr_from_pairs(3, 2, {{1, 0}, {1, 1}});
  CpuBackend cpu(2);
  auto gpu = make_gpu();
  cpu.set_train(train);
  gpu->set_train(train);
  IndexTensor ct = cpu.alloc_i32(4, 3), gt = gpu->alloc_i32(4, 3);
  EXPECT_THROW(cpu.sample_triples(1, 0, 0, 4, ct), InputError);
  EXPECT_THROW(gpu->sample_triples(1, 0, 0, 4, gt), InputError);
}

// --- losses ------------------------------------------------------------------------

struct LossCase {
  int dim;
  bool codes;  // ±1 table (hash-ste scores reach ±2d: the softplus saturates)
};

class CudaLossParity : public ::testing::TestWithParam<LossCase> {};

TEST_P(CudaLossParity, BprAndL2MatchCpu) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  const LossCase lc = GetParam();
  RelationSpec spec;  // few users, big batch: rows are drawn many times (atomics)
  spec.users = 40;
  spec.items = 50;
  spec.density = 0.2;
  const Csr train = random_relation(spec);
  CpuBackend cpu(2);
  auto gpu = make_gpu();
  cpu.set_train(train);
  gpu->set_train(train);
  const int64_t n = spec.users + spec.items, count = 3000;
  IndexTensor ct = cpu.alloc_i32(count, 3), gt = gpu->alloc_i32(count, 3);
  cpu.sample_triples(99, 0, 0, count, ct);
  gpu->sample_triples(99, 0, 0, count, gt);
  ASSERT_EQ(to_host(cpu, ct), to_host(*gpu, gt));

  std::vector<float> table = normal_vector(static_cast<size_t>(n * lc.dim), 0.1f, 5);
  if (lc.codes) {
    for (float& v : table) v = v >= 0.0f ? 1.0f : -1.0f;
  }
  FloatTensor ctab = to_tensor(cpu, table, n, lc.dim), gtab = to_tensor(*gpu, table, n, lc.dim);
  for (const int64_t batch : {int64_t{1}, int64_t{2048}, count}) {
    FloatTensor cgrad = cpu.alloc_f32(n, lc.dim), ggrad = gpu->alloc_f32(n, lc.dim);
    FloatTensor closs = cpu.alloc_f32(1, 1), gloss = gpu->alloc_f32(1, 1);
    cpu.bpr_forward_backward(ctab, ct, batch, spec.users, 1.0f, cgrad, closs);
    gpu->bpr_forward_backward(gtab, gt, batch, spec.users, 1.0f, ggrad, gloss);
    const std::string what = "bpr d=" + std::to_string(lc.dim) + " batch " + std::to_string(batch);
    expect_all_near(to_host(cpu, closs), to_host(*gpu, gloss), 0.0, 1e-5, what + " loss");
    expect_all_near(to_host(cpu, cgrad), to_host(*gpu, ggrad), 1e-8, 1e-5, what + " grad");

    // L2 accumulates into the same buffers, as the trainer uses it.
    for (const float lambda : {1e-4f, 0.5f}) {
      cpu.l2_forward_backward(ctab, ct, batch, spec.users, lambda, cgrad, closs);
      gpu->l2_forward_backward(gtab, gt, batch, spec.users, lambda, ggrad, gloss);
      expect_all_near(to_host(cpu, closs), to_host(*gpu, gloss), 0.0, 1e-5, what + " +l2 loss");
      expect_all_near(to_host(cpu, cgrad), to_host(*gpu, ggrad), 1e-8, 1e-5, what + " +l2 grad");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Tables, CudaLossParity,
                         ::testing::Values(LossCase{64, false}, LossCase{33, false},
                                           LossCase{64, true}, LossCase{130, true}),
                         [](const ::testing::TestParamInfo<LossCase>& info) {
                           return "d" + std::to_string(info.param.dim) +
                                  (info.param.codes ? "_codes" : "_real");
                         });

// --- optimiser ---------------------------------------------------------------------

TEST(CudaParity, AdamStepsMatchCpu) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << "no CUDA device: parity tests need a GPU";
  CpuBackend cpu(2);
  auto gpu = make_gpu();
  const int64_t rows = 333, cols = 17;
  const size_t n = static_cast<size_t>(rows * cols);
  const std::vector<float> p0 = normal_vector(n, 0.1f, 1);
  FloatTensor cp = to_tensor(cpu, p0, rows, cols), gp = to_tensor(*gpu, p0, rows, cols);
  FloatTensor cm = cpu.alloc_f32(rows, cols), gm = gpu->alloc_f32(rows, cols);
  FloatTensor cv = cpu.alloc_f32(rows, cols), gv = gpu->alloc_f32(rows, cols);
  AdamParams params;
  for (int t = 1; t <= 5; ++t) {
    std::vector<float> g = normal_vector(n, t == 3 ? 1e3f : 1e-3f, 100 + t);
    for (size_t i = 0; i < n; i += 5) g[i] = 0.0f;  // untouched rows: m, v decay only
    FloatTensor cg = to_tensor(cpu, g, rows, cols), gg = to_tensor(*gpu, g, rows, cols);
    const AdamStepScalars s = adam_step_scalars(params, t);
    cpu.adam_step(cp, cg, cm, cv, s);
    gpu->adam_step(gp, gg, gm, gv, s);
  }
  expect_all_near(to_host(cpu, cp), to_host(*gpu, gp), 1e-9, 1e-6, "adam param");
  expect_all_near(to_host(cpu, cm), to_host(*gpu, gm), 1e-12, 1e-6, "adam m");
  expect_all_near(to_host(cpu, cv), to_host(*gpu, gv), 1e-15, 1e-6, "adam v");
}

}  // namespace
}  // namespace bitrec::cuda_test

// CPU ↔ CUDA parity of propagate_mean across the graph's life in one
// backend: widths changing between calls (--dim 64 → 32 → 64: cuSPARSE's
// dense descriptors are remade and its work buffer regrown whenever the
// width changes, cuda/propagate.cu prepare_dense), set_graph
// called twice (the second graph replaces the first: new CSR, new
// descriptor), and a graph with no edges (Â empty: every layer is zero).
// Both SpMM paths. Tolerance as test_cuda_parity.cpp's propagation: abs 2e-6
// + rel 1e-5 (cuSPARSE sums a row in its own order). Skipped without a CUDA
// device.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cuda_parity_util.hpp"

namespace bitrec::cuda_test {
namespace {

constexpr const char* kNoDevice = "no CUDA device: parity tests need a GPU";

NormalizedGraph graph_of(int32_t users, int32_t items, uint64_t seed) {
  RelationSpec spec;
  spec.users = users;
  spec.items = items;
  spec.seed = seed;
  return build_normalized_graph(random_relation(spec), users, items);
}

// propagate_mean of a fresh random [n_nodes, dim] table on both, compared.
void expect_propagation_matches(Backend& cpu, Backend& gpu, int64_t n_nodes, int dim, int layers,
                                uint64_t seed, const std::string& what) {
  const std::vector<float> x = normal_vector(static_cast<size_t>(n_nodes * dim), 0.1f, seed);
  FloatTensor cin = to_tensor(cpu, x, n_nodes, dim), gin = to_tensor(gpu, x, n_nodes, dim);
  FloatTensor cout = cpu.alloc_f32(n_nodes, dim), gout = gpu.alloc_f32(n_nodes, dim);
  cpu.propagate_mean(cin, cout, layers);
  gpu.propagate_mean(gin, gout, layers);
  expect_all_near(to_host(cpu, cout), to_host(gpu, gout), 2e-6, 1e-5, what);
}

class CudaGraphParity : public ::testing::TestWithParam<const char*> {};

TEST_P(CudaGraphParity, WidthsChangeBetweenCalls) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << kNoDevice;
  const NormalizedGraph graph = graph_of(70, 90, 3);
  CpuBackend cpu(2);
  auto gpu = make_gpu(GetParam());
  cpu.set_graph(graph);
  gpu->set_graph(graph);
  uint64_t seed = 100;
  for (const int dim : {64, 32, 64, 100, 32}) {
    for (const int layers : {1, 3}) {
      expect_propagation_matches(cpu, *gpu, graph.n_nodes, dim, layers, ++seed,
                                 std::string(GetParam()) + " d=" + std::to_string(dim) +
                                     " L=" + std::to_string(layers));
    }
  }
}

TEST_P(CudaGraphParity, SetGraphTwice) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << kNoDevice;
  CpuBackend cpu(2);
  auto gpu = make_gpu(GetParam());
  // Same node count, other edges; then another node count.
  const NormalizedGraph first = graph_of(50, 60, 4), second = graph_of(50, 60, 5),
                        third = graph_of(81, 33, 6);
  cpu.set_graph(first);
  gpu->set_graph(first);
  expect_propagation_matches(cpu, *gpu, first.n_nodes, 64, 3, 7, std::string(GetParam()) + " first");
  cpu.set_graph(second);
  gpu->set_graph(second);
  expect_propagation_matches(cpu, *gpu, second.n_nodes, 64, 3, 8, std::string(GetParam()) + " second");
  // The second graph's result differs from the first's: it really replaced it.
  const std::vector<float> x = normal_vector(static_cast<size_t>(first.n_nodes * 64), 0.1f, 9);
  FloatTensor in = to_tensor(*gpu, x, first.n_nodes, 64), out = gpu->alloc_f32(first.n_nodes, 64);
  gpu->propagate_mean(in, out, 2);
  const std::vector<float> with_second = to_host(*gpu, out);
  CpuBackend ref(2);
  ref.set_graph(first);
  FloatTensor rin = to_tensor(ref, x, first.n_nodes, 64), rout = ref.alloc_f32(first.n_nodes, 64);
  ref.propagate_mean(rin, rout, 2);
  EXPECT_NE(to_host(ref, rout), with_second);
  cpu.set_graph(third);
  gpu->set_graph(third);
  expect_propagation_matches(cpu, *gpu, third.n_nodes, 32, 2, 10, std::string(GetParam()) + " third");
  expect_propagation_matches(cpu, *gpu, third.n_nodes, 64, 3, 11, std::string(GetParam()) + " third d=64");
}

TEST_P(CudaGraphParity, GraphWithoutEdges) {
  if (!bitrec::cuda_device_available()) GTEST_SKIP() << kNoDevice;
  const int32_t users = 12, items = 9;
  const Csr none = csr_from_pairs(users, items, {});
  const NormalizedGraph graph = build_normalized_graph(none, users, items);
  ASSERT_EQ(graph.nnz(), 0);
  CpuBackend cpu(2);
  auto gpu = make_gpu(GetParam());
  cpu.set_graph(graph);
  gpu->set_graph(graph);
  for (const int layers : {0, 1, 3}) {
    expect_propagation_matches(cpu, *gpu, graph.n_nodes, 64, layers, 20 + layers,
                               std::string(GetParam()) + " no edges L=" + std::to_string(layers));
  }
  // The mean of x and L zero layers: x / (L + 1), exactly, on the device too.
  const std::vector<float> x(static_cast<size_t>(graph.n_nodes * 8), 3.0f);
  FloatTensor in = to_tensor(*gpu, x, graph.n_nodes, 8), out = gpu->alloc_f32(graph.n_nodes, 8);
  gpu->propagate_mean(in, out, 2);
  EXPECT_EQ(to_host(*gpu, out), std::vector<float>(x.size(), 1.0f));
}

INSTANTIATE_TEST_SUITE_P(Spmm, CudaGraphParity, ::testing::Values("cusparse", "warp"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

}  // namespace
}  // namespace bitrec::cuda_test

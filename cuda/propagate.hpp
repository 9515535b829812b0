// LightGCN propagation on the device: out = 1/(L+1) Σ_{l=0..L} Â^l in
// (docs/methods.md §2). Â is symmetric, so the same call is the backward pass.
#pragma once
#include <cuda_runtime_api.h>
#include <cusparse.h>

#include <cstdint>
#include <string>

#include "bitrec/graph.hpp"
#include "device_buffer.hpp"

namespace bitrec::cuda {

// Which SpMM computes Â·X. cuSPARSE is the reference; the warp-per-row kernel
// fuses the mean accumulation into the product and is kept as a measured
// alternative (select with BITREC_SPMM=warp).
enum class SpmmPath { kCusparse, kWarpRows };

// BITREC_SPMM unset or "cusparse" -> kCusparse, "warp" -> kWarpRows; any other
// value throws std::invalid_argument naming the allowed ones.
SpmmPath spmm_path_from_env();
const char* spmm_path_name(SpmmPath path);

class GraphPropagator {
 public:
  GraphPropagator() = default;
  ~GraphPropagator();
  GraphPropagator(const GraphPropagator&) = delete;
  GraphPropagator& operator=(const GraphPropagator&) = delete;

  // Uploads Â (CSR) and creates the cuSPARSE sparse descriptor. The dense
  // descriptors and the SpMM work buffer depend on the embedding width, which
  // set_graph does not know: they are made by the first propagate of a width
  // and reused by every later call of that width.
  void set_graph(const NormalizedGraph& graph, cusparseHandle_t handle, cudaStream_t stream);

  // in, out: [n_nodes, dim] on the device; out may alias in.
  void propagate_mean(const float* in, float* out, int dim, int layers);

  void set_path(SpmmPath path) { path_ = path; }
  SpmmPath path() const { return path_; }
  int64_t n_nodes() const { return n_nodes_; }
  bool has_graph() const { return has_graph_; }

 private:
  void release_descriptors();
  void prepare_dense(int dim);
  void spmm_cusparse(const float* x, float* y);  // y = Â x, width prepared_dim_

  SpmmPath path_ = SpmmPath::kCusparse;
  cusparseHandle_t handle_ = nullptr;
  cudaStream_t stream_ = nullptr;
  bool has_graph_ = false;
  int64_t n_nodes_ = 0;
  int64_t nnz_ = 0;

  DeviceBuffer<int64_t> indptr_;     // [n_nodes + 1], used by the warp kernel
  DeviceBuffer<int32_t> indices_;    // [nnz]
  DeviceBuffer<float> values_;       // [nnz]
  DeviceBuffer<int32_t> indptr32_;   // cuSPARSE 32-bit offsets (nnz < 2^31)
  DeviceBuffer<int64_t> indices64_;  // cuSPARSE 64-bit columns (nnz >= 2^31 only)

  cusparseSpMatDescr_t mat_ = nullptr;
  cusparseDnMatDescr_t dense_x_ = nullptr;
  cusparseDnMatDescr_t dense_y_ = nullptr;
  cusparseSpMMAlg_t algorithm_ = CUSPARSE_SPMM_CSR_ALG2;
  int prepared_dim_ = 0;
  DeviceBuffer<char> work_;

  DeviceBuffer<float> layer_a_, layer_b_, input_copy_;  // [n_nodes, dim] scratch
};

}  // namespace bitrec::cuda

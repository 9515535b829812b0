// Â·X two ways. cuSPARSE SpMM (CSR × row-major dense, CSR_ALG2: deterministic,
// row-major) is the reference; after each product an epilogue kernel adds the
// layer into the mean. The warp-per-row kernel does both in one pass: a group
// of lanes owns one row of Â, walks its nonzeros in CSR order with an fmaf
// chain (host/cpu/cpu_propagate.cpp's order and, with FMA contraction, its
// rounding), reading neighbour rows as float4 when the width allows, then
// applies the same epilogue in place.
//
// The mean is accumulated as the CPU does: out = in + A1, out += Al, and the
// last layer out = (out + AL) / (L+1), where Al = Â^l in.
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.hpp"
#include "propagate.hpp"

namespace bitrec::cuda {
namespace {

constexpr int kThreads = 256;

unsigned blocks_for(int64_t threads) {
  return static_cast<unsigned>((threads + kThreads - 1) / kThreads);
}

// What a layer does with acc = (Â x)[r] (x = the layer's input).
enum Epilogue : int {
  kFirst = 0,      // next = acc; out = x + acc          (layer 1 of L > 1)
  kMiddle = 1,     // next = acc; out += acc
  kLast = 2,       // out = (out + acc) * scale          (layer L of L > 1)
  kFirstLast = 3,  // out = (x + acc) * scale            (L = 1)
};

Epilogue epilogue_of(int layer, int layers) {
  const bool first = layer == 1, last = layer == layers;
  return first && last ? kFirstLast : first ? kFirst : last ? kLast : kMiddle;
}

__device__ __forceinline__ float4 operator+(float4 a, float4 b) {
  return make_float4(a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w);
}
__device__ __forceinline__ float4 operator*(float4 a, float s) {
  return make_float4(a.x * s, a.y * s, a.z * s, a.w * s);
}
__device__ __forceinline__ float4 fma_vec(float w, float4 x, float4 acc) {
  return make_float4(fmaf(w, x.x, acc.x), fmaf(w, x.y, acc.y), fmaf(w, x.z, acc.z),
                     fmaf(w, x.w, acc.w));
}
__device__ __forceinline__ float fma_vec(float w, float x, float acc) { return fmaf(w, x, acc); }
template <class V>
__device__ __forceinline__ V zero_vec();
template <>
__device__ __forceinline__ float4 zero_vec<float4>() { return make_float4(0.f, 0.f, 0.f, 0.f); }
template <>
__device__ __forceinline__ float zero_vec<float>() { return 0.f; }

// Element `at` of the layer: x, out: [rows, width] of V; next nullable.
template <class V>
__device__ __forceinline__ void apply_epilogue(int mode, int64_t at, V acc, const V* x, V* next,
                                               V* out, float scale) {
  switch (mode) {
    case kFirst:
      next[at] = acc;
      out[at] = x[at] + acc;
      break;
    case kMiddle:
      next[at] = acc;
      out[at] = out[at] + acc;
      break;
    case kLast:
      out[at] = (out[at] + acc) * scale;
      break;
    default:
      out[at] = (x[at] + acc) * scale;
      break;
  }
}

// One group of 2^group_log2 lanes per row; V = float4 when dim % 4 == 0.
template <class V>
__global__ void spmm_rows_kernel(const int64_t* __restrict__ indptr,
                                 const int32_t* __restrict__ indices,
                                 const float* __restrict__ values, int64_t n_rows, int width,
                                 int group_log2, const V* __restrict__ x, V* __restrict__ next,
                                 V* __restrict__ out, float scale, int mode) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t row = tid >> group_log2;
  const int lane = static_cast<int>(tid & ((1 << group_log2) - 1));
  if (row >= n_rows) return;
  const int64_t begin = indptr[row], end = indptr[row + 1];
  for (int c = lane; c < width; c += (1 << group_log2)) {
    V acc = zero_vec<V>();
    for (int64_t p = begin; p < end; ++p) {
      acc = fma_vec(values[p], x[static_cast<int64_t>(indices[p]) * width + c], acc);
    }
    apply_epilogue(mode, row * width + c, acc, x, next, out, scale);
  }
}

// The epilogue alone, after a cuSPARSE product acc = Â x.
__global__ void epilogue_kernel(const float* __restrict__ acc, const float* __restrict__ x,
                                float* __restrict__ out, int64_t n, float scale, int mode) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  // next is acc's own buffer for cuSPARSE: nothing to write there.
  switch (mode) {
    case kFirst:
      out[i] = x[i] + acc[i];
      break;
    case kMiddle:
      out[i] = out[i] + acc[i];
      break;
    case kLast:
      out[i] = (out[i] + acc[i]) * scale;
      break;
    default:
      out[i] = (x[i] + acc[i]) * scale;
      break;
  }
}

int group_log2_for(int width) {
  int g = 0;
  while ((1 << g) < width && g < 5) ++g;
  return g;
}

template <class V>
void launch_spmm_rows(const int64_t* indptr, const int32_t* indices, const float* values,
                      int64_t n_rows, int dim, const float* x, float* next, float* out,
                      float scale, Epilogue mode, cudaStream_t stream) {
  const int width = dim / static_cast<int>(sizeof(V) / sizeof(float));
  const int group_log2 = group_log2_for(width);
  spmm_rows_kernel<V><<<blocks_for(n_rows << group_log2), kThreads, 0, stream>>>(
      indptr, indices, values, n_rows, width, group_log2, reinterpret_cast<const V*>(x),
      reinterpret_cast<V*>(next), reinterpret_cast<V*>(out), scale, mode);
  CUDA_CHECK_LAUNCH();
}

template <class T>
void upload_vector(DeviceBuffer<T>& dst, const std::vector<T>& src, const char* what,
                   cudaStream_t stream) {
  dst.reserve(src.size(), what);
  if (!src.empty()) {
    CUDA_CHECK(cudaMemcpyAsync(dst.data(), src.data(), src.size() * sizeof(T),
                               cudaMemcpyHostToDevice, stream));
  }
}

}  // namespace

SpmmPath spmm_path_from_env() {
  const char* value = std::getenv("BITREC_SPMM");
  if (value == nullptr || std::string(value).empty() || std::string(value) == "cusparse") {
    return SpmmPath::kCusparse;
  }
  if (std::string(value) == "warp") return SpmmPath::kWarpRows;
  throw std::invalid_argument("BITREC_SPMM: unknown value '" + std::string(value) +
                              "' (allowed: cusparse, warp)");
}

const char* spmm_path_name(SpmmPath path) {
  return path == SpmmPath::kWarpRows ? "warp" : "cusparse";
}

GraphPropagator::~GraphPropagator() { release_descriptors(); }

void GraphPropagator::release_descriptors() {
  // Destroy calls only fail on a null descriptor, which is skipped.
  if (dense_x_) (void)cusparseDestroyDnMat(dense_x_);
  if (dense_y_) (void)cusparseDestroyDnMat(dense_y_);
  if (mat_) (void)cusparseDestroySpMat(mat_);
  dense_x_ = dense_y_ = nullptr;
  mat_ = nullptr;
  prepared_dim_ = 0;
}

void GraphPropagator::set_graph(const NormalizedGraph& graph, cusparseHandle_t handle,
                                cudaStream_t stream) {
  release_descriptors();
  handle_ = handle;
  stream_ = stream;
  n_nodes_ = graph.n_nodes;
  nnz_ = graph.nnz();
  if (static_cast<int64_t>(graph.indptr.size()) != n_nodes_ + 1) {
    throw std::invalid_argument("set_graph: indptr has " + std::to_string(graph.indptr.size()) +
                                " entries for " + std::to_string(n_nodes_) + " nodes");
  }
  upload_vector(indptr_, graph.indptr, "graph indptr", stream);
  upload_vector(indices_, graph.indices, "graph indices", stream);
  upload_vector(values_, graph.values, "graph values", stream);

  // Staging copies live until the sync at the end of this function.
  std::vector<int32_t> indptr32;
  std::vector<int64_t> indices64;
  if (nnz_ > 0) {
    if (nnz_ < (int64_t{1} << 31)) {
      indptr32.assign(graph.indptr.begin(), graph.indptr.end());
      upload_vector(indptr32_, indptr32, "graph indptr (32-bit)", stream);
      CUSPARSE_CHECK(cusparseCreateCsr(&mat_, n_nodes_, n_nodes_, nnz_, indptr32_.data(),
                                       indices_.data(), values_.data(), CUSPARSE_INDEX_32I,
                                       CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO,
                                       CUDA_R_32F));
    } else {
      // cuSPARSE wants one index width for offsets and columns.
      indices64.assign(graph.indices.begin(), graph.indices.end());
      upload_vector(indices64_, indices64, "graph indices (64-bit)", stream);
      CUSPARSE_CHECK(cusparseCreateCsr(&mat_, n_nodes_, n_nodes_, nnz_, indptr_.data(),
                                       indices64_.data(), values_.data(), CUSPARSE_INDEX_64I,
                                       CUSPARSE_INDEX_64I, CUSPARSE_INDEX_BASE_ZERO,
                                       CUDA_R_32F));
    }
  }
  has_graph_ = true;
  // Wait for the uploads of the staging copies (set_graph runs once per run,
  // so the sync costs nothing).
  CUDA_CHECK(cudaStreamSynchronize(stream));
}

void GraphPropagator::prepare_dense(int dim) {
  if (prepared_dim_ == dim) return;
  if (dense_x_) (void)cusparseDestroyDnMat(dense_x_);
  if (dense_y_) (void)cusparseDestroyDnMat(dense_y_);
  dense_x_ = dense_y_ = nullptr;
  prepared_dim_ = 0;
  // Placeholders; every call points them at its buffers with DnMatSetValues.
  CUSPARSE_CHECK(cusparseCreateDnMat(&dense_x_, n_nodes_, dim, dim, layer_a_.data(), CUDA_R_32F,
                                     CUSPARSE_ORDER_ROW));
  CUSPARSE_CHECK(cusparseCreateDnMat(&dense_y_, n_nodes_, dim, dim, layer_b_.data(), CUDA_R_32F,
                                     CUSPARSE_ORDER_ROW));
  const float alpha = 1.0f, beta = 0.0f;
  size_t bytes = 0;
  algorithm_ = CUSPARSE_SPMM_CSR_ALG2;
  cusparseStatus_t st = cusparseSpMM_bufferSize(handle_, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                                CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, mat_,
                                                dense_x_, &beta, dense_y_, CUDA_R_32F,
                                                algorithm_, &bytes);
  if (st == CUSPARSE_STATUS_NOT_SUPPORTED) {
    algorithm_ = CUSPARSE_SPMM_ALG_DEFAULT;
    st = cusparseSpMM_bufferSize(handle_, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                 CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, mat_, dense_x_, &beta,
                                 dense_y_, CUDA_R_32F, algorithm_, &bytes);
  }
  CUSPARSE_CHECK(st);
  work_.reserve(bytes > 0 ? bytes : 1, "cuSPARSE SpMM work buffer");
  prepared_dim_ = dim;
}

void GraphPropagator::spmm_cusparse(const float* x, float* y) {
  const float alpha = 1.0f, beta = 0.0f;
  CUSPARSE_CHECK(cusparseDnMatSetValues(dense_x_, const_cast<float*>(x)));
  CUSPARSE_CHECK(cusparseDnMatSetValues(dense_y_, y));
  CUSPARSE_CHECK(cusparseSpMM(handle_, CUSPARSE_OPERATION_NON_TRANSPOSE,
                              CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, mat_, dense_x_, &beta,
                              dense_y_, CUDA_R_32F, algorithm_, work_.data()));
}

void GraphPropagator::propagate_mean(const float* in, float* out, int dim, int layers) {
  if (!has_graph_) throw std::logic_error("propagate_mean: set_graph was not called");
  if (layers < 0) throw std::invalid_argument("propagate_mean: layers < 0");
  const int64_t n = n_nodes_ * dim;
  if (n == 0) return;
  if (layers == 0) {  // the mean of one layer: a copy
    if (in != out) {
      CUDA_CHECK(cudaMemcpyAsync(out, in, n * sizeof(float), cudaMemcpyDeviceToDevice, stream_));
    }
    return;
  }
  const float scale = 1.0f / static_cast<float>(layers + 1);

  const float* src = in;
  if (in == out) {  // layer 1 overwrites out while other rows still read in
    input_copy_.reserve(static_cast<size_t>(n), "propagation input copy");
    CUDA_CHECK(cudaMemcpyAsync(input_copy_.data(), in, n * sizeof(float),
                               cudaMemcpyDeviceToDevice, stream_));
    src = input_copy_.data();
  }
  layer_a_.reserve(static_cast<size_t>(n), "propagation layer buffer");
  layer_b_.reserve(static_cast<size_t>(n), "propagation layer buffer");
  float* const buffers[2] = {layer_a_.data(), layer_b_.data()};

  const float* x = src;
  if (path_ == SpmmPath::kWarpRows) {
    const bool vec4 = dim % 4 == 0;  // rows of cudaMalloc'd tensors are then 16-byte aligned
    for (int l = 1; l <= layers; ++l) {
      const Epilogue mode = epilogue_of(l, layers);
      float* next = l == layers ? nullptr : buffers[(l - 1) % 2];
      if (vec4) {
        launch_spmm_rows<float4>(indptr_.data(), indices_.data(), values_.data(), n_nodes_, dim,
                                 x, next, out, scale, mode, stream_);
      } else {
        launch_spmm_rows<float>(indptr_.data(), indices_.data(), values_.data(), n_nodes_, dim, x,
                                next, out, scale, mode, stream_);
      }
      x = next;
    }
    return;
  }

  if (nnz_ > 0) prepare_dense(dim);
  for (int l = 1; l <= layers; ++l) {
    float* next = buffers[(l - 1) % 2];
    if (nnz_ > 0) {
      spmm_cusparse(x, next);
    } else {  // no edges: Â x = 0 (cuSPARSE is not asked about an empty matrix)
      CUDA_CHECK(cudaMemsetAsync(next, 0, n * sizeof(float), stream_));
    }
    epilogue_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(next, x, out, n, scale,
                                                            epilogue_of(l, layers));
    CUDA_CHECK_LAUNCH();
    x = next;
  }
}

}  // namespace bitrec::cuda

// CpuBackend: buffers, graph and train state, propagation, hashing, Adam.
// Sampling is in cpu_sampler.cpp, the losses in cpu_losses.cpp, the SpMM in
// cpu_propagate.cpp, retrieval in cpu_topk_*.cpp.
#include "cpu/cpu_backend.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

#include "bitrec/kernels/estimators.hpp"
#include "bitrec/kernels/hamming.hpp"
#include "bitrec/kernels/sample_users.hpp"
#include "bitrec/memory_size.hpp"
#include "cpu/cpu_check.hpp"
#include "cpu/cpu_propagate.hpp"
#include "cpu/cpu_topk.hpp"

namespace bitrec {

namespace {

// 64-byte aligned (one cache line, one AVX-512 vector), zero-filled.
template <class T>
Tensor<T> make_tensor(int64_t rows, int64_t cols) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("CpuBackend: negative tensor shape");
  const size_t count = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  if (count == 0) return Tensor<T>(std::shared_ptr<T>(), rows, cols);
  const size_t bytes = (count * sizeof(T) + 63) / 64 * 64;
  void* memory = std::aligned_alloc(64, bytes);
  if (memory == nullptr) throw std::bad_alloc();
  std::memset(memory, 0, bytes);
  return Tensor<T>(std::shared_ptr<T>(static_cast<T*>(memory), [](T* p) { std::free(p); }), rows,
                   cols);
}

std::string cpu_model_name() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
    }
  }
  return "";
}

// grad_x = grad ⊙ f(x), row by row, each element by estimator_backward
// (bitrec/kernels/estimators.hpp: +0 where the gradient is zero, as the CUDA
// backend); one estimator per instantiation, so the switch is outside the
// loop. Rows whose gradient is all zero get zeros without evaluating f: a
// BPR batch touches ~6 k of Gowalla's 71 k rows, and f costs an expf
// (signswish) or four cosf (fourier) per element — this cut hash_backward
// from 20–85 ms to well under a millisecond per batch.
template <class F>
void scale_by_estimator(const float* x, const float* grad, float* grad_x, int64_t rows,
                        int64_t cols, int threads, F f) {
#pragma omp parallel for num_threads(threads) schedule(static, 64)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    const float* gr = grad + r * cols;
    float* out = grad_x + r * cols;
    int nonzero = 0;
#pragma omp simd reduction(| : nonzero)
    for (int64_t k = 0; k < cols; ++k) nonzero |= gr[k] != 0.0f;
    if (nonzero) {
      for (int64_t k = 0; k < cols; ++k) out[k] = estimator_backward(gr[k], f(xr[k]));
    } else {
#pragma omp simd
      for (int64_t k = 0; k < cols; ++k) out[k] = 0.0f;
    }
  }
}

}  // namespace

CpuBackend::CpuBackend(int threads) : threads_(threads > 0 ? threads : omp_get_max_threads()) {
  // --threads bounds the whole process: retrieval and evaluation open their
  // own parallel regions with OpenMP's default team size.
  if (threads > 0) omp_set_num_threads(threads);
}

int64_t CpuBackend::available_memory() const { return available_host_memory(); }

std::string CpuBackend::device_name() const {
  const std::string model = cpu_model_name();
  return "CPU" + (model.empty() ? std::string() : " (" + model + ")") + ", " +
         std::to_string(threads_) + (threads_ == 1 ? " thread" : " threads");
}

FloatTensor CpuBackend::alloc_f32(int64_t rows, int64_t cols) {
  return make_tensor<float>(rows, cols);
}
IndexTensor CpuBackend::alloc_i32(int64_t rows, int64_t cols) {
  return make_tensor<int32_t>(rows, cols);
}
CodeTensor CpuBackend::alloc_u64(int64_t rows, int64_t cols) {
  return make_tensor<uint64_t>(rows, cols);
}

void CpuBackend::upload(const float* host, FloatTensor& dst) {
  if (!dst.empty()) std::memcpy(dst.data(), host, sizeof(float) * static_cast<size_t>(dst.size()));
}
void CpuBackend::upload(const int32_t* host, IndexTensor& dst) {
  if (!dst.empty()) std::memcpy(dst.data(), host, sizeof(int32_t) * static_cast<size_t>(dst.size()));
}
void CpuBackend::download(const FloatTensor& src, float* host) {
  if (!src.empty()) std::memcpy(host, src.data(), sizeof(float) * static_cast<size_t>(src.size()));
}
void CpuBackend::download(const CodeTensor& src, uint64_t* host) {
  if (!src.empty()) {
    std::memcpy(host, src.data(), sizeof(uint64_t) * static_cast<size_t>(src.size()));
  }
}
void CpuBackend::download(const IndexTensor& src, int32_t* host) {
  if (!src.empty()) {
    std::memcpy(host, src.data(), sizeof(int32_t) * static_cast<size_t>(src.size()));
  }
}

void CpuBackend::fill_zero(FloatTensor& t) {
  constexpr int64_t kBlock = 1 << 16;
  const int64_t n = t.size();
  float* data = t.data();
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (int64_t lo = 0; lo < n; lo += kBlock) {
    std::memset(data + lo, 0, sizeof(float) * static_cast<size_t>(std::min(kBlock, n - lo)));
  }
}

void CpuBackend::set_graph(const NormalizedGraph& graph) { graph_ = graph; }

void CpuBackend::set_train(const Csr& train) {
  train_ = train;
  sample_users_ = sampleable_users(train_);
}

// The loss itself is in cpu_smooth_recall.cpp (also called directly by tests
// and tools/bench/smooth_recall_bench.cpp; the CUDA backend has its own
// kernels, cuda/smooth_recall_kernels.cu).
void CpuBackend::smooth_recall_forward_backward(const FloatTensor& signs, const IndexTensor& users,
                                                int64_t count, const SmoothRecallParams& params,
                                                FloatTensor& grad_signs, FloatTensor& loss_acc) {
  cpu_require(signs.rows() == train_.rows + train_.cols && signs.cols() > 0,
              "smooth_recall_forward_backward: signs must be [n_users + n_items, bits] of the "
              "relation set by set_train");
  cpu_require(grad_signs.rows() == signs.rows() && grad_signs.cols() == signs.cols(),
              "smooth_recall_forward_backward: grad_signs must have the signs' shape");
  cpu_require(count >= 0 && users.size() >= count,
              "smooth_recall_forward_backward: users must hold >= count ids");
  cpu_require(loss_acc.size() >= 1, "smooth_recall_forward_backward: loss_acc needs one element");
  if (count == 0) return;
  const double loss = smooth_recall_forward_backward_cpu(
      signs.data(), static_cast<int>(signs.cols()), static_cast<int32_t>(train_.rows),
      static_cast<int32_t>(train_.cols), train_, users.data(), count, params, grad_signs.data(),
      threads_);
  loss_acc.data()[0] += static_cast<float>(loss);
}

void CpuBackend::propagate_mean(const FloatTensor& in, FloatTensor& out, int layers) {
  cpu_require(in.rows() == graph_.n_nodes && out.rows() == in.rows() && out.cols() == in.cols(),
              "propagate_mean: in and out must be [n_nodes, d] of the graph set by set_graph");
  cpu_require(layers >= 0, "propagate_mean: layers must be >= 0");
  if (in.empty()) return;
  const int64_t rows = in.rows(), d = in.cols();
  if (layers >= 1 && (layer_a_.rows() != rows || layer_a_.cols() != d)) {
    layer_a_ = alloc_f32(rows, d);
  }
  if (layers >= 3 && (layer_b_.rows() != rows || layer_b_.cols() != d)) {
    layer_b_ = alloc_f32(rows, d);
  }
  cpu_propagate_mean(graph_, in.data(), out.data(), static_cast<int>(d), layers, layer_a_.data(),
                     layer_b_.data(), threads_);
}

void CpuBackend::hash_forward(const FloatTensor& x, FloatTensor& signs, CodeTensor& codes) {
  const int64_t rows = x.rows();
  const int bits = static_cast<int>(x.cols());
  const int words = code_words(bits);
  const bool want_signs = !signs.empty(), want_codes = !codes.empty();
  cpu_require(!want_signs || (signs.rows() == rows && signs.cols() == bits),
              "hash_forward: signs must be [rows, bits] like x (or empty)");
  cpu_require(!want_codes || (codes.rows() == rows && codes.cols() == words),
              "hash_forward: codes must be [rows, ceil(bits / 64)] (or empty)");
  const float* xs = x.data();
  float* ss = signs.data();
  uint64_t* cs = codes.data();
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = xs + r * bits;
    if (want_signs) {
      float* sr = ss + r * bits;
#pragma omp simd
      for (int k = 0; k < bits; ++k) sr[k] = sign_code(xr[k]);
    }
    if (want_codes) pack_signs(xr, bits, cs + r * words);
  }
}

void CpuBackend::hash_backward(const EstimatorParams& estimator, const FloatTensor& x,
                               const FloatTensor& grad_signs, FloatTensor& grad_x) {
  cpu_require(grad_signs.rows() == x.rows() && grad_signs.cols() == x.cols() &&
                  grad_x.rows() == x.rows() && grad_x.cols() == x.cols(),
              "hash_backward: x, grad_signs and grad_x must have one shape");
  const float* xs = x.data();
  const float* g = grad_signs.data();
  float* out = grad_x.data();
  const int64_t rows = x.rows(), cols = x.cols();
  switch (estimator.kind) {
    case Estimator::kSteClip: {
      const float clip = estimator.clip;
      scale_by_estimator(xs, g, out, rows, cols, threads_,
                         [clip](float v) { return ste_clip_grad(v, clip); });
      break;
    }
    case Estimator::kFourier: {
      const int terms = estimator.fourier_terms;
      const float omega = estimator.fourier_omega;
      scale_by_estimator(xs, g, out, rows, cols, threads_,
                         [terms, omega](float v) { return fourier_grad(v, terms, omega); });
      break;
    }
    case Estimator::kSignswish: {
      const float beta = estimator.beta;
      scale_by_estimator(xs, g, out, rows, cols, threads_,
                         [beta](float v) { return signswish_grad(v, beta); });
      break;
    }
    case Estimator::kSte:
    case Estimator::kDropoutSte:
    default:
      scale_by_estimator(xs, g, out, rows, cols, threads_, [](float v) { return ste_grad(v); });
      break;
  }
}

void CpuBackend::adam_step(FloatTensor& param, const FloatTensor& grad, FloatTensor& m,
                           FloatTensor& v, const AdamStepScalars& step) {
  const int64_t n = param.size();
  cpu_require(grad.size() == n && m.size() == n && v.size() == n,
              "adam_step: param, grad, m and v must have one size");
  float* p = param.data();
  const float* g = grad.data();
  float* ms = m.data();
  float* vs = v.data();
  const AdamStepScalars s = step;
#pragma omp parallel for simd num_threads(threads_) schedule(static)
  for (int64_t i = 0; i < n; ++i) adam_update(p + i, ms + i, vs + i, g[i], s);
}

void CpuBackend::topk_hamming(const CodeTensor& codes, int32_t n_users, int32_t n_items, int bits,
                              const Csr& exclude, const std::vector<int32_t>& users, int k,
                              TopK& out) {
  cpu_topk_hamming(codes.data(), static_cast<int>(codes.cols()), n_users, n_items, bits, exclude,
                   users, k, out);
}

void CpuBackend::topk_real(const FloatTensor& table, int32_t n_users, int32_t n_items,
                           const Csr& exclude, const std::vector<int32_t>& users, int k,
                           TopK& out) {
  cpu_topk_real(table.data(), static_cast<int>(table.cols()), n_users, n_items, exclude, users, k,
                out);
}

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  return std::make_unique<CpuBackend>(threads);
}

}  // namespace bitrec

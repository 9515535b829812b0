// GRU4Rec's training step on the device (include/bitrec/session_device.hpp;
// docs/sessions.md "On a GPU"): the host step of
// host/methods/gru4rec/gru4rec_model.cpp in the same order, with the
// products on cuBLAS (row-major through the transposed column-major call)
// and everything else in cuda/session_kernels.cu. Parameters, Adagrad
// sums, momenta and the slots' carried states stay on the device; a step
// uploads its rows and columns (a few KB) and reads back one double, the
// loss.
#include <cub/device/device_radix_sort.cuh>

#include <memory>
#include <stdexcept>
#include <vector>

#include "bitrec/session_device.hpp"
#include "check.hpp"
#include "device_buffer.hpp"
#include "device_info.hpp"
#include "session_kernels.hpp"

namespace bitrec::cuda {
namespace {

struct DeviceBlock {
  DeviceBuffer<float> value, acc, mom;
  int64_t size = 0;
};

// Per layer, what the backward reads of the forward.
struct LayerBuffers {
  DeviceBuffer<float> h_prev, out, mask, r, z, cand, gh_n;
  DeviceBuffer<float> grad[4];  // dense gradients in the layer's block order
  const float* input = nullptr;  // the layer's input (x0 or the layer below's output)
  bool dropped = false;          // mask holds this step's dropout
};

class CudaSessionTrainer final : public SessionDeviceTrainer {
 public:
  CudaSessionTrainer(const SessionDeviceLayout& layout, const SessionDeviceOptions& options)
      : layout_(layout), options_(options) {
    CUDA_CHECK(cudaGetDevice(&device_));
    CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    try {
      CUBLAS_CHECK(cublasCreate(&cublas_));
      CUBLAS_CHECK(cublasSetStream(cublas_, stream_));
      // FP32 products, never TF32: the host step is the reference.
      CUBLAS_CHECK(cublasSetMathMode(cublas_, CUBLAS_PEDANTIC_MATH));
      allocate();
    } catch (...) {
      if (cublas_ != nullptr) cublasDestroy(cublas_);
      cudaStreamDestroy(stream_);
      throw;
    }
  }

  // The blocks, the log counts and the loss, on the device.
  void allocate() {
    blocks_.resize(layout_.sizes.size());
    for (size_t k = 0; k < blocks_.size(); ++k) {
      DeviceBlock& b = blocks_[k];
      b.size = layout_.sizes[k];
      const size_t n = static_cast<size_t>(b.size > 0 ? b.size : 1);
      b.value.reserve(n, "gru4rec block");
      b.acc.reserve(n, "gru4rec Adagrad sum");
      b.mom.reserve(n, "gru4rec momentum");
    }
    if (!options_.log_counts.empty()) {
      log_counts_.reserve(options_.log_counts.size(), "gru4rec log counts");
      CUDA_CHECK(cudaMemcpyAsync(log_counts_.data(), options_.log_counts.data(),
                                 options_.log_counts.size() * sizeof(float), cudaMemcpyHostToDevice, stream_));
    }
    layers_.resize(layout_.hidden.size());
    state_cols_ = 0;
    for (int h : layout_.hidden) state_cols_ += h;
    loss_.reserve(1, "gru4rec loss");
    CUDA_CHECK(cudaStreamSynchronize(stream_));
  }

  ~CudaSessionTrainer() override {
    cudaStreamSynchronize(stream_);
    cublasDestroy(cublas_);
    cudaStreamDestroy(stream_);
  }

  std::string device_name() const override { return device_description(device_); }

  void upload(const std::vector<SessionBlockView>& host) override {
    check_views(host);
    for (size_t k = 0; k < host.size(); ++k) {
      const size_t bytes = static_cast<size_t>(host[k].size) * sizeof(float);
      CUDA_CHECK(cudaMemcpyAsync(blocks_[k].value.data(), host[k].value, bytes, cudaMemcpyHostToDevice, stream_));
      CUDA_CHECK(cudaMemcpyAsync(blocks_[k].acc.data(), host[k].acc, bytes, cudaMemcpyHostToDevice, stream_));
      CUDA_CHECK(cudaMemcpyAsync(blocks_[k].mom.data(), host[k].mom, bytes, cudaMemcpyHostToDevice, stream_));
    }
    CUDA_CHECK(cudaStreamSynchronize(stream_));
  }

  void download(const std::vector<SessionBlockView>& host) override {
    check_views(host);
    for (size_t k = 0; k < host.size(); ++k) {
      const size_t bytes = static_cast<size_t>(host[k].size) * sizeof(float);
      CUDA_CHECK(cudaMemcpyAsync(host[k].value, blocks_[k].value.data(), bytes, cudaMemcpyDeviceToHost, stream_));
      CUDA_CHECK(cudaMemcpyAsync(host[k].acc, blocks_[k].acc.data(), bytes, cudaMemcpyDeviceToHost, stream_));
      CUDA_CHECK(cudaMemcpyAsync(host[k].mom, blocks_[k].mom.data(), bytes, cudaMemcpyDeviceToHost, stream_));
    }
    CUDA_CHECK(cudaStreamSynchronize(stream_));
  }

  double step(const SessionStepRows& s) override {
    const int64_t n = s.rows, cols = s.cols;
    if (n <= 0) return 0.0;
    upload_rows(s);
    const int32_t* columns = ints_.data();
    const int32_t* inputs = columns + cols;
    const int32_t* slots = inputs + n;
    const int32_t* resets = slots + n;
    const int layers = static_cast<int>(layout_.hidden.size());
    const int d = layout_.hidden.back();
    const bool one_hot = layout_.one_hot;

    // Forward.
    const float* x = nullptr;
    x0_dropped_ = false;
    if (!one_hot) {
      const int in0 = layout_.input_dim;
      const float* table = block(layout_.constrained ? layout_.wy : layout_.e).value.data();
      reserve(x0_, n * in0);
      launch_gather_rows(table, in0, inputs, n, x0_.data(), stream_);
      x0_dropped_ = dropout(x0_, mask0_, n * in0, options_.dropout_embed, s, 0);
      x = x0_.data();
    }
    int state_col = 0;
    const float* state = block(layout_.state).value.data();
    for (int l = 0; l < layers; ++l) {
      const int h = layout_.hidden[l];
      LayerBuffers& L = layers_[l];
      for (DeviceBuffer<float>* b : {&L.h_prev, &L.out, &L.r, &L.z, &L.cand, &L.gh_n}) reserve(*b, n * h);
      launch_load_state(state, state_cols_, state_col, slots, resets, n, h, L.h_prev.data(), stream_);
      L.input = x;
      if (l == 0 && one_hot) {
        const float* w_x = part(0, 0);
        const float* b = part(0, 3);
        reserve(vh_, n * 2 * h);
        reserve(a_, n * h);
        gemm(false, false, n, 2 * h, h, L.h_prev.data(), part(0, 1), vh_.data());
        // gh_n holds r ⊙ h here (the input of W_h).
        launch_embedding_gates(w_x, b, inputs, vh_.data(), L.h_prev.data(), n, h, L.r.data(), L.z.data(),
                               L.gh_n.data(), stream_);
        gemm(false, false, n, h, h, L.gh_n.data(), part(0, 2), a_.data());
        launch_embedding_output(w_x, b, inputs, a_.data(), L.z.data(), L.h_prev.data(), n, h, L.cand.data(),
                                L.out.data(), stream_);
        L.dropped = dropout(L.out, L.mask, n * h, options_.dropout_embed, s, 0);
      } else {
        const int in = l == 0 ? layout_.input_dim : layout_.hidden[l - 1];
        reserve(gi_, n * 3 * h);
        reserve(gh_, n * 3 * h);
        gemm(false, false, n, 3 * h, in, x, part(l, 0), gi_.data());
        gemm(false, false, n, 3 * h, h, L.h_prev.data(), part(l, 1), gh_.data());
        launch_gru_gates_forward(gi_.data(), gh_.data(), part(l, 2), part(l, 3), L.h_prev.data(), n, h, L.out.data(),
                                 L.r.data(), L.z.data(), L.cand.data(), L.gh_n.data(), stream_);
        L.dropped = dropout(L.out, L.mask, n * h, options_.dropout_hidden, s, l + 1);
      }
      x = L.out.data();
      state_col += h;
    }
    const float* session_vectors = x;

    // Scores over the sampled columns.
    reserve(y_, cols * d);
    launch_gather_rows(block(layout_.wy).value.data(), d, columns, cols, y_.data(), stream_);
    const float* session_side = session_vectors;
    const float* item_side = y_.data();
    if (options_.hashed) {
      reserve(session_codes_, n * d);
      reserve(item_codes_, cols * d);
      launch_sign(session_vectors, n * d, session_codes_.data(), stream_);
      launch_sign(y_.data(), cols * d, item_codes_.data(), stream_);
      session_side = session_codes_.data();
      item_side = item_codes_.data();
    }
    reserve(scores_, n * cols);
    gemm(false, true, n, cols, d, session_side, item_side, scores_.data());
    if (options_.hashed) {
      launch_scale(scores_.data(), n * cols, options_.inverse_tau, stream_);
    } else {
      launch_add_bias(scores_.data(), n, cols, block(layout_.by).value.data(), columns, stream_);
    }
    const float* logq = nullptr;
    if (options_.loss == SessionLoss::kCrossEntropy && options_.logq > 0.0f && log_counts_.size() > 0) {
      reserve(logq_, cols);
      launch_logq(log_counts_.data(), columns, n, cols, options_.logq, options_.logq * options_.sample_alpha,
                  logq_.data(), stream_);
      logq = logq_.data();
    }
    reserve(d_scores_, n * cols);
    reserve(row_loss_, n);
    launch_session_loss_rows(scores_.data(), n, cols, options_.loss, logq, options_.elu_alpha, options_.bpreg,
                             options_.scale, d_scores_.data(), row_loss_.data(), stream_);
    launch_sum_rows(row_loss_.data(), n, loss_.data(), stream_);

    // Backward: the output side.
    if (options_.hashed) launch_scale(d_scores_.data(), n * cols, options_.inverse_tau, stream_);
    reserve(d_session_, n * d);
    reserve(d_y_, (cols + n) * d);  // the constrained update appends d x0's n rows
    gemm(false, false, n, d, cols, d_scores_.data(), item_side, d_session_.data());
    gemm(true, false, cols, d, n, d_scores_.data(), session_side, d_y_.data());
    reserve(d_bias_, cols);
    if (options_.hashed) {
      CUDA_CHECK(cudaMemsetAsync(d_bias_.data(), 0, static_cast<size_t>(cols) * sizeof(float), stream_));
      launch_estimator_backward(d_session_.data(), session_vectors, n * d, s.estimator, stream_);
      launch_estimator_backward(d_y_.data(), y_.data(), cols * d, s.estimator, stream_);
    } else {
      launch_column_sums(d_scores_.data(), n, cols, d_bias_.data(), stream_);
    }

    // Backward through the layers (this step only).
    const float* d_x0 = backward_layers(n);

    // The carried states, then the updates.
    state_col = 0;
    float* state_w = block(layout_.state).value.data();
    for (int l = 0; l < layers; ++l) {
      launch_store_state(state_w, state_cols_, state_col, slots, n, layout_.hidden[l], layers_[l].out.data(), stream_);
      state_col += layout_.hidden[l];
    }
    for (int l = 0; l < layers; ++l) {
      for (int p = 0; p < 4; ++p) {
        if (l == 0 && one_hot && p == 0) continue;  // W_x: by rows below
        DeviceBlock& b = block(layout_.layer_first[l] + p);
        launch_adagrad_dense(b.value.data(), b.acc.data(), b.mom.data(), layers_[l].grad[p].data(), b.size,
                             options_.lr, options_.momentum, options_.eps, stream_);
      }
    }
    DeviceBlock& wy = block(layout_.wy);
    if (layout_.constrained) {
      // One coalesced update of Wy over the columns and the input rows
      // (columns and inputs are contiguous in ints_; their gradients are
      // made contiguous here).
      CUDA_CHECK(cudaMemcpyAsync(d_y_.data() + cols * d, d_x0, static_cast<size_t>(n * d) * sizeof(float),
                                 cudaMemcpyDeviceToDevice, stream_));
      adagrad_rows(wy, d, columns, d_y_.data(), cols + n);
    } else {
      adagrad_rows(wy, d, columns, d_y_.data(), cols);
      DeviceBlock& table = one_hot ? block(layout_.layer_first[0]) : block(layout_.e);
      const int64_t width = one_hot ? 3 * layout_.hidden.front() : layout_.input_dim;
      adagrad_rows(table, width, inputs, d_x0, n);
    }
    adagrad_rows(block(layout_.by), 1, columns, d_bias_.data(), cols);

    double loss = 0.0;
    CUDA_CHECK(cudaMemcpyAsync(&loss, loss_.data(), sizeof(double), cudaMemcpyDeviceToHost, stream_));
    CUDA_CHECK(cudaStreamSynchronize(stream_));
    return loss * options_.scale;
  }

 private:
  DeviceBlock& block(int k) { return blocks_.at(static_cast<size_t>(k)); }
  float* part(int layer, int p) { return block(layout_.layer_first[layer] + p).value.data(); }

  void check_views(const std::vector<SessionBlockView>& host) const {
    if (host.size() != blocks_.size()) throw std::logic_error("gru4rec device trainer: block count differs");
    for (size_t k = 0; k < host.size(); ++k) {
      if (host[k].size != blocks_[k].size) throw std::logic_error("gru4rec device trainer: block size differs");
    }
  }

  static void reserve(DeviceBuffer<float>& b, int64_t n) { b.reserve(static_cast<size_t>(n > 0 ? n : 1), "gru4rec step"); }

  // The step's columns, inputs, slots and reset flags as one int array.
  void upload_rows(const SessionStepRows& s) {
    host_ints_.assign(s.columns, s.columns + s.cols);
    host_ints_.insert(host_ints_.end(), s.inputs, s.inputs + s.rows);
    host_ints_.insert(host_ints_.end(), s.slots, s.slots + s.rows);
    for (int64_t r = 0; r < s.rows; ++r) host_ints_.push_back(s.resets[r] ? 1 : 0);
    ints_.reserve(host_ints_.size(), "gru4rec step rows");
    CUDA_CHECK(cudaMemcpyAsync(ints_.data(), host_ints_.data(), host_ints_.size() * sizeof(int32_t),
                               cudaMemcpyHostToDevice, stream_));
  }

  bool dropout(DeviceBuffer<float>& values, DeviceBuffer<float>& mask, int64_t size, float p,
               const SessionStepRows& s, int tensor) {
    if (!(p > 0.0f)) return false;
    reserve(mask, size);
    launch_dropout(values.data(), size, p, options_.seed, s.epoch, s.step, tensor, mask.data(), stream_);
    return true;
  }

  // Row-major c[m, n] = op(a)·op(b): a is [m, k] ([k, m] when ta), b is
  // [k, n] ([n, k] when tb); cuBLAS computes the column-major transpose.
  void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
    const float one = 1.0f, zero = 0.0f;
    CUBLAS_CHECK(cublasSgemm(cublas_, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                             static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), &one, b,
                             static_cast<int>(tb ? k : n), a, static_cast<int>(ta ? m : k), &zero, c,
                             static_cast<int>(n)));
  }

  // d loss / d h_L is in d_session_; returns d loss / d (the input rows):
  // x0's gradient, or onehot's W_x rows.
  const float* backward_layers(int64_t n) {
    const bool one_hot = layout_.one_hot;
    float* d_h = d_session_.data();
    int64_t d_h_size = n * layout_.hidden.back();
    for (int l = static_cast<int>(layout_.hidden.size()) - 1; l >= 0; --l) {
      const int h = layout_.hidden[l];
      LayerBuffers& L = layers_[l];
      if (L.dropped) launch_multiply(d_h, L.mask.data(), d_h_size, stream_);
      if (l == 0 && one_hot) {
        reserve(d_a_, n * h);
        reserve(d_vx_, n * 3 * h);
        reserve(d_vh_, n * 2 * h);
        reserve(d_reset_h_, n * h);
        launch_embedding_output_backward(L.z.data(), L.cand.data(), L.h_prev.data(), d_h, n, h, d_a_.data(),
                                         d_vx_.data(), d_vh_.data(), stream_);
        gemm(false, true, n, h, h, d_a_.data(), part(0, 2), d_reset_h_.data());
        launch_embedding_reset_backward(L.r.data(), L.h_prev.data(), d_reset_h_.data(), n, h, d_vx_.data(),
                                        d_vh_.data(), stream_);
        reserve(L.grad[1], int64_t{h} * 2 * h);
        reserve(L.grad[2], int64_t{h} * h);
        reserve(L.grad[3], 3 * h);
        gemm(true, false, h, 2 * h, n, L.h_prev.data(), d_vh_.data(), L.grad[1].data());
        gemm(true, false, h, h, n, L.gh_n.data(), d_a_.data(), L.grad[2].data());  // gh_n holds r ⊙ h
        launch_column_sums(d_vx_.data(), n, 3 * h, L.grad[3].data(), stream_);
        return d_vx_.data();
      }
      const int in = l == 0 ? layout_.input_dim : layout_.hidden[l - 1];
      reserve(d_gi_, n * 3 * h);
      reserve(d_gh_, n * 3 * h);
      launch_gru_gates_backward(L.r.data(), L.z.data(), L.cand.data(), L.gh_n.data(), L.h_prev.data(), d_h, n, h,
                                d_gi_.data(), d_gh_.data(), stream_);
      reserve(L.grad[0], int64_t{in} * 3 * h);
      reserve(L.grad[1], int64_t{h} * 3 * h);
      reserve(L.grad[2], 3 * h);
      reserve(L.grad[3], 3 * h);
      gemm(true, false, in, 3 * h, n, L.input, d_gi_.data(), L.grad[0].data());
      gemm(true, false, h, 3 * h, n, L.h_prev.data(), d_gh_.data(), L.grad[1].data());
      launch_column_sums(d_gi_.data(), n, 3 * h, L.grad[2].data(), stream_);
      launch_column_sums(d_gh_.data(), n, 3 * h, L.grad[3].data(), stream_);
      DeviceBuffer<float>& d_x = d_x_[l % 2];
      reserve(d_x, n * in);
      gemm(false, true, n, in, 3 * h, d_gi_.data(), part(l, 0), d_x.data());
      d_h = d_x.data();
      d_h_size = n * in;
    }
    if (x0_dropped_) launch_multiply(d_h, mask0_.data(), d_h_size, stream_);
    return d_h;
  }

  // IndexedAdagradM on the rows of `b` (`cols` wide) that `rows` names,
  // repeated rows summed in ascending position: positions sorted by row
  // with CUB's radix sort (stable, so equal rows keep ascending positions),
  // then one update per distinct row.
  void adagrad_rows(DeviceBlock& b, int64_t cols, const int32_t* rows, const float* row_grads, int64_t n) {
    if (n <= 0) return;
    const size_t count = static_cast<size_t>(n);
    sort_keys_.reserve(count, "gru4rec row keys");
    sort_order_.reserve(count, "gru4rec row order");
    if (positions_.size() < count) {
      std::vector<int32_t> iota(count);
      for (size_t i = 0; i < count; ++i) iota[i] = static_cast<int32_t>(i);
      positions_.reserve(count, "gru4rec positions");
      CUDA_CHECK(cudaMemcpyAsync(positions_.data(), iota.data(), count * sizeof(int32_t), cudaMemcpyHostToDevice,
                                 stream_));
      CUDA_CHECK(cudaStreamSynchronize(stream_));  // iota is freed on return
    }
    int end_bit = 1;
    while (end_bit < 31 && (int64_t{1} << end_bit) < layout_.n_items) ++end_bit;
    size_t temp_bytes = 0;
    CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, rows, sort_keys_.data(), positions_.data(),
                                               sort_order_.data(), static_cast<int>(n), 0, end_bit, stream_));
    sort_temp_.reserve(temp_bytes > 0 ? temp_bytes : 1, "gru4rec sort scratch");
    CUDA_CHECK(cub::DeviceRadixSort::SortPairs(sort_temp_.data(), temp_bytes, rows, sort_keys_.data(),
                                               positions_.data(), sort_order_.data(), static_cast<int>(n), 0, end_bit,
                                               stream_));
    launch_adagrad_sorted_rows(b.value.data(), b.acc.data(), b.mom.data(), cols, sort_keys_.data(),
                               sort_order_.data(), row_grads, n, options_.lr, options_.momentum, options_.eps,
                               stream_);
  }

  const SessionDeviceLayout layout_;
  const SessionDeviceOptions options_;
  int device_ = 0;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  std::vector<DeviceBlock> blocks_;
  std::vector<LayerBuffers> layers_;
  int64_t state_cols_ = 0;
  bool x0_dropped_ = false;
  std::vector<int32_t> host_ints_;
  DeviceBuffer<int32_t> ints_, sort_keys_, sort_order_, positions_;
  DeviceBuffer<unsigned char> sort_temp_;
  DeviceBuffer<double> loss_;
  DeviceBuffer<float> log_counts_, x0_, mask0_, gi_, gh_, vh_, a_, y_, session_codes_, item_codes_, scores_, logq_,
      d_scores_, row_loss_, d_session_, d_y_, d_bias_, d_gi_, d_gh_, d_a_, d_vx_, d_vh_, d_reset_h_;
  DeviceBuffer<float> d_x_[2];
};

}  // namespace

std::unique_ptr<SessionDeviceTrainer> make_cuda_session_trainer(const SessionDeviceLayout& layout,
                                                                const SessionDeviceOptions& options) {
  return std::make_unique<CudaSessionTrainer>(layout, options);
}

}  // namespace bitrec::cuda

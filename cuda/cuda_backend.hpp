// The CUDA backend: every Backend operation on one device and one stream the
// backend owns. Work is queued asynchronously; only download*, synchronize
// and the top-k calls (which return host results) wait for the stream.
// Tensors it makes hold device memory (std::shared_ptr with a cudaFree
// deleter); only this backend dereferences them.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusparse.h>

#include <string>
#include <vector>

#include "bitrec/backend.hpp"
#include "device_buffer.hpp"
#include "propagate.hpp"
#include "sampler.hpp"
#include "smooth_recall_kernels.hpp"
#include "topk.hpp"

namespace bitrec::cuda {

class CudaBackend final : public Backend {
 public:
  // Uses the current CUDA device. The SpMM path comes from BITREC_SPMM
  // (propagate.hpp), the real-score path from BITREC_REAL_SCORES (topk.hpp).
  CudaBackend();
  ~CudaBackend() override;
  CudaBackend(const CudaBackend&) = delete;
  CudaBackend& operator=(const CudaBackend&) = delete;

  std::string name() const override { return "cuda"; }
  std::string device_name() const override { return device_name_; }
  int64_t available_memory() const override;
  int64_t peak_memory() const override;
  bool synchronous() const override { return false; }

  FloatTensor alloc_f32(int64_t rows, int64_t cols) override;
  IndexTensor alloc_i32(int64_t rows, int64_t cols) override;
  CodeTensor alloc_u64(int64_t rows, int64_t cols) override;
  void upload(const float* host, FloatTensor& dst) override;
  void upload(const int32_t* host, IndexTensor& dst) override;
  void download(const FloatTensor& src, float* host) override;
  void download(const CodeTensor& src, uint64_t* host) override;
  void download(const IndexTensor& src, int32_t* host) override;
  void fill_zero(FloatTensor& t) override;
  void synchronize() override;

  void set_graph(const NormalizedGraph& graph) override;
  void set_train(const Csr& train) override;
  void propagate_mean(const FloatTensor& in, FloatTensor& out, int layers) override;
  void hash_forward(const FloatTensor& x, FloatTensor& signs, CodeTensor& codes) override;
  void hash_backward(const EstimatorParams& estimator, const FloatTensor& x,
                     const FloatTensor& grad_signs, FloatTensor& grad_x) override;
  void sample_triples(uint64_t seed, uint32_t epoch, int64_t first, int64_t count,
                      IndexTensor& triples) override;
  void bpr_forward_backward(const FloatTensor& table, const IndexTensor& triples, int64_t count,
                            int32_t n_users, float weight, FloatTensor& grad,
                            FloatTensor& loss_acc) override;
  void smooth_recall_forward_backward(const FloatTensor& signs, const IndexTensor& users,
                                      int64_t count, const SmoothRecallParams& params,
                                      FloatTensor& grad_signs, FloatTensor& loss_acc) override;
  void l2_forward_backward(const FloatTensor& e0, const IndexTensor& triples, int64_t count,
                           int32_t n_users, float lambda, FloatTensor& grad,
                           FloatTensor& loss_acc) override;
  void adam_step(FloatTensor& param, const FloatTensor& grad, FloatTensor& m, FloatTensor& v,
                 const AdamStepScalars& step) override;
  void topk_hamming(const CodeTensor& codes, int32_t n_users, int32_t n_items, int bits,
                    const Csr& exclude, const std::vector<int32_t>& users, int k,
                    TopK& out) override;
  void topk_real(const FloatTensor& table, int32_t n_users, int32_t n_items, const Csr& exclude,
                 const std::vector<int32_t>& users, int k, TopK& out) override;

  // The SpMM used by propagate_mean and the score kernel of topk_real
  // (tests and benchmarks compare the alternatives).
  void set_spmm_path(SpmmPath path) { propagator_.set_path(path); }
  SpmmPath spmm_path() const { return propagator_.path(); }
  void set_real_score_path(RealScorePath path) { real_scores_ = path; }
  RealScorePath real_score_path() const { return real_scores_; }

 private:
  template <class T>
  Tensor<T> alloc(int64_t rows, int64_t cols, const char* what);
  template <class T>
  void download_raw(const T* src, int64_t count, T* host);
  // Uploads users and their exclude rows (compact CSR) for one top-k call.
  TopkRequest topk_request(int64_t n, int32_t n_users, int32_t n_items, int k) const;
  void upload_topk_request(int32_t n_users, const Csr& exclude,
                           const std::vector<int32_t>& users);
  void prepare_topk_output(int64_t n, int k, int hist_bins);
  void finish_topk(int64_t n, int k, int hist_bins, TopK& out);

  int device_ = 0;
  std::string device_name_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  cusparseHandle_t cusparse_ = nullptr;

  GraphPropagator propagator_;
  RealScorePath real_scores_ = RealScorePath::kFmaChain;

  // set_train: the train CSR and the users the sampler draws from.
  DeviceBuffer<int64_t> train_indptr_;
  DeviceBuffer<int32_t> train_indices_;
  DeviceBuffer<int32_t> sample_users_;
  TripleSamplerView train_view_{};
  bool has_train_ = false;
  // Host copy of the train relation: smooth_recall_forward_backward checks
  // the batch's ids and computes |Ω_b| and the pair offsets from it.
  Csr host_train_;
  // max_pairs_[c]: the most train pairs c distinct users hold (the sum of the
  // c largest degrees), c = 0..n_users: the pair buffers' size for a batch of
  // c users, so they are allocated by the first (largest) batch only.
  std::vector<int64_t> max_pairs_;

  // The ids last uploaded into a one-column IndexTensor, kept on the host:
  // every write into device int memory goes through this backend (upload,
  // alloc, sample_triples), which keeps or drops the copy, so it always
  // equals the device tensor at index_mirror_ptr_. smooth_recall reads the
  // batch's ids from it instead of copying them back.
  const int32_t* index_mirror_ptr_ = nullptr;
  std::vector<int32_t> index_mirror_;
  void drop_index_mirror(const void* ptr) {
    if (ptr == index_mirror_ptr_) index_mirror_ptr_ = nullptr;
  }

  // The ±1 check of a smooth recall call whose ids came from the mirror: its
  // status word is copied to pinned memory without waiting, and read at the
  // next synchronising call (synchronize, download*, the next smooth recall
  // call), which throws the CPU reference's error then.
  int* recall_status_host_ = nullptr;
  cudaEvent_t recall_status_event_ = nullptr;
  bool recall_status_pending_ = false;
  void check_recall_status();

  // smooth_recall_forward_backward: device scratch, host staging, and the
  // (bits, τ_rank) of the rank tables now on the device.
  SmoothRecallScratch recall_;
  std::vector<int32_t> recall_users_;
  std::vector<int64_t> recall_pair_offsets_;
  std::vector<double> recall_rank_tables_;
  int recall_table_bits_ = 0;
  float recall_table_tau_ = 0.0f;

  DeviceBuffer<double> loss_terms_;  // [batch] per-triple loss terms

  // Top-k scratch and results, grown as needed; host_* are the staging
  // copies of the request (alive until the call's final sync).
  std::vector<int32_t> host_users_;
  std::vector<int64_t> host_exclude_indptr_;
  std::vector<int32_t> host_exclude_items_;
  DeviceBuffer<int32_t> topk_users_;
  DeviceBuffer<int64_t> topk_exclude_indptr_;
  DeviceBuffer<int32_t> topk_exclude_items_;
  DeviceBuffer<uint32_t> topk_keys_;
  DeviceBuffer<float> topk_user_rows_;
  DeviceBuffer<int32_t> topk_items_;
  DeviceBuffer<float> topk_scores_;
  DeviceBuffer<int32_t> topk_hist_;
};

}  // namespace bitrec::cuda

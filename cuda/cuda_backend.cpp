// CudaBackend: argument checks at the boundary, then a launch on the
// backend's stream. The kernels live in the *.cu files named in each method.
#include "cuda_backend.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>

#include "bitrec/cuda_backend.hpp"
#include "bitrec/error.hpp"
#include "bitrec/kernels/hamming.hpp"
#include "bitrec/kernels/sample_users.hpp"
#include "bitrec/kernels/smooth_recall.hpp"
#include "bitrec/smooth_recall.hpp"
#include "check.hpp"
#include "device_info.hpp"
#include "hash_kernels.hpp"
#include "loss_kernels.hpp"
#include "optimizer.hpp"
#include "topk.hpp"

namespace bitrec {
namespace cuda {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("cuda backend: " + what);
}

std::string shape(int64_t rows, int64_t cols) {
  return "[" + std::to_string(rows) + ", " + std::to_string(cols) + "]";
}

template <class A, class B>
void require_same_shape(const Tensor<A>& a, const Tensor<B>& b, const char* op) {
  require(a.rows() == b.rows() && a.cols() == b.cols(),
          std::string(op) + ": shapes " + shape(a.rows(), a.cols()) + " and " +
              shape(b.rows(), b.cols()) + " differ");
}

// The checks every per-triple loss makes of its inputs.
void require_triple_batch(const char* op, const IndexTensor& triples, int64_t count,
                          const FloatTensor& loss_acc) {
  require(triples.cols() == 3 && triples.rows() >= count && count >= 0,
          std::string(op) + ": triples " + shape(triples.rows(), triples.cols()) + " for " +
              std::to_string(count));
  require(loss_acc.size() >= 1, std::string(op) + ": empty loss accumulator");
}

template <class T>
void upload_async(DeviceBuffer<T>& dst, const std::vector<T>& src, const char* what,
                  cudaStream_t stream) {
  dst.reserve(std::max<size_t>(src.size(), 1), what);
  if (!src.empty()) {
    CUDA_CHECK(cudaMemcpyAsync(dst.data(), src.data(), src.size() * sizeof(T),
                               cudaMemcpyHostToDevice, stream));
  }
}

}  // namespace

CudaBackend::CudaBackend() {
  CUDA_CHECK(cudaGetDevice(&device_));
  device_name_ = device_description(device_);
  try {
    CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    CUBLAS_CHECK(cublasCreate(&cublas_));
    CUBLAS_CHECK(cublasSetStream(cublas_, stream_));
    // Plain FP32 SGEMM (no TF32): retrieval scores must match the CPU's.
    CUBLAS_CHECK(cublasSetMathMode(cublas_, CUBLAS_DEFAULT_MATH));
    CUSPARSE_CHECK(cusparseCreate(&cusparse_));
    CUSPARSE_CHECK(cusparseSetStream(cusparse_, stream_));
    CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&recall_status_host_), sizeof(int)));
    CUDA_CHECK(cudaEventCreateWithFlags(&recall_status_event_, cudaEventDisableTiming));
    propagator_.set_path(spmm_path_from_env());
    real_scores_ = real_score_path_from_env();
  } catch (...) {
    if (recall_status_event_) cudaEventDestroy(recall_status_event_);
    if (recall_status_host_) cudaFreeHost(recall_status_host_);
    if (cusparse_) cusparseDestroy(cusparse_);
    if (cublas_) cublasDestroy(cublas_);
    if (stream_) cudaStreamDestroy(stream_);
    throw;
  }
}

CudaBackend::~CudaBackend() {
  // Destructors must not throw; a failed sync here was already reported or
  // will be by the next checked call in another backend.
  (void)cudaStreamSynchronize(stream_);
  cudaEventDestroy(recall_status_event_);
  cudaFreeHost(recall_status_host_);
  cusparseDestroy(cusparse_);
  cublasDestroy(cublas_);
  cudaStreamDestroy(stream_);
}

// --- buffers -----------------------------------------------------------------

template <class T>
Tensor<T> CudaBackend::alloc(int64_t rows, int64_t cols, const char* what) {
  require(rows >= 0 && cols >= 0, std::string(what) + ": negative shape " + shape(rows, cols));
  const int64_t count = rows * cols;
  std::shared_ptr<T> memory = make_device_shared<T>(count, what);
  drop_index_mirror(memory.get());  // new memory at the mirrored address
  if (count > 0) {
    CUDA_CHECK(cudaMemsetAsync(memory.get(), 0, static_cast<size_t>(count) * sizeof(T), stream_));
  }
  return Tensor<T>(std::move(memory), rows, cols);
}

FloatTensor CudaBackend::alloc_f32(int64_t rows, int64_t cols) {
  return alloc<float>(rows, cols, "alloc_f32");
}
IndexTensor CudaBackend::alloc_i32(int64_t rows, int64_t cols) {
  return alloc<int32_t>(rows, cols, "alloc_i32");
}
CodeTensor CudaBackend::alloc_u64(int64_t rows, int64_t cols) {
  return alloc<uint64_t>(rows, cols, "alloc_u64");
}

void CudaBackend::upload(const float* host, FloatTensor& dst) {
  if (dst.empty()) return;
  // Pageable source: the call returns once the bytes are staged, so the
  // caller may reuse `host` immediately.
  CUDA_CHECK(cudaMemcpyAsync(dst.data(), host, static_cast<size_t>(dst.size()) * sizeof(float),
                             cudaMemcpyHostToDevice, stream_));
}

template <class T>
void CudaBackend::download_raw(const T* src, int64_t count, T* host) {
  if (count > 0) {
    CUDA_CHECK(cudaMemcpyAsync(host, src, static_cast<size_t>(count) * sizeof(T),
                               cudaMemcpyDeviceToHost, stream_));
  }
  CUDA_CHECK(cudaStreamSynchronize(stream_));
  check_recall_status();
}

void CudaBackend::download(const FloatTensor& src, float* host) {
  download_raw(src.data(), src.size(), host);
}
void CudaBackend::download(const CodeTensor& src, uint64_t* host) {
  download_raw(src.data(), src.size(), host);
}
void CudaBackend::upload(const int32_t* host, IndexTensor& dst) {
  if (dst.empty()) return;
  if (dst.cols() == 1) {  // a list of ids: keep the host copy (index_mirror_)
    index_mirror_.assign(host, host + dst.size());
    index_mirror_ptr_ = dst.data();
  } else {
    drop_index_mirror(dst.data());
  }
  CUDA_CHECK(cudaMemcpyAsync(dst.data(), host, static_cast<size_t>(dst.size()) * sizeof(int32_t),
                             cudaMemcpyHostToDevice, stream_));
}

void CudaBackend::download(const IndexTensor& src, int32_t* host) {
  download_raw(src.data(), src.size(), host);
}

void CudaBackend::fill_zero(FloatTensor& t) {
  if (t.empty()) return;
  CUDA_CHECK(cudaMemsetAsync(t.data(), 0, static_cast<size_t>(t.size()) * sizeof(float), stream_));
}

void CudaBackend::synchronize() {
  CUDA_CHECK(cudaStreamSynchronize(stream_));
  check_recall_status();
}

void CudaBackend::check_recall_status() {
  if (!recall_status_pending_) return;
  CUDA_CHECK(cudaEventSynchronize(recall_status_event_));
  recall_status_pending_ = false;
  check_smooth_recall_signs((*recall_status_host_ & kSmoothRecallBadSign) != 0);
}

// --- graph and train relation ----------------------------------------------------

void CudaBackend::set_graph(const NormalizedGraph& graph) {
  propagator_.set_graph(graph, cusparse_, stream_);  // propagate.cu
}

void CudaBackend::set_train(const Csr& train) {
  require(static_cast<int64_t>(train.indptr.size()) == train.rows + 1,
          "set_train: indptr has " + std::to_string(train.indptr.size()) + " entries for " +
              std::to_string(train.rows) + " rows");
  const std::vector<int32_t> sample_users = sampleable_users(train);
  upload_async(train_indptr_, train.indptr, "train indptr", stream_);
  upload_async(train_indices_, train.indices, "train indices", stream_);
  upload_async(sample_users_, sample_users, "sample users", stream_);
  train_view_ = triple_sampler_view(sample_users_.data(), sample_users.size(), train_indptr_.data(),
                                    train_indices_.data(), train.cols);
  has_train_ = true;
  host_train_ = train;
  std::vector<int64_t> degrees(static_cast<size_t>(train.rows));
  for (int64_t u = 0; u < train.rows; ++u) degrees[static_cast<size_t>(u)] = train.row_size(u);
  std::sort(degrees.begin(), degrees.end(), std::greater<int64_t>());
  max_pairs_.assign(degrees.size() + 1, 0);
  for (size_t c = 0; c < degrees.size(); ++c) max_pairs_[c + 1] = max_pairs_[c] + degrees[c];
  // sample_users is a local: wait for its upload (once per run).
  CUDA_CHECK(cudaStreamSynchronize(stream_));
}

int64_t CudaBackend::available_memory() const {
  size_t free_bytes = 0, total_bytes = 0;
  if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) return -1;
  return static_cast<int64_t>(free_bytes);
}

int64_t CudaBackend::peak_memory() const {
  return static_cast<int64_t>(DeviceAllocationTracker::instance().peak());
}

// --- training steps ----------------------------------------------------------------

void CudaBackend::propagate_mean(const FloatTensor& in, FloatTensor& out, int layers) {
  require_same_shape(in, out, "propagate_mean");
  require(in.rows() == propagator_.n_nodes(),
          "propagate_mean: " + std::to_string(in.rows()) + " rows for a graph of " +
              std::to_string(propagator_.n_nodes()) + " nodes");
  propagator_.propagate_mean(in.data(), out.data(), static_cast<int>(in.cols()), layers);
}

void CudaBackend::hash_forward(const FloatTensor& x, FloatTensor& signs, CodeTensor& codes) {
  // As the CPU backend: an empty signs or codes tensor means "not wanted".
  const int bits = static_cast<int>(x.cols());
  const bool want_signs = !signs.empty(), want_codes = !codes.empty();
  require(!want_signs || (signs.rows() == x.rows() && signs.cols() == x.cols()),
          "hash_forward: signs " + shape(signs.rows(), signs.cols()) + ", expected " +
              shape(x.rows(), x.cols()));
  require(!want_codes || (codes.rows() == x.rows() && codes.cols() == code_words(bits)),
          "hash_forward: codes " + shape(codes.rows(), codes.cols()) + ", expected " +
              shape(x.rows(), code_words(bits)));
  if (!want_signs && !want_codes) return;
  launch_hash_forward(x.data(), x.rows(), bits, want_signs ? signs.data() : nullptr,
                      want_codes ? codes.data() : nullptr, stream_);
}

void CudaBackend::hash_backward(const EstimatorParams& estimator, const FloatTensor& x,
                                const FloatTensor& grad_signs, FloatTensor& grad_x) {
  require_same_shape(x, grad_signs, "hash_backward");
  require_same_shape(x, grad_x, "hash_backward");
  launch_hash_backward(estimator, x.data(), grad_signs.data(), x.size(), grad_x.data(), stream_);
}

void CudaBackend::sample_triples(uint64_t seed, uint32_t epoch, int64_t first, int64_t count,
                                 IndexTensor& triples) {
  require(triples.cols() == 3 && triples.rows() >= count && first >= 0 && count >= 0,
          "sample_triples: triples " + shape(triples.rows(), triples.cols()) + " for samples [" +
              std::to_string(first) + ", +" + std::to_string(count) + ")");
  // The sample index is a 32-bit Philox counter word.
  require(first + count <= (int64_t{1} << 32),
          "sample_triples: sample index beyond 2^32 per epoch");
  if (count == 0) return;
  drop_index_mirror(triples.data());  // written below
  if (!has_train_ || train_view_.n_users == 0) {
    throw InputError(
        "BPR sampling: no user has both a train item and a non-train item (set_train first)");
  }
  launch_sample_triples(train_view_, seed, epoch, first, count, triples.data(), stream_);
}

void CudaBackend::bpr_forward_backward(const FloatTensor& table, const IndexTensor& triples,
                                       int64_t count, int32_t n_users, float weight,
                                       FloatTensor& grad, FloatTensor& loss_acc) {
  require_same_shape(table, grad, "bpr_forward_backward");
  require_triple_batch("bpr_forward_backward", triples, count, loss_acc);
  if (count == 0) return;
  loss_terms_.reserve(static_cast<size_t>(count), "loss terms");
  launch_bpr_forward_backward(table.data(), static_cast<int>(table.cols()), triples.data(), count,
                              n_users, weight, grad.data(), loss_terms_.data(), loss_acc.data(), stream_);
}

// The smooth recall loss (docs/smooth_recall.md) on the device; kernels and
// products in smooth_recall_kernels.cu, design in docs/cuda.md. The batch's
// ids are checked with the CPU reference's messages, and |Ω_b| and the pairs'
// offsets computed, on the host from the ids' host copy (index_mirror_, what
// the caller uploaded): the call does not wait for the device, and the pack
// kernel's ±1 verdict is read at the next synchronising call. Ids that were
// not uploaded by the caller are copied back instead, with one stream sync.
void CudaBackend::smooth_recall_forward_backward(const FloatTensor& signs, const IndexTensor& users,
                                                 int64_t count, const SmoothRecallParams& params,
                                                 FloatTensor& grad_signs, FloatTensor& loss_acc) {
  require(has_train_, "smooth_recall_forward_backward: set_train first");
  require(signs.rows() == host_train_.rows + host_train_.cols && signs.cols() > 0,
          "smooth_recall_forward_backward: signs " + shape(signs.rows(), signs.cols()) +
              " is not [n_users + n_items, bits] of the train relation");
  require_same_shape(signs, grad_signs, "smooth_recall_forward_backward");
  require(count >= 0 && users.size() >= count,
          "smooth_recall_forward_backward: users holds fewer than count ids");
  require(loss_acc.size() >= 1, "smooth_recall_forward_backward: empty loss accumulator");
  if (count == 0) return;
  check_recall_status();  // the previous call's ±1 verdict

  // The CPU reference's checks (smooth_recall.hpp), then the kernels' bound.
  const int32_t n_users = static_cast<int32_t>(host_train_.rows);
  const int32_t n_items = static_cast<int32_t>(host_train_.cols);
  check_smooth_recall_args(signs.cols(), n_users, n_items, host_train_, params);
  const int bits = static_cast<int>(signs.cols());
  smooth_recall_require(bits <= kSmoothRecallMaxBits,
                        "the CUDA backend takes at most " + std::to_string(kSmoothRecallMaxBits) +
                            " bits (shared-memory histogram), got " + std::to_string(bits));

  // Pack the items' and the batch users' signs (checking ±1); the ids from
  // their host copy, or read back with the status.
  const int words = code_words(bits);
  const size_t n = static_cast<size_t>(count);
  recall_.status.reserve(1, "smooth recall status");
  recall_.item_codes.reserve(static_cast<size_t>(n_items) * words, "smooth recall item codes");
  recall_.user_codes.reserve(n * words, "smooth recall user codes");
  recall_.user_rows.reserve(n * bits, "smooth recall user rows");
  recall_.user_terms.reserve(n, "smooth recall user terms");
  recall_.pair_offsets.reserve(n, "smooth recall pair offsets");
  CUDA_CHECK(cudaMemsetAsync(recall_.status.data(), 0, sizeof(int), stream_));
  launch_smooth_recall_pack(signs.data(), bits, n_users, n_items, users.data(), count,
                            recall_.item_codes.data(), recall_.user_codes.data(),
                            recall_.user_rows.data(), recall_.status.data(), stream_);
  const bool mirrored = index_mirror_ptr_ == users.data() && index_mirror_.size() >= n;
  const int32_t* ids = index_mirror_.data();
  if (!mirrored) {
    recall_users_.resize(n);
    CUDA_CHECK(cudaMemcpyAsync(recall_users_.data(), users.data(), n * sizeof(int32_t),
                               cudaMemcpyDeviceToHost, stream_));
    CUDA_CHECK(cudaMemcpyAsync(recall_status_host_, recall_.status.data(), sizeof(int),
                               cudaMemcpyDeviceToHost, stream_));
    CUDA_CHECK(cudaStreamSynchronize(stream_));
    ids = recall_users_.data();
  }

  recall_pair_offsets_.resize(n);
  int64_t omega = 0;
  for (size_t b = 0; b < n; ++b) {
    const int32_t u = ids[b];
    check_smooth_recall_user(u, n_users);
    recall_pair_offsets_[b] = omega;
    omega += host_train_.row_size(u);
  }
  if (omega == 0) return;  // L = 0, no gradient, no ±1 check (as the CPU)
  if (mirrored) {
    CUDA_CHECK(cudaMemcpyAsync(recall_status_host_, recall_.status.data(), sizeof(int),
                               cudaMemcpyDeviceToHost, stream_));
    CUDA_CHECK(cudaEventRecord(recall_status_event_, stream_));
    recall_status_pending_ = true;
  } else {
    check_smooth_recall_signs((*recall_status_host_ & kSmoothRecallBadSign) != 0);
  }

  // σ and σ'/τ_r per level difference, computed on the host exactly as the
  // CPU's tables; uploaded when bits or τ_rank change.
  if (recall_table_bits_ != bits || recall_table_tau_ != params.tau_rank) {
    const int diffs = 2 * bits + 1;
    recall_rank_tables_.resize(2 * static_cast<size_t>(diffs));
    const double tau_rank = params.tau_rank;
    for (int t = 0; t < diffs; ++t) {
      const double diff = 2.0 * (t - bits);
      recall_rank_tables_[t] = smooth_rank_term(diff, tau_rank);
      recall_rank_tables_[diffs + t] = smooth_rank_term_grad(diff, tau_rank);
    }
    recall_table_bits_ = 0;  // stays invalid if the upload throws
    upload_async(recall_.rank_tables, recall_rank_tables_, "smooth recall rank tables", stream_);
    recall_table_bits_ = bits;
    recall_table_tau_ = params.tau_rank;
  }

  const int64_t tile = smooth_recall_tile(count, n_items, bits);
  const size_t levels = static_cast<size_t>(bits) + 1;
  // Sized for the most pairs `count` distinct users hold: the first (largest)
  // batch allocates, the others reuse (a batch repeating users may need more).
  const size_t pairs = static_cast<size_t>(
      std::max(omega, max_pairs_[std::min(n, max_pairs_.size() - 1)]));
  recall_.pair_a.reserve(pairs, "smooth recall pair a");
  recall_.pair_term.reserve(pairs, "smooth recall pair terms");
  recall_.pair_level.reserve(pairs, "smooth recall pair levels");
  recall_.level_tables.reserve(static_cast<size_t>(tile) * 4 * levels, "smooth recall level tables");
  recall_.level_lists.reserve(static_cast<size_t>(tile) * levels, "smooth recall level lists");
  recall_.g.reserve(static_cast<size_t>(tile) * n_items, "smooth recall dL/ds block");
  recall_.user_grad.reserve(static_cast<size_t>(tile) * bits, "smooth recall user gradient");
  CUDA_CHECK(cudaMemcpyAsync(recall_.pair_offsets.data(), recall_pair_offsets_.data(),
                             n * sizeof(int64_t), cudaMemcpyHostToDevice, stream_));

  SmoothRecallCall call;
  call.bits = bits;
  call.n_users = n_users;
  call.n_items = n_items;
  call.count = count;
  call.signs = signs.data();
  call.users = users.data();
  call.train_indptr = train_indptr_.data();
  call.train_indices = train_indices_.data();
  call.recall_n = params.recall_n;
  call.tau_cut = params.tau_cut;
  call.dcg_weight = params.dcg_weight;
  call.inv_omega = 1.0 / static_cast<double>(omega);
  call.grad_signs = grad_signs.data();
  call.loss_acc = loss_acc.data();
  run_smooth_recall(call, tile, recall_, cublas_, stream_);  // smooth_recall_kernels.cu
}

void CudaBackend::l2_forward_backward(const FloatTensor& e0, const IndexTensor& triples,
                                      int64_t count, int32_t n_users, float lambda,
                                      FloatTensor& grad, FloatTensor& loss_acc) {
  require_same_shape(e0, grad, "l2_forward_backward");
  require_triple_batch("l2_forward_backward", triples, count, loss_acc);
  if (count == 0) return;
  loss_terms_.reserve(static_cast<size_t>(count), "loss terms");
  launch_l2_forward_backward(e0.data(), static_cast<int>(e0.cols()), triples.data(), count,
                             n_users, lambda, grad.data(), loss_terms_.data(), loss_acc.data(),
                             stream_);
}

void CudaBackend::adam_step(FloatTensor& param, const FloatTensor& grad, FloatTensor& m,
                            FloatTensor& v, const AdamStepScalars& step) {
  require_same_shape(param, grad, "adam_step");
  require_same_shape(param, m, "adam_step");
  require_same_shape(param, v, "adam_step");
  launch_adam_step(param.data(), grad.data(), m.data(), v.data(), param.size(), step, stream_);
}

// --- retrieval -------------------------------------------------------------------

void CudaBackend::upload_topk_request(int32_t n_users, const Csr& exclude,
                                      const std::vector<int32_t>& users) {
  // Members, not locals: the copies below are asynchronous.
  std::vector<int64_t>& indptr = host_exclude_indptr_;
  std::vector<int32_t>& items = host_exclude_items_;
  indptr.assign(users.size() + 1, 0);
  int64_t nnz = 0;
  for (size_t r = 0; r < users.size(); ++r) {
    const int32_t u = users[r];
    require(u >= 0 && u < n_users, "topk: user id " + std::to_string(u) + " outside [0, " +
                                       std::to_string(n_users) + ")");
    if (u < exclude.rows) nnz += exclude.row_size(u);
    indptr[r + 1] = nnz;
  }
  items.clear();
  items.reserve(static_cast<size_t>(nnz));
  for (const int32_t u : users) {
    if (u < exclude.rows) items.insert(items.end(), exclude.row_begin(u), exclude.row_end(u));
  }
  host_users_ = users;
  upload_async(topk_users_, host_users_, "top-k users", stream_);
  upload_async(topk_exclude_indptr_, indptr, "top-k exclude indptr", stream_);
  upload_async(topk_exclude_items_, items, "top-k exclude items", stream_);
}

void CudaBackend::prepare_topk_output(int64_t n, int k, int hist_bins) {
  topk_items_.reserve(std::max<size_t>(static_cast<size_t>(n) * k, 1), "top-k items");
  topk_scores_.reserve(std::max<size_t>(static_cast<size_t>(n) * k, 1), "top-k scores");
  topk_hist_.reserve(std::max<size_t>(static_cast<size_t>(n) * hist_bins, 1), "top-k histogram");
}

void CudaBackend::finish_topk(int64_t n, int k, int hist_bins, TopK& out) {
  out.k = k;
  out.n_users = n;
  out.items.resize(static_cast<size_t>(n) * k);
  out.scores.resize(static_cast<size_t>(n) * k);
  out.hist_bins = hist_bins;
  out.distance_hist.resize(static_cast<size_t>(n) * hist_bins);
  if (!out.items.empty()) {
    CUDA_CHECK(cudaMemcpyAsync(out.items.data(), topk_items_.data(),
                               out.items.size() * sizeof(int32_t), cudaMemcpyDeviceToHost,
                               stream_));
    CUDA_CHECK(cudaMemcpyAsync(out.scores.data(), topk_scores_.data(),
                               out.scores.size() * sizeof(float), cudaMemcpyDeviceToHost,
                               stream_));
  }
  if (!out.distance_hist.empty()) {
    CUDA_CHECK(cudaMemcpyAsync(out.distance_hist.data(), topk_hist_.data(),
                               out.distance_hist.size() * sizeof(int32_t),
                               cudaMemcpyDeviceToHost, stream_));
  }
  CUDA_CHECK(cudaStreamSynchronize(stream_));
}

void CudaBackend::topk_hamming(const CodeTensor& codes, int32_t n_users, int32_t n_items, int bits,
                               const Csr& exclude, const std::vector<int32_t>& users, int k,
                               TopK& out) {
  k = std::max(k, 0);
  require(codes.cols() == code_words(bits) && codes.rows() >= int64_t{n_users} + n_items,
          "topk_hamming: codes " + shape(codes.rows(), codes.cols()) + " for " +
              std::to_string(n_users) + " users + " + std::to_string(n_items) + " items of " +
              std::to_string(bits) + " bits");
  const int64_t n = static_cast<int64_t>(users.size());
  upload_topk_request(n_users, exclude, users);
  prepare_topk_output(n, k, bits + 1);
  const TopkRequest request = topk_request(n, n_users, n_items, k);
  hamming_topk(request, codes.data(), bits,
               TopkOutput{topk_items_.data(), topk_scores_.data(), topk_hist_.data()},
               topk_keys_, stream_);  // hamming_topk.cu
  finish_topk(n, k, bits + 1, out);
}

// The request of the users uploaded by upload_topk_request.
TopkRequest CudaBackend::topk_request(int64_t n, int32_t n_users, int32_t n_items, int k) const {
  TopkRequest request;
  request.users = topk_users_.data();
  request.exclude_indptr = topk_exclude_indptr_.data();
  request.exclude_items = topk_exclude_items_.data();
  request.n = n;
  request.n_users = n_users;
  request.n_items = n_items;
  request.k = k;
  return request;
}

void CudaBackend::topk_real(const FloatTensor& table, int32_t n_users, int32_t n_items,
                            const Csr& exclude, const std::vector<int32_t>& users, int k,
                            TopK& out) {
  k = std::max(k, 0);
  require(table.rows() >= int64_t{n_users} + n_items,
          "topk_real: table " + shape(table.rows(), table.cols()) + " for " +
              std::to_string(n_users) + " users + " + std::to_string(n_items) + " items");
  const int64_t n = static_cast<int64_t>(users.size());
  upload_topk_request(n_users, exclude, users);
  prepare_topk_output(n, k, 0);
  const TopkRequest request = topk_request(n, n_users, n_items, k);
  real_topk(request, table.data(), static_cast<int>(table.cols()), real_scores_, cublas_,
            TopkOutput{topk_items_.data(), topk_scores_.data(), nullptr}, topk_keys_,
            topk_user_rows_, stream_);  // real_topk.cu
  finish_topk(n, k, 0, out);
}

}  // namespace cuda

std::unique_ptr<Backend> make_cuda_backend() {
  if (!cuda_device_available()) {
    throw std::runtime_error("CUDA backend: no CUDA device is available");
  }
  return std::make_unique<cuda::CudaBackend>();
}

}  // namespace bitrec

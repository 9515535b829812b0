// The backend interface: coarse operations on whole tensors, so one virtual
// call costs nothing next to the work (docs/cuda.md "Principles"). The
// CPU backend is the reference the CUDA backend is tested against.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "bitrec/csr.hpp"
#include "bitrec/graph.hpp"
#include "bitrec/kernels/adam.hpp"
#include "bitrec/kernels/estimators.hpp"
#include "bitrec/smooth_recall.hpp"
#include "bitrec/tensor.hpp"
#include "bitrec/topk.hpp"

namespace bitrec {

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string name() const = 0;         // "cpu" | "cuda"
  virtual std::string device_name() const = 0;  // e.g. "CPU, 2 threads"
  // Bytes free for new buffers where this backend allocates them (host
  // memory for the CPU, device memory for CUDA); -1 when unknown.
  virtual int64_t available_memory() const { return -1; }
  // Peak bytes held by this backend's own buffers so far (device memory for
  // CUDA, library workspaces excluded); -1 when not tracked (CPU: the
  // process's peak resident memory says it).
  virtual int64_t peak_memory() const { return -1; }
  // True when every operation has finished when its call returns (CPU).
  // False for a queued device: reading a result inside an epoch then costs a
  // stream synchronisation, so the trainer reads the loss only every few
  // batches there (docs/cuda.md "Principles": no host synchronisation inside an epoch).
  virtual bool synchronous() const { return true; }

  // Zero-filled buffers.
  virtual FloatTensor alloc_f32(int64_t rows, int64_t cols) = 0;
  virtual IndexTensor alloc_i32(int64_t rows, int64_t cols) = 0;
  virtual CodeTensor alloc_u64(int64_t rows, int64_t cols) = 0;

  virtual void upload(const float* host, FloatTensor& dst) = 0;
  virtual void upload(const int32_t* host, IndexTensor& dst) = 0;
  virtual void download(const FloatTensor& src, float* host) = 0;
  virtual void download(const CodeTensor& src, uint64_t* host) = 0;
  virtual void download(const IndexTensor& src, int32_t* host) = 0;
  virtual void fill_zero(FloatTensor& t) = 0;
  virtual void synchronize() {}

  // The training graph and train relation (sampler; users with train items).
  virtual void set_graph(const NormalizedGraph& graph) = 0;
  virtual void set_train(const Csr& train) = 0;

  // out = 1/(L+1) Σ_{l=0..L} Â^l in, [n_nodes, d]. Â is symmetric, so the
  // same call is the backward pass: dIn = 1/(L+1) Σ Â^l dOut.
  virtual void propagate_mean(const FloatTensor& in, FloatTensor& out, int layers) = 0;

  // signs = sign(x) as ±1 floats and codes = the packed bits, [rows, bits].
  virtual void hash_forward(const FloatTensor& x, FloatTensor& signs, CodeTensor& codes) = 0;
  // grad_x = grad_signs ⊙ estimator'(x).
  virtual void hash_backward(const EstimatorParams& estimator, const FloatTensor& x,
                             const FloatTensor& grad_signs, FloatTensor& grad_x) = 0;

  // Triples first .. first+count-1 of `epoch` (docs/methods.md §1 scheme (a)),
  // written to triples [>= count, 3] as (user, pos item, neg item).
  virtual void sample_triples(uint64_t seed, uint32_t epoch, int64_t first, int64_t count,
                              IndexTensor& triples) = 0;

  // BPR over `count` triples on table [n_nodes, d] (users then items):
  // adds weight × the batch-mean loss into loss_acc[0] and its gradient into
  // grad (both accumulate; the caller zeroes them). weight mixes BPR into
  // another loss (recall-hash --bpr-weight); 1 for plain BPR.
  virtual void bpr_forward_backward(const FloatTensor& table, const IndexTensor& triples,
                                    int64_t count, int32_t n_users, float weight,
                                    FloatTensor& grad, FloatTensor& loss_acc) = 0;
  // Smooth recall loss (docs/methods.md §5, docs/smooth_recall.md) of users
  // [0, count) of `users` over all items, on ±1 signs [n_users + n_items,
  // bits] with the relation given to set_train: adds L into loss_acc[0] and
  // dL/dsigns into grad_signs (both accumulate; the caller zeroes them).
  virtual void smooth_recall_forward_backward(const FloatTensor& signs, const IndexTensor& users,
                                              int64_t count, const SmoothRecallParams& params,
                                              FloatTensor& grad_signs, FloatTensor& loss_acc) = 0;
  // λ/(2|B|) Σ (‖e0_u‖² + ‖e0_i‖² + ‖e0_j‖²): value into loss_acc[0], gradient into grad.
  virtual void l2_forward_backward(const FloatTensor& e0, const IndexTensor& triples,
                                   int64_t count, int32_t n_users, float lambda,
                                   FloatTensor& grad, FloatTensor& loss_acc) = 0;

  virtual void adam_step(FloatTensor& param, const FloatTensor& grad, FloatTensor& m,
                         FloatTensor& v, const AdamStepScalars& step) = 0;

  // Top-k by Hamming distance between codes[u] and codes[n_users + i] (ties
  // by ascending item id), excluding each user's items in `exclude`; fills
  // distance_hist too. users: dense user ids.
  virtual void topk_hamming(const CodeTensor& codes, int32_t n_users, int32_t n_items, int bits,
                            const Csr& exclude, const std::vector<int32_t>& users, int k,
                            TopK& out) = 0;
  // Top-k by inner product table[u] · table[n_users + i] (ties by ascending id).
  virtual void topk_real(const FloatTensor& table, int32_t n_users, int32_t n_items,
                         const Csr& exclude, const std::vector<int32_t>& users, int k,
                         TopK& out) = 0;
};

// The CPU backend (host/cpu). --device picks a backend with make_backend
// (bitrec/backend_factory.hpp), a layer above this one.
std::unique_ptr<Backend> make_cpu_backend(int threads);

}  // namespace bitrec

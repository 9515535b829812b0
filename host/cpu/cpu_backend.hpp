// The CPU backend: the reference implementation of every Backend operation,
// multithreaded with OpenMP; reductions are ordered so results do not depend
// on the thread count.
#pragma once
#include <vector>

#include "bitrec/backend.hpp"

namespace bitrec {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads);

  std::string name() const override { return "cpu"; }
  std::string device_name() const override;
  int64_t available_memory() const override;

  FloatTensor alloc_f32(int64_t rows, int64_t cols) override;
  IndexTensor alloc_i32(int64_t rows, int64_t cols) override;
  CodeTensor alloc_u64(int64_t rows, int64_t cols) override;
  void upload(const float* host, FloatTensor& dst) override;
  void upload(const int32_t* host, IndexTensor& dst) override;
  void download(const FloatTensor& src, float* host) override;
  void download(const CodeTensor& src, uint64_t* host) override;
  void download(const IndexTensor& src, int32_t* host) override;
  void fill_zero(FloatTensor& t) override;

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

  int threads() const { return threads_; }

 private:
  int threads_;
  NormalizedGraph graph_;
  Csr train_;
  std::vector<int32_t> sample_users_;  // sampleable_users(train_)
  FloatTensor layer_a_, layer_b_;      // propagation scratch, [n_nodes, d]
};

}  // namespace bitrec

#include "methods/ngcf/ngcf_loss.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "bitrec/error.hpp"
#include "bitrec/kernels/estimators.hpp"
#include "bitrec/smooth_recall.hpp"
#include "data/pair_triples.hpp"
#include "data/user_order.hpp"

namespace bitrec::ngcf {
namespace {

// The smooth stand-in of sign whose derivative is the estimator's.
float surrogate_code(const EstimatorParams& p, float x) {
  switch (p.kind) {
    case Estimator::kSte: return x;
    case Estimator::kSteClip: return std::min(p.clip, std::max(-p.clip, x));
    case Estimator::kSignswish: return signswish_value(x, p.beta);
    default: throw std::logic_error("ngcf smooth codes: no surrogate for this estimator");
  }
}

}  // namespace

BatchLoss::BatchLoss(const TrainConfig& config, const Csr& train, int32_t n_users, int width, int threads,
                     bool smooth_codes)
    : config_(config), train_(train), n_users_(n_users), width_(width), threads_(threads),
      smooth_codes_(smooth_codes) {
  n_nodes_ = static_cast<int64_t>(n_users) + train.cols;
  hashed_ = is_hashed(config.method);
  user_based_ = config.method == Method::kRecallHash;
  if (smooth_codes_ && user_based_) throw std::logic_error("ngcf: the smooth recall loss needs ±1 codes");
  be_ = make_cpu_backend(threads);
  be_->set_train(train);
  x_ = be_->alloc_f32(n_nodes_, width);
  grad_x_ = be_->alloc_f32(n_nodes_, width);
  if (hashed_) {
    codes_ = be_->alloc_f32(n_nodes_, width);
    grad_codes_ = be_->alloc_f32(n_nodes_, width);
  }
  loss_acc_ = be_->alloc_f32(1, 1);
  if (user_based_) {
    epoch_users_ = users_with_train_items(train);
    batches_ = (static_cast<int64_t>(epoch_users_.size()) + config.user_batch - 1) / config.user_batch;
    if (config.bpr_weight > 0.0f) triples_ = be_->alloc_i32(max_pairs_per_batch(train, config.user_batch), 3);
  } else {
    batches_ = (train.nnz() + config.batch - 1) / config.batch;
    triples_ = be_->alloc_i32(config.batch, 3);
  }
  if (batches_ < 1) throw InputError("--encoder ngcf: the train split holds no interactions");
}

void BatchLoss::signs_of(const float* x, float* signs, int64_t size) {
  for (int64_t k = 0; k < size; ++k) signs[k] = sign_code(x[k]);
}

double BatchLoss::forward_backward(int epoch, int64_t batch, const float* x, float* grad_x) {
  const EstimatorParams est = estimator_at_epoch(config_, epoch);
  const size_t bytes = sizeof(float) * static_cast<size_t>(n_nodes_) * width_;
  std::memcpy(x_.data(), x, bytes);
  FloatTensor& scored = hashed_ ? codes_ : x_;
  FloatTensor& grad_scored = hashed_ ? grad_codes_ : grad_x_;
  if (hashed_) {
    if (smooth_codes_) {
      const int64_t size = n_nodes_ * width_;
      for (int64_t k = 0; k < size; ++k) codes_.data()[k] = surrogate_code(est, x[k]);
    } else {
      be_->hash_forward(x_, codes_, no_codes_);
    }
  }
  be_->fill_zero(grad_scored);
  be_->fill_zero(loss_acc_);
  const uint32_t epoch_word = static_cast<uint32_t>(epoch);
  l2_rows_ = 0;
  double loss = 0.0;
  if (user_based_) {
    if (order_epoch_ != epoch) {
      order_ = shuffled_users(epoch_users_, config_.seed, epoch_word);
      order_epoch_ = epoch;
    }
    const int64_t first = batch * config_.user_batch;
    const int64_t count = std::min<int64_t>(config_.user_batch, static_cast<int64_t>(order_.size()) - first);
    if (count <= 0) throw std::logic_error("ngcf: batch beyond the epoch");
    const int32_t* users = order_.data() + first;
    SmoothRecallParams params;
    params.tau_rank = config_.tau_rank;
    params.tau_cut = tau_cut_at_epoch(config_, epoch, static_cast<int32_t>(train_.cols));
    params.recall_n = config_.recall_n;
    params.dcg_weight = config_.dcg_weight;
    loss += smooth_recall_forward_backward_cpu(codes_.data(), width_, n_users_, static_cast<int32_t>(train_.cols),
                                               train_, users, count, params, grad_codes_.data(), threads_);
    if (config_.bpr_weight > 0.0f) {
      l2_rows_ = fill_pair_triples(train_, config_.seed, epoch_word, users, count, triples_.data());
      l2_lambda_ = config_.decay * config_.bpr_weight;
      be_->bpr_forward_backward(codes_, triples_, l2_rows_, n_users_, config_.bpr_weight, grad_codes_, loss_acc_);
    }
  } else {
    const int64_t first = batch * config_.batch;
    const int64_t count = std::min<int64_t>(config_.batch, train_.nnz() - first);
    if (count <= 0) throw std::logic_error("ngcf: batch beyond the epoch");
    be_->sample_triples(config_.seed, epoch_word, first, count, triples_);
    be_->bpr_forward_backward(scored, triples_, count, n_users_, 1.0f, grad_scored, loss_acc_);
    l2_rows_ = count;
    l2_lambda_ = config_.decay;
  }
  if (hashed_) be_->hash_backward(est, x_, grad_codes_, grad_x_);
  std::memcpy(grad_x, grad_x_.data(), bytes);
  float acc = 0.0f;
  be_->download(loss_acc_, &acc);
  return loss + acc;
}

double BatchLoss::l2_backward(const float* e0, int d, float* grad_e0) {
  if (l2_rows_ == 0) return 0.0;
  const size_t size = static_cast<size_t>(n_nodes_) * d;
  if (e0_.rows() != n_nodes_ || e0_.cols() != d) {
    e0_ = be_->alloc_f32(n_nodes_, d);
    grad_e0_ = be_->alloc_f32(n_nodes_, d);
  }
  std::memcpy(e0_.data(), e0, sizeof(float) * size);
  std::memcpy(grad_e0_.data(), grad_e0, sizeof(float) * size);
  be_->fill_zero(loss_acc_);
  be_->l2_forward_backward(e0_, triples_, l2_rows_, n_users_, l2_lambda_, grad_e0_, loss_acc_);
  std::memcpy(grad_e0, grad_e0_.data(), sizeof(float) * size);
  float acc = 0.0f;
  be_->download(loss_acc_, &acc);
  return acc;
}

}  // namespace bitrec::ngcf

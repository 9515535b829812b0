#include "methods/table/batch_head.hpp"

#include <algorithm>
#include <stdexcept>

#include "bitrec/error.hpp"
#include "bitrec/kernels/estimators.hpp"
#include "bitrec/smooth_recall.hpp"
#include "data/pair_triples.hpp"
#include "data/user_order.hpp"

namespace bitrec {
namespace {

// The smooth stand-in of sign whose derivative is the estimator's.
float surrogate_code(const EstimatorParams& p, float x) {
  switch (p.kind) {
    case Estimator::kSte: return x;
    case Estimator::kSteClip: return std::min(p.clip, std::max(-p.clip, x));
    case Estimator::kSignswish: return signswish_value(x, p.beta);
    default: throw std::logic_error("smooth codes: no surrogate for this estimator");
  }
}

}  // namespace

BatchHead::BatchHead(Backend& backend, const TrainConfig& config, const Csr& train, int32_t n_users, int width,
                     bool smooth_codes)
    : be_(backend), config_(config), train_(train), n_users_(n_users), smooth_codes_(smooth_codes) {
  const int64_t n_nodes = static_cast<int64_t>(n_users) + train.cols;
  hashed_ = is_hashed(config.method);
  user_based_ = config.method == Method::kRecallHash;
  if (smooth_codes_ && user_based_) throw std::logic_error("the smooth recall loss needs ±1 codes");
  if (hashed_) {
    codes_ = be_.alloc_f32(n_nodes, width);
    grad_codes_ = be_.alloc_f32(n_nodes, width);
  }
  if (user_based_) {
    epoch_users_ = users_with_train_items(train);
    user_batch_ = user_batch_for(config, static_cast<int64_t>(epoch_users_.size()));
    batches_ = (static_cast<int64_t>(epoch_users_.size()) + user_batch_ - 1) / user_batch_;
    batch_users_ = be_.alloc_i32(user_batch_, 1);
    host_users_.resize(static_cast<size_t>(user_batch_));
    if (config.bpr_weight > 0.0f) {
      const int64_t rows = max_pairs_per_batch(train, user_batch_);
      pair_triples_ = be_.alloc_i32(rows, 3);
      host_pair_triples_.resize(static_cast<size_t>(3 * rows));
    }
  } else {
    batches_ = (train.nnz() + config.batch - 1) / config.batch;
    triples_ = be_.alloc_i32(config.batch, 3);
  }
}

void BatchHead::forward_backward(int epoch, int64_t batch, const FloatTensor& x, FloatTensor& grad_x,
                                 FloatTensor& loss_acc) {
  const EstimatorParams estimator = estimator_at_epoch(config_, epoch);
  const uint32_t epoch_word = static_cast<uint32_t>(epoch);
  if (hashed_) {
    if (smooth_codes_) {
      std::vector<float> host(static_cast<size_t>(x.size()));
      be_.download(x, host.data());
      for (float& v : host) v = surrogate_code(estimator, v);
      be_.upload(host.data(), codes_);
    } else {
      be_.hash_forward(x, codes_, no_codes_);
    }
  }
  const FloatTensor& scored = hashed_ ? codes_ : x;
  FloatTensor& grad_scored = hashed_ ? grad_codes_ : grad_x;
  be_.fill_zero(grad_scored);
  l2_rows_ = 0;
  if (user_based_) {
    if (order_epoch_ != epoch) {
      order_ = shuffled_users(epoch_users_, config_.seed, epoch_word);
      order_epoch_ = epoch;
    }
    const int64_t first = batch * user_batch_;
    const int64_t count = std::min<int64_t>(user_batch_, static_cast<int64_t>(order_.size()) - first);
    if (count <= 0) throw std::logic_error("BatchHead: batch beyond the epoch");
    const int32_t* users = order_.data() + first;
    std::copy(users, users + count, host_users_.begin());
    std::fill(host_users_.begin() + count, host_users_.end(), users[0]);  // tail rows are never read
    be_.upload(host_users_.data(), batch_users_);
    SmoothRecallParams params;
    params.tau_rank = config_.tau_rank;
    params.tau_cut = tau_cut_at_epoch(config_, epoch, static_cast<int32_t>(train_.cols));
    params.recall_n = recall_n_at_epoch(config_, epoch);
    params.dcg_weight = config_.dcg_weight;
    be_.smooth_recall_forward_backward(codes_, batch_users_, count, params, grad_codes_, loss_acc);
    if (config_.bpr_weight > 0.0f) {
      l2_rows_ = fill_pair_triples(train_, config_.seed, epoch_word, users, count, host_pair_triples_.data());
      be_.upload(host_pair_triples_.data(), pair_triples_);
      be_.bpr_forward_backward(codes_, pair_triples_, l2_rows_, n_users_, config_.bpr_weight, grad_codes_,
                               loss_acc);
      l2_triples_ = &pair_triples_;
      l2_lambda_ = config_.decay * config_.bpr_weight;
    }
  } else {
    const int64_t first = batch * config_.batch;
    const int64_t count = std::min<int64_t>(config_.batch, train_.nnz() - first);
    if (count <= 0) throw std::logic_error("BatchHead: batch beyond the epoch");
    be_.sample_triples(config_.seed, epoch_word, first, count, triples_);
    be_.bpr_forward_backward(scored, triples_, count, n_users_, 1.0f, grad_scored, loss_acc);
    l2_triples_ = &triples_;
    l2_rows_ = count;
    l2_lambda_ = config_.decay;
  }
  if (hashed_) be_.hash_backward(estimator, x, grad_codes_, grad_x);
}

void BatchHead::l2_forward_backward(const FloatTensor& e0, FloatTensor& grad_e0, FloatTensor& loss_acc) {
  if (l2_rows_ == 0) return;
  be_.l2_forward_backward(e0, *l2_triples_, l2_rows_, n_users_, l2_lambda_, grad_e0, loss_acc);
}

}  // namespace bitrec

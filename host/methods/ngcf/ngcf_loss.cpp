#include "methods/ngcf/ngcf_loss.hpp"

#include "bitrec/error.hpp"
#include "bitrec/kernels/estimators.hpp"

namespace bitrec::ngcf {

BatchLoss::BatchLoss(const TrainConfig& config, const Csr& train, int32_t n_users, int width, int threads,
                     bool smooth_codes)
    : n_nodes_(static_cast<int64_t>(n_users) + train.cols), width_(width) {
  be_ = make_cpu_backend(threads);
  be_->set_train(train);
  head_ = std::make_unique<BatchHead>(*be_, config, train, n_users, width, smooth_codes);
  x_ = be_->alloc_f32(n_nodes_, width);
  grad_x_ = be_->alloc_f32(n_nodes_, width);
  loss_acc_ = be_->alloc_f32(1, 1);
  if (head_->batches_per_epoch() < 1) throw InputError("--encoder ngcf: the train split holds no interactions");
}

void BatchLoss::signs_of(const float* x, float* signs, int64_t size) {
  for (int64_t k = 0; k < size; ++k) signs[k] = sign_code(x[k]);
}

double BatchLoss::forward_backward(int epoch, int64_t batch, const float* x, float* grad_x) {
  be_->upload(x, x_);
  be_->fill_zero(loss_acc_);
  head_->forward_backward(epoch, batch, x_, grad_x_, loss_acc_);
  be_->download(grad_x_, grad_x);
  float acc = 0.0f;
  be_->download(loss_acc_, &acc);
  return acc;
}

double BatchLoss::l2_backward(const float* e0, int d, float* grad_e0) {
  if (!head_->has_l2()) return 0.0;
  if (e0_.rows() != n_nodes_ || e0_.cols() != d) {
    e0_ = be_->alloc_f32(n_nodes_, d);
    grad_e0_ = be_->alloc_f32(n_nodes_, d);
  }
  be_->upload(e0, e0_);
  be_->upload(grad_e0, grad_e0_);
  be_->fill_zero(loss_acc_);
  head_->l2_forward_backward(e0_, grad_e0_, loss_acc_);
  be_->download(grad_e0_, grad_e0);
  float acc = 0.0f;
  be_->download(loss_acc_, &acc);
  return acc;
}

}  // namespace bitrec::ngcf

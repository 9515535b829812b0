#include "methods/ngcf/ngcf_model.hpp"

#include <omp.h>

#include <cmath>

#include "bitrec/error.hpp"
#include "methods/method_factories.hpp"
#include "methods/param_blocks.hpp"

namespace bitrec {
namespace ngcf {
namespace {

constexpr uint32_t kTagE0 = 0;  // normal_block tag: E0 draws as init_model's (LightGCN's table)
constexpr uint32_t kTagP = 1;
uint32_t tag_w(int layer) { return 2 + static_cast<uint32_t>(layer); }

}  // namespace

NgcfModel::NgcfModel(const TrainConfig& config, const Dataset& data, const std::vector<ParamBlock>& blocks,
                     NgcfOptions options)
    : config_(config), n_users_(data.n_users), n_items_(data.n_items), train_(data.train) {
  if (config.method != Method::kLightGcn && config.method != Method::kHashSte &&
      config.method != Method::kRecallHash) {
    throw InputError(std::string("--encoder ngcf: not with --method ") + method_name(config.method));
  }
  n_nodes_ = static_cast<int64_t>(n_users_) + n_items_;
  threads_ = config.threads > 0 ? config.threads : omp_get_max_threads();
  graph_ = build_normalized_graph(train_, n_users_, n_items_);
  const int d = config.dim, layers = config.layers;
  const bool project = is_hashed(config.method);

  blocks_.push_back(normal_block("E0", n_nodes_, d, config.init_std, config.seed, kTagE0));
  // Xavier/Glorot uniform, as NGCF's code initialises its weights; biases 0.
  const float w_limit = std::sqrt(6.0f / static_cast<float>(2 * d + d));
  for (int l = 0; l < layers; ++l) {
    blocks_.push_back(uniform_block("W." + std::to_string(l), 2 * d, d, w_limit, config.seed, tag_w(l)));
    blocks_.push_back(normal_block("b." + std::to_string(l), 1, d, 0.0f, config.seed, 0));
  }
  if (project) {
    // torch.nn.Linear's default U(±1/√fan_in): with unit-norm layer rows,
    // x has entries of std ≈ 1/√(3d), LightGCN's scale (signswish's β 20).
    const int fan_in = (layers + 1) * d;
    blocks_.push_back(uniform_block("P", fan_in, d, 1.0f / std::sqrt(static_cast<float>(fan_in)), config.seed, kTagP));
  }
  if (!blocks.empty()) restore_blocks(blocks_, blocks);

  encoder_ = std::make_unique<NgcfEncoder>(graph_, n_nodes_, d, layers, project, threads_);
  loss_ = std::make_unique<BatchLoss>(config_, train_, n_users_, encoder_->out_dim(), threads_, options.smooth_codes);
}

double NgcfModel::compute_gradients(int epoch, int64_t batch) {
  const float* out = encoder_->forward(blocks_);
  grad_out_.resize(static_cast<size_t>(n_nodes_) * encoder_->out_dim());
  double loss = loss_->forward_backward(epoch, batch, out, grad_out_.data());
  encoder_->backward(blocks_, grad_out_.data(), grads_);
  loss += loss_->l2_backward(blocks_[0].value.data(), config_.dim, grads_[0].data());
  return loss;
}

double NgcfModel::train_batch(int epoch, int64_t batch, int64_t adam_step) {
  const double loss = compute_gradients(epoch, batch);
  AdamParams adam;
  adam.lr = config_.lr;
  for (size_t k = 0; k < blocks_.size(); ++k) adam_step_block(blocks_[k], grads_[k], adam, adam_step);
  return loss;
}

HostOutputs NgcfModel::outputs() const {
  NgcfEncoder encoder(graph_, n_nodes_, config_.dim, config_.layers, is_hashed(config_.method), threads_);
  const float* out = encoder.forward(blocks_);
  HostOutputs host;
  host.dim = host.bits = encoder.out_dim();
  const size_t size = static_cast<size_t>(n_nodes_) * host.dim;
  host.embeddings.assign(out, out + size);
  host.signs.resize(size);
  BatchLoss::signs_of(out, host.signs.data(), static_cast<int64_t>(size));
  return host;
}

}  // namespace ngcf

std::unique_ptr<MethodModel> make_ngcf_model(const TrainConfig& config, const Dataset& data,
                                             const std::vector<ParamBlock>& blocks) {
  return std::make_unique<ngcf::NgcfModel>(config, data, blocks);
}

}  // namespace bitrec

#include "hashgnn_model.hpp"

#include <omp.h>

#include <algorithm>
#include <numeric>
#include <limits>
#include <stdexcept>
#include <string>

#include "../method_factories.hpp"
#include "../param_blocks.hpp"
#include "bitrec/error.hpp"
#include "bitrec/kernels/adam.hpp"
#include "hashgnn_layout.hpp"
#include "towers.hpp"

namespace bitrec {
namespace hashgnn {
namespace {

constexpr int64_t kEvalChunk = 2048;  // users or items per outputs() pass (bounds the gathered rows)

const Dataset& checked(const TrainConfig& c, const Dataset& data) {
  if (c.dim < 1) throw InputError("--method hashgnn: --dim (code bits) must be >= 1");
  if (c.batch < 1) throw InputError("--method hashgnn: --batch must be >= 1");
  if (c.negatives < 1) throw InputError("--method hashgnn: --negatives must be >= 1");
  if (static_cast<int64_t>(data.n_users) + data.n_items > std::numeric_limits<int32_t>::max()) {
    throw InputError("--method hashgnn: users + items must fit in 31 bits");
  }
  if (data.train.nnz() == 0) throw InputError("--method hashgnn: the train split is empty");
  return data;
}

}  // namespace

HashGnnModel::HashGnnModel(const TrainConfig& config, const Dataset& data, const std::vector<ParamBlock>& blocks)
    : data_(checked(config, data)),
      config_(config),
      threads_(config.threads > 0 ? config.threads : omp_get_max_threads()),
      blocks_(initial_blocks(static_cast<int64_t>(data.n_users) + data.n_items, config.dim, config.init_std,
                             config.seed)),
      graph_(data),
      sampler_(data, config.seed, config.negatives),
      engine_(static_cast<int64_t>(data.n_users) + data.n_items) {
  if (!blocks.empty()) restore_blocks(blocks_, blocks);
}

int64_t HashGnnModel::batches_per_epoch() const {
  return (data_.train.nnz() + config_.batch - 1) / config_.batch;
}

float HashGnnModel::code_probability(int epoch) const {
  return config_.estimator == Estimator::kDropoutSte ? dropout_ste_p(epoch) : 1.0f;
}

LossSettings HashGnnModel::settings(int epoch) const {
  LossSettings s;
  s.bce_weight = config_.bce_weight;
  s.decay = config_.decay;
  s.estimator = estimator_at_epoch(config_, epoch);
  return s;
}

void HashGnnModel::examples(int epoch, int64_t batch, float p, ExampleBatch& out) const {
  const int64_t first = batch * config_.batch;
  const int64_t count = std::min<int64_t>(config_.batch, data_.train.nnz() - first);
  sampler_.draw(static_cast<uint32_t>(epoch), first, count, p, out, threads_);
}

BatchLoss HashGnnModel::loss(int epoch, int64_t batch, const ExampleBatch& ex, BatchGrads* grads) {
  const NeighbourKey key{config_.seed, static_cast<uint32_t>(epoch), static_cast<uint32_t>(batch)};
  return engine_.run(blocks_, graph_, ex, key, settings(epoch), grads, threads_);
}

double HashGnnModel::train_batch(int epoch, int64_t batch, int64_t adam_step) {
  if (epoch < 0 || batch < 0 || batch >= batches_per_epoch() || adam_step < 1) {
    throw std::logic_error("hashgnn train_batch: epoch " + std::to_string(epoch) + ", batch " +
                           std::to_string(batch) + " of " + std::to_string(batches_per_epoch()) + ", step " +
                           std::to_string(adam_step));
  }
  examples(epoch, batch, code_probability(epoch), batch_);
  const BatchLoss l = loss(epoch, batch, batch_, &grads_);
  AdamParams adam;
  adam.lr = config_.lr;
  for (int k = 0; k < kBlockCount; ++k) {
    if (k != kEmbedding) adam_step_block(blocks_[k], grads_.dense[k], adam, adam_step);
  }
  // Lazy Adam on the table: only the rows this batch touched move, and only
  // their moments decay (docs/hashgnn.md: a dense step over 70k × 120 per
  // batch of 256 would cost more than the batch itself).
  const AdamStepScalars s = adam_step_scalars(adam, adam_step);
  ParamBlock& table = blocks_[kEmbedding];
  const SparseRowGrad& g = grads_.embedding;
  const int64_t rows = static_cast<int64_t>(g.rows.size());
#pragma omp parallel for num_threads(threads_) schedule(static) if (rows * kEmbed > 16384)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t base = static_cast<int64_t>(g.rows[r]) * kEmbed;
    float* __restrict value = table.value.data() + base;
    float* __restrict m = table.adam_m.data() + base;
    float* __restrict v = table.adam_v.data() + base;
    const float* __restrict grad = g.grad.data() + r * kEmbed;
    for (int c = 0; c < kEmbed; ++c) adam_update(value + c, m + c, v + c, grad[c], s);
  }
  return l.total;
}

HostOutputs HashGnnModel::outputs() const {
  const int bits = config_.dim;
  const int32_t m = data_.n_users, n = data_.n_items;
  HostOutputs out;
  out.dim = bits;
  out.bits = bits;
  out.embeddings.resize(static_cast<size_t>(m + n) * bits);
  const NeighbourKey key{config_.seed, kEvalEpoch, 0};
  // All `total` nodes of one side through its tower, kEvalChunk at a time,
  // into the rows from `first_row` on.
  const auto encode_all = [&](auto& tower, int32_t total, int64_t first_row) {
    std::vector<int32_t> ids;
    for (int32_t first = 0; first < total; first += kEvalChunk) {
      const int32_t count = static_cast<int32_t>(std::min<int64_t>(kEvalChunk, total - first));
      ids.resize(count);
      std::iota(ids.begin(), ids.end(), first);
      tower.forward(blocks_, graph_, key, ids.data(), count, threads_);
      std::copy(tower.h().begin(), tower.h().end(), out.embeddings.begin() + (first_row + first) * bits);
    }
  };
  UserTower users;
  encode_all(users, m, 0);
  ItemTower items;
  encode_all(items, n, m);
  out.signs.resize(out.embeddings.size());
  for (size_t k = 0; k < out.signs.size(); ++k) out.signs[k] = sign_code(out.embeddings[k]);
  return out;
}

}  // namespace hashgnn

std::unique_ptr<MethodModel> make_hashgnn_model(const TrainConfig& config, const Dataset& data,
                                                const std::vector<ParamBlock>& blocks) {
  return std::make_unique<hashgnn::HashGnnModel>(config, data, blocks);
}

}  // namespace bitrec

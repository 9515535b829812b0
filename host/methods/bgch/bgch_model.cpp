// BGCH's batch: sample → disperse → propagate (whole graph) → hash the
// batch's rows → loss → back through the codes, W, the layers and the
// dispersion → Adam. docs/bgch.md explains the choices and the cost.
#include "methods/bgch/bgch_model.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "bitrec/error.hpp"
#include "bitrec/kernels/sample_users.hpp"
#include "cpu/cpu_propagate.hpp"
#include "cpu/dense_gemm.hpp"
#include "methods/bgch/bgch_codes.hpp"
#include "methods/bgch/bgch_dispersion.hpp"
#include "methods/bgch/bgch_losses.hpp"
#include "methods/bgch/bgch_sparse.hpp"
#include "methods/method_factories.hpp"
#include "methods/param_blocks.hpp"

namespace bitrec {
namespace bgch {
namespace {

using dense::gemm_at_b_accumulate;
using dense::gemm_rows;
using dense::transpose;

constexpr int kDispersionDraws = 2;       // BGCH's RP_avg
constexpr int kDispersionIterations = 2;  // BGCH's RP_iteration
constexpr uint32_t kTagE0 = 0;            // normal_block tag: E0 draws as init_model's
constexpr uint32_t kTagW = 1;

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point& t0) {
  const auto t1 = Clock::now();
  const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  t0 = t1;
  return ms;
}


// table[nodes[r]] (+)= rows[r] for the batch's distinct nodes.
void scatter_rows(const float* rows, const BatchRows& batch, int d, float* table, bool add, int threads) {
  const int64_t n = batch.rows();
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < n; ++r) {
    float* t = table + static_cast<int64_t>(batch.nodes[r]) * d;
    const float* s = rows + r * d;
    if (add) {
#pragma omp simd
      for (int k = 0; k < d; ++k) t[k] += s[k];
    } else {
      std::memcpy(t, s, sizeof(float) * d);
    }
  }
}

}  // namespace

BgchModel::BgchModel(const TrainConfig& config, const Dataset& data, const std::vector<ParamBlock>& blocks,
                     BgchOptions options)
    : config_(config), n_users_(data.n_users), n_items_(data.n_items), options_(options), train_(data.train) {
  n_nodes_ = static_cast<int64_t>(n_users_) + n_items_;
  d_ = config.dim;
  layers_ = config.layers;
  threads_ = config.threads > 0 ? config.threads : omp_get_max_threads();
  samples_ = train_.nnz();
  batches_ = std::max<int64_t>(1, (samples_ + config.batch - 1) / config.batch);
  sample_users_ = sampleable_users(train_);
  if (sample_users_.empty()) {
    throw InputError("--method bgch: no user has both a train item and a non-train item");
  }
  graph_ = build_normalized_graph(train_, n_users_, n_items_);

  blocks_.push_back(normal_block("E0", n_nodes_, d_, config.init_std, config.seed, kTagE0));
  // torch.nn.Linear's default init (kaiming_uniform, a = √5): U(±1/√fan_in);
  // BGCH's code keeps it.
  blocks_.push_back(uniform_block("W", d_, d_, 1.0f / std::sqrt(static_cast<float>(d_)), config.seed, kTagW));
  if (!blocks.empty()) restore_blocks(blocks_, blocks);

  const size_t table = static_cast<size_t>(n_nodes_) * d_;
  // Training needs the full tables of layers 0 .. L−1 only (E⁽ᴸ⁾ at the batch's rows).
  tables_.assign(static_cast<size_t>(std::max(layers_, 1)), std::vector<float>(table));
  batch_slot_.assign(static_cast<size_t>(n_nodes_), -1);
  buf_a_.resize(table);
  buf_b_.resize(table);
  grad_e0_.resize(table);
  node_slot_.assign(static_cast<size_t>(n_nodes_), -1);
  wt_.resize(static_cast<size_t>(d_) * d_);
  grad_w_.resize(wt_.size());
}

void BgchModel::forward_tables(uint32_t epoch_word, uint32_t batch_word, std::vector<std::vector<float>>& tables,
                               std::array<std::vector<float>, 2>& unit_v, double* disperse_ms,
                               const BatchRows* last_rows, float* last_out) const {
  auto t0 = Clock::now();
  const float* e0 = blocks_[0].value.data();
  const int64_t table_rows[2] = {n_users_, n_items_};
  const int64_t offset[2] = {0, static_cast<int64_t>(n_users_) * d_};
  for (int t = 0; t < 2; ++t) {
    unit_v[t].resize(static_cast<size_t>(d_));
    if (config_.dispersion > 0.0f) {
      if (!(options_.freeze_dispersion && frozen_)) {
        std::vector<float> start(static_cast<size_t>(kDispersionDraws) * d_);
        dispersion_start(config_.seed, epoch_word, batch_word, t, d_, kDispersionDraws, start.data());
        dispersion_direction(e0 + offset[t], table_rows[t], d_, start.data(), kDispersionDraws,
                             kDispersionIterations, unit_v[t].data(), threads_);
      }
      dispersion_project(e0 + offset[t], tables[0].data() + offset[t], table_rows[t], d_, unit_v[t].data(),
                         config_.dispersion, threads_);
    } else {
      std::fill(unit_v[t].begin(), unit_v[t].end(), 0.0f);
      std::memcpy(tables[0].data() + offset[t], e0 + offset[t], sizeof(float) * table_rows[t] * d_);
    }
  }
  if (disperse_ms != nullptr) *disperse_ms = ms_since(t0);
  for (int l = 1; l <= layers_; ++l) {
    if (l == layers_ && last_rows != nullptr) {
      spmm_rows(graph_, tables[l - 1].data(), last_rows->nodes.data(), last_rows->rows(), last_out, d_, threads_);
    } else {
      cpu_spmm(graph_, tables[l - 1].data(), tables[l].data(), d_, threads_);
    }
  }
}

double BgchModel::compute_gradients(int epoch, int64_t batch) {
  auto t0 = Clock::now();
  const int64_t first = batch * config_.batch;
  const int64_t count = std::min<int64_t>(config_.batch, samples_ - first);
  if (count <= 0) throw std::logic_error("bgch: batch beyond the epoch");
  const TripleSamplerView view = triple_sampler_view(sample_users_, train_);
  triples_.resize(static_cast<size_t>(3 * count));
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (int64_t t = 0; t < count; ++t) {
    draw_triple(config_.seed, static_cast<uint32_t>(epoch), static_cast<uint32_t>(first + t), view,
                triples_.data() + 3 * t);
  }
  build_batch_rows(triples_.data(), count, n_users_, node_slot_, batch_);
  times_.sample = ms_since(t0);

  // The layers, all layers' batch rows stacked: [(L+1)·R, d]; the last
  // layer is computed at the batch's rows only.
  const int64_t rows = batch_.rows();
  const int segments = layers_ + 1;
  const int width = segments * d_;
  const size_t stacked = static_cast<size_t>(segments * rows) * d_;
  rows_.resize(stacked);
  x_.resize(stacked);
  forward_tables(static_cast<uint32_t>(epoch), static_cast<uint32_t>(batch), tables_, unit_v_, &times_.disperse,
                 layers_ > 0 ? &batch_ : nullptr, rows_.data() + layers_ * rows * d_);
  frozen_ = true;
  times_.propagate = ms_since(t0) - times_.disperse;
  for (int l = 0; l < segments; ++l) {
    if (l < layers_ || layers_ == 0) gather_rows(tables_[l].data(), batch_, d_, rows_.data() + l * rows * d_, threads_);
  }
  const float* w = blocks_[1].value.data();
  gemm_rows(rows_.data(), w, x_.data(), segments * rows, d_, d_, threads_);
  codes_.resize(static_cast<size_t>(rows) * width);
  const EstimatorParams est = estimator_at_epoch(config_, epoch);
  if (options_.smooth_codes) {
    surrogate_codes_forward(x_.data(), rows, segments, d_, est, codes_.data(), threads_);
  } else {
    scaled_sign_forward(x_.data(), rows, segments, d_, codes_.data(), nullptr, nullptr, threads_);
  }
  times_.hash = ms_since(t0);

  // Losses and their gradients w.r.t. the codes and the raw E0 rows.
  const float lambda = config_.decay;
  g_pos_.resize(static_cast<size_t>(count));
  g_neg_.resize(static_cast<size_t>(count));
  dcodes_.resize(codes_.size());
  double loss = bpr_codes_forward(codes_.data(), width, batch_, g_pos_.data(), g_neg_.data(), threads_);
  loss += pair_rows_backward(codes_.data(), width, batch_, g_pos_.data(), g_neg_.data(), lambda, dcodes_.data(),
                             threads_);
  e0_rows_.resize(static_cast<size_t>(rows) * d_);
  de0_rows_.resize(e0_rows_.size());
  gather_rows(blocks_[0].value.data(), batch_, d_, e0_rows_.data(), threads_);
  loss += bce_forward(e0_rows_.data(), d_, batch_, config_.bce_weight, g_pos_.data(), g_neg_.data(), threads_);
  loss += pair_rows_backward(e0_rows_.data(), d_, batch_, g_pos_.data(), g_neg_.data(), lambda, de0_rows_.data(),
                             threads_);
  times_.loss = ms_since(t0);

  // Back through sign (estimator, no α), W: dW = Gᵀ dX + (λ/B) W, dG = dX Wᵀ.
  dx_.resize(stacked);
  codes_backward(x_.data(), dcodes_.data(), dx_.data(), rows, segments, d_, est, threads_);
  const float reg_w = lambda / static_cast<float>(count);
  double w_norm = 0.0;
  for (size_t k = 0; k < grad_w_.size(); ++k) {
    grad_w_[k] = reg_w * w[k];
    w_norm += static_cast<double>(w[k]) * w[k];
  }
  loss += 0.5 * reg_w * w_norm;
  gemm_at_b_accumulate(rows_.data(), dx_.data(), grad_w_.data(), segments * rows, d_, d_, threads_);
  transpose(w, wt_.data(), d_, d_);
  drows_layers_.resize(stacked);
  gemm_rows(dx_.data(), wt_.data(), drows_layers_.data(), segments * rows, d_, d_, threads_);
  times_.hash_backward = ms_since(t0);

  backward_tables(batch_);
  times_.propagate_backward = ms_since(t0);
  scatter_rows(de0_rows_.data(), batch_, d_, grad_e0_.data(), true, threads_);
  times_.rows_backward = ms_since(t0);
  return loss;
}

void BgchModel::backward_tables(const BatchRows& batch) {
  const int64_t rows = batch.rows();
  const int64_t size = n_nodes_ * d_;
  auto layer_rows = [&](int l) { return drows_layers_.data() + l * rows * d_; };
  float* bufs[2] = {buf_a_.data(), buf_b_.data()};
  const float* g0 = nullptr;
  if (layers_ == 0) {
    // dE⁽⁰⁾ lives on the batch's rows: written into a zero table, whose rows
    // are zeroed again at the end.
    zero_.resize(static_cast<size_t>(size), 0.0f);
    scatter_rows(layer_rows(0), batch, d_, zero_.data(), false, threads_);
    g0 = zero_.data();
  } else {
    // dE⁽ᴸ⁾ is non-zero on the batch's rows only: Â dE⁽ᴸ⁾ reads just those.
    for (int64_t r = 0; r < rows; ++r) batch_slot_[batch.nodes[r]] = static_cast<int32_t>(r);
    float* out = bufs[layers_ % 2];
    spmm_from_rows(graph_, layer_rows(layers_), batch_slot_.data(), out, d_, threads_);
    for (int64_t r = 0; r < rows; ++r) batch_slot_[batch.nodes[r]] = -1;
    scatter_rows(layer_rows(layers_ - 1), batch, d_, out, true, threads_);
    g0 = out;
    for (int l = layers_ - 1; l >= 1; --l) {
      out = bufs[l % 2];
      cpu_spmm(graph_, g0, out, d_, threads_);
      scatter_rows(layer_rows(l - 1), batch, d_, out, true, threads_);
      g0 = out;
    }
  }
  // Through the dispersion (v detached: the symmetric projection again).
  const int64_t user_size = static_cast<int64_t>(n_users_) * d_;
  if (config_.dispersion > 0.0f) {
    dispersion_backward(g0, grad_e0_.data(), n_users_, d_, unit_v_[0].data(), config_.dispersion, threads_);
    dispersion_backward(g0 + user_size, grad_e0_.data() + user_size, n_items_, d_, unit_v_[1].data(),
                        config_.dispersion, threads_);
  } else {
    std::memcpy(grad_e0_.data(), g0, sizeof(float) * size);
  }
  if (layers_ == 0) {
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (int64_t r = 0; r < rows; ++r) std::fill_n(zero_.data() + static_cast<int64_t>(batch.nodes[r]) * d_, d_, 0.0f);
  }
}

double BgchModel::train_batch(int epoch, int64_t batch, int64_t adam_step) {
  const double loss = compute_gradients(epoch, batch);
  AdamParams adam;
  adam.lr = config_.lr;
  adam_step_block(blocks_[0], grad_e0_, adam, adam_step);
  adam_step_block(blocks_[1], grad_w_, adam, adam_step);
  return loss;
}

HostOutputs BgchModel::outputs() const {
  const size_t table = static_cast<size_t>(n_nodes_) * d_;
  const int segments = layers_ + 1;
  std::vector<std::vector<float>> tables(static_cast<size_t>(segments), std::vector<float>(table));
  std::array<std::vector<float>, 2> unit_v;
  forward_tables(kEvalWord, kEvalWord, tables, unit_v, nullptr, nullptr, nullptr);
  // x of every node and layer, layer-major [(L+1)·n_nodes, d].
  std::vector<float> x(table * segments);
  for (int l = 0; l < segments; ++l) {
    gemm_rows(tables[l].data(), blocks_[1].value.data(), x.data() + l * table, n_nodes_, d_, d_, threads_);
    std::vector<float>().swap(tables[l]);
  }
  HostOutputs out;
  out.dim = out.bits = segments * d_;
  out.embeddings.resize(table * segments);
  out.signs.resize(table * segments);
  scaled_sign_forward(x.data(), n_nodes_, segments, d_, out.embeddings.data(), out.signs.data(), nullptr,
                      threads_);
  return out;
}

}  // namespace bgch

std::unique_ptr<MethodModel> make_bgch_model(const TrainConfig& config, const Dataset& data,
                                             const std::vector<ParamBlock>& blocks) {
  return std::make_unique<bgch::BgchModel>(config, data, blocks);
}

}  // namespace bitrec

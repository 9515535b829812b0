// One training step (docs/sessions.md "One step"), as the official GRU4Rec:
//   x = E[input] (Wy[input] with the constrained embedding), dropout; with
//   the one-hot input the first layer reads W_x[input] itself
//   (host/cpu/gru_embedding_cpu.hpp) and the dropout is on its output;
//   each GRU layer: h = GRUCell(x, h_slot) from the slot's carried state
//   (zero where a session starts), dropout, carried on; x = h;
//   scores S = h · Wy[Y]ᵀ + By[Y] over Y = the rows' targets + n_sample
//   shared negatives; loss = Σ rows loss(S_r, r) / --batch;
//   backward through this step only (the carried state is detached), and
//   IndexedAdagradM on the dense weights and on the rows of Wy, By (and E)
//   the step touched.
#include "methods/method_factories.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "bitrec/backend_factory.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/error.hpp"
#include "bitrec/kernels/estimators.hpp"
#include "bitrec/kernels/gru_cell.hpp"
#include "bitrec/kernels/philox.hpp"
#include "bitrec/kernels/session_losses.hpp"
#include "cpu/dense_gemm.hpp"
#include "cpu/gru_cpu.hpp"
#include "cpu/gru_embedding_cpu.hpp"
#include "methods/gru4rec/gru4rec_gradients.hpp"
#include "methods/gru4rec/gru4rec_network.hpp"
#include "methods/gru4rec/item_sampler.hpp"
#include "methods/gru4rec/session_batches.hpp"
#include "methods/param_blocks.hpp"

namespace bitrec {
namespace {

using gru4rec::GruNetwork;
using gru4rec::NetworkShape;

// The official IndexedAdagradM's ε.
constexpr float kAdagradEps = 1e-6f;
// The carried hidden state of every slot and layer, [slots, Σ H_l]: saved
// with the parameters so that a run stopped inside an epoch resumes with
// the sessions it was reading.
constexpr const char kStateBlock[] = "gru4rec.state";

class Gru4RecModel final : public MethodModel {
 public:
  Gru4RecModel(const TrainConfig& config, const Dataset& data, const std::vector<ParamBlock>& saved,
               SessionTrainerFactory device_factory)
      : device_factory_(std::move(device_factory)),
        config_(config),
        shape_(gru4rec::network_shape(config, data.n_items)),
        n_rows_(data.n_users),
        batches_(gru4rec::build_session_batches(data.sessions->train, config.batch)),
        sampler_(data.sessions->train, data.n_items, config.session.sample_alpha),
        threads_(config.threads > 0 ? config.threads : omp_get_max_threads()),
        hashed_(is_hashed(config.method)) {
    blocks_ = gru4rec::init_network_blocks(shape_, config.seed);
    int state_width = 0;
    for (int h : shape_.hidden) state_width += h;
    ParamBlock state;
    state.name = kStateBlock;
    state.rows = std::max(batches_.slots, 1);
    state.cols = state_width;
    state.value.assign(static_cast<size_t>(state.rows * state.cols), 0.0f);
    state.adam_m = state.adam_v = state.value;
    blocks_.push_back(std::move(state));
    if (!saved.empty()) restore_blocks(blocks_, saved);
    index_blocks();
    if (config.session.loss == SessionLoss::kCrossEntropy && config.session.logq > 0.0f) {
      log_counts_.resize(sampler_.counts().size());
      for (size_t i = 0; i < log_counts_.size(); ++i) log_counts_[i] = std::log(sampler_.counts()[i]);
    }
  }

  int64_t batches_per_epoch() const override { return batches_.steps(); }

  double train_batch(int epoch, int64_t step, int64_t /*adam_step*/) override {
    if (device_factory_) return device_step(epoch, step);
    const double loss = compute_gradients(epoch, step);
    carry_states(step);
    update_dense();
    update_rows(batches_.rows(step));
    return loss;
  }

  double compute_gradients(int epoch, int64_t step) {
    const int64_t first = batches_.offsets[step];
    const int64_t n = batches_.rows(step);
    const int64_t cols = n + config_.session.n_sample;
    const int h_out = shape_.out_dim();
    const GruNetwork net(shape_, blocks_);
    draw_columns(epoch, step);

    // Forward through the layers from the slots' carried states.
    const int32_t* inputs = &batches_.input[first];
    inputs_ = inputs;
    const bool one_hot = shape_.one_hot();
    const int in0 = shape_.input_dim;
    const float* x = nullptr;
    if (!one_hot) {
      x0_.resize(static_cast<size_t>(n * in0));
      gru::gather_rows(net.input_table(), in0, inputs, n, x0_.data(), 1);
      apply_dropout(x0_.data(), n * in0, config_.session.dropout_embed, epoch, step, 0, &mask0_);
      x = x0_.data();
    }
    const int layers = net.layers();
    caches_.resize(layers);
    outs_.resize(layers);
    masks_.resize(layers);
    int state_col = 0;
    for (int l = 0; l < layers; ++l) {
      const int h = shape_.hidden[l];
      h_prev_.assign(static_cast<size_t>(n * h), 0.0f);
      for (int64_t r = 0; r < n; ++r) {
        if (batches_.reset[first + r]) continue;
        const float* carried = state_row(batches_.slot[first + r]) + state_col;
        std::copy(carried, carried + h, &h_prev_[r * h]);
      }
      outs_[l].resize(static_cast<size_t>(n * h));
      if (l == 0 && one_hot) {
        // The official's "embedding" is this layer's output: dropout_embed
        // on it, and the dropped-out state is what the slot carries.
        gru::gru_embedding_forward(net.one_hot_layer(), inputs, h_prev_.data(), n, outs_[0].data(), &one_hot_cache_,
                                   1);
        apply_dropout(outs_[0].data(), n * h, config_.session.dropout_embed, epoch, step, 0, &masks_[0]);
      } else {
        gru::gru_layer_forward(net.layer(l), x, h_prev_.data(), n, outs_[l].data(), &caches_[l], 1);
        apply_dropout(outs_[l].data(), n * h, config_.session.dropout_hidden, epoch, step, l + 1, &masks_[l]);
      }
      x = outs_[l].data();
      state_col += h;
    }
    const float* session_vectors = x;  // [n, h_out]

    // Scores over the sampled columns: inner products plus the item's bias,
    // or, hashed, the sign codes' inner product / τ (bits − 2·Hamming
    // distance, so the ranking is Hamming's; no bias).
    out_vectors_.resize(static_cast<size_t>(cols * h_out));
    gru::gather_rows(net.item_vectors(), h_out, columns_.data(), cols, out_vectors_.data(), 1);
    const float* session_side = session_vectors;
    const float* item_side = out_vectors_.data();
    if (hashed_) {
      session_codes_.resize(static_cast<size_t>(n * h_out));
      for (size_t k = 0; k < session_codes_.size(); ++k) session_codes_[k] = sign_code(session_vectors[k]);
      item_codes_.resize(out_vectors_.size());
      for (size_t k = 0; k < item_codes_.size(); ++k) item_codes_[k] = sign_code(out_vectors_[k]);
      session_side = session_codes_.data();
      item_side = item_codes_.data();
    }
    out_vectors_t_.resize(out_vectors_.size());
    dense::transpose(item_side, out_vectors_t_.data(), static_cast<int>(cols), h_out);
    scores_.resize(static_cast<size_t>(n * cols));
    dense::gemm_rows(session_side, out_vectors_t_.data(), scores_.data(), n, h_out, static_cast<int>(cols),
                     threads_);
    if (hashed_) {
      const float inverse_tau = 1.0f / config_.tau_rank;
      for (float& v : scores_) v *= inverse_tau;
    } else {
      const float* bias = net.item_bias();
      for (int64_t r = 0; r < n; ++r) {
        float* row = &scores_[r * cols];
        for (int64_t j = 0; j < cols; ++j) row[j] += bias[columns_[j]];
      }
    }
    const float* logq = nullptr;
    if (!log_counts_.empty()) {
      // The official correction: log of the count for the rows' targets,
      // of count^alpha for the sampled columns.
      logq_.resize(static_cast<size_t>(cols));
      for (int64_t j = 0; j < cols; ++j) {
        const float weight = j < n ? config_.session.logq : config_.session.logq * config_.session.sample_alpha;
        logq_[j] = weight * log_counts_[columns_[j]];
      }
      logq = logq_.data();
    }

    // Loss and d loss / d scores, row by row; summed in row order.
    d_scores_.resize(scores_.size());
    row_loss_.resize(static_cast<size_t>(n));
    const float scale = 1.0f / static_cast<float>(config_.batch);
    const SessionOptions& so = config_.session;
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (int64_t r = 0; r < n; ++r) {
      row_loss_[r] = session_loss_row(so.loss, &scores_[r * cols], static_cast<int>(cols), static_cast<int>(r), logq,
                                      so.elu_alpha, so.bpreg, scale, &d_scores_[r * cols]);
    }
    double loss = 0.0;
    for (int64_t r = 0; r < n; ++r) loss += row_loss_[r];
    loss *= scale;

    // Backward: the output side (hashed: to the codes, then through sign's
    // estimator to the vectors; the bias takes no gradient).
    if (hashed_) {
      const float inverse_tau = 1.0f / config_.tau_rank;
      for (float& v : d_scores_) v *= inverse_tau;
    }
    d_session_.resize(static_cast<size_t>(n * h_out));
    dense::gemm_rows(d_scores_.data(), item_side, d_session_.data(), n, static_cast<int>(cols), h_out, threads_);
    d_out_vectors_.assign(out_vectors_.size(), 0.0f);
    dense::gemm_at_b_accumulate(d_scores_.data(), session_side, d_out_vectors_.data(), n, static_cast<int>(cols),
                                h_out, threads_);
    d_bias_.assign(static_cast<size_t>(cols), 0.0f);
    if (hashed_) {
      const EstimatorParams estimator = estimator_at_epoch(config_, epoch);
      for (size_t k = 0; k < d_session_.size(); ++k) {
        d_session_[k] = estimator_backward(estimator, d_session_[k], session_vectors[k]);
      }
      for (size_t k = 0; k < d_out_vectors_.size(); ++k) {
        d_out_vectors_[k] = estimator_backward(estimator, d_out_vectors_[k], out_vectors_[k]);
      }
    } else {
      dense::column_sums_accumulate(d_scores_.data(), d_bias_.data(), n, static_cast<int>(cols), 1);
    }

    // Backward through the layers (this step only), then the updates.
    std::vector<float>* d_h = &d_session_;
    for (int l = layers - 1; l >= 0; --l) {
      multiply(*d_h, masks_[l]);
      LayerGrads& g = layer_grads(l);
      if (l == 0 && one_hot) {
        // d loss / d W_x[input] lands in d_x0_, the rows' gradients.
        d_x0_.resize(static_cast<size_t>(n * 3 * shape_.hidden[0]));
        gru::gru_embedding_backward(net.one_hot_layer(), one_hot_cache_, d_h->data(), n,
                                    {g.part[1].data(), g.part[2].data(), g.part[3].data(), d_x0_.data()}, 1);
        return loss;
      }
      d_x_.resize(static_cast<size_t>(n * shape_.layer_input(l)));
      gru::gru_layer_backward(net.layer(l), caches_[l], d_h->data(), n,
                              {g.part[0].data(), g.part[1].data(), g.part[2].data(), g.part[3].data()}, d_x_.data(),
                              nullptr, 1);
      d_below_.swap(d_x_);
      d_h = &d_below_;
    }
    multiply(*d_h, mask0_);  // d loss / d x0
    if (d_h != &d_x0_) d_x0_.swap(*d_h);
    return loss;
  }

  // The step's outputs become the slots' carried states (after the
  // gradients, so that a gradient check can repeat a step).
  void carry_states(int64_t step) {
    const int64_t first = batches_.offsets[step];
    int state_col = 0;
    for (size_t l = 0; l < outs_.size(); ++l) {
      const int h = shape_.hidden[l];
      for (int64_t r = 0; r < batches_.rows(step); ++r) {
        std::copy(&outs_[l][r * h], &outs_[l][r * h] + h, state_row(batches_.slot[first + r]) + state_col);
      }
      state_col += h;
    }
  }

  HostOutputs outputs() const override {
    sync_from_device();
    HostOutputs out;
    out.dim = shape_.out_dim();
    out.embeddings.assign(static_cast<size_t>((n_rows_ + shape_.n_items) * int64_t{out.dim}), 0.0f);
    const ParamBlock& wy = blocks_[wy_index_];
    std::copy(wy.value.begin(), wy.value.end(), out.embeddings.begin() + int64_t{n_rows_} * out.dim);
    if (hashed_) {
      // The items' codes; a session's code comes from its state when it is
      // read (evaluation, query), so the session rows hold sign(0) = +1.
      out.bits = out.dim;
      out.signs.resize(out.embeddings.size());
      for (size_t k = 0; k < out.signs.size(); ++k) out.signs[k] = sign_code(out.embeddings[k]);
    }
    return out;
  }

  const std::vector<ParamBlock>& params() const override {
    sync_from_device();
    return blocks_;
  }

  // The last compute_gradients' results (gru4rec_gradients.hpp).
  gru4rec::StepGradients last_gradients(double loss) const {
    gru4rec::StepGradients g;
    g.loss = loss;
    g.columns = columns_;
    g.d_columns = d_out_vectors_;
    g.d_bias = d_bias_;
    const int64_t input_cols = shape_.one_hot() ? 3 * shape_.hidden[0] : shape_.input_dim;
    g.inputs.assign(inputs_, inputs_ + static_cast<int64_t>(d_x0_.size()) / input_cols);
    g.d_inputs = d_x0_;
    for (const LayerGrads& l : grads_) {
      for (const std::vector<float>& v : l.part) {
        if (!v.empty()) g.layers.push_back(v);
      }
    }
    return g;
  }

 private:
  // A layer's dense gradients in gru4rec::layer_block_parts' order; onehot's
  // W_x (updated by rows from d_x0_) stays empty.
  struct LayerGrads {
    std::vector<float> part[4];
  };

  // columns_ = Y of a step: the rows' targets, then the shared negatives.
  void draw_columns(int epoch, int64_t step) {
    const int64_t first = batches_.offsets[step];
    const int64_t n = batches_.rows(step);
    columns_.resize(static_cast<size_t>(n + config_.session.n_sample));
    std::copy(&batches_.target[first], &batches_.target[first] + n, columns_.begin());
    sampler_.draw(config_.seed, epoch, step, config_.session.n_sample, columns_.data() + n);
  }

  // The step on the device (include/bitrec/session_device.hpp): the
  // negatives are drawn here, everything else runs there; the host blocks
  // are read back when params() or outputs() need them.
  double device_step(int epoch, int64_t step) {
    if (!device_) {
      device_ = device_factory_(device_layout(), device_options());
      device_->upload(block_views());
    }
    const int64_t first = batches_.offsets[step];
    const int64_t n = batches_.rows(step);
    draw_columns(epoch, step);
    SessionStepRows rows;
    rows.epoch = epoch;
    rows.step = step;
    rows.rows = n;
    rows.inputs = &batches_.input[first];
    rows.slots = &batches_.slot[first];
    rows.resets = &batches_.reset[first];
    rows.cols = static_cast<int64_t>(columns_.size());
    rows.columns = columns_.data();
    if (hashed_) rows.estimator = estimator_at_epoch(config_, epoch);
    host_stale_ = true;
    try {
      return device_->step(rows);
    } catch (...) {
      device_failed_ = true;  // the device may hold a half-updated step
      throw;
    }
  }

  void sync_from_device() const {
    if (device_failed_) {
      throw std::runtime_error("gru4rec: a step on the device failed; its parameters cannot be read back (the last "
                               "checkpoint on disk is intact)");
    }
    if (!host_stale_) return;
    device_->download(block_views());
    host_stale_ = false;
  }

  std::vector<SessionBlockView> block_views() const {
    std::vector<SessionBlockView> views;
    for (ParamBlock& b : blocks_) views.push_back({b.value.data(), b.adam_v.data(), b.adam_m.data(), b.size()});
    return views;
  }

  SessionDeviceLayout device_layout() const {
    SessionDeviceLayout l;
    l.n_items = shape_.n_items;
    l.one_hot = shape_.one_hot();
    l.constrained = shape_.input == SessionInput::kConstrained;
    l.input_dim = shape_.input_dim;
    l.hidden = shape_.hidden;
    for (const ParamBlock& b : blocks_) l.sizes.push_back(b.size());
    l.wy = static_cast<int>(wy_index_);
    l.by = static_cast<int>(by_index_);
    l.e = e_index_;
    l.state = static_cast<int>(state_index_);
    for (size_t k : layer_index_) l.layer_first.push_back(static_cast<int>(k));
    return l;
  }

  SessionDeviceOptions device_options() const {
    const SessionOptions& so = config_.session;
    SessionDeviceOptions o;
    o.loss = so.loss;
    o.scale = 1.0f / static_cast<float>(config_.batch);
    o.lr = config_.lr;
    o.momentum = so.momentum;
    o.eps = kAdagradEps;
    o.dropout_embed = so.dropout_embed;
    o.dropout_hidden = so.dropout_hidden;
    o.bpreg = so.bpreg;
    o.elu_alpha = so.elu_alpha;
    o.hashed = hashed_;
    o.inverse_tau = hashed_ ? 1.0f / config_.tau_rank : 1.0f;
    o.logq = log_counts_.empty() ? 0.0f : so.logq;
    o.sample_alpha = so.sample_alpha;
    o.log_counts = log_counts_;
    o.seed = config_.seed;
    return o;
  }

  void index_blocks() {
    for (size_t k = 0; k < blocks_.size(); ++k) {
      const std::string& name = blocks_[k].name;
      if (name == gru4rec::kItemVectors) wy_index_ = k;
      else if (name == gru4rec::kItemBias) by_index_ = k;
      else if (name == gru4rec::kInputEmbedding) e_index_ = static_cast<int>(k);
      else if (name == kStateBlock) state_index_ = k;
    }
    // A layer's four blocks follow each other (gru4rec::layer_block_parts).
    for (int l = 0; l < static_cast<int>(shape_.hidden.size()); ++l) {
      const std::string first = gru4rec::layer_block_name(l, gru4rec::layer_block_parts(shape_, l)[0].c_str());
      for (size_t k = 0; k < blocks_.size(); ++k) {
        if (blocks_[k].name == first) layer_index_.push_back(k);
      }
    }
    grads_.resize(shape_.hidden.size());
  }

  float* state_row(int32_t slot) {
    ParamBlock& s = blocks_[state_index_];
    return s.value.data() + int64_t{slot} * s.cols;
  }

  // Inverted dropout of `size` values of tensor `tensor` (0: the input,
  // l + 1: layer l's output), the mask kept for the backward (empty: p = 0).
  void apply_dropout(float* values, int64_t size, float p, int epoch, int64_t step, int tensor,
                     std::vector<float>* mask) const {
    if (!(p > 0.0f)) {
      mask->clear();
      return;
    }
    mask->resize(static_cast<size_t>(size));
    const uint64_t seed = config_.seed;
    for (int64_t q = 0; q < (size + 3) / 4; ++q) {
      const Philox4 r = philox_draw(seed, RngStream::kSessionDropout, static_cast<uint32_t>(step),
                                    static_cast<uint32_t>(epoch), (static_cast<uint32_t>(tensor) << 24) |
                                                                      static_cast<uint32_t>(q));
      for (int w = 0; w < 4 && 4 * q + w < size; ++w) {
        const float keep = dropout_keep_scale(r.v[w], p);
        (*mask)[4 * q + w] = keep;
        values[4 * q + w] *= keep;
      }
    }
  }

  static void multiply(std::vector<float>& values, const std::vector<float>& mask) {
    if (mask.empty()) return;
    for (size_t k = 0; k < values.size(); ++k) values[k] *= mask[k];
  }

  LayerGrads& layer_grads(int l) {
    LayerGrads& g = grads_[l];
    const auto shapes = gru4rec::layer_block_shapes(shape_, l);
    for (int part = 0; part < 4; ++part) {
      if (is_row_updated(l, part)) continue;
      g.part[part].assign(static_cast<size_t>(shapes[part].first * shapes[part].second), 0.0f);
    }
    return g;
  }

  // onehot's W_x: updated on the rows a step read, like an embedding.
  bool is_row_updated(int l, int part) const { return l == 0 && part == 0 && shape_.one_hot(); }

  void adagrad(ParamBlock& b, const std::vector<float>& grad) {
    gru::adagrad_dense(b.value.data(), b.adam_v.data(), b.adam_m.data(), grad.data(), b.size(), config_.lr,
                       config_.session.momentum, kAdagradEps, 1);
  }

  void update_dense() {
    for (size_t l = 0; l < layer_index_.size(); ++l) {
      for (int part = 0; part < 4; ++part) {
        if (!is_row_updated(static_cast<int>(l), part)) adagrad(blocks_[layer_index_[l] + part], grads_[l].part[part]);
      }
    }
  }

  // The sparse updates: Wy on the sampled columns (and, with the constrained
  // embedding, the input rows: one coalesced update per row, as the
  // official's single sparse gradient of Wy), By on the columns, E (or
  // onehot's W_x) on the input rows.
  void update_rows(int64_t n) {
    const int32_t* inputs = inputs_;
    const int64_t cols = static_cast<int64_t>(columns_.size());
    const std::vector<float>& d_x0 = d_x0_;
    const float lr = config_.lr, mu = config_.session.momentum;
    const int h_out = shape_.out_dim();
    ParamBlock& wy = blocks_[wy_index_];
    if (shape_.input == SessionInput::kConstrained) {
      rows_.assign(columns_.begin(), columns_.end());
      rows_.insert(rows_.end(), inputs, inputs + n);
      row_grads_.assign(d_out_vectors_.begin(), d_out_vectors_.end());
      row_grads_.insert(row_grads_.end(), d_x0.begin(), d_x0.end());
      gru::adagrad_rows(wy.value.data(), wy.adam_v.data(), wy.adam_m.data(), h_out, rows_.data(), row_grads_.data(),
                        cols + n, lr, mu, kAdagradEps, 1);
    } else {
      gru::adagrad_rows(wy.value.data(), wy.adam_v.data(), wy.adam_m.data(), h_out, columns_.data(),
                        d_out_vectors_.data(), cols, lr, mu, kAdagradEps, 1);
      ParamBlock& e = shape_.one_hot() ? blocks_[layer_index_[0]] : blocks_[e_index_];
      gru::adagrad_rows(e.value.data(), e.adam_v.data(), e.adam_m.data(), e.cols, inputs, d_x0.data(), n, lr, mu,
                        kAdagradEps, 1);
    }
    ParamBlock& by = blocks_[by_index_];
    gru::adagrad_rows(by.value.data(), by.adam_v.data(), by.adam_m.data(), 1, columns_.data(), d_bias_.data(), cols,
                      lr, mu, kAdagradEps, 1);
  }

  // Set when the step runs on a device (--device cuda); the trainer is made
  // at the first step, so a model built only for its outputs touches no GPU.
  const SessionTrainerFactory device_factory_;
  std::unique_ptr<SessionDeviceTrainer> device_;
  mutable bool host_stale_ = false;  // the device holds newer blocks than blocks_
  bool device_failed_ = false;
  const TrainConfig config_;
  const NetworkShape shape_;
  const int64_t n_rows_;  // the dataset's session rows (HostOutputs' "users")
  const gru4rec::SessionBatches batches_;
  const gru4rec::ItemSampler sampler_;
  // Threads of the step's three products (scores, d session, d item
  // vectors) and its loss rows. The rest of a step is a few hundred
  // microseconds of work split into many small pieces: it runs on one
  // thread, where a parallel region each would cost more in wake-ups and
  // barriers than it saves (and far more on a busy machine).
  const int threads_;
  const bool hashed_;  // gru4rec-hash: scores of sign codes
  mutable std::vector<ParamBlock> blocks_;  // mutable: read back from the device on demand
  size_t wy_index_ = 0, by_index_ = 0, state_index_ = 0;
  int e_index_ = -1;
  std::vector<size_t> layer_index_;
  std::vector<float> log_counts_;
  // Per-step buffers, kept across steps so a step allocates nothing.
  std::vector<int32_t> columns_, rows_;
  const int32_t* inputs_ = nullptr;  // the step's input items
  std::vector<float> d_x0_;  // d loss / d (input rows), [rows, input_dim]
  std::vector<float> session_codes_, item_codes_;
  std::vector<float> x0_, mask0_, h_prev_, out_vectors_, out_vectors_t_, scores_, d_scores_, row_loss_, logq_,
      d_session_, d_out_vectors_, d_bias_, d_x_, d_below_, row_grads_;
  std::vector<gru::GruLayerCache> caches_;
  gru::GruEmbeddingCache one_hot_cache_;
  std::vector<std::vector<float>> outs_, masks_;
  std::vector<LayerGrads> grads_;
};

}  // namespace

gru4rec::StepGradients gru4rec::step_gradients(const TrainConfig& config, const Dataset& data,
                                               const std::vector<ParamBlock>& blocks, int epoch, int64_t step) {
  Gru4RecModel model(config, data, blocks, nullptr);
  const double loss = model.compute_gradients(epoch, step);
  return model.last_gradients(loss);
}

std::unique_ptr<MethodModel> make_gru4rec_model(const TrainConfig& config, const Dataset& data,
                                                const std::vector<ParamBlock>& blocks) {
  SessionTrainerFactory device;
  if (session_device_chosen(config.device)) device = make_session_device_trainer;
  return make_gru4rec_model_on(config, data, blocks, std::move(device));
}

std::unique_ptr<MethodModel> make_gru4rec_model_on(const TrainConfig& config, const Dataset& data,
                                                   const std::vector<ParamBlock>& blocks, SessionTrainerFactory device) {
  if (!data.sessions) {
    throw InputError("--method gru4rec learns from sessions: --data must be session data (a session file, a "
                     "sequence file or a directory with train.tsv and test.tsv; datasets/README.md \"Session data\")");
  }
  return std::make_unique<Gru4RecModel>(config, data, blocks, std::move(device));
}

}  // namespace bitrec

#include "bitrec/trainer.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <cstdio>
#include <string>

#include "bitrec/error.hpp"
#include "bitrec/graph.hpp"
#include "bitrec/method_model.hpp"
#include "bitrec/plural.hpp"
#include "code_health_watch.hpp"
#include "data/pair_triples.hpp"
#include "progress.hpp"
#include "data/user_order.hpp"

namespace bitrec {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Tensors of one training run, resident on the backend.
struct TrainingBuffers {
  FloatTensor e0, adam_m, adam_v;
  FloatTensor embeddings;  // E = propagate_mean(E0)
  FloatTensor signs;       // sign(E), hashed methods
  CodeTensor no_codes;     // training never packs codes (evaluation does)
  FloatTensor grad_scored; // dLoss/d(scored table): signs or E
  FloatTensor grad_embeddings;
  FloatTensor grad_e0;
  IndexTensor triples;
  IndexTensor batch_users;  // user-based epochs
  IndexTensor pair_triples;             // user-based epochs with --bpr-weight > 0
  std::vector<int32_t> host_pair_triples;  // staged here, then uploaded
  FloatTensor loss_acc;
};

TrainingBuffers make_buffers(Backend& be, const ModelState& state, int batch, int user_batch, bool hashed,
                             int64_t pair_rows) {
  TrainingBuffers b;
  const int64_t rows = state.n_nodes();
  b.e0 = be.alloc_f32(rows, state.dim);
  be.upload(state.e0.data(), b.e0);
  b.adam_m = be.alloc_f32(rows, state.dim);
  b.adam_v = be.alloc_f32(rows, state.dim);
  b.embeddings = be.alloc_f32(rows, state.dim);
  b.grad_scored = be.alloc_f32(rows, state.dim);
  if (hashed) {
    b.signs = be.alloc_f32(rows, state.dim);
    b.grad_embeddings = be.alloc_f32(rows, state.dim);
  }
  b.grad_e0 = be.alloc_f32(rows, state.dim);
  b.triples = be.alloc_i32(batch, 3);
  b.batch_users = be.alloc_i32(user_batch, 1);
  if (pair_rows > 0) {
    b.pair_triples = be.alloc_i32(pair_rows, 3);
    b.host_pair_triples.resize(static_cast<size_t>(3 * pair_rows));
  }
  b.loss_acc = be.alloc_f32(1, 1);
  return b;
}

// E0 -= Adam(dE0), dense over the whole table (docs/methods.md §2).
void adam_update_e0(Backend& be, TrainingBuffers& b, const TrainConfig& cfg, int64_t adam_step) {
  AdamParams adam;
  adam.lr = cfg.lr;
  be.adam_step(b.e0, b.grad_e0, b.adam_m, b.adam_v, adam_step_scalars(adam, adam_step));
}

// One mini-batch: forward, loss, backward, Adam (docs/methods.md §2, §6).
void train_batch(Backend& be, TrainingBuffers& b, const TrainConfig& cfg, const Dataset& data,
                 const EstimatorParams& estimator, uint32_t epoch, int64_t first, int64_t count,
                 int64_t adam_step) {
  const bool hashed = is_hashed(cfg.method);
  be.sample_triples(cfg.seed, epoch, first, count, b.triples);
  be.propagate_mean(b.e0, b.embeddings, cfg.layers);
  if (hashed) be.hash_forward(b.embeddings, b.signs, b.no_codes);
  const FloatTensor& scored = hashed ? b.signs : b.embeddings;
  be.fill_zero(b.grad_scored);
  be.bpr_forward_backward(scored, b.triples, count, data.n_users, 1.0f, b.grad_scored, b.loss_acc);
  if (hashed) be.hash_backward(estimator, b.embeddings, b.grad_scored, b.grad_embeddings);
  be.propagate_mean(hashed ? b.grad_embeddings : b.grad_scored, b.grad_e0, cfg.layers);
  be.l2_forward_backward(b.e0, b.triples, count, data.n_users, cfg.decay, b.grad_e0, b.loss_acc);
  adam_update_e0(be, b, cfg, adam_step);
}

// One user batch of the smooth recall loss (docs/methods.md §5, docs/smooth_recall.md):
// propagate, hash, the loss over all items for these users (plus, with
// --bpr-weight, BPR on the codes over one triple per train pair of these
// users and its L2 term), back through signswish and the graph, Adam. The
// recall loss alone has no L2 term: λ is defined per BPR triple.
void train_user_batch(Backend& be, TrainingBuffers& b, const TrainConfig& cfg, const Dataset& data,
                      const EstimatorParams& estimator, uint32_t epoch, float tau_cut, const int32_t* users,
                      int64_t count, int64_t adam_step) {
  std::vector<int32_t> padded(users, users + count);
  padded.resize(static_cast<size_t>(b.batch_users.size()), users[0]);  // tail rows are never read
  be.upload(padded.data(), b.batch_users);
  be.propagate_mean(b.e0, b.embeddings, cfg.layers);
  be.hash_forward(b.embeddings, b.signs, b.no_codes);
  be.fill_zero(b.grad_scored);
  SmoothRecallParams params;
  params.tau_rank = cfg.tau_rank;
  params.tau_cut = tau_cut;
  params.recall_n = cfg.recall_n;
  params.dcg_weight = cfg.dcg_weight;
  be.smooth_recall_forward_backward(b.signs, b.batch_users, count, params, b.grad_scored, b.loss_acc);
  int64_t pairs = 0;
  if (cfg.bpr_weight > 0.0f) {
    pairs = fill_pair_triples(data.train, cfg.seed, epoch, users, count, b.host_pair_triples.data());
    be.upload(b.host_pair_triples.data(), b.pair_triples);
    be.bpr_forward_backward(b.signs, b.pair_triples, pairs, data.n_users, cfg.bpr_weight, b.grad_scored,
                            b.loss_acc);
  }
  be.hash_backward(estimator, b.embeddings, b.grad_scored, b.grad_embeddings);
  be.propagate_mean(b.grad_embeddings, b.grad_e0, cfg.layers);
  if (pairs > 0) {
    be.l2_forward_backward(b.e0, b.pair_triples, pairs, data.n_users, cfg.decay * cfg.bpr_weight, b.grad_e0,
                           b.loss_acc);
  }
  adam_update_e0(be, b, cfg, adam_step);
}

std::string metric_line(const ModeMetrics& metrics, RetrievalMode mode, int k) {
  const auto it = metrics.find(retrieval_mode_name(mode));
  if (it == metrics.end()) return "";
  char buf[160];
  const std::string ks = std::to_string(k);
  std::snprintf(buf, sizeof buf, "%s recall@%d %.4f ndcg@%d %.4f", retrieval_mode_name(mode), k,
                it->second.at("recall@" + ks), k, it->second.at("ndcg@" + ks));
  return buf;
}

}  // namespace

std::vector<RetrievalMode> modes_for(Method method) {
  if (is_hashed(method)) return {RetrievalMode::kHamming, RetrievalMode::kReal, RetrievalMode::kHier};
  return {RetrievalMode::kReal};
}

RetrievalMode primary_mode(Method method) {
  return is_hashed(method) ? RetrievalMode::kHamming : RetrievalMode::kReal;
}

Csr known_interactions(const Dataset& data) {
  if (data.valid.nnz() == 0) return data.train;
  std::vector<std::pair<int32_t, int32_t>> pairs;
  pairs.reserve(data.train.nnz() + data.valid.nnz());
  for (const Csr* part : {&data.train, &data.valid}) {
    for (int64_t u = 0; u < part->rows; ++u) {
      for (const int32_t* it = part->row_begin(u); it != part->row_end(u); ++it) {
        pairs.emplace_back(static_cast<int32_t>(u), *it);
      }
    }
  }
  return csr_from_pairs(data.n_users, data.n_items, std::move(pairs));
}

ModeMetrics evaluate_outputs(Backend& be, const ModelOutputs& outputs, const Dataset& data,
                             const Csr& truth, const Csr& exclude,
                             const std::vector<RetrievalMode>& modes, const EvalOptions& base) {
  ModeMetrics result;
  for (RetrievalMode mode : modes) {
    EvalOptions options = base;
    options.mode = mode;
    EvalInputs inputs;
    inputs.n_users = data.n_users;
    inputs.n_items = data.n_items;
    inputs.table = &outputs.embeddings;
    inputs.codes = mode != RetrievalMode::kReal ? &outputs.codes : nullptr;
    inputs.bits = outputs.bits;
    result[retrieval_mode_name(mode)] = evaluate(be, inputs, truth, exclude, options);
  }
  return result;
}

struct EpochRunner::Impl {
  Backend& be;
  const Dataset& data;
  const TrainConfig& cfg;
  ModelState initial;
  TrainingBuffers buffers;
  int64_t samples = 0;
  int64_t batches = 0;
  std::vector<int32_t> epoch_users;  // user-based epochs: users with train items
  int64_t adam_step = 0;
  int epochs_done = 0;
  int64_t epoch_batches_done = 0;  // position inside epoch `epochs_done`
  // hashgnn, bgch: the model trains itself on the host; `buffers` stay empty
  // and the epoch's loss sum is kept here.
  std::unique_ptr<MethodModel> method_model;
  float method_loss_sum = 0.0f;
};

namespace {

// A resumed state must fit the data and config it continues with.
void check_model_shape(const ModelState& st, const Dataset& data, const TrainConfig& cfg) {
  if (st.n_users != data.n_users || st.n_items != data.n_items || st.dim != cfg.dim) {
    throw InputError("resume: the checkpoint's model is " + plural(st.n_users, "user") + " × " +
                     plural(st.n_items, "item") + " × d " + std::to_string(st.dim) +
                     ", the data and config give " + std::to_string(data.n_users) + " × " +
                     std::to_string(data.n_items) + " × " + std::to_string(cfg.dim));
  }
}

// The state a MethodModel run starts from: position and counters of `start`
// (or zero), its blocks left to the model.
ModelState method_model_start(const Dataset& data, const TrainConfig& cfg, const ModelState* start) {
  ModelState st;
  if (start) {
    check_model_shape(*start, data, cfg);
    st = *start;
    st.blocks.clear();
  }
  st.n_users = data.n_users;
  st.n_items = data.n_items;
  st.dim = cfg.dim;
  return st;
}

void check_epoch_position(const ModelState& st, int64_t batches) {
  if (st.epoch_batches_done < 0 || st.epoch_batches_done >= std::max<int64_t>(batches, 1)) {
    throw InputError("resume: the checkpoint stopped after batch " + std::to_string(st.epoch_batches_done) +
                     " of an epoch of " + plural(batches, "batch", "batches") + " (config or data changed?)");
  }
}

}  // namespace

EpochRunner::EpochRunner(Backend& be, const Dataset& data, const TrainConfig& cfg, const ModelState* start) {
  if (uses_method_model(cfg)) {
    ModelState initial = method_model_start(data, cfg, start);
    std::unique_ptr<MethodModel> model =
        make_method_model(cfg, data, start ? start->blocks : std::vector<ParamBlock>());
    const int64_t batches = model->batches_per_epoch();
    check_epoch_position(initial, batches);
    const int64_t adam_step = initial.adam_step;
    const int epochs_done = initial.epochs_done;
    const int64_t epoch_batches_done = initial.epoch_batches_done;
    const float loss_sum = initial.epoch_loss_sum;
    impl_.reset(new Impl{be, data, cfg, std::move(initial), TrainingBuffers{}, data.train.nnz(), batches, {},
                         adam_step, epochs_done, epoch_batches_done, std::move(model), loss_sum});
    return;
  }
  be.set_graph(build_normalized_graph(data.train, data.n_users, data.n_items));
  be.set_train(data.train);
  ModelState initial = start ? *start : init_model(data.n_users, data.n_items, cfg.dim, cfg.init_std, cfg.seed);
  check_model_shape(initial, data, cfg);
  const bool pair_bpr = cfg.method == Method::kRecallHash && cfg.bpr_weight > 0.0f;
  TrainingBuffers buffers = make_buffers(be, initial, cfg.batch, cfg.user_batch, is_hashed(cfg.method),
                                         pair_bpr ? max_pairs_per_batch(data.train, cfg.user_batch) : 0);
  if (start) {
    be.upload(initial.adam_m.data(), buffers.adam_m);
    be.upload(initial.adam_v.data(), buffers.adam_v);
  }
  const int64_t samples = data.train.nnz();
  std::vector<int32_t> epoch_users;
  int64_t batches = (samples + cfg.batch - 1) / cfg.batch;
  if (cfg.method == Method::kRecallHash) {
    epoch_users = users_with_train_items(data.train);
    batches = (static_cast<int64_t>(epoch_users.size()) + cfg.user_batch - 1) / cfg.user_batch;
  }
  check_epoch_position(initial, batches);
  const int64_t adam_step = initial.adam_step;
  const int epochs_done = initial.epochs_done;
  const int64_t epoch_batches_done = initial.epoch_batches_done;
  const float loss_sum = initial.epoch_loss_sum;
  impl_.reset(new Impl{be, data, cfg, std::move(initial), std::move(buffers), samples, batches,
                       std::move(epoch_users), adam_step, epochs_done, epoch_batches_done, nullptr, 0.0f});
  be.upload(&loss_sum, impl_->buffers.loss_acc);
}

EpochRunner::~EpochRunner() = default;

int64_t EpochRunner::batches_per_epoch() const { return impl_->batches; }
int EpochRunner::epochs_done() const { return impl_->epochs_done; }

namespace {

// The first non-finite value of a host table [*, cols], as "NAME row R col C", or "".
std::string first_non_finite(const std::vector<float>& values, int64_t cols, const char* name) {
  for (size_t k = 0; k < values.size(); ++k) {
    if (!std::isfinite(values[k])) {
      return std::string(name) + " row " + std::to_string(k / cols) + " col " + std::to_string(k % cols);
    }
  }
  return "";
}

// The same for a resident tensor.
std::string find_non_finite(Backend& be, const FloatTensor& t, const char* name) {
  if (t.empty()) return "";
  std::vector<float> host(static_cast<size_t>(t.size()));
  be.download(t, host.data());
  return first_non_finite(host, t.cols(), name);
}

// Which tensor went non-finite first, in the order the step computes them
// (E from the step's input E0, then the gradients, Adam's moments, and E0
// after the update).
std::string locate_non_finite(Backend& be, const TrainingBuffers& b) {
  const std::pair<const FloatTensor*, const char*> order[] = {
      {&b.embeddings, "E (propagated)"}, {&b.grad_scored, "dLoss/dscores"}, {&b.grad_e0, "dLoss/dE0"},
      {&b.adam_m, "Adam m"},            {&b.adam_v, "Adam v"},             {&b.e0, "E0 (updated)"}};
  for (const auto& [tensor, name] : order) {
    const std::string where = find_non_finite(be, *tensor, name);
    if (!where.empty()) return where;
  }
  return "the loss itself (every tensor finite)";
}

// The same for a MethodModel's parameters and moments.
std::string blocks_non_finite(const std::vector<ParamBlock>& blocks) {
  for (const ParamBlock& b : blocks) {
    const std::pair<const std::vector<float>*, std::string> parts[] = {
        {&b.value, b.name}, {&b.adam_m, "Adam m of " + b.name}, {&b.adam_v, "Adam v of " + b.name}};
    for (const auto& [values, name] : parts) {
      const std::string where = first_non_finite(*values, std::max<int64_t>(b.cols, 1), name.c_str());
      if (!where.empty()) return where;
    }
  }
  return "";
}

}  // namespace

EpochOutcome EpochRunner::continue_epoch(const std::function<bool()>& should_stop) {
  Impl& s = *impl_;
  const int epoch = s.epochs_done;
  const EstimatorParams estimator = estimator_at_epoch(s.cfg, epoch);
  Progress progress("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(s.cfg.epochs) + " batch");
  const bool user_based = s.cfg.method == Method::kRecallHash;
  const std::vector<int32_t> order =
      user_based ? shuffled_users(s.epoch_users, s.cfg.seed, static_cast<uint32_t>(epoch)) : std::vector<int32_t>();
  EpochOutcome outcome;
  float running = 0.0f;
  // The loss sum stays non-finite once a batch loss is, so reading it every
  // few batches still catches every NaN/Inf. On the CPU reading is free and
  // each batch is checked; a queued device is read only every
  // kDeviceLossCheckBatches batches, at progress lines and at the epoch end
  // (one stream synchronisation each).
  constexpr int64_t kDeviceLossCheckBatches = 32;
  const int64_t check_every = s.method_model || s.be.synchronous() ? 1 : kDeviceLossCheckBatches;
  int64_t checked_through = s.epoch_batches_done;  // batches known finite
  for (int64_t batch = s.epoch_batches_done; batch < s.batches; ++batch) {
    if (should_stop && should_stop()) {
      progress.finish();
      outcome.batches_done = batch;
      return outcome;
    }
    if (s.method_model) {
      s.method_loss_sum += static_cast<float>(s.method_model->train_batch(epoch, batch, ++s.adam_step));
    } else if (user_based) {
      const int64_t first = batch * s.cfg.user_batch;
      const int64_t count = std::min<int64_t>(s.cfg.user_batch, static_cast<int64_t>(order.size()) - first);
      train_user_batch(s.be, s.buffers, s.cfg, s.data, estimator, static_cast<uint32_t>(epoch),
                       tau_cut_at_epoch(s.cfg, epoch, s.data.n_items), order.data() + first, count,
                       ++s.adam_step);
    } else {
      const int64_t first = batch * s.cfg.batch;
      const int64_t count = std::min<int64_t>(s.cfg.batch, s.samples - first);
      train_batch(s.be, s.buffers, s.cfg, s.data, estimator, static_cast<uint32_t>(epoch), first, count,
                  ++s.adam_step);
    }
    s.epoch_batches_done = batch + 1;
    const bool print_due = s.batches >= 50 && progress.due(batch + 1, s.batches);
    if ((batch + 1) % check_every != 0 && batch + 1 != s.batches && !print_due) continue;
    // A non-finite loss stops training at once, naming the tensor it came
    // from (the state is not saved past here).
    if (s.method_model) {
      running = s.method_loss_sum;
    } else {
      s.be.download(s.buffers.loss_acc, &running);
    }
    if (!std::isfinite(running)) {
      progress.finish();
      outcome.batches_done = batch + 1;
      const std::string where = checked_through == batch
                                    ? "batch " + std::to_string(batch + 1)
                                    : "batches " + std::to_string(checked_through + 1) + "-" +
                                          std::to_string(batch + 1);
      outcome.non_finite = "non-finite loss at epoch " + std::to_string(epoch + 1) + ", " + where + " of " +
                           std::to_string(s.batches) +
                           "; first non-finite tensor: " +
                           (s.method_model ? blocks_non_finite(s.method_model->params()) : locate_non_finite(s.be, s.buffers));
      return outcome;
    }
    checked_through = batch + 1;
    if (print_due) {
      char detail[48];
      std::snprintf(detail, sizeof detail, "loss %.5f", running / (batch + 1));
      progress.update(batch + 1, s.batches, detail);
    }
  }
  progress.finish();
  outcome.complete = true;
  outcome.batches_done = s.batches;
  outcome.mean_loss = s.batches > 0 ? running / s.batches : 0.0;
  s.epochs_done = epoch + 1;
  s.epoch_batches_done = 0;
  if (s.method_model) {
    s.method_loss_sum = 0.0f;
  } else {
    s.be.fill_zero(s.buffers.loss_acc);
  }
  return outcome;
}

double EpochRunner::run_epoch(int epoch) {
  if (epoch != impl_->epochs_done) {
    throw std::logic_error("EpochRunner::run_epoch: epoch " + std::to_string(epoch) + " out of order (next is " +
                           std::to_string(impl_->epochs_done) + ")");
  }
  const EpochOutcome outcome = continue_epoch({});
  if (!outcome.non_finite.empty()) throw std::runtime_error(outcome.non_finite);
  return outcome.mean_loss;
}

ModelOutputs EpochRunner::outputs() const {
  if (impl_->method_model) return upload_outputs(impl_->be, impl_->method_model->outputs());
  return forward_model(impl_->be, impl_->buffers.e0, impl_->cfg.layers, is_hashed(impl_->cfg.method));
}

ModelState EpochRunner::state() const {
  const Impl& s = *impl_;
  ModelState st = s.initial;
  if (s.method_model) {
    st.blocks = s.method_model->params();
    st.adam_step = s.adam_step;
    st.epochs_done = s.epochs_done;
    st.epoch_batches_done = s.epoch_batches_done;
    st.epoch_loss_sum = s.method_loss_sum;
    return st;
  }
  s.be.download(s.buffers.e0, st.e0.data());
  s.be.download(s.buffers.adam_m, st.adam_m.data());
  s.be.download(s.buffers.adam_v, st.adam_v.data());
  st.adam_step = s.adam_step;
  st.epochs_done = s.epochs_done;
  st.epoch_batches_done = s.epoch_batches_done;
  s.be.download(s.buffers.loss_acc, &st.epoch_loss_sum);
  return st;
}

namespace {

// "" when every parameter of the state is finite, else where the first bad one is.
std::string state_non_finite(const ModelState& st) {
  const std::pair<const std::vector<float>*, const char*> tensors[] = {
      {&st.e0, "E0"}, {&st.adam_m, "Adam m"}, {&st.adam_v, "Adam v"}};
  for (const auto& [values, name] : tensors) {
    const std::string where = first_non_finite(*values, st.dim, name);
    if (!where.empty()) return where;
  }
  return blocks_non_finite(st.blocks);
}

// best = the first evaluation with the highest recall@<first K> in the
// primary mode, on valid when there is a split, else on test.
void select_best(TrainSummary& summary, RetrievalMode primary, const std::string& key) {
  double best_value = -1.0;
  summary.best = -1;
  for (size_t k = 0; k < summary.evals.size(); ++k) {
    const EvalPoint& p = summary.evals[k];
    const ModeMetrics& selection = summary.best_selected_on == "valid" ? p.valid : p.test;
    const auto mode = selection.find(retrieval_mode_name(primary));
    if (mode == selection.end() || !mode->second.count(key)) continue;
    const double value = mode->second.at(key);
    if (value > best_value) {
      best_value = value;
      summary.best = static_cast<int>(k);
    }
  }
}

}  // namespace

TrainSummary train_model(Backend& be, const Dataset& data, const TrainConfig& cfg,
                         const std::function<void(const EvalPoint&)>& on_eval, const TrainOptions& options) {
  const bool hashed = is_hashed(cfg.method);
  const auto setup_start = Clock::now();
  EpochRunner runner(be, data, cfg, options.resume);
  const Csr known = known_interactions(data);
  const bool has_valid = data.valid.nnz() > 0;
  std::fprintf(stderr, "setup %.2fs on %s\n", seconds_since(setup_start), be.device_name().c_str());

  TrainSummary summary;
  summary.evals = options.history;
  for (const EvalPoint& p : summary.evals) summary.eval_seconds += p.eval_seconds;
  if (!summary.evals.empty()) summary.train_seconds = summary.evals.back().train_seconds;
  const RetrievalMode primary = primary_mode(cfg.method);
  const std::string best_key = "recall@" + std::to_string(cfg.topk.front());
  summary.best_selected_on = has_valid ? "valid" : "test";
  select_best(summary, primary, best_key);
  EvalOptions eval_options;
  eval_options.topk = cfg.topk;
  eval_options.kmax = cfg.kmax;
  eval_options.rerank = default_rerank(cfg.kmax);
  CodeHealthWatch health_watch;

  // The state after the last epoch whose parameters were all finite: what a
  // run stopped by a non-finite value leaves in its checkpoint.
  ModelState last_good = runner.state();
  const int first_epoch = runner.epochs_done();
  const double seconds_before = summary.train_seconds + summary.eval_seconds;
  auto last_checkpoint = Clock::now();
  const auto checkpoint_due = [&] {
    return options.on_checkpoint && options.checkpoint_seconds > 0.0 &&
           seconds_since(last_checkpoint) >= options.checkpoint_seconds;
  };
  const auto checkpoint = [&](const ModelState& state) {
    if (!options.on_checkpoint) return;
    options.on_checkpoint(state, summary.evals);
    last_checkpoint = Clock::now();
  };
  const auto stop_or_checkpoint = [&] {
    return (options.should_stop && options.should_stop()) || checkpoint_due();
  };
  for (int epoch = first_epoch; epoch < cfg.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    EpochOutcome outcome = runner.continue_epoch(stop_or_checkpoint);
    // Stopped for a timed checkpoint (not by the user): save, then go on.
    while (!outcome.complete && outcome.non_finite.empty() && !(options.should_stop && options.should_stop())) {
      checkpoint(runner.state());
      outcome = runner.continue_epoch(stop_or_checkpoint);
    }
    const double epoch_seconds = seconds_since(epoch_start);
    summary.train_seconds += epoch_seconds;
    if (!outcome.non_finite.empty()) {
      summary.stop = TrainStop::kNonFinite;
      summary.stop_message = outcome.non_finite;
      summary.state = std::move(last_good);
      return summary;
    }
    if (!outcome.complete) {
      summary.stop = TrainStop::kInterrupted;
      summary.stop_message = "interrupted at epoch " + std::to_string(epoch + 1) + ", after batch " +
                             std::to_string(outcome.batches_done) + " of " +
                             std::to_string(runner.batches_per_epoch());
      summary.state = runner.state();
      return summary;
    }
    ModelState now = runner.state();
    const std::string bad = state_non_finite(now);
    if (!bad.empty()) {
      summary.stop = TrainStop::kNonFinite;
      summary.stop_message = "non-finite parameter after epoch " + std::to_string(epoch + 1) + ": " + bad;
      summary.state = std::move(last_good);
      return summary;
    }
    last_good = std::move(now);
    const double loss = outcome.mean_loss;

    const bool last = epoch + 1 == cfg.epochs;
    // Run ETA from the mean epoch of this session so far, evaluation included.
    const double per_epoch =
        (summary.train_seconds + summary.eval_seconds - seconds_before) / (epoch + 1 - first_epoch);
    const std::string eta = format_seconds(per_epoch * (cfg.epochs - epoch - 1));
    if (!last && (epoch + 1) % cfg.eval_every != 0) {
      std::fprintf(stderr, "epoch %d/%d loss %.5f (%.2fs, ETA %s)\n", epoch + 1, cfg.epochs, loss, epoch_seconds,
                   eta.c_str());
      checkpoint(last_good);
      continue;
    }
    const auto eval_start = Clock::now();
    EvalPoint point;
    point.epoch = epoch + 1;
    point.loss = loss;
    point.hashed = hashed;
    const ModelOutputs outputs = runner.outputs();
    point.test = evaluate_outputs(be, outputs, data, data.test, known, modes_for(cfg.method), eval_options);
    if (has_valid) {
      point.valid = evaluate_outputs(be, outputs, data, data.valid, data.train, modes_for(cfg.method),
                                     eval_options);
    }
    if (hashed) {
      std::vector<uint64_t> codes(outputs.codes.size());
      be.download(outputs.codes, codes.data());
      point.codes = code_health(codes, data.n_users, data.n_items, outputs.bits);
      health_watch.check(point.epoch, point.codes, data.n_items, outputs.bits);
    }
    point.eval_seconds = seconds_since(eval_start);
    point.train_seconds = summary.train_seconds;
    summary.eval_seconds += point.eval_seconds;
    summary.evals.push_back(point);
    select_best(summary, primary, best_key);

    const std::string valid_text = has_valid ? "  valid " + metric_line(point.valid, primary, cfg.topk.front()) : "";
    std::fprintf(stderr, "epoch %d/%d loss %.5f  test %s%s  (train %.2fs, eval %.2fs, ETA %s)\n", epoch + 1,
                 cfg.epochs, loss, metric_line(point.test, primary, cfg.topk.front()).c_str(), valid_text.c_str(),
                 epoch_seconds, point.eval_seconds, eta.c_str());
    if (on_eval) on_eval(summary.evals.back());
    if (!last) checkpoint(last_good);  // the last state is the caller's final checkpoint
  }
  summary.state = std::move(last_good);
  return summary;
}

}  // namespace bitrec

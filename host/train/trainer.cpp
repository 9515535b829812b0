#include "bitrec/trainer.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <cstdio>
#include <string>

#include "bitrec/error.hpp"
#include "bitrec/plural.hpp"
#include "bitrec/session_eval.hpp"
#include "bitrec/train_model.hpp"
#include "bitrec/warm_start.hpp"
#include "methods/table/teacher_positives.hpp"
#include "code_health_watch.hpp"
#include "progress.hpp"

namespace bitrec {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
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

struct EpochRunner::Impl {
  Backend& be;
  const TrainConfig& cfg;
  ModelState header;  // sizes; the counters and parameters come from the model and below
  std::unique_ptr<Model> model;
  int64_t batches = 0;
  int64_t adam_step = 0;
  int epochs_done = 0;
  int64_t epoch_batches_done = 0;  // position inside epoch `epochs_done`
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

void check_epoch_position(const ModelState& st, int64_t batches) {
  if (st.epoch_batches_done < 0 || st.epoch_batches_done >= std::max<int64_t>(batches, 1)) {
    throw InputError("resume: the checkpoint stopped after batch " + std::to_string(st.epoch_batches_done) +
                     " of an epoch of " + plural(batches, "batch", "batches") + " (config or data changed?)");
  }
}

}  // namespace

EpochRunner::EpochRunner(Backend& be, const Dataset& data, const TrainConfig& cfg, const ModelState* start,
                         const Checkpoint* teacher) {
  // The run's sizes and counters: `start`'s (a checkpoint's), or zero.
  ModelState header;
  if (start) {
    check_model_shape(*start, data, cfg);
    header.adam_step = start->adam_step;
    header.epochs_done = start->epochs_done;
    header.epoch_batches_done = start->epoch_batches_done;
  }
  header.n_users = data.n_users;
  header.n_items = data.n_items;
  header.dim = cfg.dim;
  // --distill-from: the teacher's items join the loss's positives
  // (docs/training.md "Distillation"); read again on every resume unless
  // the caller already holds it.
  Csr loss_positives;
  if (!cfg.distill_from.empty()) {
    const Checkpoint read = teacher ? Checkpoint() : load_teacher_checkpoint(cfg.distill_from, cfg, data);
    const Checkpoint& t = teacher ? *teacher : read;
    loss_positives = teacher_positives(be, t.state, t.config, cfg.distill_top, data);
  }
  std::unique_ptr<Model> model =
      make_model(be, cfg, data, start, cfg.distill_from.empty() ? nullptr : &loss_positives);
  const int64_t batches = model->batches_in_epoch(header.epochs_done);
  check_epoch_position(header, batches);
  const int64_t adam_step = header.adam_step;
  const int epochs_done = header.epochs_done;
  const int64_t epoch_batches_done = header.epoch_batches_done;
  impl_.reset(new Impl{be, cfg, std::move(header), std::move(model), batches, adam_step, epochs_done,
                       epoch_batches_done});
}

EpochRunner::~EpochRunner() = default;

int64_t EpochRunner::batches_per_epoch() const { return impl_->batches; }
int EpochRunner::epochs_done() const { return impl_->epochs_done; }

EpochOutcome EpochRunner::continue_epoch(const std::function<bool()>& should_stop) {
  Impl& s = *impl_;
  Model& model = *s.model;
  const int epoch = s.epochs_done;  // s.batches is this epoch's (the constructor, the last epoch's end)
  Progress progress("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(s.cfg.epochs) + " batch");
  EpochOutcome outcome;
  float running = 0.0f;
  // The loss sum stays non-finite once a batch loss is, so reading it every
  // few batches still catches every NaN/Inf. Where reading is free (the
  // host, the CPU backend) each batch is checked; a queued device is read
  // only every kDeviceLossCheckBatches batches, at progress lines and at the
  // epoch end (one stream synchronisation each).
  constexpr int64_t kDeviceLossCheckBatches = 32;
  const int64_t check_every = model.loss_read_is_free() ? 1 : kDeviceLossCheckBatches;
  int64_t checked_through = s.epoch_batches_done;  // batches known finite
  for (int64_t batch = s.epoch_batches_done; batch < s.batches; ++batch) {
    if (should_stop && should_stop()) {
      progress.finish();
      outcome.batches_done = batch;
      return outcome;
    }
    model.train_batch(epoch, batch, ++s.adam_step);
    s.epoch_batches_done = batch + 1;
    const bool print_due = s.batches >= 50 && progress.due(batch + 1, s.batches);
    if ((batch + 1) % check_every != 0 && batch + 1 != s.batches && !print_due) continue;
    // A non-finite loss stops training at once, naming the tensor it came
    // from (the state is not saved past here).
    running = model.loss_sum();
    if (!std::isfinite(running)) {
      progress.finish();
      outcome.batches_done = batch + 1;
      const std::string where = checked_through == batch
                                    ? "batch " + std::to_string(batch + 1)
                                    : "batches " + std::to_string(checked_through + 1) + "-" +
                                          std::to_string(batch + 1);
      outcome.non_finite = "non-finite loss at epoch " + std::to_string(epoch + 1) + ", " + where + " of " +
                           std::to_string(s.batches) + "; first non-finite tensor: " + model.first_non_finite();
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
  s.batches = model.batches_in_epoch(s.epochs_done);
  model.end_epoch();
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

ModelOutputs EpochRunner::outputs() const { return impl_->model->outputs(); }

ModelState EpochRunner::state() const {
  const Impl& s = *impl_;
  ModelState st = s.header;
  set_state_blocks(st, s.model->params());
  st.adam_step = s.adam_step;
  st.epochs_done = s.epochs_done;
  st.epoch_batches_done = s.epoch_batches_done;
  st.epoch_loss_sum = s.model->loss_sum();
  return st;
}

namespace {

// "" when every parameter of the state is finite, else where the first bad one is.
std::string state_non_finite(const ModelState& st) {
  const std::pair<const std::vector<float>*, const char*> tensors[] = {
      {&st.e0, "E0"}, {&st.adam_m, "Adam m"}, {&st.adam_v, "Adam v"}};
  for (const auto& [values, name] : tensors) {
    const std::string where = first_non_finite_value(*values, st.dim, name);
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
  if (data.sessions && !is_session_method(cfg.method)) {
    // Evaluated by next-item prediction, which needs a session model: refused
    // before any training, not at the first evaluation.
    std::string session_methods;
    for (const std::string& m : method_names()) {
      if (is_session_method(parse_method(m))) session_methods += (session_methods.empty() ? "" : ", ") + m;
    }
    throw InputError("--method " + std::string(method_name(cfg.method)) + ": --data " + data.name +
                     " is session data, which only session-based methods learn from (--method " + session_methods +
                     "; datasets/README.md \"Session data\")");
  }
  const bool hashed = is_hashed(cfg.method);
  const auto setup_start = Clock::now();
  EpochRunner runner(be, data, cfg, options.resume ? options.resume : options.init, options.teacher);
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
    if (data.sessions) {
      // Next-item prediction over the held-out sessions (docs/sessions.md),
      // from the state just taken (last_good); a session's code is read
      // from its items, so there are no user-item codes to check.
      point.test = evaluate_session_modes(last_good.blocks, cfg, data, data.sessions->test);
      if (has_valid) point.valid = evaluate_session_modes(last_good.blocks, cfg, data, data.sessions->valid);
    } else {
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

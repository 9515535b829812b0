#include "compare_report_check.hpp"

#include <cmath>
#include <filesystem>
#include <memory>
#include <vector>

#include "bitrec/config_io.hpp"
#include "bitrec/error.hpp"
#include "bitrec/evaluator.hpp"
#include "bitrec/served_model.hpp"
#include "bitrec/trainer.hpp"
#include "io/report.hpp"

namespace fs = std::filesystem;

namespace bitrec::cli {
namespace {

constexpr const char* kModes[] = {"hamming", "real", "hier"};

std::string shown(const FlatJson& r, const std::string& key) {
  if (!r.has(key)) return "absent";
  const std::string text = r.text(key);
  return text.size() > 40 ? "'" + text.substr(0, 40) + "...'" : "'" + text + "'";
}

std::string number_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

bool same(double a, double b) { return std::fabs(a - b) <= 1e-12 * std::max(1.0, std::fabs(b)); }

// The evaluation the trainer picks as best: the first with the highest
// recall@<first K> in the primary mode, on valid when there is a split.
int best_index(const std::vector<EvalPoint>& evals, const TrainConfig& cfg) {
  const bool on_valid = !evals.empty() && !evals.back().valid.empty();
  const std::string mode = retrieval_mode_name(primary_mode(cfg.method));
  const std::string key = "recall@" + std::to_string(cfg.topk.front());
  double best_value = -1.0;
  int best = -1;
  for (size_t k = 0; k < evals.size(); ++k) {
    const ModeMetrics& selection = on_valid ? evals[k].valid : evals[k].test;
    const auto m = selection.find(mode);
    if (m == selection.end() || m->second.count(key) == 0) continue;
    if (m->second.at(key) > best_value) {
      best_value = m->second.at(key);
      best = static_cast<int>(k);
    }
  }
  return best;
}

// The report's "<prefix><mode>.<metric>" numbers against an evaluation the
// checkpoint stored: every one there, equal, and none the run never made.
std::string check_metrics(const FlatJson& r, const std::string& prefix, const ModeMetrics& stored,
                          const std::string& which) {
  for (const auto& [mode, values] : stored) {
    for (const auto& [name, value] : values) {
      const std::string key = prefix + mode + "." + name;
      double v = 0.0;
      if (!r.finite(key, &v)) return key + " is " + shown(r, key) + ", " + which + " " + number_text(value);
      if (!same(v, value)) return key + " is " + r.text(key) + ", " + which + " " + number_text(value);
    }
  }
  for (const char* mode : kModes) {
    const std::string under = prefix + mode + ".";
    for (const std::string& key : r.keys_under(under)) {
      const auto m = stored.find(mode);
      if (m == stored.end() || m->second.count(key.substr(under.size())) == 0) {
        return key + " is not among the metrics of " + which;
      }
    }
  }
  return "";
}

}  // namespace

bool checkpoint_finished(const Checkpoint& ck) {
  return ck.state.epochs_done >= ck.config.epochs && ck.state.epoch_batches_done == 0;
}

std::string check_run_report(const FlatJson& r, const Checkpoint& ck) {
  const TrainConfig& cfg = ck.config;
  // What compare reads: present, and finite numbers.
  for (const char* key : {"epochs", "bits", "train_seconds", "eval_seconds", "kmax", "best.epoch", "dataset.users",
                          "dataset.items", "dataset.train", "dataset.test", "dataset.valid"}) {
    double v = 0.0;
    if (!r.finite(key, &v)) return std::string(key) + " is " + shown(r, key) + ", not a finite number";
    if (v < 0) return std::string(key) + " is " + r.text(key) + ", below 0";
  }
  for (const char* key : {"method", "status", "best.selected_on", "dataset.name"}) {
    if (!r.has(key)) return std::string(key) + " is missing";
  }
  for (const char* prefix : {"metrics.", "best.", "valid."}) {
    for (const std::string& key : r.keys_under(prefix)) {
      if (key == "best.epoch" || key == "best.selected_on") continue;
      double v = 0.0;
      if (!r.finite(key, &v)) return key + " is " + shown(r, key) + ", not a finite number";
      if (v < 0.0 || v > 1.0 + 1e-9) return key + " is " + r.text(key) + ", outside [0, 1]";
    }
  }
  for (const std::string& key : r.keys_under("codes.")) {  // compare.json copies them
    double v = 0.0;
    if (!r.finite(key, &v) || v < 0) return key + " is " + shown(r, key) + ", not a finite number >= 0";
  }
  // The run as its checkpoint has it.
  if (r.text("method") != method_name(cfg.method)) {
    return "method is " + shown(r, "method") + ", its checkpoint's " + method_name(cfg.method);
  }
  if (!same(r.number("epochs"), ck.state.epochs_done)) {
    return "epochs is " + r.text("epochs") + ", its checkpoint has done " + std::to_string(ck.state.epochs_done);
  }
  const int bits = is_hashed(cfg.method) ? cfg.dim : 0;
  if (!same(r.number("bits"), bits)) {
    return "bits is " + r.text("bits") + ", its checkpoint's config gives " + std::to_string(bits);
  }
  for (const auto& [key, value] : config_to_entries(cfg)) {
    const std::string at = "config." + key;
    if (r.has(at) && r.text(at) != value) return at + " is " + shown(r, at) + ", its checkpoint's '" + value + "'";
  }
  // The figures as the run evaluated them (the checkpoint keeps every evaluation).
  if (!ck.history.empty() && ck.history.back().epoch == ck.state.epochs_done) {
    const std::string problem = check_metrics(r, "metrics.", ck.history.back().test, "its checkpoint's evaluation");
    if (!problem.empty()) return problem;
  }
  const int best = best_index(ck.history, cfg);
  if (best >= 0) {
    const EvalPoint& point = ck.history[static_cast<size_t>(best)];
    if (!same(r.number("best.epoch"), point.epoch)) {
      return "best.epoch is " + r.text("best.epoch") + ", by its checkpoint's evaluations " +
             std::to_string(point.epoch);
    }
    const std::string problem = check_metrics(r, "best.", point.test, "its checkpoint's evaluation of that epoch");
    if (!problem.empty()) return problem;
  }
  return "";
}

Json report_from_checkpoint(const std::string& run_dir, const std::string& device, int threads) {
  ServeLoadOptions load;
  load.backend.device = device;
  load.backend.threads = threads;
  load.host_copies = false;
  const std::unique_ptr<ServedModel> model = load_served_model(run_dir, load);
  const Checkpoint ck = load_checkpoint((fs::path(run_dir) / "checkpoint.bin").string());
  const TrainConfig& cfg = model->config;
  const Dataset& data = model->data;
  Backend& backend = *model->backend;

  TrainSummary summary;
  summary.state = ck.state;
  summary.evals = ck.history;
  if (summary.evals.empty() || summary.evals.back().epoch != ck.state.epochs_done) {
    EvalPoint point;
    point.epoch = ck.state.epochs_done;
    point.hashed = is_hashed(cfg.method);
    if (!summary.evals.empty()) point.train_seconds = summary.evals.back().train_seconds;
    summary.evals.push_back(point);
  }
  // The final figures from the state itself, as `bitrec eval` computes them.
  EvalOptions options;
  options.topk = cfg.topk;
  options.kmax = cfg.kmax;
  options.rerank = default_rerank(cfg.kmax);
  EvalPoint& last = summary.evals.back();
  last.test = evaluate_outputs(backend, model->outputs, data, data.test, model->known, modes_for(cfg.method), options);
  if (data.valid.nnz() > 0) {
    last.valid = evaluate_outputs(backend, model->outputs, data, data.valid, data.train, modes_for(cfg.method), options);
  }
  summary.best_selected_on = data.valid.nnz() > 0 ? "valid" : "test";
  summary.best = best_index(summary.evals, cfg);
  summary.train_seconds = last.train_seconds;
  for (const EvalPoint& p : summary.evals) summary.eval_seconds += p.eval_seconds;
  return build_report(data, cfg, backend, summary);
}

}  // namespace bitrec::cli

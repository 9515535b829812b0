#include "report.hpp"

#include "bitrec/config_io.hpp"
#include "bitrec/method_spec.hpp"
#include "data/user_order.hpp"

namespace bitrec {
namespace {

void put_mode_metrics(Json& node, const ModeMetrics& metrics) {
  for (const auto& [mode, values] : metrics) {
    for (const auto& [name, value] : values) node[mode][name] = Json(value);
  }
}

void put_code_health(Json& node, const CodeHealth& h) {
  node["distinct_items"] = Json(h.distinct_items);
  node["distinct_users"] = Json(h.distinct_users);
  node["bit_balance"] = Json(h.bit_balance);
  node["user_item_agreement"] = Json(h.user_item_agreement);
}

}  // namespace

Json dataset_json(const Dataset& data) {
  Json d = Json::object();
  d["name"] = Json(data.name);
  d["source"] = Json(data.source);
  d["users"] = Json(static_cast<int64_t>(data.n_users));
  d["items"] = Json(static_cast<int64_t>(data.n_items));
  d["train"] = Json(data.train.nnz());
  d["test"] = Json(data.test.nnz());
  d["valid"] = Json(data.valid.nnz());
  d["duplicates_dropped"] = Json(data.duplicate_train + data.duplicate_test);
  d["train_test_overlap"] = Json(data.overlap);
  return d;
}

Json eval_point_json(const EvalPoint& p) {
  Json j = Json::object();
  j["epoch"] = Json(p.epoch);
  j["seconds"] = Json(p.train_seconds);
  j["eval_seconds"] = Json(p.eval_seconds);
  j["loss"] = Json(p.loss);
  put_mode_metrics(j["metrics"], p.test);
  if (!p.valid.empty()) put_mode_metrics(j["valid"], p.valid);
  if (p.hashed) put_code_health(j["codes"], p.codes);
  return j;
}

std::string train_device_name(const TrainConfig& config, const Backend& backend) {
  // A method that steps on the device itself trains where the backend is.
  const bool own_device_step = method_spec(config.method).steps_on_device && backend.name() == "cuda";
  if (train_placement(config).device == TrainDevice::kHost && !own_device_step) {
    return host_train_device_name(config.threads);
  }
  return backend.device_name();
}

Json build_report(const Dataset& data, const TrainConfig& config, const Backend& backend,
                  const TrainSummary& summary) {
  Json r = Json::object();
  r["bitrec_version"] = Json(BITREC_VERSION);
  r["dataset"] = dataset_json(data);
  r["method"] = Json(method_name(config.method));
  Json& cfg = r["config"];
  cfg = Json::object();
  for (const auto& [key, value] : config_to_entries(config)) cfg[key] = Json(value);
  r["device"]["backend"] = Json(backend.name());
  r["device"]["name"] = Json(backend.device_name());
  // Where the parameters trained and where evaluation ran: a method whose
  // spec trains on the host does so whatever --device says.
  r["train_device"] = Json(train_device_name(config, backend));
  r["eval_device"] = Json(backend.device_name());
  // Device backends track their own buffers' peak (library workspaces aside);
  // the host's peak resident memory is added by the caller.
  if (backend.peak_memory() >= 0) r["memory"]["device_peak_bytes"] = Json(backend.peak_memory());
  r["epochs"] = Json(summary.state.epochs_done);
  r["bits"] = Json(is_hashed(config.method) ? config.dim : 0);
  r["train_seconds"] = Json(summary.train_seconds);
  r["eval_seconds"] = Json(summary.eval_seconds);
  r["kmax"] = Json(config.kmax);
  // The users per batch a user-based epoch used (--user-batch, or the auto
  // rule of user_batch_for on this data).
  if (owns_option(method_spec(config.method), "--user-batch")) {
    r["user_batch"] = Json(user_batch_for(config, static_cast<int64_t>(users_with_train_items(data.train).size())));
  }
  // hier metrics: the Hamming top-R re-ranked; R as the trainer chose it.
  if (!summary.evals.empty() && summary.evals.back().test.count("hier") > 0) {
    r["rerank"] = Json(default_rerank(config.kmax));
  }
  switch (summary.stop) {
    case TrainStop::kFinished: r["status"] = Json("finished"); break;
    case TrainStop::kInterrupted: r["status"] = Json("interrupted"); break;
    case TrainStop::kNonFinite: r["status"] = Json("stopped: non-finite values"); break;
  }
  if (summary.stop != TrainStop::kFinished) r["stop_message"] = Json(summary.stop_message);
  // metrics.* describe checkpoint.bin's state: only when the last evaluation
  // was made at exactly that state (a stopped run may have moved on since).
  const bool last_eval_is_state = !summary.evals.empty() &&
                                  summary.evals.back().epoch == summary.state.epochs_done &&
                                  summary.state.epoch_batches_done == 0;
  if (last_eval_is_state) {
    const EvalPoint& final_point = summary.evals.back();
    put_mode_metrics(r["metrics"], final_point.test);
    if (!final_point.valid.empty()) put_mode_metrics(r["valid"], final_point.valid);
    if (final_point.hashed) put_code_health(r["codes"], final_point.codes);
    r["final_loss"] = Json(final_point.loss);
  }
  if (summary.best >= 0) {
    const EvalPoint& best = summary.evals[summary.best];
    Json& b = r["best"];
    b["epoch"] = Json(best.epoch);
    b["selected_on"] = Json(summary.best_selected_on);
    put_mode_metrics(b, best.test);
    if (!best.valid.empty()) put_mode_metrics(b["valid"], best.valid);
  }
  // The published graph-hashing protocol (docs/evaluation.md "Two
  // protocols"): a run on the whole train split reports its best test
  // epoch. Labelled apart from `best`, with what it took, so that it is never
  // read as a validation-selected figure.
  if (summary.best >= 0 && summary.best_selected_on == "test") {
    const EvalPoint& best = summary.evals[summary.best];
    Json& p = r["paper"];
    p["protocol"] = Json("whole train split, test every " + std::to_string(config.eval_every) +
                         " epochs, best test epoch by recall@" + std::to_string(config.topk.front()) +
                         "; ndcg_hit's ideal DCG from the hits in the top " + std::to_string(config.kmax));
    p["eval_every"] = Json(config.eval_every);
    p["kmax"] = Json(config.kmax);
    p["epoch"] = Json(best.epoch);
    put_mode_metrics(p, best.test);
  }
  return r;
}

}  // namespace bitrec

// bitrec eval: re-evaluate a saved run from its checkpoint.bin.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "bitrec/config_io.hpp"
#include "bitrec/error.hpp"
#include "bitrec/output_path.hpp"
#include "bitrec/served_model.hpp"
#include "bitrec/evaluate_modes.hpp"
#include "bitrec/session_eval.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "flag_checks.hpp"
#include "io/json_writer.hpp"
#include "metrics_table.hpp"

namespace bitrec::cli {
namespace {

struct EvalArgs {
  std::string model;
  DataArgs data;
  std::string mode;  // empty: every mode of the method
  std::string topk;  // empty: the run's
  int kmax = -1;
  int rerank = kDefaultRerank;            // hier: R
  const CLI::Option* rerank_option = nullptr;  // not given: default_rerank(kmax), what train used
  std::string dump;
  std::string device = "auto";
  int threads = 0;
  bool json = false;
};

void run_eval(EvalArgs& args) {
  // Before the (slow) load; a run folder's files are never an output.
  if (!args.dump.empty()) check_output_file(args.dump, "--dump-topk");
  std::vector<RetrievalMode> modes;
  ServeLoadOptions load;
  if (!args.data.data.empty()) {
    load.data = args.data.data;
    load.load = args.data.load;
  }
  load.backend.device = args.device;
  load.backend.threads = args.threads;
  load.host_copies = false;
  load.allow_changed_data = args.data.allow_changed_data;
  load.adjust_config = [&](TrainConfig& cfg) {
    if (!args.topk.empty()) {
      cfg.topk = parse_topk(args.topk);
      cfg.kmax = -1;
    }
    if (args.kmax >= 0) cfg.kmax = args.kmax;
    modes = modes_for(cfg.method);
    if (!args.mode.empty()) {
      const RetrievalMode mode = parse_retrieval_mode(args.mode);
      // A session model's vectors may be signed after training (its
      // post-hoc codes, docs/sessions.md "Hashed sessions").
      if (mode != RetrievalMode::kReal && !is_hashed(cfg.method) && !is_session_method(cfg.method)) {
        throw InputError("--mode " + args.mode + ": the run's method " + std::string(method_name(cfg.method)) +
                         " has no codes; use --mode real");
      }
      modes = {mode};
    }
  };
  const std::unique_ptr<ServedModel> model = load_served_model(args.model, load);
  const TrainConfig& cfg = model->config;
  const Dataset& data = model->data;
  Backend& backend = *model->backend;

  EvalOptions options;
  options.topk = cfg.topk;
  options.kmax = cfg.kmax;
  options.rerank = args.rerank_option->count() > 0 ? args.rerank : default_rerank(cfg.kmax);
  // A given R beyond the items re-ranks nothing more (and would allocate
  // users x R): capped at every item, never below --kmax.
  if (args.rerank_option->count() > 0 && options.rerank > data.n_items) {
    options.rerank = std::max(cfg.kmax, cap_at_items(options.rerank, data.n_items, "--rerank"));
  }
  options.user_ids = &data.user_ids;
  options.item_ids = &data.item_ids;
  ModeMetrics metrics;
  if (data.sessions) {
    // Next-item prediction over the test sessions (docs/sessions.md).
    if (!args.dump.empty()) {
      throw InputError("--dump-topk: not for a session model (its rankings are per event, not per user); use "
                       "bitrec query --items for a session's next items");
    }
    metrics = evaluate_session_modes(model->blocks, cfg, data, data.sessions->test, modes);
    modes.clear();
  }
  for (size_t m = 0; m < modes.size(); ++m) {
    std::ofstream dump;
    std::string dump_tmp;
    EvalOptions mode_options = options;
    if (!args.dump.empty() && m == 0) {  // the first mode asked (by default modes_for's first: hamming for hashed methods)
      dump_tmp = args.dump + ".tmp";
      dump.open(dump_tmp);
      if (!dump) throw InputError("--dump-topk " + args.dump + ": cannot write " + dump_tmp + ": " + std::strerror(errno));
      mode_options.dump = &dump;
    }
    const ModeMetrics one = evaluate_outputs(backend, model->outputs, data, data.test, model->known, {modes[m]}, mode_options);
    metrics.insert(one.begin(), one.end());
    if (dump.is_open()) {
      // The system's reason ("No space left on device") from the write that
      // failed: this flush's, or the one that failed the stream earlier.
      dump.flush();
      const std::string why = dump ? "" : std::strerror(errno != 0 ? errno : EIO);
      dump.close();
      if (!why.empty() || !dump) {
        std::remove(dump_tmp.c_str());
        throw InputError("--dump-topk " + args.dump + ": write failed: " + (why.empty() ? "cannot close the file" : why));
      }
      if (std::rename(dump_tmp.c_str(), args.dump.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        std::remove(dump_tmp.c_str());
        throw InputError("--dump-topk " + args.dump + ": cannot move " + dump_tmp + " into place: " + reason);
      }
    }
  }

  if (args.json) {
    Json j = Json::object();
    for (const auto& [mode, values] : metrics) {
      for (const auto& [name, value] : values) j["metrics"][mode][name] = Json(value);
    }
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("%s (%s, epoch %d) on %s, test:\n%s", args.model.c_str(), method_name(cfg.method),
              model->epochs_done, data.name.c_str(), format_metrics_table(metrics, cfg.topk).c_str());
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  args->data.data.clear();
  CLI::App* cmd = app.add_subcommand("eval", "Re-evaluate a saved run from its checkpoint");
  cmd->add_option("--model", args->model, "Run folder holding checkpoint.bin")->required();
  add_data_options(cmd, args->data, /*with_default=*/false);
  add_allow_changed_data_flag(cmd, args->data.allow_changed_data);
  cmd->add_option("--mode", args->mode, "real, hamming or hier (default: every mode of the method)");
  cmd->add_option("--topk", args->topk, "K list (default: the run's)");
  cmd->add_option("--kmax", args->kmax, "List length for ndcg_hit (default: the run's)")->check(whole_in(1, 1000));
  args->rerank_option = cmd->add_option(
      "--rerank", args->rerank, "hier: Hamming candidates re-ranked by inner product (default 500, or --kmax if larger)")
      ->check(whole_in(1, kMaxInt));
  cmd->add_option("--dump-topk", args->dump, "Write 'user item item ...' per test user, in rank order");
  cmd->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--threads", args->threads, "CPU threads (0 = all cores)")->check(whole_in(0, kMaxThreads));
  cmd->add_flag("--json", args->json, "Print the metrics as JSON (report.json's names)");
  cmd->callback([args] { run_eval(*args); });
}

}  // namespace bitrec::cli

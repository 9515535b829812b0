#include "run_training.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "bitrec/backend_factory.hpp"
#include "bitrec/checkpoint.hpp"
#include "bitrec/error.hpp"
#include "bitrec/method_spec.hpp"
#include "bitrec/plural.hpp"
#include "bitrec/run_directory.hpp"
#include "io/report.hpp"

namespace bitrec::cli {
namespace {

// Peak resident memory of this process so far.
int64_t peak_host_bytes() {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux: KiB
}

// The stop signal that arrived (0: none). SIGINT is Ctrl-C; SIGTERM is what
// `timeout`, `kill` and batch schedulers send before they kill, so it gets
// the same clean stop instead of a lost epoch and a stray staging folder.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler stores into it");
using SignalHandler = void (*)(int);
constexpr int kStopSignals[] = {SIGINT, SIGTERM};
SignalHandler g_previous_handlers[std::size(kStopSignals)] = {};
bool g_caught = false;

extern "C" void on_stop_signal(int signal_number) {
  g_stop_signal.store(signal_number);
  static const char kMessage[] =
      "\ninterrupt: stopping at the next batch boundary and writing a checkpoint (signal again to kill)\n";
  (void)!write(2, kMessage, sizeof kMessage - 1);
  for (int sig : kStopSignals) std::signal(sig, SIG_DFL);
}

}  // namespace

void catch_interrupt() {
  g_stop_signal.store(0);
  for (size_t i = 0; i < std::size(kStopSignals); ++i) {
    const SignalHandler previous = std::signal(kStopSignals[i], on_stop_signal);
    if (!g_caught) g_previous_handlers[i] = previous;
  }
  g_caught = true;
}

void release_interrupt() {
  if (!g_caught) return;
  for (size_t i = 0; i < std::size(kStopSignals); ++i) std::signal(kStopSignals[i], g_previous_handlers[i]);
  g_caught = false;
}

bool interrupt_requested() { return g_stop_signal.load() != 0; }

int interrupt_exit_code() {
  const int signal_number = g_stop_signal.load();
  return 128 + (signal_number != 0 ? signal_number : SIGINT);
}

MemoryEstimate check_memory(const TrainConfig& cfg, const Dataset& data, const Backend& backend,
                            const std::string& max_memory, std::FILE* log) {
  const bool on_device = backend.name() == "cuda";
  const MemoryEstimate est =
      estimate_training_memory(cfg, data.n_users, data.n_items, data.train.nnz(), on_device);
  const int64_t backend_need = est.device_total() + (on_device ? 0 : est.host_copies);
  const int64_t limit = max_memory.empty() ? backend.available_memory() : parse_memory_size(max_memory);
  const std::string where = on_device ? "device" : "host";
  if (log != nullptr) {
    std::fprintf(log,
                 "memory estimate: %s on the %s (parameters and Adam %s, training %s, graph %s, evaluation %s)%s; "
                 "limit %s (%s)\n",
                 format_bytes(backend_need).c_str(), where.c_str(), format_bytes(est.parameters).c_str(),
                 format_bytes(est.training).c_str(), format_bytes(est.graph).c_str(),
                 format_bytes(est.evaluation).c_str(),
                 on_device ? (", + " + format_bytes(est.host_copies) + " on the host").c_str() : "",
                 limit > 0 ? format_bytes(limit).c_str() : "unknown",
                 max_memory.empty() ? ("free " + where + " memory").c_str() : "--max-memory");
  }
  if (limit > 0 && backend_need > limit) {
    throw InputError("--max-memory: this run needs about " + format_bytes(backend_need) + " of " + where +
                     " memory and " + format_bytes(limit) + " is " +
                     (max_memory.empty() ? "free" : "allowed") +
                     "; lower --dim or --user-batch, use a smaller dataset or another device");
  }
  if (on_device) {
    const int64_t host_free = available_host_memory();
    if (host_free > 0 && est.host_copies > host_free) {
      throw InputError("--max-memory: this run keeps about " + format_bytes(est.host_copies) +
                       " of host copies and " + format_bytes(host_free) + " of host memory is free");
    }
  }
  return est;
}

TrainedRun train_run_folder(const Dataset& data, const TrainConfig& config, const RunFolderOptions& run_options) {
  TrainedRun result;
  result.config = config;
  const TrainConfig& cfg = result.config;
  BackendOptions backend_options;
  backend_options.device = cfg.device;
  backend_options.threads = cfg.threads;
  result.backend = make_backend(backend_options);
  Backend& backend = *result.backend;
  const MemoryEstimate memory = check_memory(cfg, data, backend, run_options.max_memory, stderr);
  // A method that trains on the host ignores --device for training (its
  // spec; docs/training.md): say so when cuda was asked for.
  const TrainPlacement placement = train_placement(cfg);
  if (placement.device == TrainDevice::kHost && cfg.device == "cuda" && !method_spec(cfg.method).steps_on_device) {
    std::fprintf(stderr, "note: %s trains on the %s, not on cuda; evaluation runs on %s\n", placement.cause.c_str(),
                 host_train_device_name(cfg.threads).c_str(), backend.device_name().c_str());
  }

  TrainOptions options;
  options.resume = run_options.resume;
  options.history = run_options.history;
  options.init = run_options.init;
  options.teacher = run_options.teacher;
  RunDirectory run(cfg.out, cfg.overwrite, "--out", "run", options.resume != nullptr);
  save_id_maps(data, run.file(""));
  std::ofstream jsonl(run.file("metrics.jsonl"));
  run.mark();
  for (const EvalPoint& point : options.history) jsonl << eval_point_json(point).dump(-1) << '\n';
  if (options.resume) {
    std::fprintf(stderr, "resume %s from epoch %d, batch %lld, to epoch %d; writing back into %s\n",
                 method_name(cfg.method), options.resume->epochs_done,
                 static_cast<long long>(options.resume->epoch_batches_done), cfg.epochs, cfg.out.c_str());
  } else {
    // A session model's layers are its GRU sizes, not propagation steps.
    const std::string layers = is_session_method(cfg.method) ? "GRU layers " + format_layer_sizes(cfg.session.hidden)
                                                             : "L=" + std::to_string(cfg.layers);
    std::fprintf(stderr, "train %s on %s: %s, d=%d, %s, batch %d, lr %g; writing %s\n", method_name(cfg.method),
                 backend.device_name().c_str(), plural(cfg.epochs, "epoch").c_str(), cfg.dim, layers.c_str(), cfg.batch,
                 cfg.lr, cfg.out.c_str());
    if (options.init) std::fprintf(stderr, "starting from the parameters of %s\n", cfg.init_from.c_str());
    if (cfg.warmup_epochs > 0) {
      std::fprintf(stderr, "epochs 1-%d: BPR on the real-valued embeddings (batch %d); then %s at lr %g\n",
                   cfg.warmup_epochs, cfg.batch, method_name(cfg.method), cfg.lr_after_warmup);
    }
  }

  if (interrupt_requested()) throw ExitRequest{interrupt_exit_code()};
  options.should_stop = [] { return interrupt_requested(); };
  // The staging folder always holds the latest checkpoint: a run killed
  // outright (SIGKILL, the out-of-memory killer, a power cut) loses at most
  // an epoch or --checkpoint-every, and `train --resume` finds it there.
  options.checkpoint_seconds = run_options.checkpoint_minutes * 60.0;
  options.on_checkpoint = [&](const ModelState& state, const std::vector<EvalPoint>& evals) {
    save_checkpoint(run.file("checkpoint.bin"), Checkpoint{cfg, state, evals});
    run.mark();
  };
  result.summary = train_model(backend, data, cfg, [&](const EvalPoint& point) {
    jsonl << eval_point_json(point).dump(-1) << '\n';
    jsonl.flush();
  }, options);
  release_interrupt();
  jsonl.close();
  if (!jsonl) throw InputError(run.file("metrics.jsonl") + ": write failed");

  const TrainSummary& summary = result.summary;
  save_checkpoint(run.file("checkpoint.bin"), Checkpoint{cfg, summary.state, summary.evals});
  Json& report = result.report;
  report = build_report(data, cfg, backend, summary);
  report["memory"]["estimate_bytes"] =
      Json(memory.device_total() + (backend.name() == "cuda" ? 0 : memory.host_copies));
  report["memory"]["host_peak_bytes"] = Json(peak_host_bytes());
  write_file_atomic(run.file("report.json"), report.dump(2) + "\n");
  result.folder = run.commit();
  return result;
}

}  // namespace bitrec::cli

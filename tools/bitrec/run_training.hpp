// One training run into one run folder, the way `bitrec train` does it:
// memory check, staging folder, metrics.jsonl as it goes, checkpoint.bin and
// report.json, then the folder moved into place. `train` and `compare` both
// call train_run_folder, so a compare row is exactly a `train` run.
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/memory_estimate.hpp"
#include "bitrec/trainer.hpp"
#include "io/json_writer.hpp"

namespace bitrec::cli {

// Ctrl-C while a run trains: the first SIGINT or SIGTERM asks the trainer to
// stop at the next batch boundary (train_run_folder then still writes the
// checkpoint); a second one kills as usual. catch_interrupt() clears the request and
// installs the handler; train_run_folder puts the previous handler back as
// soon as training returns, so a Ctrl-C while files are written kills.
void catch_interrupt();
void release_interrupt();
bool interrupt_requested();
// 128 + the stop signal's number (130 for SIGINT, 143 for SIGTERM), the
// status a shell gives a process that signal killed.
int interrupt_exit_code();

// Refuses (InputError naming --max-memory) a run whose estimated memory
// exceeds max_memory (empty: what the backend reports free), before anything
// is allocated or written. log: where the estimate line goes (nullptr: quiet).
MemoryEstimate check_memory(const TrainConfig& config, const Dataset& data, const Backend& backend,
                            const std::string& max_memory, std::FILE* log);

struct RunFolderOptions {
  std::string max_memory;             // --max-memory; empty: free memory of the device
  const ModelState* resume = nullptr;  // continue this state (a checkpoint's) ...
  std::vector<EvalPoint> history;      // ... with the evaluations made before it
  const ModelState* init = nullptr;    // a fresh run's start (--init-from)
  const Checkpoint* teacher = nullptr;  // --distill-from's run, read and checked (TrainOptions::teacher)
  // Inside an epoch, a checkpoint at the first batch boundary this long
  // after the last one (every epoch's end always writes one); 0: epoch ends only.
  double checkpoint_minutes = 10.0;
};

// What a run left in its folder, and the backend it ran on.
struct TrainedRun {
  TrainConfig config;
  TrainSummary summary;
  Json report;  // report.json as written
  std::unique_ptr<Backend> backend;
  // Where the run folder is now: config.out resolved, or a unique sibling
  // when --out changed while the run trained (RunDirectory::commit).
  std::string folder;
};

// Trains `config` (resolved; config.out = the run folder, config.overwrite
// as --overwrite) on `data` (validation already carved) and commits the run
// folder. A stopped run (Ctrl-C, non-finite values) is committed too, with
// its status in report.json: the caller decides what that means
// (summary.stop). Throws InputError for a refused folder or memory limit,
// ExitRequest{130} for a Ctrl-C before training started (nothing written).
TrainedRun train_run_folder(const Dataset& data, const TrainConfig& config, const RunFolderOptions& options);

}  // namespace bitrec::cli

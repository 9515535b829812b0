// The training loop (docs/training.md "One batch"): per epoch, sample triples, and
// per batch propagate → (hash) → BPR → backward → Adam; evaluate every
// --eval-every epochs and at the last one.
#pragma once
#include <functional>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/evaluate_modes.hpp"
#include "bitrec/evaluator.hpp"
#include "bitrec/model.hpp"

namespace bitrec {

struct EvalPoint {
  int epoch = 0;               // epochs completed
  double train_seconds = 0.0;  // cumulative training time (evaluation excluded)
  double eval_seconds = 0.0;   // time of this evaluation
  double loss = 0.0;           // mean batch loss of the last epoch
  ModeMetrics test;
  ModeMetrics valid;           // empty without a validation split
  bool hashed = false;
  CodeHealth codes;            // hashed methods
};

enum class TrainStop {
  kFinished,     // every epoch ran
  kInterrupted,  // TrainOptions::interrupt was set: stopped at a batch boundary
  kNonFinite,    // NaN/Inf in the loss or the parameters: state = the last good epoch
};

struct TrainSummary {
  ModelState state;               // final (or where the run stopped, see stop)
  std::vector<EvalPoint> evals;   // in epoch order; for a finished run the last one is the final state
  int best = -1;                  // index into evals
  std::string best_selected_on;   // "valid" | "test"
  double train_seconds = 0.0;
  double eval_seconds = 0.0;
  TrainStop stop = TrainStop::kFinished;
  std::string stop_message;       // what stopped the run, where (not kFinished)
};

struct Checkpoint;  // bitrec/checkpoint.hpp, which includes this header

// How train_model starts and when it stops early.
struct TrainOptions {
  const ModelState* resume = nullptr;  // continue from this state (bitrec train --resume)
  std::vector<EvalPoint> history;      // the evaluations made before `resume`
  // A fresh run's starting parameters instead of the seeded initialisation
  // (--init-from: warm_start_state); ignored when resuming.
  const ModelState* init = nullptr;
  // --distill-from's run, already read and checked by the caller
  // (load_teacher_checkpoint); null: the trainer reads config.distill_from.
  const Checkpoint* teacher = nullptr;
  // Asked at every batch boundary; true stops the run there (Ctrl-C).
  std::function<bool()> should_stop;
  // Called with the state and the evaluations so far after every epoch and,
  // inside an epoch, at the first batch boundary `checkpoint_seconds` after
  // the last call (0: epoch ends only), so a killed run loses at most that
  // much. A run continued from such a state ends bit for bit as the
  // uninterrupted one.
  std::function<void(const ModelState&, const std::vector<EvalPoint>&)> on_checkpoint;
  double checkpoint_seconds = 0.0;
};

struct EpochOutcome {
  bool complete = false;     // the epoch's last batch ran
  double mean_loss = 0.0;    // complete epochs: mean batch loss
  int64_t batches_done = 0;  // batches of the epoch applied so far
  std::string non_finite;    // non-empty: the loss went NaN/Inf, and which tensor first
};

// One training run's resident state, one epoch at a time (the bench times
// epochs with it; train_model drives it).
class EpochRunner {
 public:
  // Builds the graph on the backend and initialises the model from the seed,
  // or from `start` (a checkpoint's state, possibly stopped inside an epoch).
  // `teacher`: as TrainOptions::teacher.
  EpochRunner(Backend& backend, const Dataset& data, const TrainConfig& config,
              const ModelState* start = nullptr, const Checkpoint* teacher = nullptr);
  ~EpochRunner();
  // Runs epoch `epoch` (0-based; must be the next one) and returns its mean
  // batch loss; throws std::runtime_error on a non-finite loss.
  double run_epoch(int epoch);
  // Runs the rest of the current epoch, stopping early at a batch boundary
  // when should_stop() says so or when the loss turns non-finite.
  EpochOutcome continue_epoch(const std::function<bool()>& should_stop);
  int epochs_done() const;
  // E, signs and codes of the current parameters.
  ModelOutputs outputs() const;
  // Downloads parameters and optimiser state.
  ModelState state() const;
  // Batches of the current epoch (the next one to run, or the one stopped
  // inside).
  int64_t batches_per_epoch() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Trains from a fresh initialisation or options.resume. on_eval is called
// after every evaluation (the caller appends metrics.jsonl there).
TrainSummary train_model(Backend& backend, const Dataset& data, const TrainConfig& config,
                         const std::function<void(const EvalPoint&)>& on_eval,
                         const TrainOptions& options = {});

}  // namespace bitrec

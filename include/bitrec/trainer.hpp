// The training loop (design.md "Data flow"): per epoch, sample triples, and
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
#include "bitrec/evaluator.hpp"
#include "bitrec/model.hpp"

namespace bitrec {

// Metrics by retrieval mode: "real" -> {"recall@20": …}, "hamming" -> ….
using ModeMetrics = std::map<std::string, MetricMap>;

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

struct TrainSummary {
  ModelState state;               // final
  std::vector<EvalPoint> evals;   // in epoch order; the last one is the final state
  int best = -1;                  // index into evals
  std::string best_selected_on;   // "valid" | "test"
  double train_seconds = 0.0;
  double eval_seconds = 0.0;
};

// Modes evaluated for a method: hashed methods "hamming" then "real"; lightgcn "real".
std::vector<RetrievalMode> modes_for(Method method);
// The mode whose recall@K picks the best epoch.
RetrievalMode primary_mode(Method method);

// The known interactions of a split dataset: train ∪ valid (excluded from test rankings).
Csr known_interactions(const Dataset& data);

// Evaluates a model (its outputs resident on the backend) in every mode.
ModeMetrics evaluate_outputs(Backend& backend, const ModelOutputs& outputs, const Dataset& data,
                             const Csr& truth, const Csr& exclude, const std::vector<RetrievalMode>& modes,
                             const EvalOptions& base);

// One training run's resident state, one epoch at a time (the bench times
// epochs with it; train_model drives it).
class EpochRunner {
 public:
  // Builds the graph on the backend, initialises the model from the seed.
  EpochRunner(Backend& backend, const Dataset& data, const TrainConfig& config);
  ~EpochRunner();
  // Runs epoch `epoch` (0-based) and returns its mean batch loss.
  double run_epoch(int epoch);
  // E, signs and codes of the current parameters.
  ModelOutputs outputs() const;
  // Downloads parameters and optimiser state.
  ModelState state() const;
  int64_t batches_per_epoch() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Trains from a fresh initialisation. on_eval is called after every evaluation
// (the caller appends metrics.jsonl there).
TrainSummary train_model(Backend& backend, const Dataset& data, const TrainConfig& config,
                         const std::function<void(const EvalPoint&)>& on_eval);

}  // namespace bitrec

// Evaluation of a model in every retrieval mode of its method (docs/evaluation.md):
// what the trainer, `bitrec eval`, `compare` and the bench share.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/config.hpp"
#include "bitrec/csr.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/evaluator.hpp"
#include "bitrec/model.hpp"

namespace bitrec {

// Metrics by retrieval mode: "real" -> {"recall@20": …}, "hamming" -> ….
using ModeMetrics = std::map<std::string, MetricMap>;

// Modes evaluated for a method: hashed methods "hamming", "real" then "hier"
// (R = default_rerank(kmax)); lightgcn "real".
std::vector<RetrievalMode> modes_for(Method method);
// The mode whose recall@K picks the best epoch.
RetrievalMode primary_mode(Method method);

// The known interactions of a split dataset: train ∪ valid (excluded from test rankings).
Csr known_interactions(const Dataset& data);

// Evaluates a model (its outputs resident on the backend) in every mode.
ModeMetrics evaluate_outputs(Backend& backend, const ModelOutputs& outputs, const Dataset& data,
                             const Csr& truth, const Csr& exclude, const std::vector<RetrievalMode>& modes,
                             const EvalOptions& base);

}  // namespace bitrec

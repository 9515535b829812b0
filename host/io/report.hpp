// report.json and metrics.jsonl (docs/contract.md "Files of a run").
#pragma once
#include <string>

#include "bitrec/backend.hpp"
#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/trainer.hpp"
#include "json_writer.hpp"

namespace bitrec {

// One metrics.jsonl line.
Json eval_point_json(const EvalPoint& point);

Json dataset_json(const Dataset& data);

// Where a run's parameters train: the backend's device name, or
// "host (OpenMP, N threads)" for a method that trains on the host
// (report.json's train_device).
std::string train_device_name(const TrainConfig& config, const Backend& backend);

// The whole report of a finished run.
Json build_report(const Dataset& data, const TrainConfig& config, const Backend& backend,
                  const TrainSummary& summary);

}  // namespace bitrec

// `bitrec compare` reuses finished runs by their report.json; a report can
// be hand-edited or damaged. check_run_report holds it against a schema and
// against the run's checkpoint.bin (CRC-protected: its config, state and the
// evaluations it made); report_from_checkpoint rebuilds the figures from the
// checkpoint when the two disagree (docs/compare.md).
#pragma once
#include <string>

#include "bitrec/checkpoint.hpp"
#include "flat_json.hpp"
#include "io/json_writer.hpp"

namespace bitrec::cli {

// Whether the checkpoint holds a finished run: every epoch done, no batch of
// a next one.
bool checkpoint_finished(const Checkpoint& ck);

// "" when the report of a finished run is sound; else what is wrong with
// it, e.g. "metrics.hamming.recall@20 is 0.99999, its checkpoint's
// evaluation 0.1322". Checks: the keys compare reads are there; numbers are
// finite; metrics lie in [0, 1]; method, epochs, bits and config agree with
// the checkpoint; final and best-epoch metrics equal the evaluations stored
// in the checkpoint.
std::string check_run_report(const FlatJson& report, const Checkpoint& ck);

// The run's report rebuilt from its checkpoint: the final metrics
// re-evaluated from its state (as `bitrec eval` does), the best epoch and
// its metrics from the evaluations it stored, the dataset as loaded now.
// Throws InputError when the run cannot be loaded (data missing or changed).
Json report_from_checkpoint(const std::string& run_dir, const std::string& device, int threads);

}  // namespace bitrec::cli

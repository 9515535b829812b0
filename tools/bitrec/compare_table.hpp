// compare.json and compare.md: one row per run, every number read from the
// run's own report.json, so the table says exactly what the runs say.
#pragma once
#include <string>
#include <vector>

#include "compare_plan.hpp"
#include "flat_json.hpp"
#include "io/json_writer.hpp"

namespace bitrec::cli {

struct CompareRow {
  std::string name;        // run folder in --out
  Method method = TrainConfig().method;
  int bits = 0;            // code length; 0: real-valued
  int dim = 0;
  double bytes_per_item = 0.0;
  std::string mode;        // primary retrieval mode: hamming (codes) or real
  FlatJson report;         // the run's report.json
};

// Reads --out/<run>/report.json of every planned run (but those with a
// report_problem: their `report` stays empty).
std::vector<CompareRow> read_compare_rows(const std::vector<PlannedRun>& runs);

// The comparison, machine-readable: protocol, then per run its size, time
// and every final and best-epoch metric of its report.
Json compare_json(const std::vector<CompareRow>& rows, const std::vector<int>& topk);

// The Markdown table (a protocol line above it): method, bits, bytes/item,
// mode, per K final and best recall/ndcg in the primary mode and final hier
// recall, best epoch, seconds per epoch, epochs.
std::string compare_markdown(const std::vector<CompareRow>& rows, const std::vector<int>& topk);

}  // namespace bitrec::cli

namespace bitrec::cli {

// The table `compare` prints in the terminal: one aligned plain-text line per
// run, at most 8 columns and 100 characters wide — method, bits, bytes/item,
// mode, final recall@K and ndcg@K of the first K in the primary mode, best
// epoch, s/epoch — and a line naming compare.md, which has the wide table.
std::string compare_terminal_table(const std::vector<CompareRow>& rows, const std::vector<int>& topk,
                                   const std::string& md_path);

}  // namespace bitrec::cli

// bitrec export: a trained run's codes, embeddings, id maps, FAISS index and
// optionally every user's top-K, as files other stacks read (docs/serving.md).
#pragma once
#include <string>
#include <vector>

#include "bitrec/recommend.hpp"
#include "bitrec/served_model.hpp"

namespace bitrec {

struct ExportOptions {
  bool codes = true;
  bool embeddings = true;
  bool topk = false;
  RankingOptions ranking;  // for topk.tsv
};

// Parses --what "codes,embeddings,topk" (any non-empty subset) into options.
void parse_export_what(const std::string& what, ExportOptions& options);

struct ExportSummary {
  std::vector<std::string> files;  // names written, in order
  std::vector<std::string> notes;  // what was asked and not written, and why
};

// Writes the export into the existing folder `dir` (a staging folder: the
// caller moves it into place only when this returns). Throws InputError when
// codes are asked of a run whose bits are not a multiple of 8.
ExportSummary write_export(ServedModel& model, const std::string& dir, const ExportOptions& options);

// Runs write_export into a staging folder beside `out` and moves it into
// place: a failure leaves `out` as it was. `out` must be absent, empty, or
// hold an earlier export (export.json) and `overwrite`; a run folder or any
// other content is refused.
ExportSummary export_model(ServedModel& model, const std::string& out, bool overwrite, const ExportOptions& options);

}  // namespace bitrec

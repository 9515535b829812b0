// Names of the retrieval modes as the CLI and report.json spell them
// (docs/contract.md: metrics.<mode>.<metric>@<K>).
#include "bitrec/error.hpp"
#include "bitrec/evaluator.hpp"

namespace bitrec {

const char* retrieval_mode_name(RetrievalMode mode) {
  switch (mode) {
    case RetrievalMode::kReal:
      return "real";
    case RetrievalMode::kHamming:
      return "hamming";
    case RetrievalMode::kHier:
      return "hier";
  }
  return "unknown";
}

RetrievalMode parse_retrieval_mode(const std::string& name) {
  if (name == "real") return RetrievalMode::kReal;
  if (name == "hamming") return RetrievalMode::kHamming;
  if (name == "hier") return RetrievalMode::kHier;
  throw InputError("unknown retrieval mode '" + name + "' (allowed: real, hamming, hier)");
}

}  // namespace bitrec

// Human-readable metric tables for the terminal.
#pragma once
#include <string>

#include "bitrec/evaluate_modes.hpp"

namespace bitrec::cli {

// One row per (mode, K): recall, ndcg, ndcg_hit and, for Hamming, the
// tie-aware values.
std::string format_metrics_table(const ModeMetrics& metrics, const std::vector<int>& topk);

}  // namespace bitrec::cli

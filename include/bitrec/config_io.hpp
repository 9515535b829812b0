// TrainConfig as ordered (option, value) text pairs: stored in checkpoints,
// written to report.json's "config", and read back by `bitrec eval`.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "bitrec/config.hpp"

namespace bitrec {

using ConfigEntries = std::vector<std::pair<std::string, std::string>>;

ConfigEntries config_to_entries(const TrainConfig& config);
// Unknown keys are an error naming the key (a checkpoint from a newer bitrec).
TrainConfig config_from_entries(const ConfigEntries& entries);

std::string format_topk(const std::vector<int>& topk);       // "20,50,100"
std::vector<int> parse_topk(const std::string& text);         // throws InputError

}  // namespace bitrec

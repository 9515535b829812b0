// The --data family of options, shared by train, eval, info and bench.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "bitrec/dataset.hpp"

namespace bitrec::cli {

struct DataArgs {
  std::string data = "synthetic";
  LoadOptions load;
  bool allow_changed_data = false;  // --allow-changed-data (eval, export, train --resume)
};

// with_default: false for eval, where --data defaults to the run's own data.
void add_data_options(CLI::App* cmd, DataArgs& args, bool with_default = true);

// --allow-changed-data: commands that load a saved run's data refuse it when
// it differs from what the run trained on (docs/training.md), unless given.
void add_allow_changed_data_flag(CLI::App* cmd, bool& allow);

// The name used in default --out folders: "gowalla", "synthetic", ...
std::string dataset_label(const Dataset& data);

void print_dataset_summary(const Dataset& data);

}  // namespace bitrec::cli

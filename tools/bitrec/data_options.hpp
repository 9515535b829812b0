// The --data family of options, shared by train, eval, info and bench.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "bitrec/dataset.hpp"

namespace bitrec::cli {

struct DataArgs {
  std::string data = "synthetic";
  LoadOptions load;
};

// with_default: false for eval, where --data defaults to the run's own data.
void add_data_options(CLI::App* cmd, DataArgs& args, bool with_default = true);

// The name used in default --out folders: "gowalla", "synthetic", ...
std::string dataset_label(const Dataset& data);

void print_dataset_summary(const Dataset& data);

}  // namespace bitrec::cli

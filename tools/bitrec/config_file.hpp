// --config FILE for `bitrec train`: a TOML/INI file whose keys are train's
// long option names (at top level or under [train]). CLI11 reads config files
// only for the top-level app, so the file's values are turned into
// command-line arguments; options given on the command line win.
#pragma once
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace bitrec::cli {

// Returns args with the config file's options inserted (if `--config` is among
// them); throws InputError naming the file and the unknown key.
std::vector<std::string> expand_config_file(const CLI::App& subcommand, const std::vector<std::string>& args);

}  // namespace bitrec::cli

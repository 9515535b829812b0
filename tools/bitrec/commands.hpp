// Subcommands of the bitrec CLI. Each add_* registers its options on the app
// and a callback that runs the command; errors propagate as exceptions and
// main() turns them into a message and a non-zero exit.
#pragma once
#include <CLI/CLI.hpp>

namespace bitrec::cli {

void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_query_command(CLI::App& app);
void add_compare_command(CLI::App& app);

}  // namespace bitrec::cli

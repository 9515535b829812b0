// bitrec: train, evaluate and benchmark learning-to-hash graph recommenders.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>
#include <exception>

#include "bitrec/backend_factory.hpp"
#include "bitrec/error.hpp"
#include "commands.hpp"
#include "config_file.hpp"

int main(int argc, char** argv) {
  CLI::App app{"bitrec: learning-to-hash graph recommenders, trained and evaluated exactly"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print the version and the backends built in");
  bitrec::cli::add_train_command(app);
  bitrec::cli::add_eval_command(app);
  bitrec::cli::add_info_command(app);
  bitrec::cli::add_bench_command(app);
  bitrec::cli::add_export_command(app);
  bitrec::cli::add_query_command(app);
  bitrec::cli::add_compare_command(app);
  try {
    // CLI11 parses arguments from the back of the vector.
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args.front() == "train") {
      args = bitrec::cli::expand_config_file(*app.get_subcommand("train"), args);
    }
    std::reverse(args.begin(), args.end());
    app.parse(args);
    if (version) {
      std::printf("bitrec %s\nbackends: cpu%s\n", BITREC_VERSION, bitrec::cuda_built() ? " cuda" : "");
      return 0;
    }
    if (app.get_subcommands().empty()) {
      std::fputs(app.help().c_str(), stdout);
      return 0;
    }
  } catch (const CLI::ParseError& e) {
    // --help and friends: CLI11 prints them (rc 0). Every other parse error
    // (unknown option, bad or missing value, a range check of
    // flag_checks.hpp) is a usage error like any other: prefix and rc 2.
    const std::string name = e.get_name();
    if (name == "CallForHelp" || name == "CallForAllHelp" || name == "CallForVersion" ||
        e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);
    }
    std::string command = "bitrec";
    for (const CLI::App* sub : app.get_subcommands()) command += " " + sub->get_name();
    std::fprintf(stderr, "bitrec: error: %s\n(see %s --help)\n", e.what(), command.c_str());
    return 2;
  } catch (const bitrec::ExitRequest& e) {
    return e.code;
  } catch (const bitrec::InputError& e) {
    std::fprintf(stderr, "bitrec: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bitrec: error: %s\n", e.what());
    return 1;
  }
  return 0;
}

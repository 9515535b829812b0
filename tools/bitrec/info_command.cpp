// bitrec info: dataset statistics.
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "data_options.hpp"

namespace bitrec::cli {
namespace {

void print_quantiles(const char* what, const std::vector<double>& q) {
  static const char* names[] = {"min", "p25", "p50", "p75", "p90", "p99", "max"};
  std::printf("%-13s", what);
  for (size_t i = 0; i < q.size() && i < 7; ++i) std::printf(" %s %g", names[i], q[i]);
  std::printf("\n");
}

void run_info(const DataArgs& args) {
  const Dataset data = load_dataset(args.data, args.load);
  const DatasetStats s = compute_stats(data);
  std::printf("dataset       %s (%s)\n", data.name.c_str(), data.source.c_str());
  std::printf("users         %d (%d without train items, %d with test items)\n", s.users, s.users_without_train,
              s.users_with_test);
  std::printf("items         %d (%d without train items)\n", s.items, s.items_without_train);
  std::printf("train         %lld\n", static_cast<long long>(s.train));
  std::printf("test          %lld\n", static_cast<long long>(s.test));
  std::printf("density       %.6f\n", s.density);
  print_quantiles("user degree", s.user_degree_quantiles);
  print_quantiles("item degree", s.item_degree_quantiles);
  std::printf("duplicates    %lld train, %lld test (dropped)\n", static_cast<long long>(data.duplicate_train),
              static_cast<long long>(data.duplicate_test));
  std::printf("overlap       %lld test pairs also in train\n", static_cast<long long>(data.overlap));
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto args = std::make_shared<DataArgs>();
  CLI::App* cmd = app.add_subcommand("info", "Print dataset statistics");
  add_data_options(cmd, *args);
  cmd->callback([args] { run_info(*args); });
}

}  // namespace bitrec::cli

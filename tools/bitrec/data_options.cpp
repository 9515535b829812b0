#include "data_options.hpp"

#include <cstdio>

#include "bitrec/plural.hpp"
#include "flag_checks.hpp"

namespace bitrec::cli {

void add_data_options(CLI::App* cmd, DataArgs& args, bool with_default) {
  auto* data = cmd->add_option("--data", args.data,
                               "DIR with train.txt/test.txt (LightGCN format), FILE.csv/.tsv with a header, session data (a "
                               "session file, a sequence file, DIR with train.tsv/test.tsv), "
                               "or synthetic[:users=U,items=I,clusters=C,per_user=P,test_frac=F,seed=S]");
  if (with_default) data->capture_default_str();
  cmd->add_option("--user-col", args.load.user_column, "CSV/TSV: header name of the user column")
      ->capture_default_str();
  cmd->add_option("--item-col", args.load.item_column, "CSV/TSV: header name of the item column (session files: ItemId unless given)")
      ->capture_default_str();
  cmd->add_option("--session-col", args.load.sessions.session_column, "Session file: header name of the session column")
      ->capture_default_str();
  cmd->add_option("--time-col", args.load.sessions.time_column,
                  "Session file: header name of the time column (\"A,B\": B orders events of equal A)")
      ->capture_default_str();
  cmd->add_option("--test-days", args.load.sessions.test_days,
                  "Session file: sessions ending in the last N days form test (and validation, from train)")
      ->capture_default_str()
      ->check(real_in(0, 1e6, /*lo_open=*/true));
  cmd->add_option("--users", args.load.n_users, "Declared number of users (ids must be below it)")
      ->check(whole_in(1, kMaxCount));
  cmd->add_option("--items", args.load.n_items, "Declared number of items (ids must be below it)")
      ->check(whole_in(1, kMaxCount));
}

void add_allow_changed_data_flag(CLI::App* cmd, bool& allow) {
  cmd->add_flag("--allow-changed-data", allow,
                "Use the data even though its files differ from what the run trained on (a warning instead of "
                "an error)");
}

std::string dataset_label(const Dataset& data) { return data.name.empty() ? "data" : data.name; }

void print_dataset_summary(const Dataset& data) {
  std::fprintf(stderr, "data %s: %s, %s, %lld train, %lld test", data.name.c_str(),
               plural(data.n_users, "user").c_str(), plural(data.n_items, "item").c_str(),
               static_cast<long long>(data.train.nnz()), static_cast<long long>(data.test.nnz()));
  if (data.valid.nnz() > 0) std::fprintf(stderr, ", %lld valid", static_cast<long long>(data.valid.nnz()));
  std::fprintf(stderr, "\n");
  if (data.duplicate_train + data.duplicate_test > 0) {
    std::fprintf(stderr, "note: dropped %lld duplicate train and %lld duplicate test pairs\n",
                 static_cast<long long>(data.duplicate_train), static_cast<long long>(data.duplicate_test));
  }
  if (data.overlap > 0) {
    std::fprintf(stderr, "note: %lld test pairs are also train pairs (kept in test; never rankable)\n",
                 static_cast<long long>(data.overlap));
  }
}

}  // namespace bitrec::cli

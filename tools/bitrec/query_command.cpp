// bitrec query: the top-K of one user, many users, or a new user given by its
// items, from a saved run (docs/serving.md).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "bitrec/error.hpp"
#include "bitrec/recommend.hpp"
#include "bitrec/served_model.hpp"
#include "bitrec/session_recommend.hpp"
#include "commands.hpp"
#include "flag_checks.hpp"
#include "data_options.hpp"
#include "io/json_writer.hpp"

namespace bitrec::cli {
namespace {

struct QueryArgs {
  std::string model;
  std::string user;
  std::string users_file;
  std::string items;  // cold start: "ID,ID,..."
  int k = 20;
  std::string mode;   // empty: hamming for hashed methods, real otherwise
  int rerank = 500;
  bool json = false;
  std::string data;  // empty: the run's own data
  bool allow_changed_data = false;
  std::string device = "auto";
  int threads = 0;
};

std::string trim(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// One external id per line; blank lines are skipped.
std::vector<int32_t> read_users_file(const ServedModel& model, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("--users " + path + ": cannot open");
  std::vector<int32_t> users;
  std::string line;
  for (long long number = 1; std::getline(in, line); ++number) {
    const std::string id = trim(line);
    if (!id.empty()) users.push_back(model.find_user(id, at_line(path, number, "--users")));
  }
  if (users.empty()) throw InputError("--users " + path + ": holds no user id");
  return users;
}

std::vector<int32_t> parse_items(const ServedModel& model, const std::string& list) {
  std::vector<int32_t> items;
  std::stringstream in(list);
  std::string part;
  while (std::getline(in, part, ',')) {
    const std::string id = trim(part);
    if (!id.empty()) items.push_back(model.find_item(id, "--items"));
  }
  if (items.empty()) throw InputError("--items: give at least one item id (ID,ID,...)");
  return items;
}

// JSON written by hand: Json's numbers are doubles printed with 17 digits,
// which would show float scores as 0.097328960899999997 instead of the
// float's shortest form.
std::string string_list(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + json_escape(values[i]);
  return out + "]";
}

std::string results_json(const ServedModel& model, const TopK& top, const std::vector<std::string>& labels,
                         const std::vector<std::string>& given_items, const RankingOptions& ranking) {
  std::string out = "{\n  \"mode\": \"" + std::string(serve_mode_name(ranking.mode)) +
                    "\",\n  \"k\": " + std::to_string(ranking.k) + ",\n  \"results\": [";
  for (int64_t row = 0; row < top.n_users; ++row) {
    std::vector<std::string> items;
    std::string scores = "[";
    for (int r = 0; r < top.k; ++r) {
      const int32_t item = top.items[row * top.k + r];
      if (item < 0) break;
      items.push_back(model.item_label(item));
      const float score = top.scores[row * top.k + r];
      // JSON has no NaN or infinity (a diverged model's inner products).
      scores += (r ? ", " : "") + (std::isfinite(score) ? format_score(score, ranking.mode) : std::string("null"));
    }
    out += row ? ",\n    {" : "\n    {";
    if (given_items.empty()) {
      out += "\"user\": " + json_escape(labels[row]);
    } else {
      out += "\"user\": null, \"from_items\": " + string_list(given_items);  // a new user has no id
    }
    out += ",\n     \"items\": " + string_list(items) + ",\n     \"scores\": " + scores + "]}";
  }
  return out + "\n  ]\n}\n";
}

void run_query(const QueryArgs& args) {
  const int given = !args.user.empty() + !args.users_file.empty() + !args.items.empty();
  if (given != 1) throw InputError("query: give exactly one of --user ID, --users FILE or --items ID,ID,...");
  ServeLoadOptions load;
  load.data = args.data;  // read with the run's own column names and declared counts
  load.allow_changed_data = args.allow_changed_data;
  load.backend.device = args.device;
  load.backend.threads = args.threads;
  RankingOptions ranking;
  ranking.k = args.k;
  ranking.rerank = args.rerank;
  check_ranking_options(ranking);  // before the (slow) load
  const std::unique_ptr<ServedModel> model = load_served_model(args.model, load);
  ranking.mode = args.mode.empty() ? default_serve_mode(*model) : parse_serve_mode(args.mode, *model, "--mode");
  // A list longer than the catalogue has nothing more to show (and would
  // allocate users x k): capped at the items, with a note.
  ranking.k = cap_at_items(ranking.k, model->data.n_items, "-k");
  // R past every item re-ranks nothing more (the default is kept as given).
  ranking.rerank = std::min(ranking.rerank, std::max(model->data.n_items, RankingOptions{}.rerank));

  std::vector<std::string> labels;  // the user column of each row
  std::vector<std::string> given_items;
  TopK top;
  if (model->data.sessions) {
    // A session model: --items is a session (its items in order), --user a
    // session id of the data; the top-K are its next items.
    std::vector<std::vector<int32_t>> sessions;
    if (!args.items.empty()) {
      sessions.push_back(parse_items(*model, args.items));
      for (int32_t item : sessions.back()) given_items.push_back(model->item_label(item));
      labels.push_back("new");
    } else {
      const std::vector<int32_t> rows = args.user.empty() ? read_users_file(*model, args.users_file)
                                                          : std::vector<int32_t>{model->find_user(args.user, "--user")};
      for (int32_t row : rows) {
        sessions.push_back(session_items(model->data, row));
        labels.push_back(model->user_label(row));
      }
    }
    top = recommend_sessions(*model, sessions, ranking);
  } else if (!args.items.empty()) {
    const std::vector<int32_t> items = parse_items(*model, args.items);
    for (int32_t item : items) given_items.push_back(model->item_label(item));
    top = recommend_new_user(*model, items, ranking);
    labels.push_back("new");
  } else {
    const std::vector<int32_t> users =
        args.user.empty() ? read_users_file(*model, args.users_file) : std::vector<int32_t>{model->find_user(args.user, "--user")};
    top = recommend_users(*model, users, ranking);
    for (int32_t u : users) labels.push_back(model->user_label(u));
  }

  if (args.json) {
    std::fputs(results_json(*model, top, labels, given_items, ranking).c_str(), stdout);
    return;
  }
  std::string text = kTopkHeader;
  for (int64_t row = 0; row < top.n_users; ++row) append_topk_rows(text, labels[row], top, row, ranking.mode, *model);
  std::fputs(text.c_str(), stdout);
}

}  // namespace

void add_query_command(CLI::App& app) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* cmd = app.add_subcommand("query", "Top-K recommendations of a saved run for users by external id");
  cmd->add_option("--model", args->model, "Run folder holding checkpoint.bin")->required();
  cmd->add_option("--user", args->user, "External id of the user");
  cmd->add_option("--users", args->users_file, "File with one external user id per line");
  cmd->add_option("--items", args->items,
                  "Cold start: a new user's items, ID,ID,... (folded in, docs/serving.md); session models: a "
                  "session's items in order, whose next items are ranked (docs/sessions.md)");
  cmd->add_option("-k", args->k, "List length (at most the number of items)")
      ->capture_default_str()
      ->check(whole_in(1, kMaxInt));
  cmd->add_option("--mode", args->mode, "hamming, real or hier (default: hamming for hashed methods, else real)");
  cmd->add_option("--rerank", args->rerank, "hier: Hamming candidates re-ranked by inner product")
      ->capture_default_str()
      ->check(whole_in(1, kMaxInt));
  cmd->add_flag("--json", args->json, "Print JSON instead of user/rank/item/score rows");
  // Only --data: --users / --items mean a users file and a cold-start list here.
  cmd->add_option("--data", args->data, "The run's data at another path (default: the run's own --data)");
  add_allow_changed_data_flag(cmd, args->allow_changed_data);
  cmd->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--threads", args->threads, "CPU threads (0 = all cores)")->check(whole_in(0, kMaxThreads));
  cmd->callback([args] { run_query(*args); });
}

}  // namespace bitrec::cli

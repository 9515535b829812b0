// bitrec export: a saved run's codes, embeddings, FAISS index, id maps and
// optionally every user's top-K, as files (docs/serving.md).
#include <algorithm>
#include <cstdio>
#include <memory>

#include "bitrec/model_export.hpp"
#include "bitrec/plural.hpp"
#include "bitrec/error.hpp"
#include "bitrec/served_model.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "flag_checks.hpp"

namespace bitrec::cli {
namespace {

struct ExportArgs {
  std::string model;
  std::string out;
  std::string what = "codes,embeddings";
  int k = 20;
  std::string mode;  // empty: hamming for hashed methods, real otherwise
  int rerank = 500;
  bool overwrite = false;
  DataArgs data;
  std::string device = "auto";
  int threads = 0;
};

void run_export(const ExportArgs& args) {
  ExportOptions options;
  parse_export_what(args.what, options);  // before the (slow) load: a typo fails at once
  ServeLoadOptions load;
  load.data = args.data.data;
  load.load = args.data.load;
  load.allow_changed_data = args.data.allow_changed_data;
  load.backend.device = args.device;
  load.backend.threads = args.threads;
  const std::unique_ptr<ServedModel> model = load_served_model(args.model, load);

  // A list longer than the catalogue has nothing more to show (and would
  // allocate users x k): capped at the items, with a note.
  options.ranking.k = options.topk ? cap_at_items(args.k, model->data.n_items, "-k") : args.k;
  // R past every item re-ranks nothing more (the default is kept as given).
  options.ranking.rerank = std::min(args.rerank, std::max(model->data.n_items, RankingOptions{}.rerank));
  options.ranking.mode = args.mode.empty() ? default_serve_mode(*model) : parse_serve_mode(args.mode, *model, "--mode");
  const ExportSummary summary = export_model(*model, args.out, args.overwrite, options);
  for (const std::string& note : summary.notes) std::fprintf(stderr, "note: %s\n", note.c_str());
  std::printf("exported %s (%s, %s, %s) to %s:", args.model.c_str(), method_name(model->config.method),
              plural(model->data.n_users, "user").c_str(), plural(model->data.n_items, "item").c_str(),
              args.out.c_str());
  for (const std::string& file : summary.files) std::printf(" %s", file.c_str());
  std::printf("\n");
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  args->data.data.clear();
  CLI::App* cmd = app.add_subcommand("export", "Write a saved run's codes, embeddings, FAISS index and top-K as files");
  cmd->add_option("--model", args->model, "Run folder holding checkpoint.bin")->required();
  cmd->add_option("--out", args->out, "Folder for the export (created; nothing is left there on failure)")->required();
  cmd->add_option("--what", args->what, "Comma-separated: codes, embeddings, topk")->capture_default_str();
  cmd->add_option("-k", args->k, "topk: list length per user (at most the number of items)")
      ->capture_default_str()
      ->check(whole_in(1, kMaxInt));
  cmd->add_option("--mode", args->mode, "topk: hamming, real or hier (default: hamming for hashed methods, else real)");
  cmd->add_option("--rerank", args->rerank, "hier: Hamming candidates re-ranked by inner product")
      ->capture_default_str()
      ->check(whole_in(1, kMaxInt));
  cmd->add_flag("--overwrite", args->overwrite, "Replace an earlier export in --out");
  add_data_options(cmd, args->data, /*with_default=*/false);
  add_allow_changed_data_flag(cmd, args->data.allow_changed_data);
  cmd->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--threads", args->threads, "CPU threads (0 = all cores)")->check(whole_in(0, kMaxThreads));
  cmd->callback([args] { run_export(*args); });
}

}  // namespace bitrec::cli

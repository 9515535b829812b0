// bitrec compare: train several methods and code lengths on one dataset,
// each as a normal run folder in --out, and tabulate them (compare.md,
// compare.json, compare.png). docs/compare.md.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "bitrec/backend_factory.hpp"
#include "bitrec/checkpoint.hpp"
#include "bitrec/error.hpp"
#include "bitrec/method_spec.hpp"
#include "bitrec/run_directory.hpp"
#include "commands.hpp"
#include "compare_plan.hpp"
#include "compare_report_check.hpp"
#include "compare_table.hpp"
#include "flag_checks.hpp"
#include "run_training.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace bitrec::cli {
namespace {

std::string describe(const PlannedRun& run) {
  const std::string method = method_name(run.config.method);
  if (run.bits == 0) return run.name + " (" + method + ", d=" + std::to_string(run.config.dim) + " floats)";
  return run.name + " (" + method + ", " + std::to_string(run.bits) + "-bit codes)";
}

// Runs argv (argv[0] looked up in PATH) and returns its exit status, -1 when
// it could not start. quiet: its stdout and stderr go to /dev/null.
int run_program(const std::vector<std::string>& args, bool quiet) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (quiet) {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  }
  pid_t pid = 0;
  const int started = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (started != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// tools/compare/plot_compare.py: next to the binary's source tree (build/
// inside the checkout) or where this file was compiled from.
std::string find_plot_script() {
  std::vector<fs::path> candidates;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "tools/compare/plot_compare.py");
  candidates.push_back(fs::path(__FILE__).parent_path().parent_path() / "compare/plot_compare.py");
  for (const fs::path& p : candidates) {
    if (fs::exists(p, ec)) return fs::absolute(p, ec).string();
  }
  return "tools/compare/plot_compare.py";
}

// Draws compare.png with python3 + matplotlib (BITREC_PYTHON picks the
// interpreter). Returns an empty string when drawn, else why not.
std::string draw_plot(const std::string& json_path, const std::string& png_path, const std::string& script,
                      std::string& python_used) {
  std::error_code ec;
  if (!fs::exists(script, ec)) return script + " not found";
  std::vector<std::string> pythons;
  if (const char* chosen = std::getenv("BITREC_PYTHON"); chosen != nullptr && *chosen != '\0') {
    pythons.push_back(chosen);
  } else {
    pythons = {"python3", "/usr/bin/python3"};  // pyenv's python3 often lacks Debian's matplotlib
  }
  python_used.clear();
  for (const std::string& python : pythons) {
    if (run_program({python, "-c", "import matplotlib"}, /*quiet=*/true) == 0) {
      python_used = python;
      break;
    }
  }
  if (python_used.empty()) {
    std::string tried;
    for (const std::string& p : pythons) tried += (tried.empty() ? "" : ", ") + p;
    return "no python3 with matplotlib found (tried " + tried + "; Debian: apt-get install python3-matplotlib)";
  }
  const int status = run_program({python_used, script, json_path, png_path}, /*quiet=*/false);
  if (status != 0) return python_used + " " + script + " failed (exit status " + std::to_string(status) + ")";
  return "";
}

// Removes --out at the end of a failed compare if this compare created it
// and no run was committed into it (fs::remove leaves a non-empty folder).
class CreatedFolder {
 public:
  explicit CreatedFolder(const std::string& dir) : dir_(dir) {
    std::error_code ec;
    created_ = !fs::exists(dir_, ec);
    fs::create_directories(dir_, ec);
    if (ec) throw InputError("--out " + dir_ + ": cannot create: " + ec.message());
  }
  ~CreatedFolder() {
    std::error_code ec;
    if (created_ && !kept_) fs::remove(dir_, ec);
  }
  void keep() { kept_ = true; }

 private:
  std::string dir_;
  bool created_ = false;
  bool kept_ = false;
};

// Every run compare will train must fit before the first one starts.
void check_memory_up_front(const std::vector<PlannedRun>& runs, const Dataset& data, const CompareArgs& args) {
  BackendOptions options;
  options.device = args.device;
  options.threads = args.threads;
  const std::unique_ptr<Backend> backend = make_backend(options);
  for (const PlannedRun& run : runs) {
    if (run.action == RunAction::kReuse) continue;
    try {
      check_memory(run.config, data, *backend, args.max_memory, nullptr);
    } catch (const InputError& e) {
      throw InputError(std::string(e.what()) + " (run " + run.name + ")");
    }
  }
}

// Trains (or resumes) one planned run through train_run_folder, as `bitrec
// train` would; Ctrl-C stops it with a checkpoint and ends the compare.
void train_planned_run(const PlannedRun& run, const Dataset& data, const CompareArgs& args, size_t index,
                       size_t count) {
  RunFolderOptions options;
  options.max_memory = args.max_memory;
  TrainConfig cfg = run.config;
  Checkpoint resumed;
  if (run.action == RunAction::kResume) {
    resumed = load_checkpoint((fs::path(cfg.out) / "checkpoint.bin").string());
    cfg = resumed.config;  // the same options (plan_compare checked), as `train --resume` keeps them
    cfg.out = run.config.out;
    cfg.overwrite = true;
    cfg.threads = run.config.threads;
    cfg.device = run.config.device;
    options.resume = &resumed.state;
    options.history = resumed.history;
  }
  catch_interrupt();
  const TrainedRun trained = train_run_folder(data, cfg, options);
  const TrainSummary& summary = trained.summary;
  if (summary.stop == TrainStop::kInterrupted) {
    std::fprintf(stderr,
                 "compare: %s in run %zu of %zu (%s); its checkpoint is in %s.\n"
                 "Run the same command again to resume it and finish the comparison.\n",
                 summary.stop_message.c_str(), index + 1, count, run.name.c_str(), cfg.out.c_str());
    throw ExitRequest{interrupt_exit_code()};
  }
  if (summary.stop == TrainStop::kNonFinite) {
    throw InputError("run " + std::to_string(index + 1) + " of " + std::to_string(count) + " (" + run.name +
                     "): " + summary.stop_message + ". The comparison stopped; " + cfg.out +
                     " holds the last good checkpoint (epoch " + std::to_string(summary.state.epochs_done) +
                     "); remove that folder or rerun with --overwrite to train it again");
  }
}

void run_compare(const CompareArgs& args, const CLI::App& cmd) {
  // Every option and every folder in --out is checked before data is loaded
  // or anything written.
  const std::vector<PlannedRun> runs = plan_compare(args);
  const bool any_code_run = std::any_of(runs.begin(), runs.end(), [](const PlannedRun& r) {
    return is_hashed(r.config.method) && fixed_code_bits(r.config.method) == 0;
  });
  if (!any_code_run && cmd.count("--bits") > 0) {
    std::fprintf(stderr, "note: --bits applies to none of --methods (their size is --dim or fixed)\n");
  }
  const size_t to_train = static_cast<size_t>(std::count_if(
      runs.begin(), runs.end(), [](const PlannedRun& r) { return r.action != RunAction::kReuse; }));
  std::fprintf(stderr, "compare: %zu run%s (%zu to train, %zu already done) into %s\n", runs.size(),
               runs.size() == 1 ? "" : "s", to_train, runs.size() - to_train, args.out.c_str());

  // Loaded once for every run (as each `train` would load it: same
  // validation split, same seed); not at all when every run is done.
  Dataset data;
  if (to_train > 0) {
    data = load_dataset(args.data.data, args.data.load);
    if (args.valid_frac > 0) carve_validation(data, args.valid_frac, args.seed);
    print_dataset_summary(data);
    check_memory_up_front(runs, data, args);
  }

  CreatedFolder out_folder(args.out);
  for (size_t i = 0; i < runs.size(); ++i) {
    const PlannedRun& run = runs[i];
    switch (run.action) {
      case RunAction::kReuse:
        std::fprintf(stderr, "compare: run %zu of %zu: %s: reusing the finished run in %s (same config)\n", i + 1,
                     runs.size(), describe(run).c_str(), run.config.out.c_str());
        if (!run.report_problem.empty()) {
          std::fprintf(stderr,
                       "note: %s/report.json does not hold what the run did (%s); its figures are re-evaluated "
                       "from %s/checkpoint.bin (report.json is left as it is)\n",
                       run.config.out.c_str(), run.report_problem.c_str(), run.config.out.c_str());
        }
        continue;
      case RunAction::kResume:
        std::fprintf(stderr, "compare: run %zu of %zu: %s: resuming the interrupted run in %s\n", i + 1,
                     runs.size(), describe(run).c_str(), run.config.out.c_str());
        break;
      case RunAction::kRetrain:
        std::fprintf(stderr, "compare: run %zu of %zu: %s: training again (%s held %s)\n", i + 1, runs.size(),
                     describe(run).c_str(), run.config.out.c_str(), run.why.c_str());
        break;
      case RunAction::kTrain:
        std::fprintf(stderr, "compare: run %zu of %zu: %s: training\n", i + 1, runs.size(), describe(run).c_str());
        break;
    }
    try {
      train_planned_run(run, data, args, i, runs.size());
    } catch (...) {
      // A committed run (even a stopped one) keeps --out; an empty one goes.
      if (holds_run(run.config.out)) out_folder.keep();
      throw;
    }
    out_folder.keep();
  }
  out_folder.keep();

  const std::vector<int> topk = runs.front().config.topk;
  std::vector<CompareRow> rows = read_compare_rows(runs);
  for (size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].report_problem.empty()) continue;
    const std::string& dir = runs[i].config.out;
    try {
      rows[i].report = FlatJson::parse(report_from_checkpoint(dir, args.device, args.threads).dump(2),
                                       dir + "/checkpoint.bin");
    } catch (const InputError& e) {
      throw InputError(dir + ": its report.json is unsound (" + runs[i].report_problem +
                       ") and re-evaluating its checkpoint.bin failed: " + e.what() + "; delete " + dir +
                       " to train it again");
    }
  }
  const std::string json_path = (fs::path(args.out) / "compare.json").string();
  const std::string md_path = (fs::path(args.out) / "compare.md").string();
  const std::string png_path = (fs::path(args.out) / "compare.png").string();
  const std::string table = compare_markdown(rows, topk);
  write_file_atomic(json_path, compare_json(rows, topk).dump(2) + "\n");
  write_file_atomic(md_path, table);

  // compare.png always shows this table or is absent: an earlier one goes.
  std::error_code ec;
  fs::remove(png_path, ec);
  std::string drawn = "";
  if (!args.no_plot) {
    const std::string script = find_plot_script();
    std::string python;
    const std::string why_not = draw_plot(json_path, png_path, script, python);
    if (why_not.empty()) {
      drawn = " compare.png";
    } else {
      std::fprintf(stderr,
                   "warning: compare.png not drawn: %s. The table is complete; draw the plot later with:\n"
                   "  python3 %s %s %s\n",
                   why_not.c_str(), script.c_str(), json_path.c_str(), png_path.c_str());
    }
  }
  // The terminal gets the narrow table; compare.md/.json keep every column.
  std::printf("%s\ncomparison written to %s: compare.md compare.json%s\n",
              compare_terminal_table(rows, topk, md_path).c_str(), args.out.c_str(), drawn.c_str());
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Train several methods and code lengths on one dataset and tabulate them (docs/compare.md)");
  add_data_options(cmd, args->data);
  std::string methods;
  for (const auto& m : method_names()) methods += (methods.empty() ? "" : ", ") + m;
  cmd->add_option("--methods", args->methods, "Comma-separated methods, each with its preset: " + methods);
  std::string bits_methods;  // hashed, code length --dim (the registry)
  for (const MethodSpec& s : all_method_specs()) {
    if (s.hashed && s.fixed_code_bits == 0) bits_methods += (bits_methods.empty() ? "" : ", ") + std::string(s.name);
  }
  cmd->add_option("--bits", args->bits,
                  "Comma-separated code lengths for methods whose code length is --dim (" + bits_methods + ")")
      ->capture_default_str();
  cmd->add_option("--dim", args->dim,
                  "Embedding size d of lightgcn, the real-valued reference (methods with a fixed code length keep "
                  "their preset)")
      ->capture_default_str()
      ->check(whole_in(1, kMaxDim));
  cmd->add_option("--epochs", args->epochs, "Epochs of every run (default: each method's preset)")
      ->check(whole_in(1, kMaxEpochs));
  cmd->add_option("--eval-every", args->eval_every, "Evaluate every N epochs (the last epoch always)")
      ->capture_default_str()
      ->check(whole_in(1, kMaxEpochs));
  cmd->add_option("--seed", args->seed, "RNG seed of every run")->capture_default_str()->check(any_uint64());
  cmd->add_option("--valid-frac", args->valid_frac,
                  "Hold out this fraction of each user's train items; the best epoch is then chosen on it")
      ->capture_default_str()
      ->check(real_in(0, 1, false, /*hi_open=*/true));
  cmd->add_option("--topk", args->topk, "K list for metrics")->capture_default_str();
  cmd->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--threads", args->threads, "CPU threads (0 = all cores)")
      ->capture_default_str()
      ->check(whole_in(0, kMaxThreads));
  cmd->add_option("--max-memory", args->max_memory,
                  "Refuse runs estimated to need more memory than this (512M, 8G; default: what the device has free)")
      ->check(memory_size());
  cmd->add_option("--out", args->out,
                  "Folder for the runs (<method>-<bits>b/, lightgcn-d<dim>/) and compare.md/.json/.png");
  cmd->add_flag("--overwrite", args->overwrite,
                "Train again the run folders in --out that hold another config or a stopped run (finished runs "
                "of the same config are always reused)");
  cmd->add_flag("--no-plot", args->no_plot, "Do not draw compare.png");
  auto protocol = std::make_shared<std::string>("validation");
  cmd->add_option("--protocol", *protocol,
                  "validation, or paper: every run on the whole train split, tested every 5 epochs, best test "
                  "epoch, ndcg_hit over the top 1000 (docs/evaluation.md)")
      ->capture_default_str()
      ->check(CLI::IsMember({"validation", "paper"}));
  cmd->callback([args, cmd, protocol] {
    args->paper = *protocol == "paper";
    args->eval_every_given = cmd->count("--eval-every") > 0;
    run_compare(*args, *cmd);
  });
}

}  // namespace bitrec::cli

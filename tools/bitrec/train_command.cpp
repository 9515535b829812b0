// bitrec train: load data, train a method, evaluate, write the run folder
// (train_run_folder, shared with `bitrec compare`).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "bitrec/checkpoint.hpp"
#include "bitrec/config.hpp"
#include "bitrec/config_io.hpp"
#include "bitrec/data_fingerprint.hpp"
#include "bitrec/error.hpp"
#include "bitrec/method_spec.hpp"
#include "bitrec/output_path.hpp"
#include "bitrec/plural.hpp"
#include "bitrec/run_directory.hpp"
#include "bitrec/trainer.hpp"
#include "bitrec/warm_start.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "flag_checks.hpp"
#include "metrics_table.hpp"
#include "run_training.hpp"

namespace bitrec::cli {
namespace {

struct TrainArgs {
  DataArgs data;
  TrainConfig config;
  std::string method = method_name(TrainConfig().method);
  std::string estimator;
  std::string encoder;  // empty: the method preset
  std::string beta_schedule = "const";
  std::string topk = "20,50,100";
  std::string layers = std::to_string(TrainConfig().layers);  // --layers: L, or gru4rec's layer sizes
  std::string loss = session_loss_name(SessionOptions().loss);
  std::string input = session_input_name(SessionOptions().input);
  std::string config_file;
  std::string resume;  // --resume DIR
  std::string init_from;  // --init-from DIR
  std::string distill_from;  // --distill-from DIR
  std::string protocol = "validation";  // --protocol validation|paper
  std::string max_memory;  // --max-memory SIZE; empty: what the backend has free
  double checkpoint_minutes = RunFolderOptions{}.checkpoint_minutes;  // --checkpoint-every MIN
};

// Options a resumed run may change: the rest is the run's own config.
bool resume_may_set(const std::string& name) {
  return name == "--resume" || name == "--epochs" || name == "--threads" || name == "--device" ||
         name == "--checkpoint-every" ||
         name == "--max-memory" || name == "--data" || name == "--allow-changed-data" ||
         name == "--help" || name == "--config";
}

// The checkpoint --resume DIR continues: DIR's own, or a newer one that a
// killed run left in its staging folder beside DIR (the furthest along).
Checkpoint find_resume_checkpoint(const std::string& dir) {
  struct Candidate {
    std::string path;
    Checkpoint checkpoint;
  };
  std::vector<Candidate> found;
  std::vector<std::string> unreadable;
  const auto consider = [&](const std::string& path) {
    try {
      found.push_back({path, load_checkpoint(path)});
    } catch (const InputError& e) {
      unreadable.push_back(e.what());
    }
  };
  std::error_code ec;
  const std::string own = (std::filesystem::path(dir) / "checkpoint.bin").string();
  if (std::filesystem::exists(own, ec)) consider(own);
  if (!dir.empty()) {
    for (const LeftoverStaging& s : leftover_stagings(absolute_output_path(dir))) {
      if (s.has_checkpoint) consider((std::filesystem::path(s.folder) / "checkpoint.bin").string());
    }
  }
  if (found.empty()) {
    if (!unreadable.empty()) throw InputError(unreadable.front());
    throw InputError("--resume " + dir + ": no run to continue there (no " + own +
                     ", and no checkpoint of a killed run beside it)");
  }
  const auto progress = [](const Checkpoint& c) {
    return std::make_pair(c.state.epochs_done, c.state.epoch_batches_done);
  };
  const Candidate* best = &found.front();
  for (const Candidate& c : found) {
    if (progress(c.checkpoint) > progress(best->checkpoint)) best = &c;
  }
  if (best->path != own) {
    std::fprintf(stderr, "resume: continuing from the checkpoint a killed run left in %s (epoch %d, batch %lld)\n",
                 std::filesystem::path(best->path).parent_path().c_str(), best->checkpoint.state.epochs_done,
                 static_cast<long long>(best->checkpoint.state.epoch_batches_done));
  }
  return best->checkpoint;
}

// --resume DIR: the run's own config from its checkpoint; --epochs may extend it.
Checkpoint resume_checkpoint(const TrainArgs& args, const CLI::App& cmd) {
  for (const CLI::Option* option : cmd.get_options()) {
    if (option->count() > 0 && !resume_may_set(option->get_name())) {
      throw InputError(option->get_name() + ": cannot be set with --resume (the run keeps its own config; "
                       "only --epochs, --threads, --device, --max-memory, --checkpoint-every, --data and "
                       "--allow-changed-data may be given)");
    }
  }
  Checkpoint ck = find_resume_checkpoint(args.resume);
  ck.config.out = args.resume;
  ck.config.overwrite = true;
  ck.config.threads = args.config.threads;
  ck.config.device = args.config.device;
  if (cmd.count("--epochs") > 0) ck.config.epochs = args.config.epochs;
  const ModelState& st = ck.state;
  if (st.epochs_done >= ck.config.epochs) {
    const std::string done = std::to_string(st.epochs_done) + (st.epochs_done == 1 ? " epoch" : " epochs");
    if (cmd.count("--epochs") > 0) {
      throw InputError("--epochs " + std::to_string(ck.config.epochs) + ": the run in " + args.resume +
                       " has already trained " + done + "; give --epochs N > " + std::to_string(st.epochs_done) +
                       " to extend it");
    }
    throw InputError("--resume " + args.resume + ": the run has finished (" + done +
                     "); give --epochs N > " + std::to_string(st.epochs_done) + " to extend it");
  }
  return ck;
}

void print_final_tables(const TrainSummary& summary, const TrainConfig& cfg, const Dataset& data,
                        const Backend& backend) {
  const EvalPoint& final_point = summary.evals.back();
  std::printf("%s on %s, %s, %.1fs training, %.1fs evaluation (%s)\n", method_name(cfg.method),
              dataset_label(data).c_str(), plural(cfg.epochs, "epoch").c_str(), summary.train_seconds,
              summary.eval_seconds, backend.device_name().c_str());
  std::printf("\nfinal (epoch %d), test:\n%s", final_point.epoch,
              format_metrics_table(final_point.test, cfg.topk).c_str());
  const EvalPoint& best = summary.evals[summary.best];
  std::printf("\nbest epoch %d (selected on %s), test:\n%s", best.epoch, summary.best_selected_on.c_str(),
              format_metrics_table(best.test, cfg.topk).c_str());
  if (final_point.hashed && !data.sessions) {
    std::printf("\ncodes: %s of %s, bit balance %.3f, user-item agreement %.3f\n",
                plural(final_point.codes.distinct_items, "distinct item code").c_str(),
                plural(data.n_items, "item").c_str(), final_point.codes.bit_balance,
                final_point.codes.user_item_agreement);
  }
}

void run_train(TrainArgs& args, const CLI::App& cmd) {
  // From here on Ctrl-C is ours: before training starts it just ends the
  // command (nothing written yet); during training it stops at a batch
  // boundary with a checkpoint.
  catch_interrupt();
  RunFolderOptions options;
  Checkpoint resumed;
  TrainConfig cfg;
  if (!args.resume.empty()) {
    resumed = resume_checkpoint(args, cmd);
    cfg = resumed.config;
    options.resume = &resumed.state;
    options.history = resumed.history;
  } else {
    cfg = args.config;
    cfg.data = args.data.data;
    cfg.user_column = args.data.load.user_column;
    cfg.item_column = args.data.load.item_column;
    cfg.declared_users = args.data.load.n_users;
    cfg.declared_items = args.data.load.n_items;
    cfg.method = parse_method(args.method);
    if (!args.estimator.empty()) {
      cfg.estimator = parse_estimator(args.estimator);
      cfg.estimator_set = true;
    }
    if (!args.encoder.empty()) {
      cfg.encoder = parse_encoder(args.encoder);
      cfg.encoder_set = true;
    }
    cfg.beta_schedule = parse_beta_schedule(args.beta_schedule);
    cfg.topk = parse_topk(args.topk);
    cfg.topk_set = cmd.count("--topk") > 0;
    if (cmd.count("--layers") > 0) {
      if (is_session_method(cfg.method)) cfg.session.hidden = parse_layer_sizes(args.layers);
      else if (args.layers.find(',') != std::string::npos) {
        // A list is gru4rec's layer sizes; stoll would keep its first number in silence.
        throw InputError("--layers: " + args.layers + " is a list of GRU layer sizes (gru4rec); --method " +
                         method_name(cfg.method) + " takes one number of propagation layers");
      } else {
        cfg.layers = static_cast<int>(std::stoll(args.layers, nullptr, 0));  // checked by layers_value()
      }
    }
    cfg.session.loss = parse_session_loss(args.loss);
    cfg.session.input = parse_session_input(args.input);
    cfg.session.session_column = args.data.load.sessions.session_column;
    cfg.session.time_column = args.data.load.sessions.time_column;
    cfg.session.test_days = args.data.load.sessions.test_days;
    // Method presets (the registry) change these unless given.
    cfg.dim_set = cmd.get_option("--dim")->count() > 0;
    cfg.layers_set = cmd.get_option("--layers")->count() > 0;
    cfg.batch_set = cmd.get_option("--batch")->count() > 0;
    if (!args.distill_from.empty()) cfg.distill_from = absolute_output_path(args.distill_from);
    if (args.protocol == "paper") {
      apply_paper_protocol(cfg, cmd.count("--valid-frac") > 0, cmd.count("--eval-every") > 0,
                           cmd.count("--kmax") > 0);
    }
  }
  resolve_config(cfg);
  // --out is checked before the data are loaded (RunDirectory checks it
  // again, with its lock held, before training).
  if (!cfg.out.empty()) check_output_folder(cfg.out, cfg.overwrite, "--out", "run", !args.resume.empty());

  if (!args.resume.empty()) {
    // The run's own data from wherever this runs (or --data: its new place),
    // unchanged since the run began unless --allow-changed-data.
    const std::string what = "--resume " + args.resume;
    cfg.data = cmd.count("--data") > 0 ? absolute_data_path(args.data.data) : locate_run_data(cfg.data, args.resume, what);
    cfg.data_fingerprint = check_data_unchanged(cfg.data_fingerprint, cfg.data, args.data.allow_changed_data, what);
  }
  Checkpoint init_source;  // --init-from's run, read before the data so a bad one fails at once
  if (!args.init_from.empty()) {
    init_source = load_init_checkpoint(args.init_from);
    cfg.init_from = absolute_output_path(args.init_from);
  }
  Dataset data = load_dataset(cfg.data, load_options_of(cfg));
  if (args.resume.empty()) {  // the run remembers where its data is and what it held
    cfg.data = absolute_data_path(cfg.data);
    cfg.data_fingerprint = data_fingerprint(cfg.data);
  }
  if (cfg.valid_frac > 0) carve_validation(data, cfg.valid_frac, cfg.seed);
  ModelState init_state;
  if (!args.init_from.empty()) {
    init_state = warm_start_state(init_source, args.init_from, cfg, data);
    options.init = &init_state;
  }
  Checkpoint teacher;  // --distill-from's run, read once here: a bad, missing or changed one fails before training
  if (!cfg.distill_from.empty()) {
    teacher = load_teacher_checkpoint(cfg.distill_from, cfg, data);
    if (args.resume.empty()) cfg.distill_fingerprint = teacher_fingerprint(teacher.state);
    options.teacher = &teacher;
  }
  print_dataset_summary(data);
  if (cfg.out.empty()) cfg.out = "runs/" + dataset_label(data) + "-" + method_name(cfg.method);
  if (!cfg.distill_from.empty() && std::filesystem::weakly_canonical(cfg.distill_from) ==
                                       std::filesystem::weakly_canonical(absolute_output_path(cfg.out))) {
    // On resume its own checkpoint would become its teacher.
    throw InputError("--distill-from " + cfg.distill_from + ": is this run's own --out; a teacher is another run");
  }

  options.max_memory = args.max_memory;
  options.checkpoint_minutes = args.checkpoint_minutes;
  const TrainedRun run = train_run_folder(data, cfg, options);
  cfg.out = run.folder;
  const TrainSummary& summary = run.summary;
  if (summary.stop == TrainStop::kInterrupted) {
    std::printf("%s; checkpoint written to %s\ncontinue with: bitrec train --resume %s\n",
                summary.stop_message.c_str(), cfg.out.c_str(), cfg.out.c_str());
    throw ExitRequest{interrupt_exit_code()};
  }
  if (summary.stop == TrainStop::kNonFinite) {
    throw InputError(summary.stop_message + ". Training stopped; " + cfg.out +
                     " holds the last good checkpoint (epoch " + std::to_string(summary.state.epochs_done) +
                     "); lower --lr or check the data and train again");
  }
  print_final_tables(summary, cfg, data, *run.backend);
  std::printf("\nrun written to %s\n", cfg.out.c_str());
}

// Help text from the method registry (include/bitrec/method_spec.hpp), so
// each method's presets are written once, in its spec.

// "name value, name value" over the methods for which `value` is not empty.
template <class Value>
std::string per_method(Value value) {
  std::string out;
  for (const MethodSpec& s : all_method_specs()) {
    const std::string v = value(s);
    if (!v.empty()) out += (out.empty() ? "" : ", ") + std::string(s.name) + " " + v;
  }
  return out;
}

// " (NAME preset V)" for one method, " (presets: a V, b W)" for several,
// "" for none.
template <class Value>
std::string presets_note(Value value) {
  std::string list = per_method(value);
  if (list.empty()) return "";
  if (list.find(", ") == std::string::npos) return " (" + list.insert(list.find(' '), " preset") + ")";
  return " (presets: " + list + ")";
}

std::string encoder_help() {
  std::string encoders;
  for (const auto& e : encoder_names()) encoders += (encoders.empty() ? "" : ", ") + e;
  // The preset most methods share reads "others E"; the rest by name.
  Encoder common = TrainConfig().encoder;
  size_t most = 0;
  for (const EncoderName& e : all_encoders()) {
    size_t n = 0;
    for (const MethodSpec& s : all_method_specs()) n += s.presets.encoder == e.encoder;
    if (n > most) most = n, common = e.encoder;
  }
  std::string text = "Graph encoder: " + encoders + " (default: method preset, " + per_method([&](const MethodSpec& s) {
                       return s.presets.encoder == common ? std::string() : encoder_name(s.presets.encoder);
                     }) + ", others " + encoder_name(common);
  for (const EncoderSpec& e : all_encoder_specs()) {
    std::string methods;
    for (Method m : e.methods) methods += (methods.empty() ? "" : ", ") + std::string(method_name(m));
    text += "; " + std::string(e.name) + " with " + methods;
  }
  return text + ")";
}

std::string estimator_help() {
  std::string estimators;
  for (const auto& e : estimator_names()) estimators += (estimators.empty() ? "" : ", ") + e;
  std::string text = "Gradient estimator of sign: " + estimators + " (default: method preset";
  for (const MethodSpec& s : all_method_specs()) {
    for (Estimator e : s.own_estimators) text += std::string("; ") + estimator_name(e) + " only with " + s.name;
  }
  return text + ")";
}

std::string number_text(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  TrainConfig& c = args->config;
  CLI::App* cmd = app.add_subcommand("train", "Train a method and evaluate it");
  // Read by expand_config_file before parsing; declared here for --help.
  cmd->add_option("--config", args->config_file, "TOML/INI file holding any of these options (top level or [train])");
  add_data_options(cmd, args->data);
  add_allow_changed_data_flag(cmd, args->data.allow_changed_data);
  cmd->add_option("--out", c.out, "Run folder (default runs/<data>-<method>)");
  cmd->add_flag("--overwrite", c.overwrite, "Replace the run already in --out");
  std::string methods;
  for (const auto& m : method_names()) methods += (methods.empty() ? "" : ", ") + m;
  cmd->add_option("--method", args->method, "Method: " + methods)->capture_default_str();
  cmd->add_option("--encoder", args->encoder, encoder_help());
  cmd->add_option("--epochs", c.epochs,
                  "Epochs (default: the method preset; " +
                      per_method([](const MethodSpec& s) { return std::to_string(s.presets.epochs); }) + ")")
      ->check(whole_in(1, kMaxEpochs));
  cmd->add_option("--seed", c.seed, "RNG seed (same seed => same run)")->capture_default_str()
      ->check(any_uint64());
  cmd->add_option("--dim", c.dim,
                  "Embedding size d (= code bits for sign codes; presets: " + per_method([](const MethodSpec& s) {
                    const int bits = s.fixed_code_bits > 0 ? s.fixed_code_bits : s.presets.dim;
                    if (s.presets.dim <= 0) return std::string();
                    return bits == s.presets.dim ? std::to_string(bits) + " bits"
                                                 : std::to_string(s.presets.dim) + " (" + std::to_string(bits) + " bits)";
                  }) + ")")
      ->capture_default_str()
      ->check(whole_in(1, kMaxDim));
  cmd->add_option("--layers", args->layers, "Propagation layers L" + presets_note([](const MethodSpec& s) {
                    return s.presets.layers >= 0 ? std::to_string(s.presets.layers) : std::string();
                  }) + "; gru4rec: GRU layer sizes, e.g. 100 or 100,100 (default " +
                                                format_layer_sizes(SessionOptions().hidden) + ")")
      ->capture_default_str()
      ->check(layers_value(kMaxLayers));
  cmd->add_option("--lr", c.lr, "Adam step size (default: the method preset; " + per_method([](const MethodSpec& s) {
                    return number_text(s.presets.lr);
                  }) + ")")
      ->check(real_in(0, 10, /*lo_open=*/true));
  cmd->add_option("--warmup-epochs", c.warmup_epochs,
                  "Epochs of BPR on the real-valued embeddings before the method's own loss (" +
                      per_method([](const MethodSpec& s) {
                        return s.supports_warmup ? "preset " + std::to_string(s.presets.warmup_epochs) : std::string();
                      }) + "; counted in --epochs)")
      ->check(whole_in(0, kMaxEpochs));
  cmd->add_option("--lr-after-warmup", c.lr_after_warmup,
                  "Adam step size after --warmup-epochs, with fresh Adam moments (default: --lr)")
      ->check(real_in(0, 10, /*lo_open=*/true));
  cmd->add_option("--init-from", args->init_from,
                  "Start from the parameters of the run in DIR (same data, split, --dim and --layers; fresh Adam)");
  cmd->add_option("--distill-from", args->distill_from, option_help("--distill-from"));
  cmd->add_option("--distill-top", c.distill_top, option_help("--distill-top"))->capture_default_str()
      ->check(whole_in(1, 1000));
  cmd->add_option("--batch", c.batch, "Triples per batch" + presets_note([](const MethodSpec& s) {
                    return s.presets.batch > 0 ? std::to_string(s.presets.batch) : std::string();
                  }))->capture_default_str()
      ->check(whole_in(1, kMaxBatch));
  cmd->add_option("--decay", c.decay, "L2 weight lambda")->capture_default_str()
      ->check(real_in(0, 100));
  cmd->add_option("--init-std", c.init_std, "Std of the N(0, std^2) initialisation")->capture_default_str()
      ->check(real_in(0, 10, /*lo_open=*/true));
  cmd->add_option("--estimator", args->estimator, estimator_help());
  cmd->add_option("--clip", c.clip, "ste-clip: pass gradients where |x| <= clip")->capture_default_str()
      ->check(real_in(0, 1e6, /*lo_open=*/true));
  cmd->add_option("--beta", c.beta, "signswish slope (start of its schedule; default 20)")
      ->check(real_in(0, 1e6, /*lo_open=*/true));
  cmd->add_option("--beta-end", c.beta_end, "signswish slope at the last epoch (default: --beta)")
      ->check(real_in(0, 1e6, /*lo_open=*/true));
  cmd->add_option("--beta-schedule", args->beta_schedule, "const, linear or exp over --epochs")->capture_default_str();
  cmd->add_option("--tau-rank", c.tau_rank, option_help("--tau-rank"))
      ->check(real_in(0, 1e6, /*lo_open=*/true));
  cmd->add_option("--tau-cut", c.tau_cut, option_help("--tau-cut"))->capture_default_str()
      ->check(real_in(0, 1e9, /*lo_open=*/true));
  cmd->add_option("--tau-cut-start", c.tau_cut_start, option_help("--tau-cut-start"))
      ->check(real_in(0, 1e9, /*lo_open=*/true));
  cmd->add_option("--tau-cut-warmup", c.tau_cut_warmup, option_help("--tau-cut-warmup"))
      ->capture_default_str()
      ->check(real_in(0, 1));
  cmd->add_option("--recall-n", c.recall_n, option_help("--recall-n"))->capture_default_str()
      ->check(whole_in(1, 1000000));
  cmd->add_option("--recall-n-end", c.recall_n_end, option_help("--recall-n-end"))->check(whole_in(1, 1000000));
  cmd->add_option("--dcg-weight", c.dcg_weight,
                  option_help("--dcg-weight"))
      ->capture_default_str()
      ->check(real_in(0, 1e6));
  cmd->add_option("--user-batch", c.user_batch, option_help("--user-batch"))
      ->check(whole_in(1, kMaxBatch));
  cmd->add_option("--bpr-weight", c.bpr_weight,
                  option_help("--bpr-weight"))
      ->check(real_in(0, 1e6));
  cmd->add_option("--negatives", c.negatives, option_help("--negatives"))->capture_default_str()
      ->check(whole_in(1, 1000));
  cmd->add_option("--bce-weight", c.bce_weight, option_help("--bce-weight") + " (default: " + per_method([](const MethodSpec& s) {
                    return owns_option(s, "--bce-weight") ? number_text(s.presets.bce_weight) : std::string();
                  }) + ")")
      ->check(real_in(0, 1e6));
  cmd->add_option("--fourier-terms", c.fourier_terms, "fourier estimator: N (odd terms 1, 3, ..., N-1)")
      ->capture_default_str()
      ->check(whole_in(2, 64));
  cmd->add_option("--fourier-omega", c.fourier_omega, "fourier estimator: frequency w")->capture_default_str()
      ->check(real_in(0, 1e6, /*lo_open=*/true));
  cmd->add_option("--dispersion", c.dispersion, option_help("--dispersion"))
      ->capture_default_str()
      ->check(real_in(0, 1, false, /*hi_open=*/true));
  cmd->add_option("--loss", args->loss, option_help("--loss"))->capture_default_str()
      ->check(CLI::IsMember({"cross-entropy", "bpr-max", "top1-max"}));
  cmd->add_option("--input", args->input, option_help("--input"))->capture_default_str()
      ->check(CLI::IsMember({"constrained", "embedding", "onehot"}));
  cmd->add_option("--embedding-dim", c.session.embedding_dim, option_help("--embedding-dim"))
      ->check(whole_in(1, kMaxDim));
  cmd->add_option("--n-sample", c.session.n_sample, option_help("--n-sample"))->capture_default_str()
      ->check(whole_in(0, 1 << 20));
  cmd->add_option("--sample-alpha", c.session.sample_alpha, option_help("--sample-alpha"))->capture_default_str()
      ->check(real_in(0, 10));
  cmd->add_option("--logq", c.session.logq, option_help("--logq"))->capture_default_str()->check(real_in(0, 10));
  cmd->add_option("--bpreg", c.session.bpreg, option_help("--bpreg"))->capture_default_str()->check(real_in(0, 1e6));
  cmd->add_option("--elu-alpha", c.session.elu_alpha, option_help("--elu-alpha"))->capture_default_str()
      ->check(real_in(0, 1e6));
  cmd->add_option("--momentum", c.session.momentum, option_help("--momentum"))->capture_default_str()
      ->check(real_in(0, 1, false, /*hi_open=*/true));
  cmd->add_option("--dropout-embed", c.session.dropout_embed, option_help("--dropout-embed"))->capture_default_str()
      ->check(real_in(0, 1, false, /*hi_open=*/true));
  cmd->add_option("--dropout-hidden", c.session.dropout_hidden, option_help("--dropout-hidden"))
      ->capture_default_str()
      ->check(real_in(0, 1, false, /*hi_open=*/true));
  cmd->add_flag("--valid-sessions", c.session.valid_sessions,
                "Session data: carve validation sessions from train by the split's own rule (datasets/README.md "
                "\"Session data\")");
  cmd->add_option("--topk", args->topk, "K list for metrics (session-based methods: 20 unless given)")
      ->capture_default_str();
  cmd->add_option("--kmax", c.kmax, "List length for ndcg_hit (default: max --topk)")
      ->check(whole_in(1, 1000));
  cmd->add_option("--eval-every", c.eval_every, "Evaluate every N epochs (the last epoch always)")->capture_default_str()
      ->check(whole_in(1, kMaxEpochs));
  cmd->add_option("--valid-frac", c.valid_frac, "Hold out this fraction of each user's train items for validation")
      ->capture_default_str()
      ->check(real_in(0, 1, false, /*hi_open=*/true));
  cmd->add_option("--protocol", args->protocol,
                  "validation (select on --valid-frac's split) or paper (whole train split, test every 5 epochs, "
                  "best test epoch, --kmax 1000; report.json's \"paper\" block)")
      ->capture_default_str()
      ->check(CLI::IsMember({"validation", "paper"}));
  cmd->add_option("--device", c.device, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--threads", c.threads, "CPU threads (0 = all cores)")->capture_default_str()
      ->check(whole_in(0, kMaxThreads));
  cmd->add_option("--max-memory", args->max_memory,
                  "Refuse runs estimated to need more memory than this (512M, 8G; default: what the device has free)")
      ->check(memory_size());
  cmd->add_option("--checkpoint-every", args->checkpoint_minutes,
                  "Minutes between checkpoints inside an epoch (every epoch's end always writes one; 0: epoch ends "
                  "only); a killed run resumes from the last one")
      ->capture_default_str()
      ->check(real_in(0, 1000000));
  cmd->add_option("--resume", args->resume,
                  "Continue the run in DIR from its checkpoint (its own config; --epochs may extend it) and write "
                  "back into DIR");
  cmd->callback([args, cmd] { run_train(*args, *cmd); });
}

}  // namespace bitrec::cli

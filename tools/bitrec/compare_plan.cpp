#include "compare_plan.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <system_error>

#include "bitrec/checkpoint.hpp"
#include "bitrec/config_io.hpp"
#include "bitrec/data_fingerprint.hpp"
#include "bitrec/error.hpp"
#include "bitrec/output_path.hpp"
#include "bitrec/run_directory.hpp"
#include "compare_report_check.hpp"
#include "flat_json.hpp"

namespace fs = std::filesystem;

namespace bitrec::cli {
namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

std::vector<std::string> split_list(const std::string& option, const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (part.empty()) throw InputError(option + ": empty entry in '" + text + "' (give a comma-separated list)");
    if (std::find(parts.begin(), parts.end(), part) != parts.end()) {
      throw InputError(option + ": '" + part + "' is listed twice");
    }
    parts.push_back(part);
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

std::vector<Method> parse_methods(const std::string& text) {
  const std::string allowed = " (allowed: " + join(method_names()) + ")";
  if (text.empty()) throw InputError("--methods: give at least one method, comma-separated" + allowed);
  std::vector<Method> methods;
  for (const std::string& name : split_list("--methods", text)) {
    const auto& names = method_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw InputError("--methods: unknown method '" + name + "'" + allowed);
    }
    methods.push_back(parse_method(name));
  }
  return methods;
}

// Same range as --dim: a code of b bits is a d = b model.
std::vector<int> parse_bits(const std::string& text) {
  if (text.empty()) throw InputError("--bits: give at least one code length, e.g. --bits 32,64");
  std::vector<int> bits;
  for (const std::string& part : split_list("--bits", text)) {
    size_t used = 0;
    long value = 0;
    try {
      value = std::stol(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != part.size()) throw InputError("--bits: '" + part + "' is not a whole number of bits");
    if (value < 1 || value > 4096) throw InputError("--bits: " + part + " is out of range (1 to 4096 bits)");
    bits.push_back(static_cast<int>(value));
  }
  return bits;
}

std::string run_name(Method m, int bits, int dim) {
  if (!is_hashed(m)) return std::string(method_name(m)) + "-d" + std::to_string(dim);
  return std::string(method_name(m)) + "-" + std::to_string(bits) + "b";
}

// Decides what to do with the folder a run goes to; throws when it holds
// something compare must not touch without --overwrite.
void classify_folder(PlannedRun& run, bool overwrite) {
  const std::string& dir = run.config.out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec)) throw InputError(dir + ": exists and is not a directory; move it away");
  if (fs::is_empty(dir, ec)) return;
  if (!holds_run(dir)) {
    throw InputError(dir + ": is not empty and holds no bitrec run; move it away (compare never deletes it)");
  }
  const auto refuse_or_retrain = [&](const std::string& what) {
    if (!overwrite) {
      throw InputError(dir + ": holds " + what + "; delete " + dir + " or pass --overwrite to train it again");
    }
    run.action = RunAction::kRetrain;
    run.why = what;
  };
  const std::string report_path = (fs::path(dir) / "report.json").string();
  const std::string checkpoint_path = (fs::path(dir) / "checkpoint.bin").string();
  if (!fs::exists(report_path, ec) || !fs::exists(checkpoint_path, ec)) {
    return refuse_or_retrain("an incomplete run (report.json or checkpoint.bin missing)");
  }
  // checkpoint.bin is the run (CRC-checked: its config, state and every
  // evaluation); report.json only says what it did, and may have been
  // edited or damaged since.
  Checkpoint ck;
  try {
    ck = load_checkpoint(checkpoint_path);
  } catch (const InputError& e) {
    return refuse_or_retrain("a run whose checkpoint.bin cannot be used (" + std::string(e.what()) + ")");
  }
  std::optional<FlatJson> report;
  std::string report_problem;
  try {
    report = FlatJson::read_file(report_path);
  } catch (const InputError& e) {
    report_problem = e.what();
  }
  std::vector<std::string> differ;
  std::map<std::string, std::string> had_entries;
  for (const auto& [key, value] : config_to_entries(ck.config)) had_entries[key] = value;
  for (const auto& [key, value] : config_to_entries(run.config)) {
    if (config_key_ignored_for_reuse(key)) continue;
    const std::string had = had_entries.count(key) > 0 ? had_entries[key] : "<absent>";
    if (had == value) continue;
    // Runs made before bitrec stored the data's absolute path and fingerprint:
    // --data as typed (relative to here), and no fingerprint to compare.
    if (key == "data" && absolute_data_path(had) == value) continue;
    if (key == "data-fingerprint" && (had == "<absent>" || had.empty())) continue;
    differ.push_back(key == "data-fingerprint" ? "the data's files: " + describe_data_change(had, value) : key);
  }
  if (!differ.empty()) return refuse_or_retrain("a run with another config (differs in: " + join(differ) + ")");
  const std::string status = report ? report->text("status") : "";
  if (checkpoint_finished(ck)) {
    // Reused; its figures come from the checkpoint when the report is not sound.
    run.action = RunAction::kReuse;
    run.report_problem = report ? check_run_report(*report, ck) : report_problem;
    if (report && run.report_problem.empty() && status != "finished") {
      run.report_problem = "status is '" + status + "', its checkpoint holds every epoch";
    }
  } else if (status.rfind("stopped", 0) == 0) {
    refuse_or_retrain("a run of this config that stopped (status '" + status + "')");
  } else {
    // Interrupted (or a report that cannot say): the checkpoint continues it.
    run.action = RunAction::kResume;
  }
}

}  // namespace

bool config_key_ignored_for_reuse(const std::string& key) {
  return key == "out" || key == "overwrite" || key == "threads" || key == "device";
}

std::vector<PlannedRun> plan_compare(const CompareArgs& args) {
  if (args.out.empty()) throw InputError("--out: give the folder for the runs and the table (--out DIR)");
  resolve_output_folder(args.out, "--out");  // not a link, a file, the current folder, or inside a run
  const std::vector<Method> methods = parse_methods(args.methods);
  const std::vector<int> bits_list = parse_bits(args.bits);
  const std::vector<int> topk = parse_topk(args.topk);

  std::error_code ec;
  if (fs::exists(args.out, ec)) {
    if (!fs::is_directory(args.out, ec)) throw InputError("--out " + args.out + ": exists and is not a directory");
    // A run's folder (bitrec's, or anything holding a run's file names).
    if (holds_run(args.out) || fs::exists(fs::path(args.out) / "report.json", ec) ||
        fs::exists(fs::path(args.out) / "checkpoint.bin", ec)) {
      throw InputError("--out " + args.out +
                       ": holds a single run (report.json/checkpoint.bin); compare puts each run in a subfolder "
                       "of its own folder: choose another one");
    }
  }

  // As `train` stores them: the data's absolute path and what its files hold
  // (a run trained on other data is not reused).
  const std::string data_path = absolute_data_path(args.data.data);
  const std::string fingerprint = data_fingerprint(args.data.data);
  std::vector<PlannedRun> runs;
  for (const Method m : methods) {
    // The runs' code lengths: every --bits value when the method's code
    // length is --dim; lightgcn once at --dim; a method with a fixed code
    // length once, with its own preset d (left to resolve_config).
    constexpr int kPresetDim = -1;
    std::vector<std::pair<int, int>> bits_and_dim;  // (bits, dim)
    if (!is_hashed(m)) {
      bits_and_dim.emplace_back(0, args.dim);
    } else if (fixed_code_bits(m) > 0) {
      bits_and_dim.emplace_back(fixed_code_bits(m), kPresetDim);
    } else {
      for (const int b : bits_list) bits_and_dim.emplace_back(b, b);
    }
    for (const auto& [bits, dim] : bits_and_dim) {
      PlannedRun run;
      run.name = run_name(m, bits, dim);
      run.bits = bits;
      TrainConfig& c = run.config;
      if (dim != kPresetDim) {
        c.dim = dim;
        c.dim_set = true;  // as `train --dim`: no method preset replaces it
      }
      c.data = data_path;
      c.data_fingerprint = fingerprint;
      c.user_column = args.data.load.user_column;
      c.item_column = args.data.load.item_column;
      c.declared_users = args.data.load.n_users;
      c.declared_items = args.data.load.n_items;
      c.method = m;
      c.epochs = args.epochs;
      c.seed = args.seed;
      c.eval_every = args.eval_every;
      c.valid_frac = args.valid_frac;
      c.topk = topk;
      if (args.paper) apply_paper_protocol(c, args.valid_frac > 0, args.eval_every_given, /*kmax_given=*/false);
      c.device = args.device;
      c.threads = args.threads;
      c.out = (fs::path(args.out) / run.name).string();
      c.overwrite = args.overwrite;
      resolve_config(c);  // errors name the option (--epochs, --valid-frac, ...)
      runs.push_back(std::move(run));
    }
  }
  for (PlannedRun& run : runs) classify_folder(run, args.overwrite);
  return runs;
}

}  // namespace bitrec::cli

// The flag fuzzer (docs/cli_errors.md "The flag fuzzer"): every numeric option of every command gets
// 0, -1, huge values, NaN, infinities and a non-number. Nothing may crash
// (rc is 0 or 2, never a signal), nothing may fall back to a default in
// silence (a rejected value exits 2 with "bitrec: error: <flag>: ..." naming
// the allowed range), and a rejected command leaves nothing behind (no --out,
// no staging folder). The table is checked against each command's --help, so
// a new option cannot escape the fuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "json_reader.hpp"

namespace bitrec::testing {
namespace {

namespace fs = std::filesystem;

// Tiny data: a valid value that trains does it in a fraction of a second.
const char* kData = "synthetic:users=40,items=30,per_user=5,clusters=3";

// The values every numeric option is tried with.
const std::vector<std::string> kFuzzValues = {"0",   "-1",  "1e12", "9223372036854775808", "nan",
                                              "inf", "-inf", "abc", "99999999999999999999999"};

struct NumericFlag {
  std::string flag;
  // Fuzz values that are legitimately valid: the command must then succeed
  // (and, for train, store the value in its config).
  std::set<std::string> valid = {};
  // train: the report.json config key holding the value ("" = not stored).
  std::string config_key = "";
};

// Every option that takes a value, per command: numeric ones are fuzzed,
// the others are listed so that --help can be checked against the table.
struct CommandFlags {
  std::vector<NumericFlag> numeric;
  std::set<std::string> text;  // options whose value is not a number
};

// The numeric data options of info (and, with more, of every command that reads --data).
const std::vector<NumericFlag> kDataCounts = {{"--users"}, {"--items"}, {"--test-days"}};

std::map<std::string, CommandFlags> flag_table() {
  std::map<std::string, CommandFlags> t;
  t["train"].numeric = {
      {"--users"}, {"--items"}, {"--epochs"},
      {"--seed", {"0", "9223372036854775808"}, "seed"},
      {"--dim"}, {"--layers", {"0"}, "layers"}, {"--lr"}, {"--batch"},
      {"--decay", {"0"}, "decay"}, {"--init-std"}, {"--clip"}, {"--beta"}, {"--beta-end"},
      {"--tau-rank"}, {"--tau-cut"}, {"--tau-cut-start"},
      {"--tau-cut-warmup", {"0"}, "tau-cut-warmup"}, {"--recall-n"}, {"--recall-n-end"},
      {"--dcg-weight", {"0"}, "dcg-weight"}, {"--user-batch"},
      {"--bpr-weight", {"0"}, "bpr-weight"}, {"--negatives"}, {"--distill-top"},
      {"--warmup-epochs", {"0"}, "warmup-epochs"}, {"--lr-after-warmup"},
      {"--bce-weight", {"0"}, "bce-weight"}, {"--fourier-terms"}, {"--fourier-omega"},
      {"--dispersion", {"0"}, "dispersion"}, {"--topk"}, {"--kmax"}, {"--eval-every"},
      {"--valid-frac", {"0"}, "valid-frac"}, {"--threads", {"0"}, "threads"},
      {"--max-memory", {"1e12"}},  // 10^12 bytes is a size
      {"--checkpoint-every", {"0"}},  // 0: at epoch ends only
      // gru4rec's options (the default method stores them untouched).
      {"--embedding-dim"}, {"--n-sample", {"0"}, "n-sample"}, {"--sample-alpha", {"0"}, "sample-alpha"},
      {"--logq", {"0"}, "logq"}, {"--bpreg", {"0"}, "bpreg"}, {"--elu-alpha", {"0"}, "elu-alpha"},
      {"--momentum", {"0"}, "momentum"}, {"--dropout-embed", {"0"}, "dropout-embed"},
      {"--dropout-hidden", {"0"}, "dropout-hidden"}, {"--test-days"},
  };
  t["train"].text = {"--config", "--data", "--user-col", "--item-col", "--out", "--method", "--encoder",
                     "--estimator", "--beta-schedule", "--device", "--resume", "--init-from", "--distill-from", "--protocol",
                     "--loss", "--input", "--session-col", "--time-col"};
  t["eval"].numeric = {{"--users"}, {"--items"}, {"--test-days"}, {"--topk"}, {"--kmax"}, {"--rerank"},
                       {"--threads", {"0"}}};
  t["eval"].text = {"--model", "--data", "--user-col", "--item-col", "--session-col", "--time-col", "--mode",
                    "--dump-topk", "--device"};
  t["export"].numeric = {{"-k"}, {"--rerank"}, {"--users"}, {"--items"}, {"--test-days"}, {"--threads", {"0"}}};
  t["export"].text = {"--model",    "--out",      "--what",        "--mode",     "--data",
                      "--user-col", "--item-col", "--session-col", "--time-col", "--device"};
  t["query"].numeric = {{"-k"}, {"--rerank"}, {"--threads", {"0"}}};
  t["query"].text = {"--model", "--user", "--users", "--items", "--mode", "--data", "--device"};
  t["bench"].numeric = {{"--users"}, {"--items"}, {"--test-days"}, {"--epochs", {"0"}}, {"--repeats"}, {"--dim"},
                        {"--layers", {"0"}}, {"--batch"}, {"--hamming-k"}, {"--threads", {"0"}}};
  t["bench"].text = {"--data",   "--user-col", "--item-col",  "--session-col", "--time-col",
                     "--method", "--device",   "--codes-out", "--json"};
  t["compare"].numeric = {{"--users"}, {"--items"}, {"--test-days"}, {"--bits"}, {"--dim"}, {"--epochs"}, {"--eval-every"},
                          {"--seed", {"0", "9223372036854775808"}}, {"--valid-frac", {"0"}}, {"--topk"},
                          {"--threads", {"0"}}, {"--max-memory", {"1e12"}}};
  t["compare"].text = {"--data",    "--user-col", "--item-col", "--session-col", "--time-col",
                       "--methods", "--device",   "--out",      "--protocol"};
  t["info"].numeric = kDataCounts;
  t["info"].text = {"--data", "--user-col", "--item-col", "--session-col", "--time-col"};
  return t;
}

// `flag value` as one argument, so that -1 or -inf is never read as an option.
std::string flag_arg(const std::string& flag, const std::string& value) {
  return flag.rfind("--", 0) == 0 ? flag + "=" + value : flag + value;  // -k5
}

std::vector<std::string> listing(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

class FlagFuzzer : public ::testing::Test {
 protected:
  // One trained run for eval, export and query (they read a saved model).
  static void SetUpTestSuite() {
    model_ = new std::string(cli_temp_path("flagfuzz", "model"));
    const CliResult r = run_bitrec(std::string("train --data ") + kData + " --epochs 1 --threads 1 --out " + *model_,
                                   "flagfuzz_model");
    model_ok_ = r.exit_code == 0;
    if (!model_ok_) std::fprintf(stderr, "training the model failed:\n%s\n", r.err.c_str());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*model_);
    delete model_;
    model_ = nullptr;
  }

  // The command line of `command` with `arg` added; `out` is where the
  // command may write (created only by a successful run).
  static std::string command_line(const std::string& command, const std::string& flag, const std::string& arg,
                                  const std::string& out) {
    std::map<std::string, std::string> base;  // flag -> rest of its argument
    std::string line = command;
    if (command == "train") {
      base = {{"--data", kData}, {"--epochs", "1"}, {"--threads", "1"}, {"--out", out}};
    } else if (command == "eval") {
      base = {{"--model", *model_}, {"--threads", "1"}};
    } else if (command == "export") {
      base = {{"--model", *model_}, {"--out", out}, {"--what", "topk"}, {"--threads", "1"}};
    } else if (command == "query") {
      base = {{"--model", *model_}, {"--user", "0"}, {"--threads", "1"}};
    } else if (command == "bench") {
      base = {{"--data", kData}, {"--epochs", "0"}, {"--repeats", "1"}, {"--hamming-k", "10"},
              {"--threads", "1"},  {"--json", out}};
    } else if (command == "compare") {
      base = {{"--data", kData}, {"--methods", "recall-hash"}, {"--bits", "8"}, {"--epochs", "1"},
              {"--threads", "1"},  {"--out", out}};
      line += " --no-plot";
    } else if (command == "info") {
      base = {{"--data", kData}};
    }
    base.erase(flag);  // the fuzzed flag replaces the base's value
    for (const auto& [f, v] : base) line += " " + f + "=" + v;
    return line + " '" + arg + "'";
  }

  static inline std::string* model_ = nullptr;
  static inline bool model_ok_ = false;

  void fuzz_command(const std::string& command) {
    ASSERT_TRUE(model_ok_);
    const CommandFlags flags = flag_table().at(command);
    int index = 0;
    for (const NumericFlag& nf : flags.numeric) {
      for (const std::string& value : kFuzzValues) {
        SCOPED_TRACE(command + " " + nf.flag + " " + value);
        const std::string dir = cli_temp_path("flagfuzz", command + "_" + std::to_string(index++));
        fs::create_directories(dir);
        const std::string out = dir + "/out";
        const std::string line = command_line(command, nf.flag, flag_arg(nf.flag, value), out);
        const CliResult r = run_bitrec(line, "flagfuzz_" + command);
        // No crash: a signal shows as rc -1 or 128 + signal.
        ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 2) << "rc " << r.exit_code << " for: " << line << "\n" << r.err;
        if (nf.valid.count(value) > 0) {
          EXPECT_EQ(r.exit_code, 0) << line << "\n" << r.err;
          if (command != "query" && command != "eval" && command != "info") {
            EXPECT_EQ(join(listing(dir)), "out") << "leftovers next to --out";
          }
          if (!nf.config_key.empty()) {
            const FlatJson report(slurp(out + "/report.json"));
            EXPECT_DOUBLE_EQ(std::stod(report.text("config." + nf.config_key)), std::stod(value))
                << "the value given is not the value used";
          }
        } else {
          EXPECT_EQ(r.exit_code, 2) << "accepted: " << line << "\n" << r.out << r.err;
          const std::string prefix = "bitrec: error: " + nf.flag;
          EXPECT_EQ(r.err.rfind(prefix, 0), 0u) << "expected '" << prefix << "...', got:\n" << r.err;
          EXPECT_EQ(r.out, "") << "a rejected command printed results";
          EXPECT_EQ(join(listing(dir)), "") << "a rejected command left files";
        }
        fs::remove_all(dir);
      }
    }
  }
};

TEST_F(FlagFuzzer, Train) { fuzz_command("train"); }
TEST_F(FlagFuzzer, Eval) { fuzz_command("eval"); }
TEST_F(FlagFuzzer, Export) { fuzz_command("export"); }
TEST_F(FlagFuzzer, Query) { fuzz_command("query"); }
TEST_F(FlagFuzzer, Bench) { fuzz_command("bench"); }
TEST_F(FlagFuzzer, Compare) { fuzz_command("compare"); }
TEST_F(FlagFuzzer, Info) { fuzz_command("info"); }

// The options of one command as its --help lists them: name -> type
// ("INT", "UINT", "FLOAT", "TEXT"; "" for a flag without a value).
std::map<std::string, std::string> help_options(const std::string& command) {
  const CliResult r = run_bitrec(command + " --help", "flagfuzz_help");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::string> options;
  std::istringstream in(r.out);
  std::string line;
  bool in_options = false;
  while (std::getline(in, line)) {
    if (line == "Options:") {
      in_options = true;
      continue;
    }
    if (!in_options || line.rfind("  -", 0) != 0) continue;
    std::istringstream words(line);
    std::string names, type;
    words >> names >> type;
    const std::string base_type = type.substr(0, type.find_first_of(":=[("));
    const bool typed = base_type == "INT" || base_type == "UINT" || base_type == "FLOAT" || base_type == "TEXT" ||
                       base_type == "NUMBER";
    std::stringstream split(names);
    std::string name;
    while (std::getline(split, name, ',')) options[name] = typed ? base_type : "";
  }
  return options;
}

// A new option (or command) without a row in the table fails here.
TEST(FlagFuzzerTable, CoversEveryOptionOfEveryCommand) {
  const std::map<std::string, CommandFlags> table = flag_table();
  const CliResult root = run_bitrec("--help", "flagfuzz_root_help");
  ASSERT_EQ(root.exit_code, 0);
  std::set<std::string> commands;
  std::istringstream in(root.out.substr(root.out.find("Subcommands:")));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string name;
    if (words >> name) commands.insert(name);
  }
  std::set<std::string> tabled;
  for (const auto& [command, flags] : table) tabled.insert(command);
  EXPECT_EQ(commands, tabled) << "a command is missing from the fuzzer's table";

  for (const auto& [command, flags] : table) {
    const std::map<std::string, std::string> options = help_options(command);
    ASSERT_FALSE(options.empty()) << command;
    std::set<std::string> numeric;
    for (const NumericFlag& nf : flags.numeric) numeric.insert(nf.flag);
    for (const auto& [name, type] : options) {
      if (type.empty()) continue;  // a flag without a value
      if (type != "TEXT") {
        EXPECT_EQ(numeric.count(name), 1u) << command << " " << name << " (" << type << ") is not fuzzed";
      } else {
        EXPECT_EQ(numeric.count(name) + flags.text.count(name), 1u)
            << command << " " << name << ": add it to the fuzzer's table (numeric or text)";
      }
    }
    for (const std::string& name : numeric) {
      EXPECT_EQ(options.count(name), 1u) << command << " " << name << ": in the table but not in --help";
    }
    for (const std::string& name : flags.text) {
      EXPECT_EQ(options.count(name), 1u) << command << " " << name << ": in the table but not in --help";
    }
  }
}

// CLI11's own parse errors: the prefix and rc 2; --help still rc 0.
TEST(FlagParseErrors, PrefixedWithRc2) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"train --no-such-flag", "--no-such-flag"},
      {"train --epochs", "--epochs"},  // missing value
      {"train --epochs 99999999999", "--epochs"},
      {"train --lr abc", "--lr"},
      {"eval --kmax 5", "--model"},  // a required option missing
      {"no-such-command", "no-such-command"},
  };
  for (const auto& [args, named] : cases) {
    const CliResult r = run_bitrec(args, "flagfuzz_parse");
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("bitrec: error: ", 0), 0u) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(named), std::string::npos) << args << "\n" << r.err;
  }
  for (const std::string args : {"--help", "train --help", "compare --help", "--version"}) {
    const CliResult r = run_bitrec(args, "flagfuzz_help_rc");
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    EXPECT_EQ(r.err, "") << args;
    EXPECT_FALSE(r.out.empty()) << args;
  }
}

// A --config file's values are checked like the command line's; a binary
// file is named as such, the message not cut at its NUL byte.
TEST(FlagParseErrors, ConfigFileValuesAndBinaryFiles) {
  const std::string dir = cli_temp_path("flagfuzz", "config");
  fs::create_directories(dir);
  const std::string out = dir + "/run";
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + "/" + name, std::ios::binary) << text;
    return dir + "/" + name;
  };
  const std::string negative = write("negative.toml", "epochs = -1\n");
  CliResult r = run_bitrec("train --config " + negative + " --out " + out, "flagfuzz_cfg_neg");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("bitrec: error: --epochs: -1 is out of range", 0), 0u) << r.err;

  const std::string inf = write("inf.toml", "[train]\nlr = \"-inf\"\n");
  r = run_bitrec("train --config " + inf + " --out " + out, "flagfuzz_cfg_inf");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("bitrec: error: --lr: -inf is not a finite number", 0), 0u) << r.err;

  const std::string binary = write("binary.toml", std::string("epochs = 1\n\0\x01\x02garbage\n", 22));
  r = run_bitrec("train --config " + binary + " --out " + out, "flagfuzz_cfg_bin");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a text TOML/INI file (NUL byte at offset 11)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.rfind("bitrec: error: ", 0), 0u) << r.err;

  EXPECT_FALSE(fs::exists(out));
  fs::remove_all(dir);
}

// -k (and --hamming-k, --rerank) beyond the catalogue: capped at the number
// of items with a note, instead of allocating users x k.
TEST_F(FlagFuzzer, ListLengthsCappedAtTheItems) {
  ASSERT_TRUE(model_ok_);
  const std::string dir = cli_temp_path("flagfuzz", "caps");
  CliResult r = run_bitrec("export --model " + *model_ + " --out " + dir + " --what topk -k 100000000",
                           "flagfuzz_cap_export");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: -k 100000000 is more than the 30 items; using 30"), std::string::npos) << r.err;
  r = run_bitrec("query --model " + *model_ + " --user 0 -k 2000000000 --json", "flagfuzz_cap_query");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: -k 2000000000 is more than the 30 items; using 30"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("\"k\": 30"), std::string::npos) << r.out;
  r = run_bitrec("query --model " + *model_ + " --user 0 --mode hier --rerank 2147483647", "flagfuzz_cap_rerank");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run_bitrec(std::string("bench --data ") + kData + " --epochs 0 --repeats 1 --threads 1 --hamming-k 100000",
                 "flagfuzz_cap_bench");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: --hamming-k 100000 is more than the 30 items; using 30"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace bitrec::testing

// Runs the built bitrec binary in tests and captures its exit code and output;
// temp paths and a run-once-per-suite fixture for the CLI tests.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace bitrec::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A file's bytes, and a file written with exactly these bytes (tests that
// damage files on purpose).
inline std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
inline void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// args are appended to the binary's path as given (quote them yourself).
// `before` goes in front of the binary in the shell command: "cd DIR &&",
// "setpriv …" (empty: the binary runs as it is).
inline CliResult run_bitrec_after(const std::string& before, const std::string& args, const std::string& tag) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "bitrec_cli_io";
  std::filesystem::create_directories(dir);
  const std::string stem = std::to_string(getpid()) + "_" + tag;
  const std::string out = (dir / (stem + ".out")).string();
  const std::string err = (dir / (stem + ".err")).string();
  const std::string command =
      before + " " + std::string(BITREC_BINARY) + " " + args + " >" + out + " 2>" + err + " </dev/null";
  const int status = std::system(command.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

inline CliResult run_bitrec(const std::string& args, const std::string& tag) { return run_bitrec_after("", args, tag); }

// A fresh path under the test temp dir. ctest runs every test in its own
// process, in parallel: names carry the pid, and `prefix` the test file.
inline std::string cli_temp_path(const std::string& prefix, const std::string& name) {
  const std::filesystem::path p =
      std::filesystem::path(::testing::TempDir()) / (prefix + "_" + std::to_string(getpid()) + "_" + name);
  std::filesystem::remove_all(p);
  return p.string();
}

// One bitrec command run once and shared by every test of a suite (training
// is the slow part). `Derived` gives `static std::string command(const
// std::string& out)` and `static constexpr const char* kName`; the tests read
// `out_` (the folder given to the command, removed after the suite) and
// `result_`.
template <class Derived>
class SharedCliRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = new std::string(cli_temp_path("bitrec_shared", Derived::kName));
    result_ = new CliResult(run_bitrec(Derived::command(*out_), Derived::kName));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*out_);
    delete out_;
    delete result_;
    out_ = nullptr;
    result_ = nullptr;
  }
  static inline std::string* out_ = nullptr;
  static inline CliResult* result_ = nullptr;
};

}  // namespace bitrec::testing

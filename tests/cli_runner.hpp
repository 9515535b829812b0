// Runs the built bitrec binary in tests and captures its exit code and output.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

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

// args are appended to the binary's path as given (quote them yourself).
inline CliResult run_bitrec(const std::string& args, const std::string& tag) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "bitrec_cli_io";
  std::filesystem::create_directories(dir);
  const std::string stem = std::to_string(getpid()) + "_" + tag;
  const std::string out = (dir / (stem + ".out")).string();
  const std::string err = (dir / (stem + ".err")).string();
  const std::string command = std::string(BITREC_BINARY) + " " + args + " >" + out + " 2>" + err + " </dev/null";
  const int status = std::system(command.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace bitrec::testing

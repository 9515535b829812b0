// Helpers of the fault suite: shell commands around the bitrec binary
// (background runs, signals, other working folders) and folder listings.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_runner.hpp"

namespace bitrec::testing {

// Runs `script` with bash; `$B` is the bitrec binary. stdout/stderr land in
// files next to `tag`'s temp path and are returned.
inline CliResult shell(const std::string& script, const std::string& tag) {
  const std::string base = cli_temp_path("bitrec_fault_io", tag);
  const std::string out = base + ".out", err = base + ".err", file = base + ".sh";
  {
    std::ofstream sh(file);
    sh << "B=" << BITREC_BINARY << "\n" << script << "\n";
  }
  const std::string command = "bash " + file + " >" + out + " 2>" + err + " </dev/null";
  const int status = std::system(command.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  std::filesystem::remove(file);
  return r;
}

// The names in a folder (hidden ones too), sorted.
inline std::vector<std::string> folder_names(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A fresh empty folder for one test.
inline std::string fault_dir(const std::string& name) {
  const std::string dir = cli_temp_path("bitrec_fault", name);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace bitrec::testing

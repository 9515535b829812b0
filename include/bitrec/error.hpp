// Errors raised at the boundaries (loaders, CLI, files, devices). The CLI
// prints what() and exits non-zero; nothing catches them inside the engine.
#pragma once
#include <stdexcept>
#include <string>

namespace bitrec {

// Bad user input: a file, line and problem, or an option and its allowed values.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A command that did its work (its files are written) but must still exit
// non-zero, e.g. 130 after Ctrl-C stopped a run. Not an error message.
struct ExitRequest {
  int code;
};

// "path:line: problem" — the one format every loader uses.
inline std::string at_line(const std::string& path, long long line, const std::string& problem) {
  return path + ":" + std::to_string(line) + ": " + problem;
}

}  // namespace bitrec

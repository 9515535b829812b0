#include "bitrec/run_directory.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "bitrec/error.hpp"

namespace fs = std::filesystem;

namespace bitrec {

bool holds_run(const std::string& dir) {
  std::error_code ec;
  return fs::exists(fs::path(dir) / "checkpoint.bin", ec) || fs::exists(fs::path(dir) / "report.json", ec);
}

RunDirectory::RunDirectory(std::string out, bool overwrite) : out_(std::move(out)) {
  std::error_code ec;
  if (fs::exists(out_, ec)) {
    if (!fs::is_directory(out_, ec)) throw InputError("--out " + out_ + ": exists and is not a directory");
    if (holds_run(out_)) {
      if (!overwrite) throw InputError("--out " + out_ + ": holds another run (pass --overwrite to replace it)");
    } else if (!fs::is_empty(out_, ec)) {
      throw InputError("--out " + out_ + ": is not empty and holds no bitrec run; choose another folder");
    }
  }
  const fs::path target(out_);
  staging_ = (target.parent_path() / ("." + target.filename().string() + ".partial-" + std::to_string(getpid()))).string();
  fs::create_directories(staging_, ec);
  if (ec) throw InputError("--out " + out_ + ": cannot create " + staging_ + ": " + ec.message());
}

RunDirectory::~RunDirectory() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

std::string RunDirectory::file(const std::string& name) const { return (fs::path(staging_) / name).string(); }

void RunDirectory::commit() {
  std::error_code ec;
  std::string old;
  if (fs::exists(out_, ec)) {
    old = staging_ + ".old";
    fs::rename(out_, old, ec);
    if (ec) throw InputError("--out " + out_ + ": cannot move the old run aside: " + ec.message());
  }
  fs::rename(staging_, out_, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, out_, ec);
    throw InputError("--out " + out_ + ": cannot move the run into place: " + ec.message());
  }
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
}

void write_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw InputError(path + ": cannot write");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw InputError(path + ": cannot rename into place");
}

}  // namespace bitrec

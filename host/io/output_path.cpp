#include "bitrec/output_path.hpp"

#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "bitrec/error.hpp"
#include "bitrec/run_marker.hpp"

namespace fs = std::filesystem;

namespace bitrec {
namespace {

// `dir` must be a folder this process can write in. create: make it (and
// its parents) when missing; else a missing folder is an error.
void require_writable_folder(const fs::path& dir, bool create, const std::string& flag, const std::string& given) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (!create) throw InputError(flag + " " + given + ": folder " + dir.string() + " does not exist");
    fs::create_directories(dir, ec);
    if (ec) throw InputError(flag + " " + given + ": cannot create " + dir.string() + ": " + ec.message());
  }
  if (!fs::is_directory(dir, ec)) {
    if (!create) throw InputError(flag + " " + given + ": folder " + dir.string() + " does not exist");
    throw InputError(flag + " " + given + ": " + dir.string() + " is not a folder");
  }
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    throw InputError(flag + " " + given + ": cannot write in " + dir.string() + ": " + std::strerror(errno));
  }
}

bool is_prefix_of(const fs::path& ancestor, const fs::path& p) {
  auto a = ancestor.begin(), b = p.begin();
  for (; a != ancestor.end(); ++a, ++b) {
    if (b == p.end() || *a != *b) return false;
  }
  return true;
}

}  // namespace

std::string absolute_output_path(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(path), ec).lexically_normal();
  if (ec) throw InputError(path + ": cannot resolve: " + ec.message());
  while (p.has_relative_path() && p.filename().empty()) p = p.parent_path();  // "dir/" -> "dir"
  if (p.has_parent_path() && p.parent_path() != p) {
    const fs::path parent = fs::weakly_canonical(p.parent_path(), ec);
    if (!ec) p = parent / p.filename();
  }
  return p.string();
}

std::string enclosing_run_folder(const std::string& path) {
  std::error_code ec;
  for (fs::path p = fs::path(absolute_output_path(path)); !p.empty(); p = p.parent_path()) {
    // Any bitrec mark (run or export), or a run from before marks.
    if (fs::is_directory(p, ec) && (read_run_marker(p.string()) || holds_run(p.string()))) return p.string();
    if (p == p.root_path()) break;
  }
  return "";
}

std::string resolve_output_folder(const std::string& given, const std::string& flag) {
  if (given.empty()) throw InputError(flag + ": empty path");
  const fs::path p(absolute_output_path(given));
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(p, ec);
  if (fs::is_symlink(link)) {
    const fs::path target = fs::read_symlink(p, ec);
    throw InputError(flag + " " + given + ": is a symbolic link (to " + target.string() +
                     "); give the folder itself, bitrec replaces " + flag + " as a whole when the run ends");
  }
  if (fs::exists(link) && !fs::is_directory(link)) {
    throw InputError(flag + " " + given + ": exists and is not a folder");
  }
  const fs::path cwd = fs::current_path(ec);
  if (!ec && is_prefix_of(p, fs::weakly_canonical(cwd, ec))) {
    throw InputError(flag + " " + given + ": is the current folder or one of its parents; name a new folder for "
                     "the output (e.g. " + flag + " runs/NAME)");
  }
  if (!p.has_parent_path() || p.parent_path() == p) throw InputError(flag + " " + given + ": is the root folder");
  const std::string owner = enclosing_run_folder(p.parent_path().string());
  if (!owner.empty()) {
    throw InputError(flag + " " + given + ": lies inside the bitrec folder " + owner +
                     "; choose a folder outside it (bitrec never writes into another run)");
  }
  require_writable_folder(p.parent_path(), /*create=*/true, flag, given);
  return p.string();
}

std::string check_output_file(const std::string& given, const std::string& flag) {
  if (given.empty()) throw InputError(flag + ": empty path");
  const fs::path p(absolute_output_path(given));
  std::error_code ec;
  if (fs::is_directory(p, ec)) throw InputError(flag + " " + given + ": is a folder; name a file");
  const std::string owner = enclosing_run_folder(p.parent_path().string());
  if (!owner.empty()) {
    throw InputError(flag + " " + given + ": lies inside the bitrec folder " + owner +
                     "; write it elsewhere (a run's files are bitrec's own)");
  }
  require_writable_folder(p.parent_path(), /*create=*/false, flag, given);
  return given;
}

}  // namespace bitrec

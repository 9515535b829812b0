#include "bitrec/run_directory.hpp"

#include <stdio.h>  // renameat2, RENAME_NOREPLACE, RENAME_EXCHANGE
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "bitrec/error.hpp"
#include "bitrec/output_path.hpp"

namespace fs = std::filesystem;

namespace bitrec {
namespace {

std::string staging_prefix(const fs::path& out) { return "." + out.filename().string() + ".partial-"; }

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  const size_t shown = std::min<size_t>(names.size(), 8);
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > shown) out += ", … (" + std::to_string(names.size() - shown) + " more)";
  return out;
}

// rename(2) that never replaces an existing target; false when one exists.
bool rename_no_replace(const std::string& from, const std::string& to) {
  if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno == EEXIST || errno == ENOTEMPTY) return false;
  if (errno != EINVAL && errno != ENOSYS) {
    throw InputError("cannot move " + from + " to " + to + ": " + std::strerror(errno));
  }
  // A file system without RENAME_NOREPLACE: check, then rename (the lock
  // keeps other bitrec processes out of this window).
  std::error_code ec;
  if (fs::exists(fs::symlink_status(to, ec))) return false;
  fs::rename(from, to, ec);
  if (ec) throw InputError("cannot move " + from + " to " + to + ": " + ec.message());
  return true;
}

}  // namespace

std::vector<LeftoverStaging> leftover_stagings(const std::string& out) {
  const fs::path target(out);
  const std::string prefix = staging_prefix(target);
  std::vector<std::pair<fs::file_time_type, LeftoverStaging>> found;
  std::error_code ec;
  for (fs::directory_iterator it(target.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0 || !it->is_directory(ec)) continue;
    const auto marker = read_run_marker(it->path().string());
    if (!marker || marker->kind != "run") continue;  // not bitrec's staging folder: never touched
    LeftoverStaging s;
    s.folder = it->path().string();
    s.has_checkpoint = fs::exists(it->path() / "checkpoint.bin", ec);
    found.emplace_back(fs::last_write_time(it->path(), ec), s);
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<LeftoverStaging> out_list;
  for (auto& [time, s] : found) out_list.push_back(std::move(s));
  return out_list;
}

FolderCheck check_output_folder(const std::string& out, bool overwrite, const std::string& flag,
                               const std::string& kind, bool resuming) {
  FolderCheck check;
  check.out = resolve_output_folder(out, flag);
  const std::string shown = flag + " " + out;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(check.out, ec))) {
    const std::vector<std::string> foreign = foreign_entries(check.out);
    const auto marker = read_run_marker(check.out);
    const bool legacy = !marker && is_unmarked_legacy_run(check.out);
    if (list_folder(check.out).empty() && !marker) {
      check.found = FolderCheck::kEmptyFolder;
    } else if (!marker && !legacy) {
      throw InputError(shown + ": is not empty and holds nothing bitrec wrote (" + join_names(foreign) +
                       "); choose another folder (bitrec never deletes files it did not write)");
    } else {
      const std::string held_kind = marker ? marker->kind : "run";
      if (held_kind != kind) {
        throw InputError(shown + ": holds a bitrec " + (held_kind == "run" ? "training run" : held_kind) +
                         ", not " + (kind == "run" ? "a run" : "an " + kind) + "; choose another folder");
      }
      if (!overwrite) {
        throw InputError(shown + ": holds another " + (kind == "run" ? "run" : kind) +
                         " (pass --overwrite to replace it)");
      }
      if (!foreign.empty()) {
        throw InputError(shown + ": holds files bitrec did not write (" + join_names(foreign) +
                         "); move them out first: --overwrite replaces only bitrec's own files");
      }
      check.found = FolderCheck::kOwnFolder;
      check.found_id = marker ? marker->id : "";
    }
  }
  if (kind == "run") {
    for (const LeftoverStaging& s : leftover_stagings(check.out)) {
      if (s.has_checkpoint && !resuming && !overwrite) {
        throw InputError(shown + ": an earlier run into this folder was killed and left a checkpoint in " + s.folder +
                         "; continue it with `bitrec train --resume " + out +
                         "`, or pass --overwrite to start over (that checkpoint is then deleted)");
      }
      check.leftovers.push_back(s.folder);  // resumed, replaced, or killed before its first checkpoint
    }
  }
  return check;
}

RunDirectory::RunDirectory(const std::string& out, bool overwrite, const std::string& flag, const std::string& kind,
                           bool resuming)
    : flag_(flag), kind_(kind), id_(new_run_id()) {
  out_ = resolve_output_folder(out, flag);
  lock_ = std::make_unique<FolderLock>(out_, flag);
  // Checked again with the lock held: what another process did before we
  // got it counts.
  FolderCheck check = check_output_folder(out, overwrite, flag, kind, resuming);
  found_ = check.found;
  found_id_ = check.found_id;
  leftovers_ = std::move(check.leftovers);
  const std::string shown = flag + " " + out;
  std::error_code ec;
  const fs::path target(out_);
  const std::string base = (target.parent_path() / (staging_prefix(target) + std::to_string(getpid()))).string();
  staging_ = base;
  for (int n = 2; fs::exists(fs::symlink_status(staging_, ec)); ++n) staging_ = base + "-" + std::to_string(n);
  if (!fs::create_directory(staging_, ec) || ec) {
    throw InputError(shown + ": cannot create " + staging_ + ": " + (ec ? ec.message() : "exists"));
  }
  try {
    mark();
  } catch (...) {
    fs::remove_all(staging_, ec);
    throw;
  }
}

RunDirectory::~RunDirectory() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

std::string RunDirectory::file(const std::string& name) const { return (fs::path(staging_) / name).string(); }

void RunDirectory::mark() const {
  std::vector<std::string> files = list_folder(staging_);
  files.erase(std::remove_if(files.begin(), files.end(),
                             [](const std::string& f) { return f.size() > 4 && f.compare(f.size() - 4, 4, ".tmp") == 0; }),
              files.end());
  write_run_marker(staging_, RunMarker{kind_, id_, files});
}

bool RunDirectory::still_as_found() const {
  std::error_code ec;
  const bool exists = fs::exists(fs::symlink_status(out_, ec));
  switch (found_) {
    case FolderCheck::kNothing: return !exists;
    case FolderCheck::kEmptyFolder: return !exists || (fs::is_directory(out_, ec) && fs::is_empty(out_, ec));
    case FolderCheck::kOwnFolder: {
      if (!exists || !fs::is_directory(fs::symlink_status(out_, ec))) return false;
      const auto marker = read_run_marker(out_);
      const bool same = marker ? marker->id == found_id_ : found_id_.empty() && is_unmarked_legacy_run(out_);
      return same && foreign_entries(out_).empty();
    }
  }
  return false;
}

std::string RunDirectory::commit() {
  mark();
  std::error_code ec;
  std::string landed = out_;
  bool placed = false;
  if (still_as_found()) {
    if (found_ == FolderCheck::kOwnFolder) {
      // Swap the new run and the old one in one step, then delete the old
      // one's own files (its marker says which) from where staging was.
      if (renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, out_.c_str(), RENAME_EXCHANGE) == 0) {
        if (!remove_marked_folder(staging_)) {
          std::fprintf(stderr, "warning: the replaced run's folder %s kept files bitrec did not write\n",
                       staging_.c_str());
        }
        placed = true;
      } else if (errno == EINVAL || errno == ENOSYS) {
        const std::string aside = staging_ + ".old";
        fs::rename(out_, aside, ec);
        if (ec) throw InputError(flag_ + " " + out_ + ": cannot move the old run aside: " + ec.message());
        fs::rename(staging_, out_, ec);
        if (ec) {
          const std::string why = ec.message();
          fs::rename(aside, out_, ec);
          throw InputError(flag_ + " " + out_ + ": cannot move the run into place: " + why);
        }
        remove_marked_folder(aside);
        placed = true;
      } else {
        throw InputError(flag_ + " " + out_ + ": cannot move the run into place: " + std::strerror(errno));
      }
    } else if (found_ == FolderCheck::kEmptyFolder && fs::exists(out_, ec)) {
      // rename(2) replaces an empty folder atomically and fails on a non-empty one.
      placed = std::rename(staging_.c_str(), out_.c_str()) == 0;
      if (!placed && errno != ENOTEMPTY && errno != EEXIST) {
        throw InputError(flag_ + " " + out_ + ": cannot move the run into place: " + std::strerror(errno));
      }
    } else {
      placed = rename_no_replace(staging_, out_);
    }
  }
  if (!placed) {
    // --out changed while this run worked (another process wrote it): keep
    // both, the new run under a unique sibling name.
    const std::string base = out_ + "-" + id_.substr(0, 8);
    landed = base;
    for (int n = 2; !rename_no_replace(staging_, landed); ++n) landed = base + "-" + std::to_string(n);
    std::fprintf(stderr,
                 "warning: %s %s changed while this %s was written (something else wrote it); it was left as it "
                 "is and this %s is in %s\n",
                 flag_.c_str(), out_.c_str(), kind_.c_str(), kind_.c_str(), landed.c_str());
  }
  committed_ = true;
  for (const std::string& leftover : leftovers_) remove_marked_folder(leftover);
  return landed;
}

void write_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path + ": cannot write: " + std::strerror(errno));
    out << text;
    out.flush();
    if (!out) {
      const std::string why = std::strerror(errno);
      out.close();
      std::remove(tmp.c_str());
      throw InputError(path + ": write failed: " + why);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw InputError(path + ": cannot rename into place: " + why);
  }
}

}  // namespace bitrec

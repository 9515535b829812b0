#include "bitrec/run_marker.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bitrec/error.hpp"

namespace fs = std::filesystem;

namespace bitrec {
namespace {

constexpr const char* kHeader = "bitrec run folder 1";

// What a run folder of bitrec holds (run_training.cpp, id_maps.cpp): a
// folder with only these and a valid checkpoint is a run from before marks.
bool is_known_run_file(const std::string& name) {
  static const char* const kKnown[] = {"checkpoint.bin", "report.json", "metrics.jsonl", "users.tsv", "items.tsv"};
  return std::any_of(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return name == k; });
}

bool starts_with_checkpoint_magic(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == 8 && std::memcmp(magic, "BITRECCK", 8) == 0;
}

}  // namespace

std::string new_run_id() {
  uint64_t random = 0;
  if (std::FILE* f = std::fopen("/dev/urandom", "rb")) {
    if (std::fread(&random, sizeof random, 1, f) != 1) random = 0;
    std::fclose(f);
  }
  const uint64_t now = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  const uint64_t id = random ^ (now * 0x9E3779B97F4A7C15ULL) ^ (static_cast<uint64_t>(getpid()) << 40);
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
  return text;
}

std::optional<RunMarker> read_run_marker(const std::string& dir) {
  std::ifstream in(fs::path(dir) / kRunMarkerName);
  if (!in) return std::nullopt;
  std::string line;
  if (!std::getline(in, line) || line != kHeader) return std::nullopt;
  RunMarker marker;
  while (std::getline(in, line)) {
    if (line.rfind("kind ", 0) == 0) {
      marker.kind = line.substr(5);
    } else if (line.rfind("id ", 0) == 0) {
      marker.id = line.substr(3);
    } else if (line.rfind("file ", 0) == 0) {
      marker.files.push_back(line.substr(5));
    }
  }
  if (marker.kind.empty() || marker.id.empty()) return std::nullopt;
  return marker;
}

void write_run_marker(const std::string& dir, const RunMarker& marker) {
  std::ostringstream text;
  text << kHeader << "\n# written by bitrec: this folder and the files listed below are bitrec's own\n"
       << "kind " << marker.kind << "\nid " << marker.id << "\n";
  for (const std::string& f : marker.files) text << "file " << f << "\n";
  const fs::path path = fs::path(dir) / kRunMarkerName;
  const fs::path tmp = fs::path(dir) / (std::string(kRunMarkerName) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text.str();
    out.flush();
    if (!out) throw InputError(tmp.string() + ": cannot write: " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw InputError(path.string() + ": cannot write: " + ec.message());
}

std::vector<std::string> list_folder(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name != kRunMarkerName) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool is_unmarked_legacy_run(const std::string& dir) {
  if (read_run_marker(dir)) return false;
  if (!starts_with_checkpoint_magic(fs::path(dir) / "checkpoint.bin")) return false;
  const std::vector<std::string> names = list_folder(dir);
  return std::all_of(names.begin(), names.end(), is_known_run_file);
}

std::vector<std::string> foreign_entries(const std::string& dir) {
  std::vector<std::string> names = list_folder(dir);
  if (const auto marker = read_run_marker(dir)) {
    names.erase(std::remove_if(names.begin(), names.end(),
                               [&](const std::string& n) {
                                 return std::find(marker->files.begin(), marker->files.end(), n) !=
                                        marker->files.end();
                               }),
                names.end());
    return names;
  }
  if (starts_with_checkpoint_magic(fs::path(dir) / "checkpoint.bin")) {
    names.erase(std::remove_if(names.begin(), names.end(), is_known_run_file), names.end());
  }
  return names;
}

bool holds_run(const std::string& dir) {
  if (const auto marker = read_run_marker(dir)) return marker->kind == "run";
  std::error_code ec;
  return fs::exists(fs::path(dir) / "checkpoint.bin", ec) && starts_with_checkpoint_magic(fs::path(dir) / "checkpoint.bin");
}

bool remove_marked_folder(const std::string& dir) {
  std::vector<std::string> listed;
  if (const auto marker = read_run_marker(dir)) {
    listed = marker->files;
  } else if (is_unmarked_legacy_run(dir)) {
    listed = list_folder(dir);
  } else {
    return false;
  }
  std::error_code ec;
  for (const std::string& name : listed) {
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") continue;
    const fs::path p = fs::path(dir) / name;
    // Only plain files: a folder or a link a user put under a listed name is theirs.
    if (fs::is_symlink(fs::symlink_status(p, ec)) || !fs::is_regular_file(p, ec)) continue;
    fs::remove(p, ec);
  }
  fs::remove(fs::path(dir) / kRunMarkerName, ec);
  fs::remove(fs::path(dir) / (std::string(kRunMarkerName) + ".tmp"), ec);
  return fs::remove(dir, ec) && !ec;  // fs::remove only removes an empty folder
}

}  // namespace bitrec

// absolute_data_path / data_fingerprint / locate_run_data: what a run read,
// so the commands that load it later find the same data and notice a change.
#include "bitrec/data_fingerprint.hpp"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

#include "bitrec/error.hpp"
#include "bitrec/sessions.hpp"
#include "data/synthetic.hpp"

namespace bitrec {
namespace {

namespace fs = std::filesystem;

struct FileMark {
  std::string name;
  std::string size;  // decimal
  std::string hash;  // hex
};

// "<name> size=<n> fnv1a64=<hex>" for one file, read whole.
std::string file_mark(const fs::path& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw InputError(path.string() + ": cannot read: " + std::strerror(errno));
  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
  uint64_t size = 0;
  std::vector<unsigned char> chunk(1 << 16);
  size_t got;
  while ((got = std::fread(chunk.data(), 1, chunk.size(), file.get())) > 0) {
    for (size_t i = 0; i < got; ++i) hash = (hash ^ chunk[i]) * 1099511628211ull;
    size += got;
  }
  if (std::ferror(file.get())) throw InputError(path.string() + ": read error: " + std::strerror(errno));
  char text[64];
  std::snprintf(text, sizeof text, " size=%" PRIu64 " fnv1a64=%016" PRIx64, size, hash);
  return path.filename().string() + text;
}

std::vector<std::string> split_marks(const std::string& fingerprint) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t sep = fingerprint.find("; ", start);
    parts.push_back(fingerprint.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
    if (sep == std::string::npos) return parts;
    start = sep + 2;
  }
}

bool parse_mark(const std::string& text, FileMark& mark) {
  const size_t size_at = text.rfind(" size=");
  const size_t hash_at = text.rfind(" fnv1a64=");
  if (size_at == std::string::npos || hash_at == std::string::npos || hash_at < size_at) return false;
  mark.name = text.substr(0, size_at);
  mark.size = text.substr(size_at + 6, hash_at - size_at - 6);
  mark.hash = text.substr(hash_at + 9);
  return true;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

std::string absolute_data_path(const std::string& spec) {
  if (spec.empty() || data::is_synthetic_spec(spec)) return spec;
  std::error_code ec;
  const fs::path absolute = fs::absolute(spec, ec);
  if (ec) return spec;
  std::string normal = absolute.lexically_normal().string();
  // "dir/" and "dir" are the same folder; keep one spelling.
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

std::string data_fingerprint(const std::string& spec) {
  if (data::is_synthetic_spec(spec)) return spec;
  std::error_code ec;
  const fs::file_status status = fs::status(spec, ec);
  if (status.type() == fs::file_type::not_found) throw InputError("--data: '" + spec + "' not found");
  if (ec) throw InputError(spec + ": cannot read: " + ec.message());  // e.g. permission denied
  if (!fs::is_directory(status)) return file_mark(spec);
  std::string out;
  // A LightGCN directory's two files, or a split session directory's
  // (datasets/README.md "Session data").
  const bool sessions = is_session_spec(spec);
  const std::vector<const char*> names = sessions ? std::vector<const char*>{"train.tsv", "test.tsv"}
                                                  : std::vector<const char*>{"train.txt", "test.txt"};
  for (const char* name : names) {
    out += (out.empty() ? "" : "; ") + file_mark(fs::path(spec) / name);
  }
  return out;
}

std::string describe_data_change(const std::string& trained, const std::string& now) {
  if (trained == now) return "";
  const std::vector<std::string> was = split_marks(trained), is = split_marks(now);
  std::vector<FileMark> was_marks(was.size()), is_marks(is.size());
  bool files = was.size() == is.size();
  for (size_t i = 0; files && i < was.size(); ++i) {
    files = parse_mark(was[i], was_marks[i]) && parse_mark(is[i], is_marks[i]) && was_marks[i].name == is_marks[i].name;
  }
  if (!files) return "the run read " + quoted(trained) + ", now " + quoted(now);
  std::string out;
  for (size_t i = 0; i < was.size(); ++i) {
    const FileMark &a = was_marks[i], &b = is_marks[i];
    std::string change;
    if (a.size != b.size) {
      change = a.name + " was " + a.size + " bytes when the run trained, now " + b.size + " bytes";
    } else if (a.hash != b.hash) {
      change = a.name + " has the same size (" + a.size + " bytes) but other content (FNV-1a hash " + a.hash +
               " when the run trained, now " + b.hash + ")";
    }
    if (!change.empty()) out += (out.empty() ? "" : "; ") + change;
  }
  return out.empty() ? "the run read " + quoted(trained) + ", now " + quoted(now) : out;
}

std::string locate_run_data(const std::string& stored, const std::string& run_dir, const std::string& what) {
  if (stored.empty() || data::is_synthetic_spec(stored)) return stored;
  std::error_code ec;
  const fs::path path(stored);
  if (path.is_absolute()) {
    if (fs::exists(path, ec)) return stored;
    throw InputError(what + ": the run's data " + stored +
                     " is not there any more (moved or deleted?); give its new place with --data PATH");
  }
  // A run made before bitrec stored absolute paths: --data as typed, relative
  // to wherever `bitrec train` ran: here, or (runs/<name> under it) a folder
  // above the run.
  if (fs::exists(path, ec)) return absolute_data_path(stored);
  fs::path above = fs::absolute(run_dir, ec);
  if (!ec) {
    above = above.lexically_normal();
    if (above.filename().empty()) above = above.parent_path();
    for (above = above.parent_path(); !above.empty(); above = above.parent_path()) {
      const fs::path candidate = above / path;
      if (fs::exists(candidate, ec)) {
        const std::string found = absolute_data_path(candidate.string());
        std::fprintf(stderr, "note: %s: the run's data '%s' (a relative path) found as %s\n", what.c_str(),
                     stored.c_str(), found.c_str());
        return found;
      }
      if (above == above.root_path()) break;
    }
  }
  throw InputError(what + ": the run's data '" + stored +
                   "' (a path relative to where it trained) is not found from here nor from the folders above "
                   "the run; give it with --data PATH");
}

std::string check_data_unchanged(const std::string& stored_fingerprint, const std::string& spec, bool allow_changed,
                                 const std::string& what) {
  const std::string now = data_fingerprint(spec);
  if (stored_fingerprint.empty()) return now;  // a run made before fingerprints: nothing to compare
  const std::string change = describe_data_change(stored_fingerprint, now);
  if (change.empty()) return now;
  const std::string message = what + ": the data " + spec + " differs from what the run trained on (" + change + ")";
  if (!allow_changed) {
    throw InputError(message + "; pass --allow-changed-data to use it anyway");
  }
  std::fprintf(stderr, "warning: %s; going on as --allow-changed-data asks\n", message.c_str());
  return now;
}

}  // namespace bitrec

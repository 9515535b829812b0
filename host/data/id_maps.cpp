// users.tsv / items.tsv: how the dense ids of a run map back to the ids of
// the input file, so rankings and exports can be read in the user's terms.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "bitrec/dataset.hpp"
#include "bitrec/error.hpp"

namespace bitrec {
namespace {

// External ids come from CSV/TSV fields and may (quoted) hold a tab or a
// backslash; escaping keeps each map one line per id.
void write_escaped(std::ostream& out, const std::string& id) {
  for (char c : id) {
    switch (c) {
      case '\t': out << "\\t"; break;
      case '\n': out << "\\n"; break;
      case '\r': out << "\\r"; break;
      case '\\': out << "\\\\"; break;
      default: out << c;
    }
  }
}

void write_map(const std::vector<std::string>& ids, const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError(path.string() + ": cannot write: " + std::strerror(errno));
  out << "dense_id\texternal_id\n";
  for (size_t dense = 0; dense < ids.size(); ++dense) {
    out << dense << '\t';
    write_escaped(out, ids[dense]);
    out << '\n';
  }
  out.flush();
  if (!out) throw InputError(path.string() + ": write failed: " + std::strerror(errno));
}

}  // namespace

bool save_id_maps(const Dataset& data, const std::string& dir) {
  if (data.user_ids.empty() && data.item_ids.empty()) return false;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError(dir + ": cannot create directory: " + ec.message());
  if (!data.user_ids.empty()) write_map(data.user_ids, std::filesystem::path(dir) / "users.tsv");
  if (!data.item_ids.empty()) write_map(data.item_ids, std::filesystem::path(dir) / "items.tsv");
  return true;
}

}  // namespace bitrec

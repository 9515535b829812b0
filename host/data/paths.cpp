#include "data/paths.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

namespace bitrec::data {

namespace fs = std::filesystem;

std::string lowercase_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

std::string directory_name(const std::string& dir) {
  fs::path path(dir);
  if (path.filename().empty()) path = path.parent_path();  // trailing '/'
  std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..") {
    std::error_code ec;
    name = fs::weakly_canonical(path, ec).filename().string();
  }
  return name.empty() ? "data" : name;
}

}  // namespace bitrec::data

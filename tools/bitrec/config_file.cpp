#include "config_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "bitrec/error.hpp"

namespace bitrec::cli {
namespace {

bool given_on_command_line(const std::vector<std::string>& args, const std::string& option) {
  return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
    return a == option || a.rfind(option + "=", 0) == 0;
  });
}

}  // namespace

std::vector<std::string> expand_config_file(const CLI::App& sub, const std::vector<std::string>& args) {
  std::string path;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) path = args[i + 1];
    if (args[i].rfind("--config=", 0) == 0) path = args[i].substr(9);
  }
  if (path.empty()) return args;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError("--config " + path + ": is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("--config " + path + ": cannot open");
  // A binary file: CLI11's message would quote the line, cut at its NUL byte.
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const size_t nul = text.find('\0');
  if (nul != std::string::npos) {
    throw InputError("--config " + path + ": not a text TOML/INI file (NUL byte at offset " + std::to_string(nul) +
                     ")");
  }
  std::vector<CLI::ConfigItem> items;
  try {
    std::istringstream stream(text);
    items = CLI::ConfigTOML().from_config(stream);
  } catch (const CLI::ParseError& e) {
    throw InputError(path + ": " + e.what());
  }
  std::vector<std::string> extra;
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section markers
    const bool in_scope = item.parents.empty() || (item.parents.size() == 1 && item.parents[0] == sub.get_name());
    if (!in_scope) continue;
    std::string name = item.name;
    std::replace(name.begin(), name.end(), '_', '-');
    const std::string option = "--" + name;
    const CLI::Option* opt = sub.get_option_no_throw(option);
    if (opt == nullptr || name == "config") {
      throw InputError(path + ": unknown option '" + item.name + "' (see bitrec " + sub.get_name() + " --help)");
    }
    if (given_on_command_line(args, option)) continue;
    if (opt->get_type_size() == 0) {  // a flag
      const std::string v = item.inputs.empty() ? "true" : item.inputs.front();
      if (v == "true" || v == "1" || v == "on" || v == "yes") extra.push_back(option);
      continue;
    }
    std::string value;
    for (const std::string& input : item.inputs) value += (value.empty() ? "" : ",") + input;
    // One token: a value such as -inf is then never read as an option.
    extra.push_back(option + "=" + value);
  }
  std::vector<std::string> out = args;
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

}  // namespace bitrec::cli

#include "data/header_columns.hpp"

#include <cctype>

#include "bitrec/error.hpp"
#include "data/delimited_fields.hpp"
#include "data/text_input.hpp"

namespace bitrec::data {

long long read_header_row(LineCursor& lines, char delimiter, const std::string& path,
                          std::vector<std::string_view>* header, std::deque<std::string>* unescaped) {
  std::string_view line;
  std::string problem;
  while (lines.next(&line)) {
    if (is_blank_line(line)) continue;
    if (!split_delimited_line(line, delimiter, header, unescaped, &problem)) {
      throw InputError(at_line(path, lines.line_number(), problem));
    }
    return lines.line_number();
  }
  return 0;
}

std::string list_columns(const std::vector<std::string_view>& header) {
  std::string out;
  for (size_t i = 0; i < header.size() && i < kListedColumns; ++i) {
    out += (i ? ", " : "") + quote_token(header[i]);
  }
  if (header.size() > kListedColumns) {
    out += " and " + std::to_string(header.size() - kListedColumns) + " more";
  }
  return out;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

int find_column(const std::vector<std::string_view>& header, std::string_view name,
                const char* role, const char* flag, const std::string& path, long long line) {
  for (const bool exact : {true, false}) {
    int found = -1;
    for (size_t i = 0; i < header.size(); ++i) {
      if (exact ? header[i] == name : equal_ignoring_case(header[i], name)) {
        if (found >= 0) {
          throw InputError(at_line(path, line,
                                   "the " + std::string(role) + " column " + quote_token(name) +
                                       " matches columns " + std::to_string(found + 1) + " and " +
                                       std::to_string(i + 1) + " of the header"));
        }
        found = static_cast<int>(i);
      }
    }
    if (found >= 0) return found;
  }
  throw InputError(at_line(path, line,
                           "the header has no " + std::string(role) + " column " +
                               quote_token(name) + " (columns: " + list_columns(header) + ")" +
                               (flag ? "; " + std::string(flag) + " names it" : std::string())));
}

}  // namespace bitrec::data

#include "data/delimited_fields.hpp"

namespace bitrec::data {
namespace {

// Blanks trimmed around fields; the delimiter itself never counts as one
// (a TSV's empty fields stay fields).
bool is_trimmed(char c, char delimiter) {
  return c != delimiter && (c == ' ' || c == '\t' || c == '\r');
}

}  // namespace

bool split_delimited_line(std::string_view line, char delimiter,
                          std::vector<std::string_view>* fields,
                          std::deque<std::string>* unescaped, std::string* problem) {
  fields->clear();
  size_t pos = 0;
  const size_t n = line.size();
  while (true) {
    while (pos < n && is_trimmed(line[pos], delimiter)) ++pos;
    if (pos < n && line[pos] == '"') {
      // Quoted: up to the closing quote; "" inside stands for one quote.
      const size_t open = ++pos;
      bool has_escapes = false;
      while (true) {
        if (pos >= n) {
          *problem = "unterminated quote (quoted fields cannot span lines)";
          return false;
        }
        if (line[pos] == '"') {
          if (pos + 1 < n && line[pos + 1] == '"') {
            has_escapes = true;
            pos += 2;
            continue;
          }
          break;
        }
        ++pos;
      }
      std::string_view body = line.substr(open, pos - open);
      ++pos;  // the closing quote
      while (pos < n && is_trimmed(line[pos], delimiter)) ++pos;
      if (pos < n && line[pos] != delimiter) {
        *problem = "unexpected text after a closing quote";
        return false;
      }
      if (has_escapes) {
        std::string text;
        text.reserve(body.size());
        for (size_t i = 0; i < body.size(); ++i) {
          text.push_back(body[i]);
          if (body[i] == '"') ++i;  // skip the second quote of the pair
        }
        unescaped->push_back(std::move(text));
        body = unescaped->back();
      }
      fields->push_back(body);
    } else {
      const size_t start = pos;
      while (pos < n && line[pos] != delimiter) ++pos;
      size_t stop = pos;
      while (stop > start && is_trimmed(line[stop - 1], delimiter)) --stop;
      fields->push_back(line.substr(start, stop - start));
    }
    if (pos >= n) return true;
    ++pos;  // the delimiter; a trailing one makes a last, empty field
  }
}

}  // namespace bitrec::data

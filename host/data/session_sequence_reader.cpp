// Sequence files (SASRec's format, e.g. Video Games): `user item` lines, no
// header, each user's lines together and in chronological order. Each user
// is one session whose event times are the events' line numbers
// (datasets/README.md "Session data").
#include <unordered_set>

#include "bitrec/error.hpp"
#include "data/session_parts.hpp"
#include "data/text_input.hpp"

namespace bitrec::data {
namespace {

// Splits `line` at runs of blanks into at most `max` tokens; returns how
// many tokens there are (may exceed `max`, only the first `max` are stored).
size_t split_blanks(std::string_view line, std::string_view* tokens, size_t max) {
  size_t count = 0;
  size_t pos = 0;
  while (true) {
    while (pos < line.size() && is_blank_char(line[pos])) ++pos;
    if (pos >= line.size()) return count;
    const size_t start = pos;
    while (pos < line.size() && !is_blank_char(line[pos])) ++pos;
    if (count < max) tokens[count] = line.substr(start, pos - start);
    ++count;
  }
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool is_sequence_line(std::string_view line) {
  std::string_view tokens[2];
  return split_blanks(line, tokens, 2) == 2 && all_digits(tokens[0]) && all_digits(tokens[1]);
}

void read_sequence_file(const std::string& path, const std::string& text, RawSessions* raw) {
  LineCursor lines(text);
  std::string_view line;
  std::string_view tokens[2];
  long long user = -1;             // the user being read
  long long user_last_line = 0;    // the line of its latest event
  // Users whose lines have ended; a set, not a bitmap over ids, because one
  // id near 2^31 must not cost 256 MB.
  std::unordered_set<int32_t> finished;
  raw->items.reserve(raw->items.size() + text.size() / 10);
  while (lines.next(&line)) {
    if (is_blank_line(line)) continue;
    const long long line_number = lines.line_number();
    const size_t count = split_blanks(line, tokens, 2);
    if (count != 2) {
      throw InputError(at_line(path, line_number,
                               "expected two non-negative integers `user item`, got " +
                                   std::to_string(count) + " fields"));
    }
    const int32_t u = parse_id(tokens[0], "user", path, line_number);
    const int32_t item = parse_id(tokens[1], "item", path, line_number);
    if (u != user) {
      if (finished.count(u)) {
        throw InputError(at_line(path, line_number,
                                 "user " + std::to_string(u) + " appears again at line " +
                                     std::to_string(line_number) +
                                     " after other users; a sequence file keeps each user's "
                                     "lines together"));
      }
      if (user >= 0) {
        finished.insert(static_cast<int32_t>(user));
        raw->last_times.push_back(static_cast<double>(user_last_line));
        raw->offsets.push_back(static_cast<int64_t>(raw->items.size()));
      }
      user = u;
      raw->session_ids.push_back(std::to_string(u));
      raw->user_numbers.push_back(u);
      raw->start_times.push_back(static_cast<double>(line_number));
    }
    user_last_line = line_number;
    // The number, not the token: "007" and "7" are one item, as they are
    // one user.
    raw->items.push_back(raw->item_table.intern(std::to_string(item)));
  }
  if (user < 0) throw InputError(at_line(path, 1, "no events: the sequence file is empty"));
  raw->last_times.push_back(static_cast<double>(user_last_line));
  raw->offsets.push_back(static_cast<int64_t>(raw->items.size()));
}

}  // namespace bitrec::data

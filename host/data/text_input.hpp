// Reading text input fast: a whole file in one buffer, lines cut by memchr,
// ids parsed by hand. Gowalla's 4.6 MB train.txt is 810k ids; iostream
// extraction per token is several times slower than this and is not used.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace bitrec::data {

// Largest id a file may hold: its count (id + 1) must still fit int32_t.
constexpr int64_t kMaxId = INT32_MAX - 1;

// The whole file. InputError naming the file when it is missing, is not a
// regular file, or cannot be read; `role` says what the file was for
// (e.g. "LightGCN train file") so the message tells the user what to supply.
std::string read_whole_file(const std::string& path, const std::string& role);

// Iterates the lines of a buffer, numbering them from 1. A UTF-8 byte-order
// mark at the start is skipped and a '\r' before '\n' dropped (CRLF files).
class LineCursor {
 public:
  explicit LineCursor(std::string_view text);
  // The next line without its terminator; false at the end of the buffer.
  bool next(std::string_view* line);
  long long line_number() const { return line_number_; }

 private:
  std::string_view rest_;
  long long line_number_ = 0;
};

// Whitespace between tokens: blanks, tabs and stray carriage returns.
inline bool is_blank_char(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

bool is_blank_line(std::string_view line);

// A 0-based id in [0, kMaxId]. Anything else throws InputError
// "path:line: 'abc' is not a non-negative integer <kind> id" (or says the id
// is negative or too large). `kind` is "user" or "item".
int32_t parse_id(std::string_view token, const char* kind, const std::string& path,
                 long long line);

// The token as it may appear inside an error message: quoted, cut to a
// readable length.
std::string quote_token(std::string_view token);

}  // namespace bitrec::data

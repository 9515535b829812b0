#include "data/text_input.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "bitrec/error.hpp"

namespace bitrec::data {

namespace {

// Formats a user may hand over by mistake; saying what the bytes are beats
// "'\x1f\x8b' is not a non-negative integer user id".
void reject_non_text(std::string_view text, const std::string& path) {
  auto starts = [&](std::string_view magic) { return text.substr(0, magic.size()) == magic; };
  if (starts("\x1F\x8B")) throw InputError(path + ": gzip-compressed; decompress it first");
  if (starts("PK\x03\x04")) throw InputError(path + ": a zip archive; extract it first");
  if (starts("\xFF\xFE") || starts("\xFE\xFF")) {
    throw InputError(path + ": UTF-16 text; save it as UTF-8 (or ASCII)");
  }
}

}  // namespace

std::string read_whole_file(const std::string& path, const std::string& role) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec && status.type() != fs::file_type::not_found) {
    throw InputError(path + ": cannot access: " + ec.message() + " (expected the " + role + ")");
  }
  if (!fs::exists(status)) throw InputError(path + ": file not found (expected the " + role + ")");
  if (!fs::is_regular_file(status)) {
    throw InputError(path + ": not a regular file (expected the " + role + ")");
  }

  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw InputError(path + ": cannot open: " + std::strerror(errno));
  std::string text;
  // The size from the file system is only a hint (the file may change under
  // us), so reading continues until EOF either way.
  const auto size_hint = fs::file_size(path, ec);
  if (!ec) text.reserve(static_cast<size_t>(size_hint));
  char chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) text.append(chunk, got);
  if (std::ferror(file.get())) throw InputError(path + ": read error: " + std::strerror(errno));
  reject_non_text(text, path);
  return text;
}

LineCursor::LineCursor(std::string_view text) : rest_(text) {
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (rest_.substr(0, kUtf8Bom.size()) == kUtf8Bom) rest_.remove_prefix(kUtf8Bom.size());
}

bool LineCursor::next(std::string_view* line) {
  if (rest_.empty()) return false;
  ++line_number_;
  const void* newline = std::memchr(rest_.data(), '\n', rest_.size());
  size_t length = newline ? static_cast<size_t>(static_cast<const char*>(newline) - rest_.data())
                          : rest_.size();
  *line = rest_.substr(0, length);
  rest_.remove_prefix(newline ? length + 1 : length);
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  // A '\r' left inside the line is an old Mac line break: end the line there
  // and return the rest later, rather than read two lines as one.
  if (const void* cr = std::memchr(line->data(), '\r', line->size())) {
    const char* after_cr = static_cast<const char*>(cr) + 1;
    const char* buffer_end = rest_.data() + rest_.size();
    rest_ = std::string_view(after_cr, static_cast<size_t>(buffer_end - after_cr));
    *line = line->substr(0, static_cast<size_t>(after_cr - 1 - line->data()));
  }
  return true;
}

bool is_blank_line(std::string_view line) {
  for (char c : line) {
    if (!is_blank_char(c)) return false;
  }
  return true;
}

std::string quote_token(std::string_view token) {
  constexpr size_t kShown = 40;
  std::string out = "'";
  for (char c : token.substr(0, kShown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {  // control bytes would garble the terminal
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + (token.size() > kShown ? "...'" : "'");
}

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Kept out of line: only runs on the way to an error.
[[noreturn]] void throw_bad_id(std::string_view token, const char* kind, const std::string& path,
                               long long line) {
  std::string problem;
  if (all_digits(token)) {
    problem = quote_token(token) + " is too large: the largest " + kind + " id accepted is " +
              std::to_string(kMaxId);
  } else if (token.size() > 1 && token[0] == '-' && all_digits(token.substr(1))) {
    problem = quote_token(token) + " is a negative " + kind + " id (ids are 0-based)";
  } else {
    problem = quote_token(token) + " is not a non-negative integer " + kind + " id";
  }
  throw InputError(at_line(path, line, problem));
}

}  // namespace

int32_t parse_id(std::string_view token, const char* kind, const std::string& path,
                 long long line) {
  // 10 digits hold any id up to kMaxId; longer tokens take the slow path,
  // which reports them precisely. Leading zeros do not count ("007" is 7).
  std::string_view digits = token;
  while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 10) throw_bad_id(token, kind, path, line);
  uint64_t value = 0;
  for (char c : digits) {
    const unsigned digit = static_cast<unsigned char>(c) - '0';
    if (digit > 9) throw_bad_id(token, kind, path, line);
    value = value * 10 + digit;
  }
  if (value > static_cast<uint64_t>(kMaxId)) throw_bad_id(token, kind, path, line);
  return static_cast<int32_t>(value);
}

}  // namespace bitrec::data

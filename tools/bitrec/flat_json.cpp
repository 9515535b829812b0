#include "flat_json.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "bitrec/error.hpp"

namespace bitrec::cli {

// Recursive descent over one document; report.json nests a few levels deep.
class FlatJsonParser {
 public:
  FlatJsonParser(const std::string& text, FlatJson& out) : s_(text), out_(out) {}

  void document() {
    value("");
    skip();
    if (i_ != s_.size()) fail("trailing text");
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(out_.source_ + ": bad JSON at byte " + std::to_string(i_) + ": " + problem);
  }
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  char peek() {
    skip();
    if (i_ >= s_.size()) fail("unexpected end");
    return s_[i_];
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  void put(const std::string& key, FlatJson::Scalar scalar) {
    out_.index_[key] = out_.entries_.size();
    out_.entries_.emplace_back(key, std::move(scalar));
  }
  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }
  std::string string_literal() {
    expect('"');
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated string");
      const char e = s_[i_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) fail("short \\u escape");
          append_utf8(out, static_cast<unsigned>(std::strtoul(s_.substr(i_, 4).c_str(), nullptr, 16)));
          i_ += 4;
          break;
        }
        default: out += e;  // " \ /
      }
    }
  }
  void value(const std::string& path) {
    const char c = peek();
    if (c == '{') {
      ++i_;
      if (peek() == '}') { ++i_; return; }
      while (true) {
        const std::string key = string_literal();
        expect(':');
        value(path.empty() ? key : path + "." + key);
        if (peek() == ',') { ++i_; continue; }
        expect('}');
        return;
      }
    }
    if (c == '[') {
      ++i_;
      if (peek() == ']') { ++i_; return; }
      for (int index = 0;; ++index) {
        value(path + "[" + std::to_string(index) + "]");
        if (peek() == ',') { ++i_; continue; }
        expect(']');
        return;
      }
    }
    if (c == '"') {
      put(path, {string_literal(), true});
      return;
    }
    const size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' || s_[i_] == '+' ||
                              s_[i_] == '.')) {
      ++i_;
    }
    if (start == i_) fail("expected a value");
    std::string token = s_.substr(start, i_ - start);
    // JSON's own literals and numbers only: a hand-edited NaN or Infinity
    // is not JSON (bitrec writes null for a non-finite number).
    if (token != "true" && token != "false" && token != "null" && !is_json_number(token)) {
      i_ = start;
      fail("'" + token + "' is not a JSON value (numbers are finite; bitrec writes null for NaN)");
    }
    put(path, {std::move(token), false});
  }

  const std::string& s_;
  FlatJson& out_;
  size_t i_ = 0;
};

bool is_json_number(const std::string& t) {
  size_t i = 0;
  const auto digits = [&] {
    const size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (!digits()) return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

FlatJson FlatJson::parse(const std::string& text, const std::string& source) {
  FlatJson out;
  out.source_ = source;
  FlatJsonParser(text, out).document();
  return out;
}

FlatJson FlatJson::read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return parse(text, path);
}

std::string FlatJson::text(const std::string& key, const std::string& fallback) const {
  const auto it = index_.find(key);
  return it == index_.end() ? fallback : entries_[it->second].second.text;
}

double FlatJson::number(const std::string& key) const {
  const auto it = index_.find(key);
  if (it == index_.end()) throw InputError(source_ + ": no '" + key + "'");
  const Scalar& scalar = entries_[it->second].second;
  char* end = nullptr;
  const double v = std::strtod(scalar.text.c_str(), &end);
  // strtod also reads "nan", "inf" and hex: none is a JSON number.
  if (scalar.text.empty() || *end != '\0' || !is_json_number(scalar.text)) {
    throw InputError(source_ + ": '" + key + "' is not a number");
  }
  return v;
}

bool FlatJson::finite(const std::string& key, double* out) const {
  const auto it = index_.find(key);
  if (it == index_.end() || !is_json_number(entries_[it->second].second.text)) return false;
  const double v = std::strtod(entries_[it->second].second.text.c_str(), nullptr);
  if (!std::isfinite(v)) return false;  // 1e999
  if (out != nullptr) *out = v;
  return true;
}

std::vector<std::string> FlatJson::keys_under(const std::string& prefix) const {
  std::vector<std::string> keys;
  for (const auto& [key, scalar] : entries_) {
    if (key.compare(0, prefix.size(), prefix) == 0) keys.push_back(key);
  }
  return keys;
}

Json FlatJson::value(const std::string& key) const {
  const auto it = index_.find(key);
  if (it == index_.end()) return Json();
  const Scalar& s = entries_[it->second].second;
  if (s.is_string) return Json(s.text);
  if (s.text == "null") return Json();
  if (s.text == "true" || s.text == "false") return Json(s.text == "true");
  // Anything else that is not a finite JSON number is null, never 0.
  double v = 0.0;
  if (!finite(key, &v)) return Json();
  if (s.text.find_first_of(".eE") == std::string::npos) {
    errno = 0;
    const long long whole = std::strtoll(s.text.c_str(), nullptr, 10);
    if (errno != ERANGE) return Json(static_cast<int64_t>(whole));
  }
  return Json(v);
}

}  // namespace bitrec::cli

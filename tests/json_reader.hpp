// A small JSON reader for tests: parses report.json / metrics.jsonl / eval
// --json output into a flat map "a.b.c" -> text of the scalar.
#pragma once
#include <cctype>
#include <map>
#include <stdexcept>
#include <string>

namespace bitrec::testing {

class FlatJson {
 public:
  explicit FlatJson(const std::string& text) : s_(text) {
    skip();
    value("");
    skip();
    if (i_ != s_.size()) throw std::runtime_error("trailing text in JSON");
  }
  const std::map<std::string, std::string>& values() const { return values_; }
  bool has(const std::string& key) const { return values_.count(key) > 0; }
  double number(const std::string& key) const {
    const auto it = values_.find(key);
    if (it == values_.end()) throw std::runtime_error("no key " + key);
    return std::stod(it->second);
  }
  const std::string& text(const std::string& key) const { return values_.at(key); }

 private:
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  char peek() const {
    if (i_ >= s_.size()) throw std::runtime_error("unexpected end of JSON");
    return s_[i_];
  }
  void expect(char c) {
    if (peek() != c) throw std::runtime_error(std::string("expected ") + c + " at " + std::to_string(i_));
    ++i_;
  }
  std::string string_literal() {
    expect('"');
    std::string out;
    while (peek() != '"') {
      if (s_[i_] == '\\') {
        ++i_;
        const char c = peek();
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
      } else {
        out += s_[i_];
      }
      ++i_;
    }
    ++i_;
    return out;
  }
  void value(const std::string& path) {
    skip();
    const char c = peek();
    if (c == '{') {
      ++i_;
      skip();
      if (peek() == '}') { ++i_; return; }
      while (true) {
        skip();
        const std::string key = string_literal();
        skip();
        expect(':');
        value(path.empty() ? key : path + "." + key);
        skip();
        if (peek() == ',') { ++i_; continue; }
        expect('}');
        return;
      }
    }
    if (c == '[') {
      ++i_;
      skip();
      int index = 0;
      if (peek() == ']') { ++i_; return; }
      while (true) {
        value(path + "[" + std::to_string(index++) + "]");
        skip();
        if (peek() == ',') { ++i_; continue; }
        expect(']');
        return;
      }
    }
    if (c == '"') {
      values_[path] = string_literal();
      return;
    }
    const size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' || s_[i_] == '+' || s_[i_] == '.')) ++i_;
    if (start == i_) throw std::runtime_error("bad JSON value at " + std::to_string(i_));
    values_[path] = s_.substr(start, i_ - start);
  }

  const std::string& s_;
  size_t i_ = 0;
  std::map<std::string, std::string> values_;
};

}  // namespace bitrec::testing

// Reads the JSON bitrec writes (report.json) back as a flat, ordered list of
// dotted keys: {"metrics": {"hamming": {"recall@20": 0.1}}} gives
// "metrics.hamming.recall@20" -> "0.1". Numbers keep their text, so a value
// copied from here into another file is the same digits (Json writes %.17g).
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "io/json_writer.hpp"

namespace bitrec::cli {

// Whether text is a JSON number: -?digits(.digits)?([eE][+-]?digits)?
bool is_json_number(const std::string& text);

class FlatJson {
 public:
  // Throws InputError "source: bad JSON at byte N: problem".
  static FlatJson parse(const std::string& text, const std::string& source);
  static FlatJson read_file(const std::string& path);

  bool has(const std::string& key) const { return index_.count(key) > 0; }
  // The scalar's text (strings unescaped, numbers as written, true/false/null);
  // fallback when absent.
  std::string text(const std::string& key, const std::string& fallback = "") const;
  // The scalar read as a number (a string holding one too: report.json's
  // config values are text); throws InputError naming the source and key
  // when absent or not a number.
  double number(const std::string& key) const;
  // Whether key holds a finite JSON number (then *out is it); false when
  // absent, text, null or out of double's range.
  bool finite(const std::string& key, double* out = nullptr) const;
  // Keys starting with prefix, in file order.
  std::vector<std::string> keys_under(const std::string& prefix) const;
  // The scalar as a Json value of the same kind (integer, number, string, bool, null).
  Json value(const std::string& key) const;

  struct Scalar {
    std::string text;
    bool is_string = false;
  };

 private:
  std::string source_;
  std::vector<std::pair<std::string, Scalar>> entries_;
  std::map<std::string, size_t> index_;
  friend class FlatJsonParser;
};

}  // namespace bitrec::cli

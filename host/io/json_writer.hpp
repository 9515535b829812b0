// A minimal ordered JSON value for report.json and metrics.jsonl: keys keep
// insertion order, so reports diff cleanly between runs.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace bitrec {

class Json {
 public:
  Json() = default;  // null
  static Json object() { Json j; j.kind_ = Kind::kObject; return j; }
  static Json array() { Json j; j.kind_ = Kind::kArray; return j; }
  Json(double v) : kind_(Kind::kNumber), number_(v) {}
  Json(int v) : kind_(Kind::kInteger), integer_(v) {}
  Json(int64_t v) : kind_(Kind::kInteger), integer_(v) {}
  Json(bool v) : kind_(Kind::kBool), integer_(v ? 1 : 0) {}
  Json(const char* v) : kind_(Kind::kString), text_(v) {}
  Json(std::string v) : kind_(Kind::kString), text_(std::move(v)) {}

  // Object access: returns the member, creating it (as null) if absent.
  Json& operator[](const std::string& key);
  // Sets a dotted path "a.b.c", creating nested objects.
  Json& at_path(const std::string& dotted);
  void push_back(Json v);

  // indent < 0: one line (metrics.jsonl).
  std::string dump(int indent = 2) const;

 private:
  enum class Kind { kNull, kBool, kNumber, kInteger, kString, kArray, kObject };
  void write(std::string& out, int indent, int depth) const;
  Kind kind_ = Kind::kNull;
  double number_ = 0.0;
  int64_t integer_ = 0;
  std::string text_;
  std::vector<std::pair<std::string, Json>> members_;  // object
  std::vector<Json> items_;                            // array
};

std::string json_escape(const std::string& s);

}  // namespace bitrec

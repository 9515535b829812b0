#include "json_writer.hpp"

#include <cmath>
#include <cstdio>

namespace bitrec {

Json& Json::operator[](const std::string& key) {
  if (kind_ != Kind::kObject) {
    kind_ = Kind::kObject;
    members_.clear();
  }
  for (auto& member : members_) {
    if (member.first == key) return member.second;
  }
  members_.emplace_back(key, Json());
  return members_.back().second;
}

Json& Json::at_path(const std::string& dotted) {
  Json* node = this;
  size_t start = 0;
  while (true) {
    const size_t dot = dotted.find('.', start);
    node = &(*node)[dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start)];
    if (dot == std::string::npos) return *node;
    start = dot + 1;
  }
}

void Json::push_back(Json v) {
  if (kind_ != Kind::kArray) {
    kind_ = Kind::kArray;
    items_.clear();
  }
  items_.push_back(std::move(v));
}

std::string json_escape(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Json::dump(int indent) const {
  std::string out;
  write(out, indent, 0);
  return out;
}

void Json::write(std::string& out, int indent, int depth) const {
  const auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (kind_) {
    case Kind::kNull: out += "null"; break;
    case Kind::kBool: out += integer_ ? "true" : "false"; break;
    case Kind::kInteger: out += std::to_string(integer_); break;
    case Kind::kNumber: {
      if (!std::isfinite(number_)) {
        out += "null";  // JSON has no NaN/Inf
        break;
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", number_);  // round-trips exactly
      out += buf;
      break;
    }
    case Kind::kString: out += json_escape(text_); break;
    case Kind::kArray:
      out += '[';
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i) out += indent < 0 ? ", " : ",";
        newline(depth + 1);
        items_[i].write(out, indent, depth + 1);
      }
      if (!items_.empty()) newline(depth);
      out += ']';
      break;
    case Kind::kObject:
      out += '{';
      for (size_t i = 0; i < members_.size(); ++i) {
        if (i) out += indent < 0 ? ", " : ",";
        newline(depth + 1);
        out += json_escape(members_[i].first) + ": ";
        members_[i].second.write(out, indent, depth + 1);
      }
      if (!members_.empty()) newline(depth);
      out += '}';
      break;
  }
}

}  // namespace bitrec

#include "flag_checks.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "bitrec/error.hpp"
#include "bitrec/memory_estimate.hpp"
#include "bitrec/plural.hpp"

namespace bitrec::cli {
namespace {

std::string number_text(double v) {
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%g", v);
  }
  return buf;
}

// The value as typed, quoted when it is not a plain token (empty, spaces).
std::string shown(const std::string& text) {
  const bool plain = !text.empty() && std::none_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isspace(c) || !std::isprint(c);
  });
  if (plain) return text;
  std::string out = "'";
  for (unsigned char c : text) {
    if (std::isprint(c)) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out + "'";
}

bool mentions_nan_or_inf(const std::string& text) {
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("nan") != std::string::npos || lower.find("inf") != std::string::npos;
}

}  // namespace

CLI::Validator whole_in(int64_t lo, int64_t hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        const std::string must = " (must be a whole number in " + range + ")";
        if (text.empty()) return "empty value" + must;
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(text.c_str(), &end, 0);
        if (end != text.c_str() + text.size() || std::isspace(static_cast<unsigned char>(text[0]))) {
          if (mentions_nan_or_inf(text)) return shown(text) + " is not a finite number" + must;
          return shown(text) + " is not a whole number" + must;
        }
        if (errno == ERANGE || v < lo || v > hi) return shown(text) + " is out of range" + must;
        return "";
      },
      range);
}

CLI::Validator layers_value(int64_t max_layers) {
  const std::string must = " (must be a whole number in [0, " + std::to_string(max_layers) +
                           "], or GRU layer sizes in [1, " + std::to_string(kMaxDim) + "] like 100,100)";
  return CLI::Validator(
      [must](std::string& text) -> std::string {
        if (text.find(',') == std::string::npos) {
          std::string single = text;
          const std::string error = whole_in(0, kMaxDim)(single);
          return error.empty() ? "" : error.substr(0, error.find(" (must")) + must;
        }
        size_t start = 0;
        while (true) {
          const size_t comma = text.find(',', start);
          std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          if (!whole_in(1, kMaxDim)(part).empty()) return shown(text) + " is not a list of layer sizes" + must;
          if (comma == std::string::npos) return "";
          start = comma + 1;
        }
      },
      "L or SIZES");
}

CLI::Validator any_uint64() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::string must = " (must be a whole number in [0, 18446744073709551615])";
        if (text.empty()) return "empty value" + must;
        const unsigned char first = static_cast<unsigned char>(text[0]);
        if (text[0] == '-') {
          char* end = nullptr;
          std::strtod(text.c_str(), &end);
          if (end == text.c_str() + text.size() && !mentions_nan_or_inf(text)) {
            return shown(text) + " is out of range" + must;
          }
        }
        errno = 0;
        char* end = nullptr;
        std::strtoull(text.c_str(), &end, 0);
        if (text[0] == '-' || text[0] == '+' || std::isspace(first) || end != text.c_str() + text.size()) {
          if (mentions_nan_or_inf(text)) return shown(text) + " is not a finite number" + must;
          return shown(text) + " is not a whole number" + must;
        }
        if (errno == ERANGE) return shown(text) + " is out of range" + must;
        return "";
      },
      "[0, 2^64-1]");
}

CLI::Validator real_in(double lo, double hi, bool lo_open, bool hi_open) {
  const std::string range =
      std::string(lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) + (hi_open ? ")" : "]");
  return CLI::Validator(
      [lo, hi, lo_open, hi_open, range](std::string& text) -> std::string {
        const std::string must = " (must be a finite number in " + range + ")";
        if (text.empty()) return "empty value" + must;
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end != text.c_str() + text.size() || std::isspace(static_cast<unsigned char>(text[0]))) {
          return shown(text) + " is not a number" + must;
        }
        if (std::isnan(v) || (std::isinf(v) && mentions_nan_or_inf(text))) {
          return shown(text) + " is not a finite number" + must;
        }
        const bool below = lo_open ? !(v > lo) : !(v >= lo);
        const bool above = hi_open ? !(v < hi) : !(v <= hi);
        if (below || above) return shown(text) + " is out of range" + must;
        return "";
      },
      range);
}

CLI::Validator memory_size() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          parse_memory_size(text);
        } catch (const InputError&) {
          return shown(text) + " is not a size (must be more than 0 bytes and at most 9e18; examples: 512M, "
                               "8G, 1.5GiB, 1000000)";
        }
        return "";
      },
      "");
}

int cap_at_items(int value, int n_items, const std::string& option) {
  if (n_items >= 1 && value > n_items) {
    std::fprintf(stderr, "note: %s %d is more than the %s; using %d\n", option.c_str(), value,
                 plural(n_items, "item").c_str(), n_items);
    return n_items;
  }
  return value;
}

}  // namespace bitrec::cli

// Parsing "synthetic[:key=value,...]".
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "bitrec/error.hpp"
#include "data/synthetic.hpp"

namespace bitrec::data {
namespace {

constexpr std::string_view kPrefix = "synthetic";
constexpr const char* kAllowedKeys =
    "users, items, clusters, per_user, test_frac, affinity, zipf, seed";
// Bounds keep the generator's memory and counters in range (rows and slots
// of a Philox counter are 32-bit; the pair buffer is 8 bytes a pair).
constexpr int64_t kMaxEntities = 10'000'000;
constexpr double kMaxInteractions = 2e8;

std::string format_real(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void fail(const std::string& problem) {
  throw InputError("--data synthetic: " + problem + " (allowed keys: " + kAllowedKeys + ")");
}

int64_t parse_integer(std::string_view key, std::string_view value, int64_t lo, int64_t hi) {
  int64_t out = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || out < lo || out > hi) {
    fail(std::string(key) + "='" + std::string(value) + "' is not an integer in [" +
         std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return out;
}

// A real in [lo, hi] (hi_open: [lo, hi)). strtod because GCC's from_chars for
// double is recent; the whole value must be consumed.
double parse_real(std::string_view key, std::string_view value, double lo, double hi,
                  bool hi_open) {
  const std::string text(value);
  char* end = nullptr;
  errno = 0;
  const double out = text.empty() ? NAN : std::strtod(text.c_str(), &end);
  const bool in_range = std::isfinite(out) && out >= lo && (hi_open ? out < hi : out <= hi);
  if (text.empty() || errno != 0 || end != text.c_str() + text.size() || !in_range) {
    fail(std::string(key) + "='" + text + "' is not a number in [" + format_real(lo) + ", " +
         format_real(hi) + (hi_open ? ")" : "]"));
  }
  return out;
}

}  // namespace

bool is_synthetic_spec(const std::string& spec) {
  const std::string_view s(spec);
  return s == kPrefix || (s.size() > kPrefix.size() && s.substr(0, kPrefix.size()) == kPrefix &&
                          s[kPrefix.size()] == ':');
}

SyntheticSpec parse_synthetic_spec(const std::string& spec_text) {
  if (!is_synthetic_spec(spec_text)) fail("'" + spec_text + "' is not synthetic[:key=value,...]");
  SyntheticSpec spec;
  std::string_view rest = std::string_view(spec_text).substr(kPrefix.size());
  if (!rest.empty()) rest.remove_prefix(1);  // ':'
  std::string seen = ",";
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view entry = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (trimmed(entry).empty()) continue;  // tolerate "a=1,,b=2" and a trailing comma
    const size_t equals = entry.find('=');
    if (equals == std::string_view::npos) fail("'" + std::string(entry) + "' is not key=value");
    const std::string_view key = trimmed(entry.substr(0, equals));
    const std::string_view value = trimmed(entry.substr(equals + 1));
    if (seen.find("," + std::string(key) + ",") != std::string::npos) {
      fail("key '" + std::string(key) + "' given twice");
    }
    seen += std::string(key) + ",";

    if (key == "users") spec.users = parse_integer(key, value, 1, kMaxEntities);
    else if (key == "items") spec.items = parse_integer(key, value, 10, kMaxEntities);
    else if (key == "clusters") spec.clusters = parse_integer(key, value, 1, kMaxEntities);
    else if (key == "per_user") spec.per_user = parse_real(key, value, 1.0, 1e6, false);
    else if (key == "test_frac") spec.test_frac = parse_real(key, value, 0.0, 1.0, true);
    else if (key == "affinity") spec.affinity = parse_real(key, value, 0.0, 1.0, false);
    else if (key == "zipf") spec.zipf = parse_real(key, value, 0.0, 4.0, false);
    else if (key == "seed") {
      uint64_t seed = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seed);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
        fail("seed='" + std::string(value) + "' is not a non-negative integer");
      }
      spec.seed = seed;
    } else {
      fail("unknown key '" + std::string(key) + "'");
    }
  }

  // Constraints between keys.
  if (spec.clusters > spec.items) {
    fail("clusters=" + std::to_string(spec.clusters) + " exceeds items=" +
         std::to_string(spec.items) + " (every cluster needs an item)");
  }
  if (spec.per_user > static_cast<double>(spec.items / 2)) {
    fail("per_user=" + format_real(spec.per_user) + " exceeds items/2=" +
         std::to_string(spec.items / 2) + " (users draw at most half the catalogue)");
  }
  if (static_cast<double>(spec.users) * spec.per_user > kMaxInteractions) {
    fail("users x per_user exceeds " + std::to_string(static_cast<int64_t>(kMaxInteractions)) +
         " interactions");
  }
  return spec;
}

}  // namespace bitrec::data

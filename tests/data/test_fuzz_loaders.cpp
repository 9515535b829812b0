// Deterministic fuzzing of the data loaders (load_dataset on LightGCN
// directories, CSV and TSV files): thousands of valid seed files mutated the
// ways real files go wrong (cut lines, huge / negative ids, binary and NUL
// bytes, CRLF / CR line ends, blank lines, BOMs, tabs for spaces, duplicated
// rows, a missing header, extra columns, very long lines, empty files...).
// Every case must end in one of two ways:
//   - success, and then the dataset is exactly what an independent reference
//     reading of the same bytes says (CSR sorted/unique/in range, counts,
//     duplicates, overlap, id maps);
//   - an InputError whose message starts with the offending file's path and
//     carries a line number inside the file, unless it is one of the
//     whole-file problems (gzip / zip / UTF-16).
// Anything else (another exception type, a crash, a sanitizer report, a case
// that takes seconds) fails. The RNG is seeded per case, so a failure prints
// the case number and BITREC_FUZZ_SEED / BITREC_FUZZ_CASES reproduce it;
// raising BITREC_FUZZ_CASES runs a longer campaign.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "bitrec/dataset.hpp"
#include "bitrec/error.hpp"
#include "data/loaders.hpp"
#include "test_data_util.hpp"

namespace bitrec {
namespace {

// ---------------------------------------------------------------------------
// Randomness: splitmix64, so the stream is the same with every standard
// library (std:: distributions are not specified bit for bit).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }
  bool percent(int p) { return below(100) < static_cast<size_t>(p); }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }

 private:
  uint64_t state_;
};

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 10) : fallback;
}

uint64_t base_seed() { return env_or("BITREC_FUZZ_SEED", 20240610); }
size_t case_count(size_t fallback) { return static_cast<size_t>(env_or("BITREC_FUZZ_CASES", fallback)); }

// Bytes as a C string literal, cut, for failure messages.
std::string escaped(std::string_view bytes, size_t limit = 400) {
  std::string out = "\"";
  for (size_t i = 0; i < bytes.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '"' || c == '\\') (out += '\\') += static_cast<char>(c);
    else if (c < 0x20 || c >= 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += "\"";
  if (bytes.size() > limit) out += "... (" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

// ---------------------------------------------------------------------------
// Lines as the loaders cut them (datasets/README.md): a UTF-8 BOM at the start
// is skipped; `\n`, `\r\n` and a lone `\r` each end a line.
std::vector<std::string_view> split_lines(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

bool blank_line(std::string_view line) {
  return std::all_of(line.begin(), line.end(), is_blank);
}

// ---------------------------------------------------------------------------
// Seed files: small valid datasets in each format.

std::string lightgcn_seed(Rng& rng, int users, int items, int max_per_user) {
  std::string text;
  for (int u = 0; u < users; ++u) {
    if (rng.percent(10)) continue;  // a user without a line
    text += std::to_string(u);
    const size_t n = rng.below(static_cast<size_t>(max_per_user) + 1);
    for (size_t k = 0; k < n; ++k) {
      text += rng.percent(90) ? " " : "\t";
      text += std::to_string(rng.below(static_cast<size_t>(items)));
    }
    text += "\n";
  }
  return text;
}

std::string delimited_id(Rng& rng, const char* prefix, int count, char delimiter) {
  const size_t n = rng.below(static_cast<size_t>(count));
  switch (rng.below(6)) {
    case 0: return std::to_string(n);
    case 1: return std::string(prefix) + " " + std::to_string(n);  // inner blank
    case 2: return delimiter == ',' ? "\"" + std::string(prefix) + "," + std::to_string(n) + "\""
                                    : "\"" + std::string(prefix) + "\t" + std::to_string(n) + "\"";
    default: return std::string(prefix) + std::to_string(n);
  }
}

std::string delimited_seed(Rng& rng, char delimiter) {
  static const std::vector<std::vector<std::string>> kLayouts = {
      {"user", "item"}, {"user", "item", "rating"}, {"time", "user", "item"},
      {"item", "user"}, {"User", "Item", "note"},   {"user", "item", "rating", "time"}};
  const std::vector<std::string>& layout = rng.pick(kLayouts);
  const std::string d(1, delimiter);
  std::string text;
  for (size_t c = 0; c < layout.size(); ++c) text += (c ? d : "") + layout[c];
  text += "\n";
  const int users = 1 + static_cast<int>(rng.below(15));
  const int items = 1 + static_cast<int>(rng.below(20));
  const size_t rows = 1 + rng.below(40);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < layout.size(); ++c) {
      if (c) text += d;
      const std::string column = layout[c];
      if (column == "user" || column == "User") text += delimited_id(rng, "u", users, delimiter);
      else if (column == "item" || column == "Item") text += delimited_id(rng, "i", items, delimiter);
      else text += std::to_string(rng.below(1000));
    }
    text += "\n";
  }
  return text;
}

// ---------------------------------------------------------------------------
// Mutations. `delimiter` is 0 for LightGCN files (tokens split at blanks).

struct Target {
  char delimiter = 0;
  bool is_separator(char c) const {
    return c == '\n' || c == '\r' || (delimiter ? c == delimiter : (c == ' ' || c == '\t'));
  }
  std::string separator() const { return delimiter ? std::string(1, delimiter) : " "; }
};

// [begin, end) of every token (maximal run of non-separator bytes).
std::vector<std::pair<size_t, size_t>> tokens_of(const std::string& text, const Target& t) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && t.is_separator(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !t.is_separator(text[i])) ++i;
    if (i > start) out.emplace_back(start, i);
  }
  return out;
}

// Start offsets of every line (after '\n').
std::vector<size_t> line_starts(const std::string& text) {
  std::vector<size_t> starts{0};
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && i + 1 < text.size()) starts.push_back(i + 1);
  }
  return starts;
}

void replace_token(std::string& text, Rng& rng, const Target& t, const std::string& with) {
  const auto tokens = tokens_of(text, t);
  if (tokens.empty()) {
    text.insert(rng.below(text.size() + 1), with);
    return;
  }
  const auto [begin, end] = rng.pick(tokens);
  text.replace(begin, end - begin, with);
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, from.size(), from) == 0) {
      out += to;
      i += from.size();
    } else {
      out += text[i++];
    }
  }
  text = std::move(out);
}

std::string random_bytes(Rng& rng, size_t n) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng.below(256));
  return out;
}

struct Mutation {
  const char* name;
  std::function<void(std::string&, Rng&, const Target&)> apply;
};

const std::vector<Mutation>& mutations() {
  static const std::vector<Mutation> kMutations = {
      {"truncate", [](std::string& s, Rng& r, const Target&) { s.resize(r.below(s.size() + 1)); }},
      {"cut_line",
       [](std::string& s, Rng& r, const Target&) {
         const size_t start = r.pick(line_starts(s));
         size_t end = s.find('\n', start);
         if (end == std::string::npos) end = s.size();
         const size_t cut = start + r.below(end - start + 1);
         s.erase(cut, end - cut);
       }},
      {"huge_id",
       [](std::string& s, Rng& r, const Target& t) {
         static const std::vector<std::string> kHuge = {
             "2147483646", "2147483647", "2147483648", "4294967295", "4294967296",
             "9223372036854775807", "9223372036854775808", "18446744073709551616",
             "99999999999999999999999", "1048575", "1048576", "00000000000000000000000000007",
             "99999999999", "1000000000"};
         replace_token(s, r, t, r.pick(kHuge));
       }},
      {"negative_id",
       [](std::string& s, Rng& r, const Target& t) {
         static const std::vector<std::string> kNegative = {"-1", "-0", "-2147483648", "-99999999999",
                                                            "--3", "-", "+1", "−1"};
         replace_token(s, r, t, r.pick(kNegative));
       }},
      {"junk_token",
       [](std::string& s, Rng& r, const Target& t) {
         static const std::vector<std::string> kJunk = {
             "1.5", "abc", "1e9", "0x1F", "12a", "\"\"", "\"", "\"x\"y", "１", "NaN", "٣", "\xC3",
             "\xFF\xFE", "\x7F", "#", "null", "\\", "'0'"};
         replace_token(s, r, t, r.pick(kJunk));
       }},
      {"empty_token", [](std::string& s, Rng& r, const Target& t) { replace_token(s, r, t, ""); }},
      {"binary_bytes",
       [](std::string& s, Rng& r, const Target&) {
         s.insert(r.below(s.size() + 1), random_bytes(r, 1 + r.below(16)));
       }},
      {"nul_bytes",
       [](std::string& s, Rng& r, const Target&) {
         s.insert(r.below(s.size() + 1), std::string(1 + r.below(3), '\0'));
       }},
      {"binary_file",
       [](std::string& s, Rng& r, const Target&) { s = random_bytes(r, r.below(300)); }},
      {"bit_flip",
       [](std::string& s, Rng& r, const Target&) {
         for (size_t k = 1 + r.below(4); k > 0 && !s.empty(); --k) {
           s[r.below(s.size())] ^= static_cast<char>(1u << r.below(8));
         }
       }},
      {"delete_range",
       [](std::string& s, Rng& r, const Target&) {
         const size_t at = r.below(s.size() + 1);
         s.erase(at, 1 + r.below(20));
       }},
      {"crlf", [](std::string& s, Rng&, const Target&) { replace_all(s, "\n", "\r\n"); }},
      {"lone_cr", [](std::string& s, Rng&, const Target&) { replace_all(s, "\n", "\r"); }},
      {"mixed_line_ends",
       [](std::string& s, Rng& r, const Target&) {
         std::string out;
         for (char c : s) {
           if (c != '\n') {
             out += c;
             continue;
           }
           static const std::vector<std::string> kEnds = {"\n", "\r\n", "\r", "\r\r\n", "\n\r"};
           out += r.pick(kEnds);
         }
         s = std::move(out);
       }},
      {"empty_lines",
       [](std::string& s, Rng& r, const Target&) {
         static const std::vector<std::string> kBlank = {"\n", "\r\n", "   \n", "\t\n", "\n\n\n",
                                                         " \t \r\n", "\v\f\n"};
         for (size_t k = 1 + r.below(3); k > 0; --k) s.insert(r.pick(line_starts(s)), r.pick(kBlank));
       }},
      {"bom",
       [](std::string& s, Rng& r, const Target&) {
         s.insert(r.percent(70) ? 0 : r.pick(line_starts(s)), "\xEF\xBB\xBF");
       }},
      {"magic",
       [](std::string& s, Rng& r, const Target&) {
         static const std::vector<std::string> kMagic = {std::string("\x1F\x8B\x08\x00", 4),
                                                         "PK\x03\x04", "\xFF\xFE", "\xFE\xFF",
                                                         "\xEF\xBB\xBF\xEF\xBB\xBF", "\xEF\xBB"};
         s.insert(0, r.pick(kMagic));
       }},
      {"tabs_for_spaces",
       [](std::string& s, Rng& r, const Target& t) {
         if (t.delimiter == ',') replace_all(s, ",", r.percent(50) ? "\t" : ";");
         else if (t.delimiter == '\t') replace_all(s, "\t", r.percent(50) ? " " : ",");
         else replace_all(s, " ", r.percent(50) ? "\t" : " \t  ");
       }},
      {"blank_padding",
       [](std::string& s, Rng& r, const Target& t) {
         replace_token(s, r, t, std::string(" \t ") + "7" + (r.percent(50) ? "\t" : "  "));
       }},
      {"duplicate_lines",
       [](std::string& s, Rng& r, const Target&) {
         const auto starts = line_starts(s);
         const size_t start = r.pick(starts);
         size_t end = s.find('\n', start);
         end = end == std::string::npos ? s.size() : end + 1;
         std::string line = s.substr(start, end - start);
         if (line.empty() || line.back() != '\n') line += '\n';
         std::string copies;
         for (size_t k = 1 + r.below(4); k > 0; --k) copies += line;
         s.insert(r.pick(starts), copies);
       }},
      {"duplicate_file", [](std::string& s, Rng&, const Target&) { s += s; }},
      {"swap_lines",
       [](std::string& s, Rng& r, const Target&) {
         std::vector<std::string> lines;
         std::stringstream in(s);
         for (std::string line; std::getline(in, line);) lines.push_back(line);
         if (lines.size() < 2) return;
         std::swap(lines[r.below(lines.size())], lines[r.below(lines.size())]);
         s.clear();
         for (const auto& line : lines) s += line + "\n";
       }},
      {"drop_first_line",  // the header of a CSV/TSV
       [](std::string& s, Rng&, const Target&) {
         const size_t end = s.find('\n');
         s.erase(0, end == std::string::npos ? s.size() : end + 1);
       }},
      {"extra_column",
       [](std::string& s, Rng& r, const Target& t) {
         const bool every_line = r.percent(30);
         std::string out;
         for (char c : s) {
           if (c == '\n' && (every_line || r.percent(20))) out += t.separator() + "x";
           out += c;
         }
         s = std::move(out);
       }},
      {"insert_delimiter",
       [](std::string& s, Rng& r, const Target& t) {
         s.insert(r.below(s.size() + 1), r.percent(50) ? t.separator() : "\"");
       }},
      {"long_line",
       [](std::string& s, Rng& r, const Target& t) {
         std::string line;
         if (r.percent(30)) {
           line = std::string(50000 + r.below(150000), static_cast<char>('1' + r.below(9)));
         } else {
           const size_t n = 1000 + r.below(20000);
           line.reserve(n * 4);
           for (size_t k = 0; k < n; ++k) {
             if (k) line += t.separator();
             line += std::to_string(r.below(50));
           }
         }
         s.insert(r.pick(line_starts(s)), line + "\n");
       }},
      {"empty_file",
       [](std::string& s, Rng& r, const Target&) {
         static const std::vector<std::string> kEmpty = {"", "\n", "\r\n", "   ", "\xEF\xBB\xBF",
                                                         "\n\n\n", "\t", std::string(1, '\0')};
         s = r.pick(kEmpty);
       }},
      {"no_final_newline",
       [](std::string& s, Rng&, const Target&) {
         while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
       }},
  };
  return kMutations;
}

// Applies 1-3 mutations (now and then up to 8); returns their names.
std::string mutate(std::string& text, Rng& rng, const Target& target) {
  const size_t n = rng.percent(10) ? 1 + rng.below(8) : 1 + rng.below(3);
  std::string names;
  for (size_t k = 0; k < n; ++k) {
    const Mutation& m = rng.pick(mutations());
    m.apply(text, rng, target);
    names += (names.empty() ? "" : "+") + std::string(m.name);
  }
  return names;
}

// ---------------------------------------------------------------------------
// Judging an error: InputError, starts with the path of one of the case's
// files, then ":LINE: " with LINE inside that file, or ": " and one of the
// problems that concern the whole file. No raw control bytes (a message is
// printed to a terminal) and a bounded length, whatever the input.

struct CaseFile {
  std::string path;
  std::string bytes;
};

constexpr size_t kMaxMessageBytes = 2000;

std::string judge_error(const std::string& message, const std::vector<CaseFile>& files) {
  if (message.size() > kMaxMessageBytes) {
    return "message of " + std::to_string(message.size()) + " bytes (the limit is " +
           std::to_string(kMaxMessageBytes) + ")";
  }
  for (char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return "raw control byte in the message";
  }
  for (const CaseFile& file : files) {
    if (message.rfind(file.path, 0) != 0) continue;
    const std::string_view rest = std::string_view(message).substr(file.path.size());
    if (rest.substr(0, 2) == ": ") {
      for (const char* whole_file : {"gzip-compressed", "a zip archive", "UTF-16 text"}) {
        if (rest.find(whole_file) == 2) return "";
      }
      return "no line number for a problem that is not about the whole file";
    }
    size_t digits = 1;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (rest.empty() || rest[0] != ':' || digits == 1 || rest.substr(digits, 2) != ": ") {
      return "the path is not followed by ':LINE: '";
    }
    const long long line = std::stoll(std::string(rest.substr(1, digits - 1)));
    const long long lines = static_cast<long long>(split_lines(file.bytes).size());
    if (line < 1 || line > std::max(1LL, lines)) {
      return "line " + std::to_string(line) + " is outside the file's " + std::to_string(lines) +
             " lines";
    }
    return "";
  }
  return "the message does not start with the path of a file of the case";
}

// ---------------------------------------------------------------------------
// Judging a success: every structural invariant, then the content against an
// independent reading of the bytes.

std::string csr_problem(const Csr& csr, int64_t rows, int64_t cols, const char* name) {
  const std::string where = std::string(name) + ": ";
  if (csr.rows != rows || csr.cols != cols) return where + "shape differs from the dataset's";
  if (csr.indptr.size() != static_cast<size_t>(rows) + 1) return where + "indptr size";
  if (csr.indptr.front() != 0 || csr.indptr.back() != csr.nnz()) return where + "indptr ends";
  for (int64_t r = 0; r < rows; ++r) {
    if (csr.indptr[r] > csr.indptr[r + 1]) return where + "indptr decreases";
    for (const int32_t* c = csr.row_begin(r); c != csr.row_end(r); ++c) {
      if (*c < 0 || *c >= cols) return where + "column out of range";
      if (c != csr.row_begin(r) && c[-1] >= *c) return where + "row not sorted/unique";
    }
  }
  return "";
}

std::set<std::pair<int64_t, int32_t>> pairs_of(const Csr& csr) {
  std::set<std::pair<int64_t, int32_t>> out;
  for (int64_t r = 0; r < csr.rows; ++r) {
    for (const int32_t* c = csr.row_begin(r); c != csr.row_end(r); ++c) out.emplace(r, *c);
  }
  return out;
}

std::string common_problem(const Dataset& data) {
  if (data.n_users < 0 || data.n_items < 0) return "negative counts";
  for (auto [csr, name] : {std::pair{&data.train, "train"}, {&data.test, "test"}, {&data.valid, "valid"}}) {
    const std::string problem = csr_problem(*csr, data.n_users, data.n_items, name);
    if (!problem.empty()) return problem;
  }
  if (data.valid.nnz() != 0) return "valid is not empty";
  if (data.duplicate_train < 0 || data.duplicate_test < 0) return "negative duplicate counts";
  if (data.overlap != data::count_overlap(data.train, data.test)) return "overlap miscounted";
  if (data.train.nnz() == 0) return "loaded without a train pair";
  return "";
}

// A LightGCN file read the slow, obvious way.
struct LightGcnReference {
  std::set<std::pair<int64_t, int32_t>> pairs;
  int64_t item_tokens = 0;
  int64_t max_user = -1, max_item = -1;
  std::string problem;  // set when a line holds something a loaded file cannot
};

LightGcnReference read_lightgcn_reference(const std::string& bytes) {
  LightGcnReference ref;
  for (std::string_view line : split_lines(bytes)) {
    std::vector<std::string> tokens;
    std::string token;
    for (char c : std::string(line) + " ") {
      if (is_blank(c)) {
        if (!token.empty()) tokens.push_back(std::move(token));
        token.clear();
      } else {
        token += c;
      }
    }
    for (size_t k = 0; k < tokens.size(); ++k) {
      const std::string& t = tokens[k];
      if (t.empty() || t.size() > 40 || t.find_first_not_of("0123456789") != std::string::npos ||
          std::stoull(t) > static_cast<unsigned long long>(INT32_MAX - 1)) {
        ref.problem = "accepted the token " + escaped(t) + ", not an id";
        return ref;
      }
      const int64_t id = static_cast<int64_t>(std::stoull(t));
      if (k == 0) {
        ref.max_user = std::max(ref.max_user, id);
      } else {
        ref.max_item = std::max(ref.max_item, id);
        ++ref.item_tokens;
        ref.pairs.emplace(std::stoll(tokens[0]), static_cast<int32_t>(id));
      }
    }
  }
  return ref;
}

std::string judge_lightgcn(const Dataset& data, const std::string& train, const std::string& test,
                           const LoadOptions& options) {
  if (std::string problem = common_problem(data); !problem.empty()) return problem;
  if (!data.user_ids.empty() || !data.item_ids.empty()) return "LightGCN ids got external id maps";
  const LightGcnReference ref_train = read_lightgcn_reference(train);
  const LightGcnReference ref_test = read_lightgcn_reference(test);
  if (!ref_train.problem.empty()) return "train.txt: " + ref_train.problem;
  if (!ref_test.problem.empty()) return "test.txt: " + ref_test.problem;
  const int64_t users = options.n_users >= 0 ? options.n_users
                                             : std::max(ref_train.max_user, ref_test.max_user) + 1;
  const int64_t items = options.n_items >= 0 ? options.n_items
                                             : std::max(ref_train.max_item, ref_test.max_item) + 1;
  if (data.n_users != users || data.n_items != items) {
    return "counts " + std::to_string(data.n_users) + " x " + std::to_string(data.n_items) +
           ", the files say " + std::to_string(users) + " x " + std::to_string(items);
  }
  if (pairs_of(data.train) != ref_train.pairs) return "train pairs differ from the file's";
  if (pairs_of(data.test) != ref_test.pairs) return "test pairs differ from the file's";
  if (data.train.nnz() + data.duplicate_train != ref_train.item_tokens ||
      data.test.nnz() + data.duplicate_test != ref_test.item_tokens) {
    return "pairs + duplicates differ from the number of item tokens";
  }
  return "";
}

// A CSV/TSV file read the obvious way; only for files without quotes.
std::string trim_field(std::string_view field, char delimiter) {
  auto trimmed = [&](char c) { return c != delimiter && (c == ' ' || c == '\t' || c == '\r'); };
  while (!field.empty() && trimmed(field.front())) field.remove_prefix(1);
  while (!field.empty() && trimmed(field.back())) field.remove_suffix(1);
  return std::string(field);
}

std::vector<std::string> split_fields(std::string_view line, char delimiter) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t end = line.find(delimiter, start);
    fields.push_back(trim_field(line.substr(start, end == std::string_view::npos ? line.npos : end - start), delimiter));
    if (end == std::string_view::npos) return fields;
    start = end + 1;
  }
}

bool equal_icase(const std::string& a, const std::string& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

int reference_column(const std::vector<std::string>& header, const std::string& name) {
  for (const bool exact : {true, false}) {
    int found = -1;
    for (size_t i = 0; i < header.size(); ++i) {
      if (exact ? header[i] == name : equal_icase(header[i], name)) {
        if (found >= 0) return -2;
        found = static_cast<int>(i);
      }
    }
    if (found >= 0) return found;
  }
  return -1;
}

std::string judge_delimited(const Dataset& data, const std::string& bytes, char delimiter,
                            const LoadOptions& options) {
  if (std::string problem = common_problem(data); !problem.empty()) return problem;
  if (data.overlap != 0) return "a CSV/TSV split with overlap";
  if (data.duplicate_test != 0) return "duplicate_test of a CSV/TSV file";
  if (data.user_ids.size() != static_cast<size_t>(data.n_users) ||
      data.item_ids.size() != static_cast<size_t>(data.n_items)) {
    return "id maps do not match the counts";
  }
  for (const auto* ids : {&data.user_ids, &data.item_ids}) {
    if (std::set<std::string>(ids->begin(), ids->end()).size() != ids->size()) return "external ids repeat";
    for (const std::string& id : *ids) {
      if (id.empty()) return "an empty external id";
      // Documented: a NUL byte is binary data, not part of an id.
      if (id.find('\0') != std::string::npos) return "an external id holds a NUL byte";
    }
  }
  const auto lines = split_lines(bytes);
  size_t first = 0;
  while (first < lines.size() && blank_line(lines[first])) ++first;
  if (first == lines.size()) return "loaded a file without a header";
  int64_t rows = 0;
  for (size_t k = first + 1; k < lines.size(); ++k) rows += blank_line(lines[k]) ? 0 : 1;
  if (data.train.nnz() + data.test.nnz() + data.duplicate_train != rows) {
    return "train + test + duplicates = " +
           std::to_string(data.train.nnz() + data.test.nnz() + data.duplicate_train) + ", the file has " +
           std::to_string(rows) + " rows";
  }
  if (bytes.find('"') != std::string::npos) return "";  // quoting: the counts above must do

  const std::vector<std::string> header = split_fields(lines[first], delimiter);
  const int user_column = reference_column(header, options.user_column);
  const int item_column = reference_column(header, options.item_column);
  if (user_column < 0 || item_column < 0) return "loaded with a header that names no (single) user/item column";
  std::vector<std::string> users, items;  // in order of first appearance
  std::set<std::pair<std::string, std::string>> expected;
  auto note = [](std::vector<std::string>& order, const std::string& id) {
    if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
  };
  for (size_t k = first + 1; k < lines.size(); ++k) {
    if (blank_line(lines[k])) continue;
    const auto fields = split_fields(lines[k], delimiter);
    if (fields.size() != header.size()) return "loaded a row of another width than the header";
    note(users, fields[user_column]);
    note(items, fields[item_column]);
    expected.emplace(fields[user_column], fields[item_column]);
  }
  if (options.n_users >= 0) for (auto u = static_cast<int64_t>(users.size()); u < options.n_users; ++u) users.push_back("#" + std::to_string(u));
  if (options.n_items >= 0) for (auto i = static_cast<int64_t>(items.size()); i < options.n_items; ++i) items.push_back("#" + std::to_string(i));
  if (data.user_ids != users) return "user ids differ from the file's (in order of first appearance)";
  if (data.item_ids != items) return "item ids differ from the file's (in order of first appearance)";
  std::set<std::pair<std::string, std::string>> loaded;
  for (const Csr* csr : {&data.train, &data.test}) {
    for (const auto& [u, i] : pairs_of(*csr)) loaded.emplace(data.user_ids[u], data.item_ids[i]);
  }
  if (loaded != expected) return "train + test pairs differ from the file's";
  return "";
}

// ---------------------------------------------------------------------------
// The driver.

// Writes a case's file. Removing the old one first matters for speed: ext4
// flushes a file truncated and rewritten in place to disk on close
// (auto_da_alloc), which made each case wait on the disk.
void write_case_file(const std::string& dir, const std::string& name, const std::string& bytes) {
  std::filesystem::remove(std::filesystem::path(dir) / name);
  test::write_file(dir, name, bytes);
}

struct Verdict {
  bool ok = false;
  bool loaded = false;
  std::string problem;
  std::string message;  // the InputError's
  Dataset data;
};

Verdict load_and_judge(const std::string& spec, const LoadOptions& options,
                       const std::vector<CaseFile>& files,
                       const std::function<std::string(const Dataset&)>& judge_success) {
  Verdict v;
  try {
    v.data = load_dataset(spec, options);
    v.loaded = true;
  } catch (const InputError& e) {
    v.message = e.what();
    v.problem = judge_error(e.what(), files);
    if (!v.problem.empty()) v.problem += "; message: " + escaped(e.what(), 300);
    v.ok = v.problem.empty();
    return v;
  } catch (const std::exception& e) {
    v.problem = std::string("threw something other than InputError: ") + escaped(e.what(), 300);
    return v;
  } catch (...) {
    v.problem = "threw a non-std exception";
    return v;
  }
  v.problem = judge_success(v.data);
  v.ok = v.problem.empty();
  return v;
}

// Turns a hang into a failure that names the case: a case running for a
// minute of wall time (the slowest take about a second on a loaded machine
// under sanitizers) aborts the test program.
class Watchdog {
 public:
  explicit Watchdog(const char* name) : name_(name), thread_([this] { watch(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void starting(size_t index) {
    std::lock_guard<std::mutex> lock(mutex_);
    index_ = index;
    started_ = std::chrono::steady_clock::now();
  }

 private:
  void watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) {
      if (std::chrono::steady_clock::now() - started_ > std::chrono::seconds(60)) {
        std::fprintf(stderr, "%s case %zu (BITREC_FUZZ_SEED=%llu) has run for a minute: a hang\n",
                     name_, index_, static_cast<unsigned long long>(base_seed()));
        std::abort();
      }
    }
  }

  const char* name_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  size_t index_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::thread thread_;  // last: starts once the members above exist
};

// One campaign; stops after a few failures so a broken loader does not
// print thousands of them.
class Campaign {
 public:
  explicit Campaign(const char* name) : name_(name), watchdog_(name) {}
  void starting(size_t index) { watchdog_.starting(index); }
  ~Campaign() {
    std::printf("[ fuzz     ] %s: %zu cases, %zu loaded, %zu refused with InputError (%zu kinds of "
                "message), slowest %.1f ms (CPU: %.1f ms)\n",
                name_, cases_, loaded_, refused_, message_kinds_.size(), slowest_ms_, slowest_cpu_ms_);
    if (std::getenv("BITREC_FUZZ_VERBOSE")) {  // which problems the cases reach
      for (const auto& [kind, count] : message_kinds_) std::printf("  %6zu  %s\n", count, kind.c_str());
    }
  }
  bool keep_going() const { return failures_ < 5; }

  // `ms`: wall time of the case; `cpu_ms`: the process's CPU time, which a
  // busy machine does not inflate.
  void record(size_t index, const std::string& mutations, const Verdict& v,
              const std::vector<CaseFile>& files, double ms, double cpu_ms) {
    ++cases_;
    if (v.loaded) ++loaded_;
    else if (v.ok) ++refused_;
    if (!v.loaded && v.ok) ++message_kinds_[message_kind(v.message, files)];
    slowest_ms_ = std::max(slowest_ms_, ms);
    slowest_cpu_ms_ = std::max(slowest_cpu_ms_, cpu_ms);
    std::string problem = v.problem;
    // A hang shows up as a case that takes seconds of CPU (even under
    // sanitizers these inputs load in milliseconds).
    if (problem.empty() && cpu_ms > 5000) problem = "took " + std::to_string(cpu_ms) + " ms of CPU";
    if (problem.empty()) return;
    ++failures_;
    std::string shown;
    for (const CaseFile& f : files) shown += "\n  " + f.path + " = " + escaped(f.bytes);
    ADD_FAILURE() << name_ << " case " << index << " (BITREC_FUZZ_SEED=" << base_seed()
                  << "), mutations " << mutations << ": " << problem << shown;
  }

 private:
  const char* name_;
  // The message without the path, quoted tokens and numbers: what kind of
  // problem a case ran into.
  static std::string message_kind(const std::string& message, const std::vector<CaseFile>& files) {
    std::string kind;
    for (const CaseFile& f : files) {
      if (message.rfind(f.path, 0) == 0) kind = message.substr(f.path.size());
    }
    kind = kind.substr(0, kind.find(" (columns: "));
    std::string out;
    bool quoted = false;
    for (char c : kind) {
      if (c == '\'') {
        if (!quoted) out += "'*'";
        quoted = !quoted;
      } else if (!quoted && !(c >= '0' && c <= '9' && !out.empty() && out.back() == '#')) {
        out += c >= '0' && c <= '9' ? '#' : c;
      }
    }
    return out;
  }

  std::map<std::string, size_t> message_kinds_;
  size_t cases_ = 0, loaded_ = 0, refused_ = 0, failures_ = 0;
  double slowest_ms_ = 0, slowest_cpu_ms_ = 0;
  Watchdog watchdog_;
};

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

double cpu_ms_since(std::clock_t since) {
  return 1000.0 * static_cast<double>(std::clock() - since) / CLOCKS_PER_SEC;
}

Rng case_rng(uint64_t stream, size_t index) {
  Rng mix(base_seed() ^ (stream * 0xD1B54A32D192ED03ull));
  Rng rng(mix.next() + index * 0x9E3779B97F4A7C15ull);
  rng.next();
  return rng;
}

TEST(FuzzLoaders, LightGcnDirectories) {
  const std::string parent = test::fresh_test_dir();
  const std::string dir = (std::filesystem::path(parent) / "set").string();
  std::filesystem::create_directories(dir);
  Campaign campaign("LightGCN");
  const Target target{0};
  const size_t n = case_count(3000);
  for (size_t index = 0; index < n && campaign.keep_going(); ++index) {
    campaign.starting(index);
    Rng rng = case_rng(1, index);
    const int users = 1 + static_cast<int>(rng.below(20));
    const int items = 1 + static_cast<int>(rng.below(30));
    std::string train = lightgcn_seed(rng, users, items, 6);
    std::string test = lightgcn_seed(rng, users, items, 2);
    std::string names;
    const int which = static_cast<int>(rng.below(4));  // train, test, both, neither (seed as is)
    if (which == 0 || which == 2) names += "train:" + mutate(train, rng, target);
    if (which == 1 || which == 2) names += (names.empty() ? "" : " ") + std::string("test:") + mutate(test, rng, target);
    LoadOptions options;
    if (rng.percent(20)) options.n_users = std::max<int64_t>(0, users - 2 + static_cast<int64_t>(rng.below(5)));
    if (rng.percent(20)) options.n_items = std::max<int64_t>(0, items - 2 + static_cast<int64_t>(rng.below(5)));
    if (options.n_users >= 0 || options.n_items >= 0) {
      names += " --users " + std::to_string(options.n_users) + " --items " + std::to_string(options.n_items);
    }
    const std::vector<CaseFile> files = {{dir + "/train.txt", train}, {dir + "/test.txt", test}};
    write_case_file(dir, "train.txt", train);
    write_case_file(dir, "test.txt", test);

    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    Verdict v = load_and_judge(dir, options, files, [&](const Dataset& data) {
      return judge_lightgcn(data, train, test, options);
    });
    // Deterministic: a second load of the same bytes gives the same dataset.
    if (v.ok && v.loaded && index % 16 == 0) {
      const Dataset again = load_dataset(dir, options);
      if (!test::same_csr(again.train, v.data.train) || !test::same_csr(again.test, v.data.test)) {
        v.ok = false;
        v.problem = "a second load differs";
      }
    }
    if (which == 3 && !v.loaded && v.ok) {
      // An unmutated seed is valid LightGCN unless it drew no train pair or
      // the declared counts are too small for it.
      const bool may_fail = train.find(' ') == std::string::npos && train.find('\t') == std::string::npos;
      if (!may_fail && options.n_users < 0 && options.n_items < 0) v.problem = "refused a valid seed";
    }
    campaign.record(index, names, v, files, elapsed_ms(start), cpu_ms_since(cpu_start));
  }
}

void fuzz_delimited(char delimiter, const char* extension, uint64_t stream, const char* name) {
  const std::string dir = test::fresh_test_dir();
  const std::string path = dir + "/interactions." + extension;
  Campaign campaign(name);
  const Target target{delimiter};
  const size_t n = case_count(3000);
  for (size_t index = 0; index < n && campaign.keep_going(); ++index) {
    campaign.starting(index);
    Rng rng = case_rng(stream, index);
    std::string bytes = delimited_seed(rng, delimiter);
    const bool mutated = rng.percent(90);
    const std::string names = mutated ? mutate(bytes, rng, target) : "none";
    LoadOptions options;
    if (rng.percent(15)) options.n_users = static_cast<int64_t>(rng.below(18));
    if (rng.percent(15)) options.n_items = static_cast<int64_t>(rng.below(23));
    const std::vector<CaseFile> files = {{path, bytes}};
    write_case_file(dir, std::string("interactions.") + extension, bytes);

    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    Verdict v = load_and_judge(path, options, files, [&](const Dataset& data) {
      return judge_delimited(data, bytes, delimiter, options);
    });
    if (v.ok && v.loaded && index % 16 == 0) {
      const Dataset again = load_dataset(path, options);
      if (!test::same_csr(again.train, v.data.train) || !test::same_csr(again.test, v.data.test) ||
          again.user_ids != v.data.user_ids || again.item_ids != v.data.item_ids) {
        v.ok = false;
        v.problem = "a second load differs";
      }
    }
    if (!mutated && !v.loaded && v.ok && options.n_users < 0 && options.n_items < 0) {
      v.problem = "refused a valid seed";
    }
    campaign.record(index, names + (options.n_users >= 0 || options.n_items >= 0
                                        ? " --users " + std::to_string(options.n_users) +
                                              " --items " + std::to_string(options.n_items)
                                        : ""),
                    v, files, elapsed_ms(start), cpu_ms_since(cpu_start));
  }
}

TEST(FuzzLoaders, CsvFiles) { fuzz_delimited(',', "csv", 2, "CSV"); }

TEST(FuzzLoaders, TsvFiles) { fuzz_delimited('\t', "tsv", 3, "TSV"); }

// ---------------------------------------------------------------------------
// Directed cases for what the fuzzer's invariants lean on; each documented in
// datasets/README.md.

TEST(FuzzLoaders, NulByteInACsvIdIsRefusedWithFileAndLine) {
  const std::string dir = test::fresh_test_dir();
  const std::string path =
      test::write_file(dir, "nul.csv", std::string("user,item\nu1,i1\nu") + '\0' + "2,i2\n");
  const std::string message = test::input_error_of([&] { load_dataset(path); });
  EXPECT_EQ(message.rfind(path + ":3: ", 0), 0u) << message;
  EXPECT_NE(message.find("NUL byte"), std::string::npos) << message;
  EXPECT_NE(message.find("'u\\x002'"), std::string::npos) << message;
}

TEST(FuzzLoaders, AHugeHeaderGivesAShortMessage) {
  std::string header;
  for (int c = 0; c < 50000; ++c) header += (c ? "," : "") + std::string("column") + std::to_string(c);
  const std::string path = test::write_file(test::fresh_test_dir(), "wide.csv", header + "\n1,2\n");
  const std::string message = test::input_error_of([&] { load_dataset(path); });
  EXPECT_EQ(message.rfind(path + ":1: the header has no user column 'user' (columns: 'column0', ", 0), 0u)
      << message.substr(0, 300);
  EXPECT_NE(message.find("and 49990 more"), std::string::npos) << message.substr(0, 300);
  EXPECT_LT(message.size(), 500u);
}

TEST(FuzzLoaders, ALongLineOfItemsIsOneUsersRow) {
  std::string train = "0";
  for (int i = 0; i < 200000; ++i) train += " " + std::to_string(i % 1000);
  const std::string dir = test::write_lightgcn(test::fresh_test_dir(), "long", train + "\n", "");
  const Dataset data = load_dataset(dir);
  EXPECT_EQ(data.n_users, 1);
  EXPECT_EQ(data.n_items, 1000);
  EXPECT_EQ(data.train.nnz(), 1000);
  EXPECT_EQ(data.duplicate_train, 199000);
}

}  // namespace
}  // namespace bitrec

// load_session_data / is_session_spec: which kind of session data `--data`
// names, and which split rule each kind gets (datasets/README.md "Session
// data"). The readers are host/data/session_file_reader.cpp and
// host/data/session_sequence_reader.cpp; the split is host/data/session_split.cpp.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <memory>

#include "bitrec/error.hpp"
#include "bitrec/sessions.hpp"
#include "data/delimited_fields.hpp"
#include "data/header_columns.hpp"
#include "data/paths.hpp"
#include "data/session_parts.hpp"
#include "data/text_input.hpp"

namespace bitrec::data {

int32_t RawItemTable::intern(std::string_view external) {
  const auto found = ids_.find(external);
  if (found != ids_.end()) return found->second;
  names_.emplace_back(external);
  const auto id = static_cast<int32_t>(names_.size() - 1);
  ids_.emplace(names_.back(), id);
  return id;
}

}  // namespace bitrec::data

namespace bitrec {
namespace {

namespace fs = std::filesystem;
using data::RawSessions;
using data::SessionRole;

constexpr const char* kForms =
    "session data is a session file (.tsv, .txt or .csv with a header naming the session, item "
    "and time columns), a sequence file (lines `user item`) or a directory holding train.tsv "
    "and test.tsv";

// The first non-blank line of `text` and its number (0 if none).
std::string_view first_line(std::string_view text, long long* number) {
  data::LineCursor lines(text);
  std::string_view line;
  while (lines.next(&line)) {
    if (data::is_blank_line(line)) continue;
    *number = lines.line_number();
    return line;
  }
  *number = 0;
  return {};
}

bool is_session_extension(const std::string& ext) {
  return ext == ".tsv" || ext == ".txt" || ext == ".csv";
}

// .tsv / .txt: tab. .csv: ',' unless the header has ';' and no ',' (the
// Diginetica files are separated by ';').
char session_delimiter(const std::string& ext, std::string_view header) {
  if (ext != ".csv") return '\t';
  const bool semicolon = header.find(';') != std::string_view::npos;
  const bool comma = header.find(',') != std::string_view::npos;
  return semicolon && !comma ? ';' : ',';
}

std::string format_days(double days) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", days);
  return text;
}

std::string time_rule(const char* what, double days) {
  return "the " + std::string(what) + " rule (sessions whose last event is within " +
         format_days(days) + " day(s) of the latest, --test-days)";
}

void check_options(const SessionLoadOptions& options) {
  if (!(options.test_days > 0) || !std::isfinite(options.test_days)) {
    throw InputError("--test-days: " + format_days(options.test_days) +
                     " is not a positive number of days");
  }
}

SessionData load_split_directory(const std::string& dir, const SessionLoadOptions& options) {
  const std::string train_path = (fs::path(dir) / "train.tsv").string();
  const std::string test_path = (fs::path(dir) / "test.tsv").string();
  const std::string role = "session file (a session directory holds train.tsv and test.tsv)";
  const std::string train_text = data::read_whole_file(train_path, "training " + role);
  const std::string test_text = data::read_whole_file(test_path, "test " + role);

  RawSessions raw;
  data::SplitSources sources;
  sources.train_path = train_path;
  sources.train_line = data::read_session_file(train_path, train_text, '\t', options, &raw);
  const int64_t n_train = raw.n_sessions();
  sources.test_path = test_path;
  sources.test_line = data::read_session_file(test_path, test_text, '\t', options, &raw);
  sources.rule = "test.tsv";
  sources.carve_valid = options.carve_valid;
  sources.valid_rule = time_rule("validation", options.test_days);

  std::vector<SessionRole> roles(static_cast<size_t>(raw.n_sessions()), SessionRole::kTest);
  std::fill(roles.begin(), roles.begin() + n_train, SessionRole::kTrain);
  if (options.carve_valid) {
    data::split_by_time(raw, 0, n_train, options.test_days, SessionRole::kTrain,
                        SessionRole::kValid, &roles);
  }
  SessionData result;
  result.format = "split-directory";
  result.name = data::directory_name(dir);
  data::assemble_session_data(raw, roles, sources, &result);
  return result;
}

SessionData load_sequence_file(const std::string& path, const std::string& text,
                               long long first_line_number, const SessionLoadOptions& options) {
  RawSessions raw;
  data::read_sequence_file(path, text, &raw);
  std::vector<SessionRole> roles(static_cast<size_t>(raw.n_sessions()), SessionRole::kTrain);
  for (int64_t s = 0; s < raw.n_sessions(); ++s) {
    const int64_t user = raw.user_numbers[s];
    if (user % 10 == 0) {
      roles[s] = SessionRole::kTest;
    } else if (options.carve_valid && user % 10 == 1) {
      roles[s] = SessionRole::kValid;
    }
  }
  data::SplitSources sources;
  sources.train_path = sources.test_path = path;
  sources.train_line = sources.test_line = first_line_number;
  sources.rule = "the test rule (users whose id % 10 == 0)";
  sources.carve_valid = options.carve_valid;
  sources.valid_rule = "the validation rule (users whose id % 10 == 1)";
  SessionData result;
  result.format = "sequence-file";
  result.name = fs::path(path).stem().string();
  data::assemble_session_data(raw, roles, sources, &result);
  return result;
}

SessionData load_session_file(const std::string& path, const std::string& text, char delimiter,
                              const SessionLoadOptions& options) {
  RawSessions raw;
  const long long header_line = data::read_session_file(path, text, delimiter, options, &raw);
  std::vector<SessionRole> roles(static_cast<size_t>(raw.n_sessions()), SessionRole::kTrain);
  data::split_by_time(raw, 0, raw.n_sessions(), options.test_days, SessionRole::kTrain,
                      SessionRole::kTest, &roles);
  // Validation: the same rule on what train is left, by train's own latest time.
  if (options.carve_valid) {
    data::split_by_time(raw, 0, raw.n_sessions(), options.test_days, SessionRole::kTrain,
                        SessionRole::kValid, &roles);
  }
  data::SplitSources sources;
  sources.train_path = sources.test_path = path;
  sources.train_line = sources.test_line = header_line;
  sources.rule = time_rule("test", options.test_days);
  sources.carve_valid = options.carve_valid;
  sources.valid_rule = time_rule("validation", options.test_days);
  SessionData result;
  result.format = "session-file";
  result.name = fs::path(path).stem().string();
  data::assemble_session_data(raw, roles, sources, &result);
  return result;
}

// The start of a file, enough for its first line: is_session_spec must stay
// cheap on a file of gigabytes.
std::string file_head(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return {};
  std::string head(1 << 16, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), file.get()));
  return head;
}

}  // namespace

SessionData load_session_data(const std::string& spec, const SessionLoadOptions& options) {
  check_options(options);
  std::error_code ec;
  const fs::file_status status = fs::status(spec, ec);
  if (!fs::exists(status)) throw InputError(spec + ": not found (" + kForms + ")");
  SessionData result;
  if (fs::is_directory(status)) {
    result = load_split_directory(spec, options);
  } else {
    const std::string text = data::read_whole_file(spec, "session file or sequence file");
    long long line_number = 0;
    const std::string_view line = first_line(text, &line_number);
    const std::string ext = data::lowercase_extension(spec);
    if (line_number > 0 && data::is_sequence_line(line)) {
      result = load_sequence_file(spec, text, line_number, options);
    } else if (is_session_extension(ext)) {
      result = load_session_file(spec, text, session_delimiter(ext, line), options);
    } else {
      throw InputError(spec + ": neither a session file nor a sequence file (" + kForms + ")");
    }
  }
  result.source = spec;
  return result;
}

bool is_session_spec(const std::string& spec, const SessionLoadOptions& options) {
  std::error_code ec;
  const fs::file_status status = fs::status(spec, ec);
  if (fs::is_directory(status)) {
    return fs::is_regular_file(fs::path(spec) / "train.tsv", ec) &&
           fs::is_regular_file(fs::path(spec) / "test.tsv", ec);
  }
  if (!fs::is_regular_file(status)) return false;
  const std::string head = file_head(spec);
  long long line_number = 0;
  const std::string_view line = first_line(head, &line_number);
  if (line_number == 0) return false;
  if (data::is_sequence_line(line)) return true;
  const std::string ext = data::lowercase_extension(spec);
  if (!is_session_extension(ext)) return false;
  std::vector<std::string_view> header;
  std::deque<std::string> unescaped;
  std::string problem;
  if (!data::split_delimited_line(line, session_delimiter(ext, line), &header, &unescaped,
                                  &problem)) {
    return false;
  }
  return std::any_of(header.begin(), header.end(), [&](std::string_view column) {
    return data::equal_ignoring_case(column, options.session_column);
  });
}

}  // namespace bitrec

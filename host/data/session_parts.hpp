// Internal pieces of session loading (include/bitrec/sessions.hpp): the
// events as read, before the split, and the helpers that the readers
// (host/data/session_loader.cpp), the time parser (host/data/session_time.cpp)
// and the split (host/data/session_split.cpp) share.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bitrec/sessions.hpp"

namespace bitrec::data {

// External item ids, numbered in order of first sight while reading (the
// "raw" index; dense ids are given later, by the split, from train alone).
// One table serves both files of a split directory, so their events share
// raw indices.
class RawItemTable {
 public:
  int32_t intern(std::string_view external);
  const std::string& name(int32_t raw) const { return names_[static_cast<size_t>(raw)]; }
  int32_t size() const { return static_cast<int32_t>(names_.size()); }

 private:
  std::deque<std::string> names_;  // a deque: keys of `ids_` view its strings, which never move
  std::unordered_map<std::string_view, int32_t> ids_;
};

// Sessions as read, in training order (first event time ascending, ties in
// order of first appearance in the file), events in chronological order.
struct RawSessions {
  RawItemTable item_table;
  std::vector<int64_t> offsets{0};
  std::vector<int32_t> items;  // raw item indices
  std::vector<std::string> session_ids;
  std::vector<double> start_times;  // time of each session's first event
  std::vector<double> last_times;   // time of each session's last event
  std::vector<int64_t> user_numbers;  // sequence files only: the user id as a number

  int64_t n_sessions() const { return static_cast<int64_t>(session_ids.size()); }
};

// Where a split puts a session.
enum class SessionRole : uint8_t { kTrain, kValid, kTest };

// Reads a session file (header naming the columns) and appends its sessions
// to `raw`; returns the header's line number (for messages about the whole
// file). `delimiter` is chosen by the caller from the file name.
long long read_session_file(const std::string& path, const std::string& text, char delimiter,
                            const SessionLoadOptions& options, RawSessions* raw);

// Reads a sequence file (`user item` lines, no header) into `raw`.
void read_sequence_file(const std::string& path, const std::string& text, RawSessions* raw);

// Whether `line` is two non-negative integers separated by blanks: the
// first line of a sequence file.
bool is_sequence_line(std::string_view line);

// An event time in seconds: a number ("1396321232", "1.5e9"), an ISO date
// ("2016-05-09", midnight UTC) or date-time ("2016-05-09 13:45:00", 'T'
// allowed for the space, optional fraction of a second and trailing 'Z').
// False for anything else.
bool parse_event_time(std::string_view token, double* seconds);

// A finite number in the C locale's syntax; false for anything else.
bool parse_number(std::string_view token, double* value);

// Sessions [begin, end) of `raw` whose role is `from` go to `late` when
// their last event is at or after (their largest last time) - days * 86400:
// the official GRU4Rec time split. Returns how many moved.
int64_t split_by_time(const RawSessions& raw, int64_t begin, int64_t end, double days,
                      SessionRole from, SessionRole late, std::vector<SessionRole>* roles);

// Which file and line the errors "no train sessions left" and "no test
// sessions left" name, and the split rule they quote.
struct SplitSources {
  std::string train_path;
  long long train_line = 1;
  std::string test_path;
  long long test_line = 1;
  std::string rule;        // how test was chosen, e.g. "users whose id % 10 == 0"
  bool carve_valid = false;
  std::string valid_rule;  // how validation was chosen
};

// Builds the SessionData from the sessions and their roles: the item map
// from train, the sets in training order, validation and test filtered.
void assemble_session_data(const RawSessions& raw, const std::vector<SessionRole>& roles,
                           const SplitSources& sources, SessionData* data);

}  // namespace bitrec::data

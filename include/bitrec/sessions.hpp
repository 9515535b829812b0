// Session data for session-based recommendation (GRU4Rec, docs/sessions.md):
// ordered item sequences, split into train / validation / test by the
// official GRU4Rec rule (session files: by time) or by user id (sequence
// files). Loaders: host/data/session_loader.cpp; splits:
// host/data/session_split.cpp; format docs: datasets/README.md "Session data".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bitrec {

// Sessions as a CSR of events: session s holds items[offsets[s] .. offsets[s+1])
// in chronological order. Items are dense ids 0 .. n_items-1 of the dataset.
struct SessionSet {
  std::vector<int64_t> offsets{0};          // n_sessions + 1
  std::vector<int32_t> items;               // n_events
  std::vector<std::string> session_ids;     // external id of each session
  // Time of each session's first event (seconds, or the event's line number
  // for sequence files): the training order (oldest first, ties in file order).
  std::vector<double> start_times;

  int64_t n_sessions() const { return static_cast<int64_t>(offsets.size()) - 1; }
  int64_t n_events() const { return static_cast<int64_t>(items.size()); }
  int64_t length(int64_t s) const { return offsets[s + 1] - offsets[s]; }
};

// What a split removed (reported by `info` and in report.json).
struct SessionFilterCounts {
  int64_t unknown_item_events = 0;  // events whose item never occurs in train
  int64_t short_sessions = 0;       // sessions left with fewer than 2 events
  int64_t short_session_events = 0; // the events of those sessions
};

struct SessionData {
  std::string name;    // file stem or directory name
  std::string source;  // what --data said
  std::string format;  // "session-file" | "sequence-file" | "split-directory"
  int32_t n_items = 0; // items that occur in train (dense ids 0 .. n_items-1)
  std::vector<std::string> item_ids;  // external id of each dense item id
  SessionSet train, valid, test;      // valid: empty unless carved
  SessionFilterCounts test_filter, valid_filter;
  int64_t events_read = 0;            // events in the input before any split
};

// Which columns of a session file hold what (header names; --session-col,
// --item-col, --time-col). time_column may name two columns "A,B": A is the
// event time, B orders events of equal A (Diginetica: eventdate,timeframe).
struct SessionLoadOptions {
  std::string session_column = "SessionId";
  std::string item_column = "ItemId";
  std::string time_column = "Time";
  double test_days = 1.0;      // --test-days: the final days that form test
  bool carve_valid = false;    // --valid-sessions: carve validation from train by the same rule
};

// Loads session data. `spec` is
//   - a session file (.tsv/.txt TAB separated, .csv comma or semicolon
//     separated, with a header naming the columns): split by time;
//   - a sequence file (lines `user item`, no header, each user's lines in
//     chronological order): each user's sequence is a session, test = users
//     whose id % 10 == 0, validation = id % 10 == 1;
//   - a directory holding train.tsv and test.tsv session files (already
//     split, e.g. the files given to the official GRU4Rec): test is filtered
//     by train's items; validation is carved from train by time.
// Bad input throws InputError "path:line: problem".
SessionData load_session_data(const std::string& spec, const SessionLoadOptions& options = {});

// Whether `spec` names session data rather than interaction data: a
// directory holding train.tsv and test.tsv, a file whose first non-blank line
// is two integers separated by blanks (a sequence file), or a .tsv/.txt/.csv
// file whose header names options.session_column (ASCII case ignored).
// Never throws; an unreadable path is not session data.
bool is_session_spec(const std::string& spec, const SessionLoadOptions& options = {});

// Keeps the events of `sessions` whose item is known (item id >= 0 after
// mapping) and then the sessions with at least 2 events; counts what went.
// Used for test and validation sessions.
SessionSet filter_eval_sessions(const SessionSet& sessions, SessionFilterCounts* counts);

}  // namespace bitrec

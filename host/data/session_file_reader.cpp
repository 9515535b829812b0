// Session files (GRU4Rec's `SessionId ItemId Time` and the like): a header
// naming the columns, one event a row, a session's rows anywhere in the
// file. Rows are grouped by session and ordered by (time, order column,
// file order); sessions are put in training order (datasets/README.md
// "Session data").
#include <algorithm>
#include <deque>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "bitrec/error.hpp"
#include "data/delimited_fields.hpp"
#include "data/header_columns.hpp"
#include "data/session_parts.hpp"
#include "data/text_input.hpp"

namespace bitrec::data {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank_char(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank_char(s.back())) s.remove_suffix(1);
  return s;
}

std::string delimiter_name(char delimiter) {
  if (delimiter == '\t') return "tab";
  return std::string("'") + delimiter + "'";
}

// One row as read; `file_order` breaks the last ties.
struct Event {
  int32_t session;  // local index, in order of first appearance
  int32_t item;     // raw item index
  double time;
  double order;     // the order column's value, 0 without one
};

}  // namespace

long long read_session_file(const std::string& path, const std::string& text, char delimiter,
                            const SessionLoadOptions& options, RawSessions* raw) {
  // "A,B": A the time, B the number that orders events of equal A.
  const size_t comma = options.time_column.find(',');
  const std::string_view time_name =
      trim(std::string_view(options.time_column).substr(0, comma));
  const std::string_view order_name =
      comma == std::string::npos ? std::string_view()
                                 : trim(std::string_view(options.time_column).substr(comma + 1));

  LineCursor lines(text);
  std::string_view line;
  std::vector<std::string_view> fields;
  std::deque<std::string> unescaped;
  std::string problem;

  std::vector<std::string_view> header;
  const long long header_line = read_header_row(lines, delimiter, path, &header, &unescaped);
  if (header_line == 0) {
    throw InputError(at_line(path, 1, "empty file: expected a header row naming the " +
                                          options.session_column + ", " + options.item_column +
                                          " and " + options.time_column + " columns"));
  }
  if (time_name.empty() || (comma != std::string::npos && order_name.empty())) {
    throw InputError(at_line(path, header_line,
                             "--time-col " + quote_token(options.time_column) +
                                 " names an empty column (expected TIME or TIME,ORDER)"));
  }
  const int session_column = find_column(header, options.session_column, "session",
                                         "--session-col", path, header_line);
  const int item_column =
      find_column(header, options.item_column, "item", "--item-col", path, header_line);
  const int time_column =
      find_column(header, time_name, "time", "--time-col", path, header_line);
  const int order_column =
      order_name.empty() ? -1
                         : find_column(header, order_name, "order", "--time-col (TIME,ORDER)",
                                       path, header_line);
  if (session_column == item_column) {
    throw InputError(at_line(path, header_line, "the session and item columns are both " +
                                                    quote_token(header[session_column])));
  }

  std::unordered_map<std::string_view, int32_t> session_index;
  std::vector<std::string_view> session_names;  // views into `text`, which outlives them here
  std::vector<Event> events;
  events.reserve(text.size() / 24);
  while (lines.next(&line)) {
    if (is_blank_line(line)) continue;
    const long long line_number = lines.line_number();
    if (!split_delimited_line(line, delimiter, &fields, &unescaped, &problem)) {
      throw InputError(at_line(path, line_number, problem));
    }
    // A row of another width means a delimiter inside an unquoted value or a
    // cut line; guessing which column is which would load wrong data.
    if (fields.size() != header.size()) {
      throw InputError(at_line(path, line_number,
                               "row has " + std::to_string(fields.size()) +
                                   " fields, the header has " + std::to_string(header.size()) +
                                   " (delimiter " + delimiter_name(delimiter) + ")"));
    }
    const std::string_view session = fields[session_column];
    const std::string_view item = fields[item_column];
    if (session.empty()) throw InputError(at_line(path, line_number, "empty session id"));
    if (item.empty()) throw InputError(at_line(path, line_number, "empty item id"));
    // NUL bytes mean binary data; such an id would be cut short by whatever
    // reads the id maps later (as in host/data/delimited_loader.cpp).
    for (const auto& [id, kind] : {std::pair{session, "session"}, std::pair{item, "item"}}) {
      if (id.find('\0') != std::string_view::npos) {
        throw InputError(at_line(path, line_number,
                                 std::string(kind) + " id " + quote_token(id) +
                                     " holds a NUL byte (a binary or UTF-16 file?)"));
      }
    }
    Event event{};
    if (!parse_event_time(fields[time_column], &event.time)) {
      throw InputError(at_line(path, line_number,
                               quote_token(fields[time_column]) + " in column " +
                                   quote_token(header[time_column]) +
                                   " is not a time (expected seconds, YYYY-MM-DD or "
                                   "YYYY-MM-DD HH:MM:SS)"));
    }
    if (order_column >= 0 && !parse_number(fields[order_column], &event.order)) {
      throw InputError(at_line(path, line_number,
                               quote_token(fields[order_column]) + " in the order column " +
                                   quote_token(header[order_column]) + " is not a number"));
    }
    const auto [it, inserted] =
        session_index.try_emplace(session, static_cast<int32_t>(session_names.size()));
    if (inserted) session_names.push_back(session);
    event.session = it->second;
    event.item = raw->item_table.intern(item);
    events.push_back(event);
  }
  if (events.empty()) {
    throw InputError(at_line(path, header_line, "no events after the header row"));
  }

  // Group by session, keeping file order (a counting sort is stable), then
  // order each session's events by (time, order); stable_sort keeps file
  // order for full ties.
  const size_t n_sessions = session_names.size();
  std::vector<int64_t> begin(n_sessions + 1, 0);
  for (const Event& e : events) ++begin[static_cast<size_t>(e.session) + 1];
  std::partial_sum(begin.begin(), begin.end(), begin.begin());
  std::vector<Event> grouped(events.size());
  {
    std::vector<int64_t> next(begin.begin(), begin.end() - 1);
    for (const Event& e : events) grouped[static_cast<size_t>(next[e.session]++)] = e;
  }
  events = std::vector<Event>();
  const auto earlier = [](const Event& a, const Event& b) {
    return a.time < b.time || (a.time == b.time && a.order < b.order);
  };
  for (size_t s = 0; s < n_sessions; ++s) {
    std::stable_sort(grouped.begin() + begin[s], grouped.begin() + begin[s + 1], earlier);
  }

  // Training order: first event time ascending, ties in order of first
  // appearance (the local index).
  std::vector<int32_t> order(n_sessions);
  std::iota(order.begin(), order.end(), 0);
  const auto start_time = [&](int32_t s) { return grouped[static_cast<size_t>(begin[s])].time; };
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return start_time(a) < start_time(b); });
  raw->items.reserve(raw->items.size() + grouped.size());
  for (const int32_t s : order) {
    for (int64_t e = begin[s]; e < begin[s + 1]; ++e) raw->items.push_back(grouped[e].item);
    raw->offsets.push_back(static_cast<int64_t>(raw->items.size()));
    raw->session_ids.emplace_back(session_names[s]);
    raw->start_times.push_back(grouped[static_cast<size_t>(begin[s])].time);
    raw->last_times.push_back(grouped[static_cast<size_t>(begin[s + 1] - 1)].time);
  }
  return header_line;
}

}  // namespace bitrec::data

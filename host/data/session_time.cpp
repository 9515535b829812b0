// Event times of session files: plain numbers (seconds) or ISO dates and
// date-times, all turned into seconds since 1970-01-01 UTC so that the time
// split (host/data/session_split.cpp) can subtract days.
#include <charconv>
#include <cmath>

#include "data/session_parts.hpp"

namespace bitrec::data {
namespace {

// `count` ASCII digits at `s[at]` as a number; false if any is not a digit.
bool digits_at(std::string_view s, size_t at, size_t count, int* value) {
  if (at + count > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *value = v;
  return true;
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to the proleptic Gregorian date (H. Hinnant's
// days_from_civil): exact, no time zone, no <ctime> locale state.
int64_t days_from_civil(int year, int month, int day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// "YYYY-MM-DD" at the start of `s`.
bool parse_date(std::string_view s, int64_t* days) {
  int year, month, day;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  if (!digits_at(s, 0, 4, &year) || !digits_at(s, 5, 2, &month) || !digits_at(s, 8, 2, &day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
  *days = days_from_civil(year, month, day);
  return true;
}

// "HH:MM:SS", then an optional fraction ".ddd" and 'Z' (the RecSys Challenge
// 2015 clicks are written "2014-04-07T10:51:09.277Z").
bool parse_clock(std::string_view s, double* seconds) {
  int hour, minute, second;
  if (s.size() < 8 || s[2] != ':' || s[5] != ':') return false;
  if (!digits_at(s, 0, 2, &hour) || !digits_at(s, 3, 2, &minute) || !digits_at(s, 6, 2, &second)) {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  std::string_view rest = s.substr(8);
  if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
  double fraction = 0;
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() == 1) return false;
    double scale = 0.1;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return false;
      fraction += (c - '0') * scale;
      scale /= 10;
    }
  }
  *seconds = hour * 3600.0 + minute * 60.0 + second + fraction;
  return true;
}

}  // namespace

bool parse_number(std::string_view token, double* value) {
  if (token.empty()) return false;
  const char* first = token.data();
  const char* last = first + token.size();
  if (*first == '+') ++first;  // from_chars takes '-' but not '+'
  const auto [end, error] = std::from_chars(first, last, *value);
  return error == std::errc() && end == last && std::isfinite(*value);
}

bool parse_event_time(std::string_view token, double* seconds) {
  // A date is told from a number by its '-' after four digits; a negative
  // number starts with '-' and so is never taken for one.
  if (token.size() >= 10 && token[4] == '-') {
    int64_t days;
    if (!parse_date(token, &days)) return false;
    double clock = 0;
    if (token.size() > 10) {
      if (token[10] != ' ' && token[10] != 'T') return false;
      if (!parse_clock(token.substr(11), &clock)) return false;
    }
    *seconds = static_cast<double>(days) * 86400.0 + clock;
    return true;
  }
  return parse_number(token, seconds);
}

}  // namespace bitrec::data

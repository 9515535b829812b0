#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace bitrec {

Progress::Progress(std::string label, double min_interval_seconds)
    : label_(std::move(label)),
      interval_(min_interval_seconds),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

std::string format_seconds(double s) {
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600, (static_cast<int>(s) / 60) % 60);
  }
  return buf;
}

bool Progress::due(long long done, long long total) const {
  const double since_last = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_).count();
  return since_last >= (tty_ ? 0.25 : interval_) || done >= total;
}

void Progress::update(long long done, long long total, const std::string& detail) {
  if (!due(done, total)) return;
  const auto now = std::chrono::steady_clock::now();
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? done / elapsed : 0.0;
  const double eta = rate > 0 ? (total - done) / rate : 0.0;
  std::fprintf(stderr, "%s%s %lld/%lld (%.1f/s, ETA %s)%s%s%s", tty_ ? "\r\033[K" : "",
               label_.c_str(), done, total, rate, format_seconds(eta).c_str(),
               detail.empty() ? "" : "  ", detail.c_str(), tty_ ? "" : "\n");
  drawn_ = true;
}

void Progress::finish() {
  if (tty_ && drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}

}  // namespace bitrec

// Progress of long work on stderr: a rewritten line on a terminal, a line
// every few seconds otherwise (logs stay readable).
#pragma once
#include <chrono>
#include <string>

namespace bitrec {

class Progress {
 public:
  explicit Progress(std::string label, double min_interval_seconds = 2.0);
  // Whether update() would print now: lets callers skip computing a detail
  // (a device sync for the running loss) that nobody would see.
  bool due(long long done, long long total) const;
  // done/total units; `detail` is appended (e.g. "loss 0.53"). Prints when due().
  void update(long long done, long long total, const std::string& detail = "");
  void finish();  // ends a rewritten terminal line

 private:
  std::string label_;
  double interval_;
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

std::string format_seconds(double seconds);

}  // namespace bitrec

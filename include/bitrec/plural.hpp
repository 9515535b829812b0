// Counts in messages: plural(1, "epoch") is "1 epoch", plural(2, "epoch") is
// "2 epochs", plural(0, "batch", "batches") is "0 batches". For what a person
// reads (stderr/stdout lines, error messages); report.json and metrics keys
// do not use it.
#pragma once
#include <string>

namespace bitrec {

// The noun alone, for n of them: singular for exactly 1, else `plural_form`,
// or noun + "s" when that is empty (irregular nouns give theirs: "batches").
inline std::string plural_noun(long long n, const std::string& noun, const std::string& plural_form = "") {
  if (n == 1) return noun;
  return plural_form.empty() ? noun + "s" : plural_form;
}

// "<n> <noun>" with the noun's number agreeing with n.
inline std::string plural(long long n, const std::string& noun, const std::string& plural_form = "") {
  return std::to_string(n) + " " + plural_noun(n, noun, plural_form);
}

}  // namespace bitrec

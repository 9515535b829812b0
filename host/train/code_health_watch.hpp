// Warns on stderr when hash codes degrade: collapse is silent in the loss
// (docs/methods.md §5), so the trainer watches the codes themselves.
#pragma once
#include "bitrec/evaluator.hpp"

namespace bitrec {

class CodeHealthWatch {
 public:
  // Returns true (and prints a warning) when the codes look collapsed or
  // collapsing: item codes far less distinct than before, users and items
  // agreeing on most bits, or bits stuck on one value.
  bool check(int epoch, const CodeHealth& health, int n_items, int bits);

 private:
  int64_t best_distinct_ = 0;
};

}  // namespace bitrec

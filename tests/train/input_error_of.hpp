// The message of the InputError a call throws, or "" when it throws none:
// the refusal tests of warm starts and distillation read it.
#pragma once
#include <functional>
#include <string>

#include "bitrec/error.hpp"

namespace bitrec::testing {

inline std::string input_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace bitrec::testing

// Shape checks at the entry of each CpuBackend operation: a wrong shape is a
// programming error in the caller, reported before any loop runs.
#pragma once
#include <stdexcept>
#include <string>

namespace bitrec {

inline void cpu_require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("CpuBackend::") + what);
}

}  // namespace bitrec

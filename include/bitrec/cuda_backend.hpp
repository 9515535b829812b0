// The CUDA backend's entry points, implemented in cuda/ and compiled only
// when CUDA is found (BITREC_WITH_CUDA). No CUDA header is included here: the
// rest of the project sees only the Backend interface.
#pragma once
#include <memory>

#include "bitrec/backend.hpp"

namespace bitrec {

// Whether a usable CUDA device is present (false rather than throwing when
// the driver or the device is missing).
bool cuda_device_available();

// The CUDA backend on the current device; throws when it cannot start.
std::unique_ptr<Backend> make_cuda_backend();

}  // namespace bitrec

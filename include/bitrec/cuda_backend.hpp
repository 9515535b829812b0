// The CUDA backend's entry points. Declared whether or not CUDA is built;
// defined only in bitrec_cuda (callers check cuda_built() first).
#pragma once
#include <memory>

#include "bitrec/backend.hpp"

namespace bitrec {
bool cuda_device_available();
std::unique_ptr<Backend> make_cuda_backend();
}  // namespace bitrec

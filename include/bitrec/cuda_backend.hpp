// The CUDA backend's entry points, implemented in cuda/ and compiled only
// when CUDA is found. No CUDA header is included here: the rest of the
// project sees only the Backend interface.
//
// No program links cuda/ (docs/cuda.md, "Loading"): it is built into the
// module libbitrec_cuda.so, which make_backend() (backend.hpp) dlopen()s on
// first use through the extern "C" entry points below. The two C++
// functions are for code linked with cuda/ itself: the module and the CUDA
// parity tests (bitrec_cuda_tests).
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

// The module's exported entry points (cuda/module_entry.cpp), looked up with
// dlsym by host/device/backend_factory.cpp.
extern "C" {

// Number of CUDA devices; 0 (never an error) when the driver or the device
// is missing.
int bitrec_cuda_module_device_count() noexcept;

// A new CUDA backend on the current device, owned by the caller (delete it,
// or wrap it in std::unique_ptr<bitrec::Backend>). Throws like
// make_cuda_backend() when it cannot start.
bitrec::Backend* bitrec_cuda_module_make_backend();

// The project version the module was built from (BITREC_VERSION): the loader
// refuses a module from another version, whose Backend may differ.
const char* bitrec_cuda_module_version() noexcept;

}  // extern "C"

// The names the loader dlsym()s, and their types.
namespace bitrec::cuda_module {
inline constexpr const char* kDeviceCountSymbol = "bitrec_cuda_module_device_count";
inline constexpr const char* kMakeBackendSymbol = "bitrec_cuda_module_make_backend";
inline constexpr const char* kVersionSymbol = "bitrec_cuda_module_version";
using DeviceCountFn = int (*)() noexcept;
using MakeBackendFn = Backend* (*)();
using VersionFn = const char* (*)() noexcept;
}  // namespace bitrec::cuda_module

// The device layer (host/device/backend_factory.cpp): --device auto|cpu|cuda
// to a Backend, loading the CUDA module on first use (docs/cuda.md
// "Loading"). Only entry points (the CLI, serving) pick a device; the layers
// below take a Backend& (docs/training.md "Layers").
#pragma once
#include <memory>
#include <string>

#include "bitrec/backend.hpp"

namespace bitrec {

struct BackendOptions {
  std::string device = "auto";  // auto | cpu | cuda
  int threads = 0;              // CPU threads; 0 = all cores
};

// Throws InputError when `cuda` is asked for and not available.
std::unique_ptr<Backend> make_backend(const BackendOptions& options);
// Whether this build has the CUDA module (nothing is loaded to say so).
bool cuda_built();

}  // namespace bitrec

// The device layer (host/device/backend_factory.cpp): --device auto|cpu|cuda
// to a Backend, loading the CUDA module on first use (docs/cuda.md
// "Loading"). Only entry points (the CLI, serving) pick a device; the layers
// below take a Backend& (docs/training.md "Layers").
#pragma once
#include <memory>
#include <string>

#include "bitrec/backend.hpp"
#include "bitrec/session_device.hpp"

namespace bitrec {

struct BackendOptions {
  std::string device = "auto";  // auto | cpu | cuda
  int threads = 0;              // CPU threads; 0 = all cores
};

// Throws InputError when `cuda` is asked for and not available.
std::unique_ptr<Backend> make_backend(const BackendOptions& options);
// Whether this build has the CUDA module (nothing is loaded to say so).
bool cuda_built();

// Session methods (gru4rec) step on the device themselves: whether --device
// `device` puts them there (make_backend's choice), and a device trainer
// from the CUDA module (InputError when there is none).
bool session_device_chosen(const std::string& device);
std::unique_ptr<SessionDeviceTrainer> make_session_device_trainer(const SessionDeviceLayout& layout,
                                                                  const SessionDeviceOptions& options);

}  // namespace bitrec

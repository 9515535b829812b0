// The CUDA module's exported entry points (libbitrec_cuda.so; docs/cuda.md,
// "Loading"). host/device/backend_factory.cpp dlopen()s the module and finds
// these by name; everything else in it stays reachable only through them.
#include <cuda_runtime_api.h>

#include <memory>

#include "bitrec/cuda_backend.hpp"
#include "bitrec/session_device.hpp"
#include "session_trainer.hpp"

extern "C" {

__attribute__((visibility("default"))) int bitrec_cuda_module_device_count() noexcept {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // no driver / no device: clear and report none
    return 0;
  }
  return count;
}

__attribute__((visibility("default"))) bitrec::Backend* bitrec_cuda_module_make_backend() {
  return bitrec::make_cuda_backend().release();
}

__attribute__((visibility("default"))) bitrec::SessionDeviceTrainer* bitrec_cuda_module_make_session_trainer(
    const bitrec::SessionDeviceLayout* layout, const bitrec::SessionDeviceOptions* options) {
  return bitrec::cuda::make_cuda_session_trainer(*layout, *options).release();
}

__attribute__((visibility("default"))) const char* bitrec_cuda_module_version() noexcept {
  return BITREC_VERSION;
}

}  // extern "C"

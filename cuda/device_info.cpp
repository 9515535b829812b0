// Device discovery. cuda_device_available() must never throw: `--device auto`
// and the parity tests call it on machines without a driver or a GPU.
#include "device_info.hpp"

#include <cuda_runtime_api.h>

#include <cstdio>

#include "bitrec/cuda_backend.hpp"
#include "check.hpp"

namespace bitrec {

bool cuda_device_available() {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();  // no driver / no device: clear and report absence
    return false;
  }
  return count > 0;
}

namespace cuda {

std::string device_description(int device) {
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  char text[384];
  std::snprintf(text, sizeof text, "%s (sm_%d%d, %.1f GiB, device %d)", prop.name, prop.major,
                prop.minor, static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0),
                device);
  return text;
}

}  // namespace cuda
}  // namespace bitrec

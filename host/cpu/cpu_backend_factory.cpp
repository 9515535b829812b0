// make_backend: --device auto|cpu|cuda (contract.md). "auto" takes CUDA when
// it is built in and a device is present, else the CPU.
#include <string>

#include "bitrec/backend.hpp"
#include "bitrec/error.hpp"
#include "cpu/cpu_backend.hpp"
#if defined(BITREC_WITH_CUDA)
#include "bitrec/cuda_backend.hpp"
#endif

namespace bitrec {

bool cuda_built() {
#if defined(BITREC_WITH_CUDA)
  return true;
#else
  return false;
#endif
}

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  return std::make_unique<CpuBackend>(threads);
}

std::unique_ptr<Backend> make_backend(const BackendOptions& options) {
  const std::string& device = options.device;
  if (device == "cpu") return make_cpu_backend(options.threads);
  if (device == "auto") {
#if defined(BITREC_WITH_CUDA)
    if (cuda_device_available()) return make_cuda_backend();
#endif
    return make_cpu_backend(options.threads);
  }
  if (device == "cuda") {
#if defined(BITREC_WITH_CUDA)
    if (!cuda_device_available()) {
      throw InputError("--device cuda: no CUDA device is available (use --device cpu or auto)");
    }
    return make_cuda_backend();
#else
    throw InputError(
        "--device cuda: this bitrec was built without the CUDA backend (backends: cpu); "
        "use --device cpu or auto");
#endif
  }
  throw InputError("--device: unknown value '" + device + "' (allowed: auto, cpu, cuda)");
}

}  // namespace bitrec

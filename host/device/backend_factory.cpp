// make_backend: --device auto|cpu|cuda (docs/contract.md), the device
// layer (docs/training.md "Layers"): the one place that picks a backend. "auto" takes CUDA when
// it is built, an NVIDIA driver is present and a device answers, else the CPU.
//
// The CUDA backend is not linked in: it is the module libbitrec_cuda.so
// (CMakeLists.txt, docs/cuda.md "Loading"), dlopen()ed here on first use so
// that programs that never touch a GPU do not load the CUDA libraries
// (~540 MB, seconds). Where it is looked for, first hit wins:
//   1. $BITREC_CUDA_MODULE (a path to the module),
//   2. next to the running executable (/proc/self/exe), where the build puts it,
//   3. the dynamic linker's search path (LD_LIBRARY_PATH, ...), by file name.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

#include "bitrec/backend_factory.hpp"
#include "bitrec/error.hpp"
#if defined(BITREC_WITH_CUDA)
#include "bitrec/cuda_backend.hpp"
#endif
#include "bitrec/session_device.hpp"

namespace bitrec {

bool cuda_built() {
#if defined(BITREC_WITH_CUDA)
  return true;  // the module was built; nothing is loaded to say so
#else
  return false;
#endif
}

#if defined(BITREC_WITH_CUDA)
namespace {

// Cheap test, without loading anything, for an NVIDIA kernel driver: without
// one no CUDA device can answer, so "auto" need not load the CUDA libraries
// to find out. /dev/dxg is WSL2's GPU bridge (no /dev/nvidia* there).
bool nvidia_driver_present() {
  for (const char* path : {"/proc/driver/nvidia/version", "/dev/nvidiactl", "/dev/dxg"}) {
    if (::access(path, F_OK) == 0) return true;
  }
  return false;
}

std::string executable_dir() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  const std::string exe(buf, static_cast<size_t>(n));
  const size_t slash = exe.rfind('/');
  return slash == std::string::npos ? std::string() : exe.substr(0, slash + 1);
}

// The loaded module's entry points, or why it could not be loaded.
struct CudaModule {
  cuda_module::DeviceCountFn device_count = nullptr;
  cuda_module::MakeBackendFn make_backend = nullptr;
  cuda_module::MakeSessionTrainerFn make_session_trainer = nullptr;
  std::string error;  // empty when loaded
};

CudaModule open_module() {
  CudaModule module;
  std::string path;
  std::string beside_exe;  // set when the module is not next to the executable
  if (const char* env = std::getenv("BITREC_CUDA_MODULE"); env != nullptr && *env != '\0') {
    path = env;
  } else {
    path = executable_dir() + BITREC_CUDA_MODULE_FILE;
    if (::access(path.c_str(), F_OK) != 0) {
      beside_exe = path;
      path = BITREC_CUDA_MODULE_FILE;  // search path
    }
  }
  // RTLD_LOCAL: the module's symbols (and the CUDA libraries') stay out of the
  // global scope. Never dlclose()d: Backend objects, their vtables and the
  // deleters of device tensors live in it.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr && !beside_exe.empty()) {
    // Not built (tools/setup.sh builds it only where an NVIDIA driver is
    // present) and not on the search path either: say how to get it.
    const char* why = ::dlerror();
    module.error = std::string("the CUDA backend module was not built: no ") + beside_exe +
                   " (" + (why != nullptr ? why : "not found") +
                   "); build it with `cmake --build build --target bitrec_cuda_module` or "
                   "`BITREC_CUDA_MODULE=ON tools/setup.sh`, or set $BITREC_CUDA_MODULE to its path";
    return module;
  }
  if (handle == nullptr) {
    const char* why = ::dlerror();
    module.error = "cannot load the CUDA backend module " + path + ": " +
                   (why != nullptr ? why : "unknown error");
    return module;
  }
  const auto version =
      reinterpret_cast<cuda_module::VersionFn>(::dlsym(handle, cuda_module::kVersionSymbol));
  module.device_count = reinterpret_cast<cuda_module::DeviceCountFn>(
      ::dlsym(handle, cuda_module::kDeviceCountSymbol));
  module.make_backend = reinterpret_cast<cuda_module::MakeBackendFn>(
      ::dlsym(handle, cuda_module::kMakeBackendSymbol));
  module.make_session_trainer = reinterpret_cast<cuda_module::MakeSessionTrainerFn>(
      ::dlsym(handle, cuda_module::kMakeSessionTrainerSymbol));
  if (version == nullptr || module.device_count == nullptr || module.make_backend == nullptr ||
      module.make_session_trainer == nullptr) {
    module = CudaModule{};
    module.error = "the CUDA backend module " + path + " lacks its entry points (" +
                   cuda_module::kMakeBackendSymbol + ", ...): not a bitrec CUDA module?";
  } else if (std::string(version()) != BITREC_VERSION) {
    const std::string theirs = version();
    module = CudaModule{};
    module.error = "the CUDA backend module " + path + " is from bitrec " + theirs +
                   ", this is bitrec " + BITREC_VERSION;
  }
  return module;
}

// Loaded once per process, on first use.
const CudaModule& cuda_module_once() {
  static std::once_flag once;
  static CudaModule module;
  std::call_once(once, [] { module = open_module(); });
  return module;
}

std::unique_ptr<Backend> make_module_backend(const CudaModule& module) {
  return std::unique_ptr<Backend>(module.make_backend());
}

}  // namespace
#endif

std::unique_ptr<Backend> make_backend(const BackendOptions& options) {
  const std::string& device = options.device;
  if (device == "cpu") return make_cpu_backend(options.threads);
  if (device == "auto") {
#if defined(BITREC_WITH_CUDA)
    // A module that cannot be loaded (no CUDA runtime installed) means CPU.
    if (nvidia_driver_present()) {
      const CudaModule& module = cuda_module_once();
      if (module.error.empty() && module.device_count() > 0) return make_module_backend(module);
    }
#endif
    return make_cpu_backend(options.threads);
  }
  if (device == "cuda") {
#if defined(BITREC_WITH_CUDA)
    const CudaModule& module = cuda_module_once();
    if (!module.error.empty()) {
      throw InputError("--device cuda: " + module.error + " (use --device cpu or auto)");
    }
    if (module.device_count() <= 0) {
      throw InputError("--device cuda: no CUDA device is available (use --device cpu or auto)");
    }
    return make_module_backend(module);
#else
    throw InputError(
        "--device cuda: this bitrec was built without the CUDA backend (backends: cpu); "
        "use --device cpu or auto");
#endif
  }
  throw InputError("--device: unknown value '" + device + "' (allowed: auto, cpu, cuda)");
}

// The same choice as make_backend, so that a session method trains where
// the run's backend lives.
bool session_device_chosen(const std::string& device) {
  if (device == "cpu") return false;
#if defined(BITREC_WITH_CUDA)
  if (device == "auto" && !nvidia_driver_present()) return false;
  const CudaModule& module = cuda_module_once();
  if (device == "auto") return module.error.empty() && module.device_count() > 0;
  return device == "cuda";
#else
  return false;
#endif
}

std::unique_ptr<SessionDeviceTrainer> make_session_device_trainer(const SessionDeviceLayout& layout,
                                                                  const SessionDeviceOptions& options) {
#if defined(BITREC_WITH_CUDA)
  const CudaModule& module = cuda_module_once();
  if (!module.error.empty()) throw InputError("--device cuda: " + module.error + " (use --device cpu or auto)");
  if (module.device_count() <= 0) {
    throw InputError("--device cuda: no CUDA device is available (use --device cpu or auto)");
  }
  return std::unique_ptr<SessionDeviceTrainer>(module.make_session_trainer(&layout, &options));
#else
  (void)layout;
  (void)options;
  throw InputError("--device cuda: this bitrec was built without the CUDA backend (backends: cpu); "
                   "use --device cpu or auto");
#endif
}

}  // namespace bitrec

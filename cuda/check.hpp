// Error checks for CUDA runtime, cuSPARSE and cuBLAS calls: a failure throws
// std::runtime_error naming the call, file:line and the library's message.
// Device errors are boundary errors (docs/cuda.md "Principles"): nothing
// inside catches them.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusparse.h>

#include <stdexcept>
#include <string>

namespace bitrec::cuda {

[[noreturn]] inline void throw_device_error(const char* library, const char* call,
                                            const char* file, int line, int code,
                                            const char* message) {
  throw std::runtime_error(std::string(library) + " error " + std::to_string(code) + " (" +
                           (message ? message : "unknown") + ") in " + call + " at " + file +
                           ":" + std::to_string(line));
}

}  // namespace bitrec::cuda

#define CUDA_CHECK(call)                                                                  \
  do {                                                                                    \
    const cudaError_t bitrec_err_ = (call);                                               \
    if (bitrec_err_ != cudaSuccess) {                                                     \
      ::bitrec::cuda::throw_device_error("CUDA", #call, __FILE__, __LINE__,               \
                                         static_cast<int>(bitrec_err_),                   \
                                         cudaGetErrorString(bitrec_err_));                \
    }                                                                                     \
  } while (0)

#define CUSPARSE_CHECK(call)                                                              \
  do {                                                                                    \
    const cusparseStatus_t bitrec_st_ = (call);                                           \
    if (bitrec_st_ != CUSPARSE_STATUS_SUCCESS) {                                          \
      ::bitrec::cuda::throw_device_error("cuSPARSE", #call, __FILE__, __LINE__,           \
                                         static_cast<int>(bitrec_st_),                    \
                                         cusparseGetErrorString(bitrec_st_));             \
    }                                                                                     \
  } while (0)

#define CUBLAS_CHECK(call)                                                                \
  do {                                                                                    \
    const cublasStatus_t bitrec_st_ = (call);                                             \
    if (bitrec_st_ != CUBLAS_STATUS_SUCCESS) {                                            \
      ::bitrec::cuda::throw_device_error("cuBLAS", #call, __FILE__, __LINE__,             \
                                         static_cast<int>(bitrec_st_),                    \
                                         cublasGetStatusString(bitrec_st_));              \
    }                                                                                     \
  } while (0)

// After a kernel launch: launch-configuration errors surface here, at the
// launch site; faults inside the kernel surface at the next synchronising call.
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())

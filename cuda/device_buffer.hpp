// RAII device memory. Every allocation of the CUDA backend goes through
// device_malloc, so an out-of-memory failure always reports the bytes asked
// and the device's free/total memory at that moment.
#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "check.hpp"

namespace bitrec::cuda {

inline std::string mib(size_t bytes) {
  return std::to_string(bytes / (1024 * 1024)) + " MiB";
}

// Bytes held by device_malloc's live allocations, and their peak, for the
// process (report.json `memory.device_peak_bytes`). cudaFree is not told a
// size, so each pointer's size is kept; allocations are few and large (one
// per tensor or scratch buffer), so a mutex and a map cost nothing.
class DeviceAllocationTracker {
 public:
  static DeviceAllocationTracker& instance() {
    static DeviceAllocationTracker tracker;
    return tracker;
  }
  void allocated(void* ptr, size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    sizes_[ptr] = bytes;
    live_ += bytes;
    if (live_ > peak_) peak_ = live_;
  }
  void freed(void* ptr) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = sizes_.find(ptr);
    if (it == sizes_.end()) return;
    live_ -= it->second;
    sizes_.erase(it);
  }
  size_t peak() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return peak_;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<void*, size_t> sizes_;
  size_t live_ = 0;
  size_t peak_ = 0;
};

// cudaMalloc that throws with context; `what` names the buffer. Zero bytes
// gives nullptr.
inline void* device_malloc(size_t bytes, const char* what) {
  if (bytes == 0) return nullptr;
  void* ptr = nullptr;
  const cudaError_t err = cudaMalloc(&ptr, bytes);
  if (err == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();  // out-of-memory is not sticky; clear it
    size_t free_bytes = 0, total_bytes = 0;
    (void)cudaMemGetInfo(&free_bytes, &total_bytes);
    throw std::runtime_error("CUDA out of memory: " + std::string(what) + " asked " +
                             std::to_string(bytes) + " bytes (" + mib(bytes) + "); device has " +
                             mib(free_bytes) + " free of " + mib(total_bytes));
  }
  CUDA_CHECK(err);
  DeviceAllocationTracker::instance().allocated(ptr, bytes);
  return ptr;
}

// cudaFree for deleters and destructors: never throws (a failure here means
// the context is already broken, and the next checked call reports it).
inline void device_free(void* ptr) noexcept {
  if (!ptr) return;
  DeviceAllocationTracker::instance().freed(ptr);
  (void)cudaFree(ptr);
}

// Memory shared by Tensors: freed when the last Tensor copy goes.
template <class T>
std::shared_ptr<T> make_device_shared(int64_t count, const char* what) {
  T* ptr = static_cast<T*>(device_malloc(static_cast<size_t>(count) * sizeof(T), what));
  return std::shared_ptr<T>(ptr, [](T* p) { device_free(p); });
}

// A move-only owned device array; scratch buffers grow with `reserve`.
template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t count, const char* what = "buffer") { reserve(count, what); }
  ~DeviceBuffer() { device_free(ptr_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept : ptr_(other.ptr_), count_(other.count_) {
    other.ptr_ = nullptr;
    other.count_ = 0;
  }
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      device_free(ptr_);
      ptr_ = other.ptr_;
      count_ = other.count_;
      other.ptr_ = nullptr;
      other.count_ = 0;
    }
    return *this;
  }

  // Ensures room for `count` elements; old contents are discarded when it
  // grows. Callers on a stream must not grow a buffer that queued work still
  // reads (cudaFree synchronises the device, so this is safe, only slow).
  void reserve(size_t count, const char* what = "buffer") {
    if (count <= count_) return;
    device_free(ptr_);
    ptr_ = nullptr;
    count_ = 0;
    ptr_ = static_cast<T*>(device_malloc(count * sizeof(T), what));
    count_ = count;
  }
  void reset() noexcept {
    device_free(ptr_);
    ptr_ = nullptr;
    count_ = 0;
  }

  T* data() const { return ptr_; }
  size_t size() const { return count_; }

 private:
  T* ptr_ = nullptr;
  size_t count_ = 0;
};

}  // namespace bitrec::cuda

// What the CUDA backend reports about the device it runs on.
#pragma once
#include <string>

namespace bitrec::cuda {

// "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB, device 0)"; throws when the
// device cannot be queried.
std::string device_description(int device);

}  // namespace bitrec::cuda

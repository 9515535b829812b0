// The CUDA SessionDeviceTrainer (cuda/session_trainer.cu), for code linked
// with cuda/ itself: the module's entry point and the CUDA parity tests.
#pragma once
#include <memory>

#include "bitrec/session_device.hpp"

namespace bitrec::cuda {

std::unique_ptr<SessionDeviceTrainer> make_cuda_session_trainer(const SessionDeviceLayout& layout,
                                                                const SessionDeviceOptions& options);

}  // namespace bitrec::cuda

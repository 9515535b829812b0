// One factory per MethodModel method; make_method_model picks among them.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "bitrec/method_model.hpp"
#include "bitrec/session_device.hpp"

namespace bitrec {

std::unique_ptr<MethodModel> make_hashgnn_model(const TrainConfig& config, const Dataset& data,
                                                const std::vector<ParamBlock>& blocks);
// gru4rec steps on the device when --device chooses one (session_device_chosen).
std::unique_ptr<MethodModel> make_gru4rec_model(const TrainConfig& config, const Dataset& data,
                                                const std::vector<ParamBlock>& blocks);
// The same model stepping through `device` (null: on the host), a trainer
// factory called at the first step (the CUDA parity tests pass cuda/'s).
using SessionTrainerFactory =
    std::function<std::unique_ptr<SessionDeviceTrainer>(const SessionDeviceLayout&, const SessionDeviceOptions&)>;
std::unique_ptr<MethodModel> make_gru4rec_model_on(const TrainConfig& config, const Dataset& data,
                                                   const std::vector<ParamBlock>& blocks, SessionTrainerFactory device);
std::unique_ptr<MethodModel> make_bgch_model(const TrainConfig& config, const Dataset& data,
                                             const std::vector<ParamBlock>& blocks);

// Any method with --encoder ngcf (lightgcn, hash-ste, recall-hash).
std::unique_ptr<MethodModel> make_ngcf_model(const TrainConfig& config, const Dataset& data,
                                             const std::vector<ParamBlock>& blocks);

}  // namespace bitrec

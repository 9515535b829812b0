// One factory per MethodModel method; make_method_model picks among them.
#pragma once
#include <memory>
#include <vector>

#include "bitrec/method_model.hpp"

namespace bitrec {

std::unique_ptr<MethodModel> make_hashgnn_model(const TrainConfig& config, const Dataset& data,
                                                const std::vector<ParamBlock>& blocks);
std::unique_ptr<MethodModel> make_gru4rec_model(const TrainConfig& config, const Dataset& data,
                                                const std::vector<ParamBlock>& blocks);
std::unique_ptr<MethodModel> make_bgch_model(const TrainConfig& config, const Dataset& data,
                                             const std::vector<ParamBlock>& blocks);

// Any method with --encoder ngcf (lightgcn, hash-ste, recall-hash).
std::unique_ptr<MethodModel> make_ngcf_model(const TrainConfig& config, const Dataset& data,
                                             const std::vector<ParamBlock>& blocks);

}  // namespace bitrec

#include "bitrec/method_model.hpp"

#include <stdexcept>

#include "bitrec/method_spec.hpp"
#include "method_factories.hpp"

namespace bitrec {

// The registry says where a run trains (its method's or encoder's spec).
bool uses_method_model(const TrainConfig& config) { return train_placement(config).device == TrainDevice::kHost; }

namespace {

using MakeMethodModel = std::unique_ptr<MethodModel> (*)(const TrainConfig&, const Dataset&,
                                                         const std::vector<ParamBlock>&);
// The host-trained models, one line each: an encoder with a model of its own
// first (it replaces the method's encoder), then methods with their own layers.
struct EncoderModel {
  Encoder encoder;
  MakeMethodModel make;
};
struct OwnModel {
  Method method;
  MakeMethodModel make;
};
const EncoderModel kEncoderModels[] = {{Encoder::kNgcf, make_ngcf_model}};
const OwnModel kMethodModels[] = {
    {Method::kHashGnn, make_hashgnn_model}, {Method::kBgch, make_bgch_model}, {Method::kGru4Rec, make_gru4rec_model},
    {Method::kGru4RecHash, make_gru4rec_model}};

}  // namespace

std::unique_ptr<MethodModel> make_method_model(const TrainConfig& config, const Dataset& data,
                                               const std::vector<ParamBlock>& blocks) {
  for (const EncoderModel& m : kEncoderModels) {
    if (m.encoder == config.encoder) return m.make(config, data, blocks);
  }
  for (const OwnModel& m : kMethodModels) {
    if (m.method == config.method) return m.make(config, data, blocks);
  }
  throw std::logic_error(std::string("make_method_model: ") + method_name(config.method) +
                         " trains on the embedding table, not a MethodModel");
}

}  // namespace bitrec

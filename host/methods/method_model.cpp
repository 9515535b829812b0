#include "bitrec/method_model.hpp"

#include <stdexcept>

#include "method_factories.hpp"

namespace bitrec {

bool uses_method_model(const TrainConfig& config) {
  return config.method == Method::kHashGnn || config.method == Method::kBgch || config.encoder == Encoder::kNgcf;
}

std::unique_ptr<MethodModel> make_method_model(const TrainConfig& config, const Dataset& data,
                                               const std::vector<ParamBlock>& blocks) {
  if (config.encoder == Encoder::kNgcf) return make_ngcf_model(config, data, blocks);
  switch (config.method) {
    case Method::kHashGnn: return make_hashgnn_model(config, data, blocks);
    case Method::kBgch: return make_bgch_model(config, data, blocks);
    default: break;
  }
  throw std::logic_error(std::string("make_method_model: ") + method_name(config.method) +
                         " trains on the embedding table, not a MethodModel");
}

}  // namespace bitrec

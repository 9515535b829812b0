#include "bitrec/method_model.hpp"

#include <stdexcept>

#include "method_factories.hpp"

namespace bitrec {

bool uses_method_model(Method method) { return method == Method::kHashGnn || method == Method::kBgch; }

std::unique_ptr<MethodModel> make_method_model(const TrainConfig& config, const Dataset& data,
                                               const std::vector<ParamBlock>& blocks) {
  switch (config.method) {
    case Method::kHashGnn: return make_hashgnn_model(config, data, blocks);
    case Method::kBgch: return make_bgch_model(config, data, blocks);
    default: break;
  }
  throw std::logic_error(std::string("make_method_model: ") + method_name(config.method) +
                         " trains on the embedding table, not a MethodModel");
}

}  // namespace bitrec

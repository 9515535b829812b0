// make_model: the one place that picks a Model implementation per method.
#include <stdexcept>

#include "bitrec/method_model.hpp"
#include "bitrec/train_model.hpp"
#include "methods/host_model.hpp"
#include "methods/table/table_model.hpp"

namespace bitrec {

std::unique_ptr<Model> make_model(Backend& backend, const TrainConfig& config, const Dataset& data,
                                  const ModelState* start, const Csr* loss_positives) {
  if (uses_method_model(config)) {
    // resolve_config refuses --distill-from off the embedding table.
    if (loss_positives) throw std::logic_error("make_model: loss positives are for the embedding table only");
    return make_host_model(backend, make_method_model(config, data, start ? start->blocks : std::vector<ParamBlock>()),
                           start ? start->epoch_loss_sum : 0.0f);
  }
  return make_table_model(backend, config, data, start, loss_positives);
}

}  // namespace bitrec

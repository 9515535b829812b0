// lightgcn: LightGCN with real-valued embeddings, the reference every hashing
// method is compared with (docs/methods.md §2).
#include "bitrec/method_spec.hpp"

namespace bitrec {

MethodSpec lightgcn_spec() {
  MethodSpec s;
  s.method = Method::kLightGcn;
  s.name = "lightgcn";
  s.hashed = false;
  s.trains_on = TrainDevice::kBackend;
  // LightGCN's paper trains 1000 epochs.
  s.presets.epochs = 1000;
  s.presets.estimator = Estimator::kSte;
  return s;
}

}  // namespace bitrec

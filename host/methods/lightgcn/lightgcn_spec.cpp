// lightgcn: LightGCN with real-valued embeddings, the reference every hashing
// method is compared with (docs/methods.md §2).
#include "bitrec/method_spec.hpp"

namespace bitrec {

MethodSpec lightgcn_spec() {
  // LightGCN's paper trains 1000 epochs.
  MethodSpec s = base_spec(Method::kLightGcn, "lightgcn", /*hashed=*/false, TrainDevice::kBackend, /*epochs=*/1000,
                           Estimator::kSte);
  return s;
}

}  // namespace bitrec

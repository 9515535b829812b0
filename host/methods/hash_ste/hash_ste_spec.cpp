// hash-ste: BPR on the sign codes of LightGCN's embeddings, plain STE
// backward (docs/methods.md §4, §6; docs/training.md on its code collapse).
#include "bitrec/method_spec.hpp"

namespace bitrec {

MethodSpec hash_ste_spec() {
  MethodSpec s;
  s.method = Method::kHashSte;
  s.name = "hash-ste";
  s.hashed = true;
  s.trains_on = TrainDevice::kBackend;
  // The BPR hashing baseline plateaus early (docs/methods.md §6): 200 is generous.
  s.presets.epochs = 200;
  s.presets.estimator = Estimator::kSte;
  return s;
}

}  // namespace bitrec

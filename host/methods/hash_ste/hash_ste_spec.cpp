// hash-ste: BPR on the sign codes of LightGCN's embeddings, plain STE
// backward (docs/methods.md §4, §6; docs/training.md on its code collapse).
#include "bitrec/method_spec.hpp"

namespace bitrec {

MethodSpec hash_ste_spec() {
  // The BPR hashing baseline plateaus early (docs/methods.md §6): 200 is generous.
  MethodSpec s = base_spec(Method::kHashSte, "hash-ste", /*hashed=*/true, TrainDevice::kBackend, /*epochs=*/200,
                           Estimator::kSte);
  s.supports_warmup = true;
  return s;
}

}  // namespace bitrec

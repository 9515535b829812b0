// recall-hash: the smooth recall loss over all items on LightGCN's sign codes,
// user-based epochs (docs/methods.md §5, docs/smooth_recall.md,
// docs/training.md).
#include <algorithm>

#include "bitrec/method_spec.hpp"

namespace bitrec {
namespace {

constexpr int64_t kFloat = 4, kInt = 4, kWord = 8;

// The [users-tile, n_items] ∂L/∂s block (CPU tile 64; CUDA up to 256) and the
// packed codes; the optional BPR term's triples (bounded by the whole
// relation).
int64_t recall_hash_training_memory(const TrainConfig& c, const MemoryShape& s) {
  const int64_t words = (c.dim + 63) / 64;
  const int64_t user_batch = user_batch_for(c, s.n_users);  // an upper bound: all users sampleable
  const int64_t tile = s.on_device ? std::min<int64_t>(256, user_batch) : 64;
  int64_t bytes = tile * s.n_items * kFloat + s.rows * words * kWord + tile * c.dim * kFloat * 2;
  if (c.bpr_weight > 0.0f) bytes += std::min<int64_t>(s.train_pairs, user_batch * 4096) * 3 * kInt * 2;
  return bytes;
}

}  // namespace

MethodSpec recall_hash_spec() {
  // Plain STE collapses the codes under this loss (docs/methods.md §5,
  // docs/training.md).
  MethodSpec s = base_spec(Method::kRecallHash, "recall-hash", /*hashed=*/true, TrainDevice::kBackend, /*epochs=*/100,
                           Estimator::kSignswish);
  s.extra_training_memory = recall_hash_training_memory;
  s.supports_warmup = true;
  s.own_options = {
      {"--tau-rank", "temperature in raw code-score units (default: recall-hash sqrt(--dim)/2, gru4rec-hash 2*sqrt(--dim))"},
      {"--tau-cut", "cut temperature in rank units"},
      {"--tau-cut-start", "tau-cut at epoch 0 (default n_items/20), decayed to --tau-cut"},
      {"--tau-cut-warmup", "fraction of --epochs the tau-cut decay lasts"},
      {"--recall-n", "N of the smoothed Recall@N"},
      {"--recall-n-end", "N at the last epoch, geometric from --recall-n (default: --recall-n)"},
      {"--dcg-weight", "top weight w, each pair's term x (1 + w/log2(1 + rank)); 0 = plain smooth recall"},
      {"--user-batch", "users per batch (default: auto, ceil(users / 117) capped at 256: ~117 steps per epoch)"},
      {"--bpr-weight", "weight of a BPR term on the codes, one triple per train pair of the batch (default 0)"},
      {"--distill-from", "teacher run in DIR (same data and split, on the embedding table): its top --distill-top "
                         "non-train items per user join the loss's positives"},
      {"--distill-top", "teacher items per user with --distill-from"},
  };
  return s;
}

}  // namespace bitrec

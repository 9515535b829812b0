// One batch of HashGNN: both towers forward, the loss on the mixed vectors,
// L2, and (when asked) every gradient. Owns the towers' buffers, so one
// instance serves one model.
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/kernels/estimators.hpp"
#include "example_sampler.hpp"
#include "hashgnn_loss.hpp"
#include "neighbour_sampler.hpp"
#include "towers.hpp"

namespace bitrec::hashgnn {

struct LossSettings {
  float bce_weight = 0.1f;
  float decay = 1e-4f;  // λ
  EstimatorParams estimator;
};

struct BatchGrads {
  DenseGrads dense;          // by block; [kEmbedding] unused
  SparseRowGrad embedding;   // rows of the table the batch touched
};

struct BatchLoss {
  LossTerms terms;
  double l2 = 0.0;  // λ/(2B)·(Σ_target rows ‖e‖² + Σ_weights ‖W‖²)
  double total = 0.0;
};

class BatchLossEngine {
 public:
  explicit BatchLossEngine(int64_t n_nodes) : table_acc_(n_nodes) {}

  // Loss of `ex` under `p`, neighbours drawn with `key`; with grads, also
  // every gradient (grads->dense are overwritten, not added to).
  //   L = BPR + w_bce·BCE (hashgnn_loss.hpp)
  //     + λ/(2B)·(Σ_b ‖e_u‖² + ‖e_i‖² + Σ_j ‖e_j‖²  +  Σ_{weight matrices} ‖W‖²)
  BatchLoss run(const std::vector<ParamBlock>& p, const NeighbourSampler& graph, const ExampleBatch& ex,
                const NeighbourKey& key, const LossSettings& s, BatchGrads* grads, int threads);

  const UserTower& users() const { return user_tower_; }
  const ItemTower& items() const { return item_tower_; }

 private:
  UserTower user_tower_;
  ItemTower item_tower_;
  std::vector<float> d_user_, d_item_;
  std::vector<GradEntry> table_entries_;
  RowAccumulator table_acc_;
};

}  // namespace bitrec::hashgnn

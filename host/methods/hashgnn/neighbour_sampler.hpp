// Sampled neighbours on the user–item train graph (GraphSAGE: uniform, with
// replacement). Nodes are global: users 0..m−1, items m..m+n−1.
#pragma once
#include <cstdint>

#include "bitrec/csr.hpp"
#include "bitrec/dataset.hpp"

namespace bitrec::hashgnn {

// Names one set of draws: every node has one neighbour list per key, so a
// node met twice in a batch (say as a positive and as a user's neighbour)
// sees the same neighbours, and a fan-out f takes slots 0..f−1 of it.
struct NeighbourKey {
  uint64_t seed = 0;
  uint32_t epoch = 0;
  uint32_t batch = 0;
};
// Evaluation's fixed draws (no training epoch reaches it).
constexpr uint32_t kEvalEpoch = 0xFFFFFFFFu;
constexpr int kMaxFanout = 16;

class NeighbourSampler {
 public:
  explicit NeighbourSampler(const Dataset& data);  // keeps a pointer to data.train

  int32_t n_users() const { return n_users_; }
  int32_t n_items() const { return n_items_; }
  int64_t degree(int32_t node) const;

  // Slot s of node v (s < fanout ≤ kMaxFanout): neighbour
  //   N(v)[uniform_index(Philox(seed; v, epoch, batch·4 + s/4, kNeighbours).v[s%4], |N(v)|)]
  // as a global id. Writes `fanout` ids and returns fanout, or returns 0
  // when v has no neighbours (its neighbour mean is then the zero vector).
  int sample(const NeighbourKey& key, int32_t node, int fanout, int32_t* out) const;

 private:
  const Csr* user_items_;
  Csr item_users_;  // the transpose, built once
  int32_t n_users_ = 0, n_items_ = 0;
};

}  // namespace bitrec::hashgnn

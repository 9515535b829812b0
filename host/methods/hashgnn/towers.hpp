// HashGNN's two encoders over sampled neighbourhoods (docs/methods.md §6, §8):
//   user tower: E → GraphSAGE-mean (hop 1 fan-out 10 around the user, hop 2
//     fan-out 5 around each sampled item) → GraphSAGE-mean → tanh hash layer;
//   item tower: E → GraphSAGE-mean (fan-out 10) → tanh hash layer.
// Each keeps its activations from forward for backward.
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/method_model.hpp"
#include "hash_layer.hpp"
#include "neighbour_sampler.hpp"
#include "row_accumulator.hpp"
#include "sage_layer.hpp"

namespace bitrec::hashgnn {

// Dense gradients by block (the embedding table's slot stays empty; its
// gradient is sparse).
using DenseGrads = std::vector<std::vector<float>>;

class UserTower {
 public:
  // h [count, bits] of users[0..count) (user ids).
  void forward(const std::vector<ParamBlock>& p, const NeighbourSampler& graph, const NeighbourKey& key,
               const int32_t* users, int64_t count, int threads);
  const std::vector<float>& h() const { return hash_.h; }
  const std::vector<float>& z() const { return layer2_.out; }
  // From dL/dh [count, bits]: dense gradients added into grads, the
  // embedding table's contributions appended to `table` (they point into
  // this tower's buffers: use them before the next forward/backward).
  void backward(const std::vector<ParamBlock>& p, const float* dh, DenseGrads& grads, std::vector<GradEntry>& table,
                int threads);

 private:
  int64_t count_ = 0;
  std::vector<int64_t> first_row_;  // [count + 1]: each user's first row in rows1_
  SageRows rows1_;  // rows of E: per user, the user then its sampled items
  SageRows rows2_;  // rows of layer 1's output: per user, its row and its items' rows
  SageLayerCache layer1_, layer2_;
  HashLayerCache hash_;
  std::vector<GradEntry> local_entries_;
  RowAccumulator local_;
  SparseRowGrad d_h1_sparse_;
  std::vector<float> d_h1_;
};

class ItemTower {
 public:
  // h [count, bits] of items[0..count) (item ids, not node ids).
  void forward(const std::vector<ParamBlock>& p, const NeighbourSampler& graph, const NeighbourKey& key,
               const int32_t* items, int64_t count, int threads);
  const std::vector<float>& h() const { return hash_.h; }
  void backward(const std::vector<ParamBlock>& p, const float* dh, DenseGrads& grads, std::vector<GradEntry>& table,
                int threads);

 private:
  int64_t count_ = 0;
  SageRows rows1_;
  SageLayerCache layer1_;
  HashLayerCache hash_;
};

}  // namespace bitrec::hashgnn

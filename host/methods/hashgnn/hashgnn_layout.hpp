// HashGNN's sizes and parameter blocks (docs/methods.md §6, §8; docs/hashgnn.md).
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/method_model.hpp"
#include "hashgnn_spec.hpp"

namespace bitrec::hashgnn {

// kEmbed, kHidden and the fan-outs: hashgnn_spec.hpp.
constexpr float kLeakySlope = 0.2f;  // tf.nn.leaky_relu's default α

// Blocks in checkpoint order. Weights are [in, out] row-major (out_row =
// in_row · W), biases [1, out]. The embedding table holds users first, then
// items, [n_users + n_items, kEmbed].
enum Block : int {
  kEmbedding,
  kUserSage1W, kUserSage1B,  // [2·kEmbed, kHidden]: [self | mean of neighbours]
  kUserSage2W, kUserSage2B,  // [2·kHidden, kHidden]
  kItemSage1W, kItemSage1B,  // [2·kEmbed, kHidden]
  kUserHashW, kUserHashB,    // [kHidden, bits]
  kItemHashW, kItemHashB,    // [kHidden, bits]
  kBlockCount
};

// True for the weight matrices (L2-decayed); biases and the table are not.
inline bool is_dense_weight(int block) {
  return block == kUserSage1W || block == kUserSage2W || block == kItemSage1W || block == kUserHashW ||
         block == kItemHashW;
}

// Seeded initial blocks: table N(0, init_std²), weights Glorot uniform,
// biases 0.
std::vector<ParamBlock> initial_blocks(int64_t n_nodes, int bits, float init_std, uint64_t seed);

}  // namespace bitrec::hashgnn

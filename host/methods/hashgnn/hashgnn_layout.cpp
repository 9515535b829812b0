#include "hashgnn_layout.hpp"

#include <cmath>

#include "../param_blocks.hpp"

namespace bitrec::hashgnn {
namespace {

ParamBlock glorot(const char* name, int64_t in, int64_t out, uint64_t seed, uint32_t tag) {
  return uniform_block(name, in, out, std::sqrt(6.0f / static_cast<float>(in + out)), seed, tag);
}

}  // namespace

std::vector<ParamBlock> initial_blocks(int64_t n_nodes, int bits, float init_std, uint64_t seed) {
  std::vector<ParamBlock> b;
  b.reserve(kBlockCount);
  // Tags: one per block, so no two blocks share Philox draws.
  b.push_back(normal_block("hashgnn.embedding", n_nodes, kEmbed, init_std, seed, 100));
  b.push_back(glorot("hashgnn.user_sage1.weight", 2 * kEmbed, kHidden, seed, 101));
  b.push_back(normal_block("hashgnn.user_sage1.bias", 1, kHidden, 0.0f, seed, 102));
  b.push_back(glorot("hashgnn.user_sage2.weight", 2 * kHidden, kHidden, seed, 103));
  b.push_back(normal_block("hashgnn.user_sage2.bias", 1, kHidden, 0.0f, seed, 104));
  b.push_back(glorot("hashgnn.item_sage1.weight", 2 * kEmbed, kHidden, seed, 105));
  b.push_back(normal_block("hashgnn.item_sage1.bias", 1, kHidden, 0.0f, seed, 106));
  b.push_back(glorot("hashgnn.user_hash.weight", kHidden, bits, seed, 107));
  b.push_back(normal_block("hashgnn.user_hash.bias", 1, bits, 0.0f, seed, 108));
  b.push_back(glorot("hashgnn.item_hash.weight", kHidden, bits, seed, 109));
  b.push_back(normal_block("hashgnn.item_hash.bias", 1, bits, 0.0f, seed, 110));
  return b;
}

}  // namespace bitrec::hashgnn

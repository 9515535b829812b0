#include "methods/gru4rec/gru4rec_network.hpp"

#include <cmath>

#include "bitrec/error.hpp"
#include "methods/param_blocks.hpp"

namespace bitrec::gru4rec {
namespace {

float glorot_limit(int64_t fan_in, int64_t fan_out) {
  return static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in + fan_out)));
}

// Seed tags of the blocks (uniform_block's counter word), distinct per block.
constexpr uint32_t kTagItemVectors = 0x47520001u;
constexpr uint32_t kTagEmbedding = 0x47520002u;
constexpr uint32_t kTagLayer = 0x47520100u;  // + 2·layer (+1 for W_hh)

const ParamBlock& find_block(const std::vector<ParamBlock>& blocks, const std::string& name, int64_t rows,
                             int64_t cols) {
  for (const ParamBlock& b : blocks) {
    if (b.name != name) continue;
    if (b.rows != rows || b.cols != cols || b.value.size() != static_cast<size_t>(rows * cols)) {
      throw InputError("gru4rec block '" + name + "' is " + std::to_string(b.rows) + " × " + std::to_string(b.cols) +
                       ", the model expects " + std::to_string(rows) + " × " + std::to_string(cols) +
                       " (config or data changed?)");
    }
    return b;
  }
  throw InputError("gru4rec: the parameters lack block '" + name + "' (not a gru4rec run?)");
}

}  // namespace

NetworkShape network_shape(const TrainConfig& c, int32_t n_items) {
  NetworkShape s;
  s.n_items = n_items;
  s.input = c.session.input;
  s.hidden = c.session.hidden;
  s.input_dim = s.input == SessionInput::kConstrained ? s.hidden.back() : c.session.embedding_dim;
  return s;
}

std::string layer_block_name(int layer, const char* part) {
  return "gru4rec.layer" + std::to_string(layer + 1) + "." + part;
}

std::vector<ParamBlock> init_network_blocks(const NetworkShape& s, uint64_t seed) {
  std::vector<ParamBlock> blocks;
  blocks.push_back(uniform_block(kItemVectors, s.n_items, s.out_dim(), glorot_limit(s.n_items, s.out_dim()), seed,
                                 kTagItemVectors));
  blocks.push_back(uniform_block(kItemBias, s.n_items, 1, 0.0f, seed, 0));
  if (s.input == SessionInput::kEmbedding) {
    blocks.push_back(uniform_block(kInputEmbedding, s.n_items, s.input_dim, glorot_limit(s.n_items, s.input_dim),
                                   seed, kTagEmbedding));
  }
  int in = s.input_dim;
  for (int l = 0; l < static_cast<int>(s.hidden.size()); ++l) {
    const int h = s.hidden[l];
    const uint32_t tag = kTagLayer + 2u * static_cast<uint32_t>(l);
    blocks.push_back(uniform_block(layer_block_name(l, "W_ih"), in, 3 * h, glorot_limit(in, h), seed, tag));
    blocks.push_back(uniform_block(layer_block_name(l, "W_hh"), h, 3 * h, glorot_limit(h, h), seed, tag + 1));
    blocks.push_back(uniform_block(layer_block_name(l, "b_ih"), 1, 3 * h, 0.0f, seed, 0));
    blocks.push_back(uniform_block(layer_block_name(l, "b_hh"), 1, 3 * h, 0.0f, seed, 0));
    in = h;
  }
  return blocks;
}

GruNetwork::GruNetwork(const NetworkShape& s, const std::vector<ParamBlock>& blocks) : shape_(s) {
  wy_ = find_block(blocks, kItemVectors, s.n_items, s.out_dim()).value.data();
  by_ = find_block(blocks, kItemBias, s.n_items, 1).value.data();
  if (s.input == SessionInput::kEmbedding) e_ = find_block(blocks, kInputEmbedding, s.n_items, s.input_dim).value.data();
  int in = s.input_dim;
  for (int l = 0; l < static_cast<int>(s.hidden.size()); ++l) {
    const int h = s.hidden[l];
    layers_.push_back({find_block(blocks, layer_block_name(l, "W_ih"), in, 3 * h).value.data(),
                       find_block(blocks, layer_block_name(l, "W_hh"), h, 3 * h).value.data(),
                       find_block(blocks, layer_block_name(l, "b_ih"), 1, 3 * h).value.data(),
                       find_block(blocks, layer_block_name(l, "b_hh"), 1, 3 * h).value.data()});
    in = h;
  }
}

gru::GruLayerWeights GruNetwork::layer(int l) const {
  const LayerPointers& p = layers_[l];
  const int in = l == 0 ? shape_.input_dim : shape_.hidden[l - 1];
  return {p.w_ih, p.w_hh, p.b_ih, p.b_hh, in, shape_.hidden[l]};
}

const float* GruNetwork::input_table() const { return shape_.input == SessionInput::kConstrained ? wy_ : e_; }

void GruNetwork::step(const int32_t* items, int64_t rows, std::vector<std::vector<float>>& hidden,
                      std::vector<float>& scratch, int threads) const {
  scratch.resize(static_cast<size_t>(rows) * shape_.input_dim);
  gru::gather_rows(input_table(), shape_.input_dim, items, rows, scratch.data(), threads);
  const float* x = scratch.data();
  for (int l = 0; l < layers(); ++l) {
    float* h = hidden[l].data();
    gru::gru_layer_forward(layer(l), x, h, rows, h, nullptr, threads);
    x = h;
  }
}

}  // namespace bitrec::gru4rec

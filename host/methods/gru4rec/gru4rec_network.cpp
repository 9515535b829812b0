#include "methods/gru4rec/gru4rec_network.hpp"

#include <cmath>
#include <utility>

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
constexpr uint32_t kTagOneHot = 0x47520010u;  // + part: onehot's first layer (W_x, W_rz, W_h)

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
  switch (s.input) {
    case SessionInput::kConstrained: s.input_dim = s.hidden.back(); break;
    case SessionInput::kEmbedding: s.input_dim = c.session.embedding_dim; break;
    case SessionInput::kOneHot: s.input_dim = 0; break;
  }
  return s;
}

std::string layer_block_name(int layer, const char* part) {
  return "gru4rec.layer" + std::to_string(layer + 1) + "." + part;
}

std::vector<std::string> layer_block_parts(const NetworkShape& s, int layer) {
  if (layer == 0 && s.one_hot()) return {"W_x", "W_rz", "W_h", "b"};
  return {"W_ih", "W_hh", "b_ih", "b_hh"};
}

std::vector<std::pair<int64_t, int64_t>> layer_block_shapes(const NetworkShape& s, int l) {
  const int64_t h = s.hidden[l];
  if (l == 0 && s.one_hot()) return {{s.n_items, 3 * h}, {h, 2 * h}, {h, h}, {1, 3 * h}};
  return {{s.layer_input(l), 3 * h}, {h, 3 * h}, {1, 3 * h}, {1, 3 * h}};
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
  for (int l = 0; l < static_cast<int>(s.hidden.size()); ++l) {
    const uint32_t tag = l == 0 && s.one_hot() ? kTagOneHot : kTagLayer + 2u * static_cast<uint32_t>(l);
    const std::vector<std::string> parts = layer_block_parts(s, l);
    const auto shapes = layer_block_shapes(s, l);
    // The official initialisation: a gate block [in, k·H] is drawn as k
    // blocks [in, H], so its limit is √(6 / (in + H)); biases are zero.
    const int64_t h = s.hidden[l];
    for (int part = 0; part < 4; ++part) {
      const auto [rows, cols] = shapes[part];
      const bool bias = rows == 1;
      const float limit = bias ? 0.0f : glorot_limit(rows, h);
      blocks.push_back(uniform_block(layer_block_name(l, parts[part].c_str()), rows, cols, limit, seed,
                                     bias ? 0u : tag + static_cast<uint32_t>(part)));
    }
  }
  return blocks;
}

GruNetwork::GruNetwork(const NetworkShape& s, const std::vector<ParamBlock>& blocks) : shape_(s) {
  wy_ = find_block(blocks, kItemVectors, s.n_items, s.out_dim()).value.data();
  by_ = find_block(blocks, kItemBias, s.n_items, 1).value.data();
  if (s.input == SessionInput::kEmbedding) e_ = find_block(blocks, kInputEmbedding, s.n_items, s.input_dim).value.data();
  for (int l = 0; l < static_cast<int>(s.hidden.size()); ++l) {
    const std::vector<std::string> parts = layer_block_parts(s, l);
    const auto shapes = layer_block_shapes(s, l);
    LayerPointers p{};
    for (int part = 0; part < 4; ++part) {
      p.part[part] =
          find_block(blocks, layer_block_name(l, parts[part].c_str()), shapes[part].first, shapes[part].second)
              .value.data();
    }
    layers_.push_back(p);
  }
}

gru::GruLayerWeights GruNetwork::layer(int l) const {
  const LayerPointers& p = layers_[l];
  return {p.part[0], p.part[1], p.part[2], p.part[3], shape_.layer_input(l), shape_.hidden[l]};
}

gru::GruEmbeddingWeights GruNetwork::one_hot_layer() const {
  const LayerPointers& p = layers_[0];
  return {p.part[0], p.part[1], p.part[2], p.part[3], shape_.hidden[0]};
}

const float* GruNetwork::input_table() const {
  switch (shape_.input) {
    case SessionInput::kConstrained: return wy_;
    case SessionInput::kEmbedding: return e_;
    case SessionInput::kOneHot: break;
  }
  return nullptr;
}

void GruNetwork::step(const int32_t* items, int64_t rows, std::vector<std::vector<float>>& hidden,
                      std::vector<float>& scratch, int threads) const {
  int first = 0;
  const float* x = nullptr;
  if (shape_.one_hot()) {
    float* h = hidden[0].data();
    gru::gru_embedding_forward(one_hot_layer(), items, h, rows, h, nullptr, threads);
    x = h;
    first = 1;
  } else {
    scratch.resize(static_cast<size_t>(rows) * shape_.input_dim);
    gru::gather_rows(input_table(), shape_.input_dim, items, rows, scratch.data(), threads);
    x = scratch.data();
  }
  for (int l = first; l < layers(); ++l) {
    float* h = hidden[l].data();
    gru::gru_layer_forward(layer(l), x, h, rows, h, nullptr, threads);
    x = h;
  }
}

}  // namespace bitrec::gru4rec

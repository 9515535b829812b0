// GRU4Rec's parameters and its forward step without dropout (evaluation,
// query): the item output vectors Wy and biases By, an optional input
// embedding E, and the GRU layers (docs/sessions.md "Model"). The blocks
// live in a std::vector<ParamBlock> (the checkpoint's layout); GruNetwork
// is a view that finds them by name. Adagrad's accumulator is stored in a
// block's adam_v and its momentum in adam_m.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/model.hpp"
#include "cpu/gru_cpu.hpp"
#include "cpu/gru_embedding_cpu.hpp"

namespace bitrec::gru4rec {

struct NetworkShape {
  int32_t n_items = 0;
  SessionInput input = SessionInput::kConstrained;
  // The first layer's input: the last layer's size (constrained), or
  // --embedding-dim; 0 for onehot, whose first layer reads a row of its own
  // table (gru_embedding_cpu.hpp).
  int input_dim = 0;
  std::vector<int> hidden;  // GRU layer sizes
  int out_dim() const { return hidden.back(); }
  bool one_hot() const { return input == SessionInput::kOneHot; }
  // The width of layer l's input (l ≥ 1, or any l but onehot's first).
  int layer_input(int l) const { return l == 0 ? input_dim : hidden[l - 1]; }
};
NetworkShape network_shape(const TrainConfig& config, int32_t n_items);

// Block names.
inline constexpr const char kItemVectors[] = "gru4rec.Wy";
inline constexpr const char kItemBias[] = "gru4rec.By";
inline constexpr const char kInputEmbedding[] = "gru4rec.E";
std::string layer_block_name(int layer, const char* part);  // "gru4rec.layer1.W_ih"
// The blocks of a layer in their order: W_ih, W_hh, b_ih, b_hh for a
// GRUCell; W_x, W_rz, W_h, b for the one-hot first layer (W_x [items, 3H]
// is updated row by row like an embedding, the others densely).
std::vector<std::string> layer_block_parts(const NetworkShape& shape, int layer);
// Their shapes (rows, cols), in the same order.
std::vector<std::pair<int64_t, int64_t>> layer_block_shapes(const NetworkShape& shape, int layer);

// The seeded initialisation of the official implementation: every gate
// block uniform in ±√(6 / (fan_in + fan_out)), Wy and E likewise, biases 0.
std::vector<ParamBlock> init_network_blocks(const NetworkShape& shape, uint64_t seed);

class GruNetwork {
 public:
  // A view of `blocks` (which must outlive it and hold the shape's blocks;
  // InputError naming the block otherwise). Extra blocks are ignored.
  GruNetwork(const NetworkShape& shape, const std::vector<ParamBlock>& blocks);

  const NetworkShape& shape() const { return shape_; }
  int layers() const { return static_cast<int>(shape_.hidden.size()); }
  gru::GruLayerWeights layer(int l) const;  // a GRUCell layer (not onehot's first)
  gru::GruEmbeddingWeights one_hot_layer() const;  // onehot's first layer
  const float* input_table() const;  // [n_items, input_dim]: Wy (constrained), E, or null (onehot)
  const float* item_vectors() const { return wy_; }  // [n_items, out_dim]
  const float* item_bias() const { return by_; }     // [n_items]

  // One step without dropout for `rows` sessions: hidden[l] ([rows, H_l],
  // row-major) is updated in place from the sessions' current items; the
  // last layer's state is the session's output vector.
  void step(const int32_t* items, int64_t rows, std::vector<std::vector<float>>& hidden,
            std::vector<float>& scratch, int threads) const;

 private:
  NetworkShape shape_;
  const float* wy_ = nullptr;
  const float* by_ = nullptr;
  const float* e_ = nullptr;
  // A layer's four blocks in layer_block_parts' order.
  struct LayerPointers {
    const float* part[4];
  };
  std::vector<LayerPointers> layers_;
};

}  // namespace bitrec::gru4rec

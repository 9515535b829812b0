#include "bitrec/model.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "bitrec/error.hpp"
#include "bitrec/graph.hpp"
#include "bitrec/kernels/philox.hpp"
#include "bitrec/method_model.hpp"

namespace bitrec {

ModelState init_model(int32_t n_users, int32_t n_items, int dim, float std, uint64_t seed) {
  ModelState state;
  state.n_users = n_users;
  state.n_items = n_items;
  state.dim = dim;
  const int64_t size = state.n_nodes() * dim;
  state.e0.resize(size);
  state.adam_m.assign(size, 0.0f);
  state.adam_v.assign(size, 0.0f);
  constexpr double kTwoPi = 6.283185307179586;
  // One Philox draw gives two normals (elements 2p and 2p+1).
  for (int64_t pair = 0; pair * 2 < size; ++pair) {
    const Philox4 r = philox_draw(seed, RngStream::kInit, static_cast<uint32_t>(pair),
                                  static_cast<uint32_t>(pair >> 32), 0);
    const double u1 = uniform_open01(r.v[0]);
    const double u2 = uniform_open01(r.v[1]);
    const double radius = std::sqrt(-2.0 * std::log(u1)) * std;
    state.e0[pair * 2] = static_cast<float>(radius * std::cos(kTwoPi * u2));
    if (pair * 2 + 1 < size) state.e0[pair * 2 + 1] = static_cast<float>(radius * std::sin(kTwoPi * u2));
  }
  return state;
}

void set_state_blocks(ModelState& state, std::vector<ParamBlock> blocks) {
  state.e0.clear();
  state.adam_m.clear();
  state.adam_v.clear();
  state.blocks.clear();
  for (ParamBlock& b : blocks) {
    if (b.name == kTableBlock) {
      state.e0 = std::move(b.value);
      state.adam_m = std::move(b.adam_m);
      state.adam_v = std::move(b.adam_v);
    } else {
      state.blocks.push_back(std::move(b));
    }
  }
}

ParamBlock table_block(const ModelState& state) {
  const size_t size = static_cast<size_t>(state.n_nodes() * state.dim);
  if (state.e0.size() != size || state.adam_m.size() != size || state.adam_v.size() != size) {
    throw InputError("the model state holds no embedding table of " + std::to_string(state.n_nodes()) + " × " +
                     std::to_string(state.dim) + " (a checkpoint of another method?)");
  }
  ParamBlock b;
  b.name = kTableBlock;
  b.rows = state.n_nodes();
  b.cols = state.dim;
  b.value = state.e0;
  b.adam_m = state.adam_m;
  b.adam_v = state.adam_v;
  return b;
}

std::string first_non_finite_value(const std::vector<float>& values, int64_t cols, const std::string& name) {
  for (size_t k = 0; k < values.size(); ++k) {
    if (!std::isfinite(values[k])) {
      return name + " row " + std::to_string(k / cols) + " col " + std::to_string(k % cols);
    }
  }
  return "";
}

std::string blocks_non_finite(const std::vector<ParamBlock>& blocks) {
  for (const ParamBlock& b : blocks) {
    const std::pair<const std::vector<float>*, std::string> parts[] = {
        {&b.value, b.name}, {&b.adam_m, "Adam m of " + b.name}, {&b.adam_v, "Adam v of " + b.name}};
    for (const auto& [values, name] : parts) {
      const std::string where = first_non_finite_value(*values, std::max<int64_t>(b.cols, 1), name);
      if (!where.empty()) return where;
    }
  }
  return "";
}

ModelOutputs forward_model(Backend& backend, const FloatTensor& e0, int layers, bool hashed) {
  ModelOutputs out;
  out.embeddings = backend.alloc_f32(e0.rows(), e0.cols());
  backend.propagate_mean(e0, out.embeddings, layers);
  if (hashed) {
    out.bits = static_cast<int>(e0.cols());
    out.signs = backend.alloc_f32(e0.rows(), e0.cols());
    out.codes = backend.alloc_u64(e0.rows(), (out.bits + 63) / 64);
    backend.hash_forward(out.embeddings, out.signs, out.codes);
  }
  return out;
}

ModelOutputs upload_outputs(Backend& backend, const HostOutputs& host) {
  const int64_t rows = host.dim > 0 ? static_cast<int64_t>(host.embeddings.size()) / host.dim : 0;
  ModelOutputs out;
  out.embeddings = backend.alloc_f32(rows, host.dim);
  backend.upload(host.embeddings.data(), out.embeddings);
  out.bits = host.bits;
  FloatTensor staged = backend.alloc_f32(rows, host.bits);
  backend.upload(host.signs.data(), staged);
  out.signs = backend.alloc_f32(rows, host.bits);
  out.codes = backend.alloc_u64(rows, (host.bits + 63) / 64);
  backend.hash_forward(staged, out.signs, out.codes);  // sign(±1) = ±1, packed
  return out;
}

ModelOutputs state_outputs(Backend& backend, const ModelState& state, const TrainConfig& config,
                           const Dataset& data) {
  if (uses_method_model(config)) {
    return upload_outputs(backend, make_method_model(config, data, state.blocks)->outputs());
  }
  backend.set_graph(build_normalized_graph(data.train, data.n_users, data.n_items));
  FloatTensor e0 = backend.alloc_f32(state.n_nodes(), state.dim);
  backend.upload(state.e0.data(), e0);
  return forward_model(backend, e0, config.layers, is_hashed(config.method));
}

}  // namespace bitrec

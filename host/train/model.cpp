#include "bitrec/model.hpp"

#include <cmath>

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

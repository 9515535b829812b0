// bgch: per-layer scaled codes through a shared Linear hash layer, feature
// dispersion, Fourier estimator (docs/methods.md §8; docs/bgch.md). Trains on
// the host (BgchModel).
#include <algorithm>

#include "bitrec/method_spec.hpp"

namespace bitrec {
namespace {

constexpr int64_t kFloat = 4;
constexpr int kPresetDim = 256;
constexpr int kPresetLayers = 2;

// The codes plus one float α per segment of d bits (its score needs them).
double bgch_bytes_per_item(int bits, int dim) {
  return static_cast<double>((bits + 7) / 8) + 4.0 * (bits / std::max(dim, 1));
}

// (L + 1) segments of d bits; E0 and W with Adam's moments; the layer tables,
// their gradients and the dispersion's two tables.
HostModelFootprint bgch_memory(const TrainConfig& c, const MemoryShape& s) {
  HostModelFootprint f;
  const int64_t table = s.rows * c.dim * kFloat;
  f.bits = f.out_dim = int64_t{c.layers + 1} * c.dim;
  f.params = 3 * (table + int64_t{c.dim} * c.dim * kFloat);
  f.training = (2 * (c.layers + 1) + 2) * table;
  return f;
}

}  // namespace

MethodSpec bgch_spec() {
  MethodSpec s = base_spec(Method::kBgch, "bgch", /*hashed=*/true, TrainDevice::kHost, /*epochs=*/200,
                           Estimator::kFourier);
  s.presets.dim = kPresetDim;
  s.presets.layers = kPresetLayers;
  s.presets.batch = 4096;
  s.presets.bce_weight = 1.0f;
  s.presets.encoder = Encoder::kLightGcn;
  s.encoders = {Encoder::kLightGcn};
  s.encoder_refusal = "propagates with LightGCN";
  s.fixed_code_bits = (kPresetLayers + 1) * kPresetDim;
  s.bytes_per_item = bgch_bytes_per_item;
  // BGCH ranks, selects and reports by its α-scaled code score.
  s.ranks_by_real_score = true;
  s.host_memory = bgch_memory;
  s.own_options = {
      {"--bce-weight", "weight of the BCE term"},
      {"--dispersion", "latent feature dispersion strength (0: off)"},
  };
  return s;
}

}  // namespace bitrec

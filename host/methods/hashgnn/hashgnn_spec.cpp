// hashgnn: GraphSAGE towers with sampled neighbours, tanh hash layers,
// dropout-STE, BPR + BCE (docs/methods.md §6, §8; docs/hashgnn.md). Trains on
// the host (HashGnnModel).
#include "bitrec/method_spec.hpp"
#include "hashgnn_spec.hpp"

namespace bitrec {
namespace {

constexpr int64_t kFloat = 4;
constexpr int kPresetBits = 32;
// Nodes of one sampled tree of the user tower (itself, hop 1, hop 2), the
// larger of the two towers'.
constexpr int64_t kTreeNodes = 1 + hashgnn::kUserFanout1 + hashgnn::kUserFanout1 * hashgnn::kUserFanout2;

// kEmbed-wide id embeddings, kHidden-wide hidden layers and dim-bit hash
// layers with Adam's moments; a batch keeps the sampled 2-hop trees of every
// example (positive, anchor and negatives) forward and backward.
HostModelFootprint hashgnn_memory(const TrainConfig& c, const MemoryShape& s) {
  HostModelFootprint f;
  f.bits = f.out_dim = c.dim;
  f.params = 3 * s.rows * (hashgnn::kEmbed + 2 * hashgnn::kHidden + c.dim) * kFloat;
  f.training =
      2 * int64_t{c.batch} * (2 + c.negatives) * kTreeNodes * (hashgnn::kEmbed + hashgnn::kHidden) * kFloat;
  return f;
}

}  // namespace

MethodSpec hashgnn_spec() {
  MethodSpec s = base_spec(Method::kHashGnn, "hashgnn", /*hashed=*/true, TrainDevice::kHost, /*epochs=*/200,
                           Estimator::kDropoutSte);
  s.presets.dim = kPresetBits;
  s.presets.batch = 256;
  s.presets.bce_weight = 0.1f;
  s.presets.encoder = Encoder::kGraphSage;
  s.encoders = {Encoder::kGraphSage};
  s.encoder_refusal = "has its own GraphSAGE encoder";
  // dropout-ste mixes codes and continuous vectors per example in the
  // forward pass, which only this model does.
  s.own_estimators = {Estimator::kDropoutSte};
  s.own_estimator_reason = "it mixes codes and hashgnn's continuous vectors per example";
  s.fixed_code_bits = kPresetBits;
  s.host_memory = hashgnn_memory;
  s.own_options = {
      {"--negatives", "negatives per positive"},
      {"--bce-weight", "weight of the BCE term"},
  };
  return s;
}

}  // namespace bitrec

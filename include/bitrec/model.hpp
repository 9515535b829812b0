// The learned state of a run: the layer-0 embedding table and Adam's moments
// (or a MethodModel's parameter blocks).
// Everything else (propagated embeddings, codes) is derived from it.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/config.hpp"

namespace bitrec {

// One named parameter tensor [rows, cols] with its Adam moments. A method's
// parameters are a fixed, ordered list of blocks; checkpoints store them by
// name (ModelState::blocks).
struct ParamBlock {
  std::string name;
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> value, adam_m, adam_v;

  int64_t size() const { return rows * cols; }
};

struct ModelState {
  int32_t n_users = 0;
  int32_t n_items = 0;
  int dim = 0;
  int64_t adam_step = 0;    // Adam steps taken
  int epochs_done = 0;      // completed epochs
  // A run stopped between batches (Ctrl-C): batches of epoch `epochs_done`
  // already applied and that epoch's loss sum so far.
  int64_t epoch_batches_done = 0;
  float epoch_loss_sum = 0.0f;
  std::vector<float> e0;    // [n_users + n_items, dim]
  std::vector<float> adam_m, adam_v;
  // Methods built on MethodModel (hashgnn, bgch: include/bitrec/method_model.hpp)
  // keep every parameter here instead, and e0/adam_m/adam_v stay empty.
  std::vector<ParamBlock> blocks;

  int64_t n_nodes() const { return static_cast<int64_t>(n_users) + n_items; }
};

// The table methods' E0 as a parameter block (table models:
// host/methods/table). A state stores this block in e0/adam_m/adam_v, the
// checkpoint layout of those methods since version 1; every other block
// goes to `blocks`.
inline constexpr const char kTableBlock[] = "table.E0";
// Stores a model's blocks in `state` as above (replacing its parameters).
void set_state_blocks(ModelState& state, std::vector<ParamBlock> blocks);
// The kTableBlock block of a state (its e0 table and moments); InputError
// when the state has none.
ParamBlock table_block(const ModelState& state);

// The first non-finite value of a host table [*, cols], as "NAME row R col C", or "".
std::string first_non_finite_value(const std::vector<float>& values, int64_t cols, const std::string& name);
// The same over blocks: values, then "Adam m of NAME", "Adam v of NAME", block by block.
std::string blocks_non_finite(const std::vector<ParamBlock>& blocks);

// Scales `table` so that its root mean square is `target` (nothing for an
// all-zero table); returns the factor. A hashed run that starts from trained
// parameters (--init-from, the end of --warmup-epochs) rescales E0 to the
// seeded initialisation's scale: every user's ranking is unchanged (all
// scores scale by the same factor²), while sign's estimators (signswish's
// β, ste-clip's clip) and Adam's step size work at the scale they were
// chosen for (docs/training.md "Warm start").
inline float rescale_rms(std::vector<float>& table, float target) {
  double sum = 0.0;
  for (float v : table) sum += static_cast<double>(v) * v;
  if (table.empty() || sum <= 0.0) return 1.0f;
  const float factor = static_cast<float>(target / std::sqrt(sum / static_cast<double>(table.size())));
  for (float& v : table) v *= factor;
  return factor;
}

// E0 ~ N(0, std²) drawn from Philox (RngStream::kInit) by Box–Muller, so the
// same seed gives the same table on every machine.
ModelState init_model(int32_t n_users, int32_t n_items, int dim, float std, uint64_t seed);

// What evaluation needs of a model: the final embeddings and, for hashed
// methods, their packed codes — resident on the backend.
struct ModelOutputs {
  FloatTensor embeddings;  // E = propagate_mean(E0), [n_nodes, dim]
  FloatTensor signs;       // sign(E) as ±1, hashed methods only
  CodeTensor codes;        // packed sign(E), hashed methods only
  int bits = 0;
};

ModelOutputs forward_model(Backend& backend, const FloatTensor& e0, int layers, bool hashed);

struct HostOutputs;
struct Dataset;
// Uploads a MethodModel's outputs: embeddings as given, codes packed from the signs.
ModelOutputs upload_outputs(Backend& backend, const HostOutputs& host);

// The outputs of a saved state (eval, query, export): for table methods the
// graph of data.train goes to the backend and E0 is propagated; MethodModel
// methods compute theirs from the state's blocks.
ModelOutputs state_outputs(Backend& backend, const ModelState& state, const TrainConfig& config,
                           const Dataset& data);

}  // namespace bitrec

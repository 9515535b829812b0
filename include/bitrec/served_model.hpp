// A trained run loaded for serving (eval, export, query): its checkpoint and
// config, the dataset it was trained on (the graph, the known items to
// exclude, the external ids) and its final embeddings and codes — resident on
// a backend for retrieval and copied to the host for files.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bitrec/backend_factory.hpp"
#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/model.hpp"

namespace bitrec {

struct ServeLoadOptions {
  std::string data;                 // empty: the run's own --data
  std::optional<LoadOptions> load;  // with `data`; unset: the run's own load options
  BackendOptions backend;
  // Called on the run's config before presets are resolved and before any
  // data are loaded: a command applies its own overrides (eval's --topk) and
  // refuses options that do not fit the run, so bad options cost no loading.
  std::function<void(TrainConfig&)> adjust_config;
  // Host copies of E and the codes (`embeddings`, `codes`): files and queries
  // need them; evaluation reads the backend's outputs only.
  bool host_copies = true;
  // --allow-changed-data: use data whose fingerprint differs from the run's
  // (a warning) instead of refusing.
  bool allow_changed_data = false;
};

class ServedModel {
 public:
  std::string dir;       // the run folder (--model)
  TrainConfig config;    // the run's config, presets resolved
  int epochs_done = 0;
  Dataset data;          // with the run's validation split carved out
  Csr known;             // train ∪ valid: excluded from every ranking, as in eval
  bool hashed = false;
  int bits = 0;          // code bits (hashed methods), else 0
  int dim = 0;
  std::unique_ptr<Backend> backend;
  std::vector<ParamBlock> blocks;  // the checkpoint's parameter blocks (session models score with them)
  ModelOutputs outputs;            // on the backend
  std::vector<float> embeddings;   // host copy of E, [n_users + n_items, dim]
  std::vector<uint64_t> codes;     // host copy of the packed codes, [n_users + n_items, words]; hashed only

  int words() const { return (bits + 63) / 64; }
  const float* user_embedding(int32_t user) const { return embeddings.data() + static_cast<int64_t>(user) * dim; }
  const float* item_embedding(int32_t item) const {
    return embeddings.data() + (static_cast<int64_t>(data.n_users) + item) * dim;
  }

  // External id of a dense id: the input file's id (CSV/TSV), else the dense id.
  std::string user_label(int32_t user) const;
  std::string item_label(int32_t item) const;
  // Dense id of an external id; throws InputError naming `where` (an option
  // or file:line) when the model's dataset has no such id.
  int32_t find_user(const std::string& id, const std::string& where) const;
  int32_t find_item(const std::string& id, const std::string& where) const;

 private:
  mutable std::unordered_map<std::string, int32_t> user_index_, item_index_;  // built on first lookup
};

// Loads DIR/checkpoint.bin, rebuilds the dataset and runs the forward pass.
// Throws InputError naming --model or --data when something does not fit.
std::unique_ptr<ServedModel> load_served_model(const std::string& dir, const ServeLoadOptions& options);

}  // namespace bitrec

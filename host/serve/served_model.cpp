#include "bitrec/served_model.hpp"

#include <filesystem>

#include "bitrec/backend_factory.hpp"
#include "bitrec/checkpoint.hpp"
#include "bitrec/data_fingerprint.hpp"
#include "bitrec/error.hpp"
#include "bitrec/graph.hpp"
#include "bitrec/plural.hpp"
#include "bitrec/evaluate_modes.hpp"

namespace bitrec {
namespace {

std::string label(const std::vector<std::string>& ids, int32_t dense) {
  return ids.empty() ? std::to_string(dense) : ids[dense];
}

// LightGCN-format and synthetic data have no id maps: the external id is the
// dense id written in decimal, nothing else ("007" is not user 7).
int32_t find_dense(const std::string& id, int32_t count) {
  if (id.empty() || id.size() > 10 || (id.size() > 1 && id[0] == '0')) return -1;
  int64_t value = 0;
  for (char c : id) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value < count ? static_cast<int32_t>(value) : -1;
}

int32_t find_id(const std::string& id, const std::vector<std::string>& ids, int32_t count,
                std::unordered_map<std::string, int32_t>& index) {
  if (ids.empty()) return find_dense(id, count);
  if (index.empty()) {
    index.reserve(ids.size());
    for (size_t dense = 0; dense < ids.size(); ++dense) index.emplace(ids[dense], static_cast<int32_t>(dense));
  }
  const auto it = index.find(id);
  return it == index.end() ? -1 : it->second;
}

}  // namespace

std::string ServedModel::user_label(int32_t user) const { return label(data.user_ids, user); }
std::string ServedModel::item_label(int32_t item) const { return label(data.item_ids, item); }

int32_t ServedModel::find_user(const std::string& id, const std::string& where) const {
  const int32_t user = find_id(id, data.user_ids, data.n_users, user_index_);
  if (user < 0) {
    throw InputError(where + ": unknown user id '" + id + "' (the model's dataset " + data.name + " has " +
                     plural(data.n_users, "user") +
                     (data.user_ids.empty() ? ", ids 0.." + std::to_string(data.n_users - 1) : ", ids as in users.tsv") +
                     "; for a new user give its items with --items)");
  }
  return user;
}

int32_t ServedModel::find_item(const std::string& id, const std::string& where) const {
  const int32_t item = find_id(id, data.item_ids, data.n_items, item_index_);
  if (item < 0) {
    throw InputError(where + ": unknown item id '" + id + "' (the model's dataset " + data.name + " has " +
                     plural(data.n_items, "item") +
                     (data.item_ids.empty() ? ", ids 0.." + std::to_string(data.n_items - 1) : ", ids as in items.tsv") +
                     ")");
  }
  return item;
}

std::unique_ptr<ServedModel> load_served_model(const std::string& dir, const ServeLoadOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError("--model " + dir + ": no such folder");
  const fs::path checkpoint_path = fs::path(dir) / "checkpoint.bin";
  if (!fs::exists(checkpoint_path, ec)) {
    throw InputError("--model " + dir + ": holds no checkpoint.bin (not a bitrec run folder)");
  }
  const Checkpoint ck = load_checkpoint(checkpoint_path.string());

  auto model = std::make_unique<ServedModel>();
  model->dir = dir;
  model->config = ck.config;
  model->epochs_done = ck.state.epochs_done;
  if (options.adjust_config) options.adjust_config(model->config);
  resolve_config(model->config);
  const TrainConfig& cfg = model->config;

  LoadOptions load = load_options_of(cfg);
  // The run's own data from wherever this runs (its absolute path; an older
  // run's relative one is looked for here and above the run), unchanged
  // since it trained unless --allow-changed-data.
  std::string data_spec;
  if (!options.data.empty()) {
    data_spec = options.data;
    if (options.load) load = *options.load;
  } else {
    data_spec = locate_run_data(cfg.data, dir, "--model " + dir);
  }
  check_data_unchanged(cfg.data_fingerprint, data_spec, options.allow_changed_data, "--model " + dir);
  model->data = load_dataset(data_spec, load);
  // The same seeded split as training, so the same items count as known.
  if (cfg.valid_frac > 0) carve_validation(model->data, cfg.valid_frac, cfg.seed);
  const Dataset& data = model->data;
  if (data.n_users != ck.state.n_users || data.n_items != ck.state.n_items) {
    throw InputError("--data " + data_spec + ": has " + plural(data.n_users, "user") + " and " +
                     plural(data.n_items, "item") + ", the model " + std::to_string(ck.state.n_users) +
                     " and " + std::to_string(ck.state.n_items));
  }
  model->known = known_interactions(model->data);
  model->hashed = is_hashed(cfg.method);

  model->backend = make_backend(options.backend);
  Backend& backend = *model->backend;
  model->outputs = state_outputs(backend, ck.state, cfg, data);
  model->blocks = ck.state.blocks;
  model->dim = static_cast<int>(model->outputs.embeddings.cols());  // the outputs' width, not always --dim
  model->bits = model->hashed ? model->outputs.bits : 0;
  if (!options.host_copies) return model;

  model->embeddings.resize(static_cast<size_t>(model->outputs.embeddings.size()));
  backend.download(model->outputs.embeddings, model->embeddings.data());
  if (model->hashed) {
    model->codes.resize(static_cast<size_t>(model->outputs.codes.size()));
    backend.download(model->outputs.codes, model->codes.data());
  }
  return model;
}

}  // namespace bitrec

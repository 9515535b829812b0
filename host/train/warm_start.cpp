#include "bitrec/warm_start.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>

#include "bitrec/error.hpp"
#include "bitrec/method_spec.hpp"

namespace bitrec {
namespace {

// Runs on the embedding table share its one block (table.E0), whatever head
// trained it; other models' blocks are their own.
bool trains_table(const TrainConfig& c) { return train_placement(c).device == TrainDevice::kBackend; }

std::string model_name(const TrainConfig& c) {
  return std::string(method_name(c.method)) + " (encoder " + encoder_name(c.encoder) + ")";
}

void zero_moments(std::vector<float>& m) { std::fill(m.begin(), m.end(), 0.0f); }

// The checkpoint of the run in `dir`; `flag` ("--init-from") names the option
// in errors.
Checkpoint load_run_checkpoint(const std::string& flag, const std::string& dir) {
  const std::filesystem::path file = std::filesystem::path(dir) / "checkpoint.bin";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) throw InputError(flag + " " + dir + ": no such run folder");
  if (!std::filesystem::exists(file, ec)) {
    throw InputError(flag + " " + dir + ": holds no checkpoint.bin (not a bitrec run folder)");
  }
  try {
    return load_checkpoint(file.string());
  } catch (const InputError& e) {
    throw InputError(flag + " " + dir + ": " + e.what());
  }
}

// The source trained on this run's data, with its split and sizes. `what`
// starts every message ("--init-from DIR: ").
void check_same_data_and_split(const Checkpoint& source, const TrainConfig& config, const Dataset& data,
                               const std::string& what) {
  const TrainConfig& from = source.config;
  if (!from.data_fingerprint.empty() && !config.data_fingerprint.empty() &&
      from.data_fingerprint != config.data_fingerprint) {
    throw InputError(what + "that run trained on other data (" + from.data + "); start from a run on " + config.data);
  }
  // The split decides which items the source saw: another split would leak
  // this run's validation items into it.
  if (from.valid_frac != config.valid_frac || (config.valid_frac > 0 && from.seed != config.seed)) {
    throw InputError(what + "that run held out --valid-frac " + std::to_string(from.valid_frac) + " with --seed " +
                     std::to_string(from.seed) + ", this one --valid-frac " + std::to_string(config.valid_frac) +
                     " with --seed " + std::to_string(config.seed) + "; the validation split must be the same");
  }
  const ModelState& st = source.state;
  if (st.n_users != data.n_users || st.n_items != data.n_items) {
    throw InputError(what + "its model has " + std::to_string(st.n_users) + " users and " +
                     std::to_string(st.n_items) + " items, the data " + std::to_string(data.n_users) + " and " +
                     std::to_string(data.n_items));
  }
}

}  // namespace

Checkpoint load_init_checkpoint(const std::string& dir) { return load_run_checkpoint("--init-from", dir); }

Checkpoint load_teacher_checkpoint(const std::string& dir, const TrainConfig& config, const Dataset& data) {
  Checkpoint teacher = load_run_checkpoint("--distill-from", dir);
  const std::string what = "--distill-from " + dir + ": ";
  check_same_data_and_split(teacher, config, data, what);
  if (!trains_table(teacher.config)) {
    throw InputError(what + "its model is " + model_name(teacher.config) +
                     "; a teacher must be a run on the embedding table (lightgcn, hash-ste, recall-hash)");
  }
  if (!config.distill_fingerprint.empty()) {
    const std::string now = teacher_fingerprint(teacher.state);
    if (now != config.distill_fingerprint) {
      throw InputError(what + "the teacher has changed since this run began (now " + now + ", then " +
                       config.distill_fingerprint + "); restore that run, or start a new one");
    }
  }
  return teacher;
}

std::string teacher_fingerprint(const ModelState& teacher) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
  const auto* bytes = reinterpret_cast<const unsigned char*>(teacher.e0.data());
  for (size_t k = 0; k < teacher.e0.size() * sizeof(float); ++k) hash = (hash ^ bytes[k]) * 1099511628211ull;
  char text[96];
  std::snprintf(text, sizeof text, "epochs %d steps %lld table %016llx", teacher.epochs_done,
                static_cast<long long>(teacher.adam_step), static_cast<unsigned long long>(hash));
  return text;
}

ModelState warm_start_state(const Checkpoint& source, const std::string& dir, const TrainConfig& config,
                            const Dataset& data) {
  const TrainConfig& from = source.config;
  const std::string what = "--init-from " + dir + ": ";
  check_same_data_and_split(source, config, data, what);
  const ModelState& st = source.state;
  if (from.dim != config.dim || from.layers != config.layers) {
    throw InputError(what + "that run has --dim " + std::to_string(from.dim) + " --layers " +
                     std::to_string(from.layers) + ", this one --dim " + std::to_string(config.dim) + " --layers " +
                     std::to_string(config.layers) + "; give the same");
  }
  const bool same_model = (trains_table(from) && trains_table(config)) ||
                          (from.method == config.method && from.encoder == config.encoder);
  if (!same_model) {
    throw InputError(what + "its model is " + model_name(from) + ", whose parameters " + model_name(config) +
                     " cannot read (start from a run of the same method and encoder" +
                     (trains_table(config) ? std::string(", or any run on the embedding table: lightgcn, hash-ste, "
                                                         "recall-hash")
                                           : std::string()) +
                     ")");
  }
  ModelState start;
  start.n_users = st.n_users;
  start.n_items = st.n_items;
  start.dim = st.dim;
  start.e0 = st.e0;
  start.adam_m.assign(st.e0.size(), 0.0f);
  start.adam_v.assign(st.e0.size(), 0.0f);
  if (is_hashed(config.method) && trains_table(config)) rescale_rms(start.e0, config.init_std);
  start.blocks = st.blocks;
  for (ParamBlock& b : start.blocks) {
    zero_moments(b.adam_m);
    zero_moments(b.adam_v);
  }
  return start;
}

}  // namespace bitrec

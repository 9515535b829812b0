// An implicit-feedback dataset: train / test (and optional validation)
// interactions as user -> item CSR, with the external ids of each dense id.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bitrec/csr.hpp"
#include "bitrec/sessions.hpp"

namespace bitrec {

struct Dataset {
  std::string name;    // "gowalla", "synthetic", file stem, ...
  std::string source;  // what --data said
  int32_t n_users = 0;
  int32_t n_items = 0;
  Csr train;  // [n_users x n_items]
  Csr test;   // [n_users x n_items]
  Csr valid;  // [n_users x n_items]; empty rows unless a validation split was carved

  // External id of each dense id; empty means the ids are the dense ids
  // (LightGCN format and synthetic data).
  std::vector<std::string> user_ids;
  std::vector<std::string> item_ids;

  // What the loader fixed or noticed (reported by `info` and in report.json).
  int64_t duplicate_train = 0;  // duplicate pairs dropped from train
  int64_t duplicate_test = 0;   // duplicate pairs dropped from test
  int64_t overlap = 0;          // test pairs also in train (kept; reported)

  // Session data (include/bitrec/sessions.hpp), null for interaction data.
  // Its sessions are the dataset's "users": rows 0.. of train hold the train
  // sessions, then the validation sessions' rows (in valid), then the test
  // sessions' (in test), each row the session's distinct items; the order of
  // events lives here.
  std::shared_ptr<const SessionData> sessions;
  // First user row of the validation and test sessions.
  int64_t valid_session_row() const;
  int64_t test_session_row() const;
};

struct LoadOptions {
  std::string user_column = "user";  // CSV/TSV header names
  std::string item_column = "item";
  int64_t n_items = -1;  // --items N: the declared item count (ids must be < N)
  int64_t n_users = -1;  // --users N: the declared user count
  // Session data (session files, sequence files, split directories). Its
  // item column is --item-col when given, else ItemId.
  SessionLoadOptions sessions;
};

// The load options a run's config names (what train, eval, export and query
// read the run's data with).
struct TrainConfig;
LoadOptions load_options_of(const TrainConfig& config);

// Loads --data: a directory with train.txt/test.txt, a .csv/.tsv file, or
// "synthetic[:key=value,...]". Throws InputError with file:line on bad input.
Dataset load_dataset(const std::string& spec, const LoadOptions& options = {});

// Moves a seeded fraction of each user's train items to `valid` (at least one
// train item stays with every user that had one).
void carve_validation(Dataset& data, double fraction, uint64_t seed);

struct DatasetStats {
  int32_t users = 0, items = 0;
  int64_t train = 0, test = 0, valid = 0;
  double density = 0.0;  // train / (users * items)
  int32_t users_without_train = 0, items_without_train = 0, users_with_test = 0;
  // degree quantiles (min, 25%, 50%, 75%, 90%, 99%, max) of train degrees
  std::vector<double> user_degree_quantiles, item_degree_quantiles;
};

DatasetStats compute_stats(const Dataset& data);

// Writes the dense<->external id maps (users.tsv / items.tsv) into dir when the
// dataset has external ids; returns whether anything was written.
bool save_id_maps(const Dataset& data, const std::string& dir);

}  // namespace bitrec

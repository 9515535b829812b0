#include "bitrec/model_export.hpp"

#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "bitrec/error.hpp"
#include "bitrec/faiss_binary.hpp"
#include "bitrec/npy.hpp"
#include "bitrec/run_directory.hpp"
#include "io/json_writer.hpp"
#include "serve/session_export.hpp"

namespace fs = std::filesystem;

namespace bitrec {
namespace {

std::string path_in(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

// users.tsv / items.tsv for every dataset kind: data without id maps gets the
// identity map, so readers never need to know which kind it was.
void write_id_maps(const Dataset& data, const std::string& dir) {
  Dataset ids;
  ids.user_ids = data.user_ids;
  ids.item_ids = data.item_ids;
  if (ids.user_ids.empty()) {
    for (int32_t u = 0; u < data.n_users; ++u) ids.user_ids.push_back(std::to_string(u));
  }
  if (ids.item_ids.empty()) {
    for (int32_t i = 0; i < data.n_items; ++i) ids.item_ids.push_back(std::to_string(i));
  }
  save_id_maps(ids, dir);
}

void write_codes(const ServedModel& model, const std::string& dir, ExportSummary& summary) {
  const int64_t n_users = model.data.n_users, n_items = model.data.n_items;
  const int bytes = model.bits / 8;
  const std::vector<uint8_t> all = codes_to_bytes(model.codes, n_users + n_items, model.bits);
  const std::vector<uint8_t> users(all.begin(), all.begin() + n_users * bytes);
  const std::vector<uint8_t> items(all.begin() + n_users * bytes, all.end());
  write_npy(path_in(dir, "codes_users.npy"), "|u1", {n_users, bytes}, users.data(), users.size());
  write_npy(path_in(dir, "codes_items.npy"), "|u1", {n_items, bytes}, items.data(), items.size());
  write_faiss_binary_flat(path_in(dir, "items.faiss"), items, n_items, model.bits);
  summary.files.insert(summary.files.end(), {"codes_users.npy", "codes_items.npy", "items.faiss"});
}

void write_embeddings(const ServedModel& model, const std::string& dir, ExportSummary& summary) {
  const int64_t n_users = model.data.n_users, n_items = model.data.n_items;
  const size_t user_floats = static_cast<size_t>(n_users * model.dim);
  write_npy(path_in(dir, "emb_users.npy"), "<f4", {n_users, model.dim}, model.embeddings.data(),
            user_floats * sizeof(float));
  write_npy(path_in(dir, "emb_items.npy"), "<f4", {n_items, model.dim}, model.embeddings.data() + user_floats,
            static_cast<size_t>(n_items * model.dim) * sizeof(float));
  summary.files.insert(summary.files.end(), {"emb_users.npy", "emb_items.npy"});
}

// topk.tsv: every user's list; excluded_pairs.npy: the (dense user, dense
// item) pairs left out of the rankings, so a checker needs no dataset.
void write_topk(ServedModel& model, const std::string& dir, const RankingOptions& ranking, ExportSummary& summary) {
  std::vector<int32_t> users(static_cast<size_t>(model.data.n_users));
  for (int32_t u = 0; u < model.data.n_users; ++u) users[u] = u;
  const TopK top = recommend_users(model, users, ranking);
  std::string text = kTopkHeader;
  for (int64_t row = 0; row < top.n_users; ++row) {
    append_topk_rows(text, model.user_label(users[row]), top, row, ranking.mode, model);
  }
  write_file_atomic(path_in(dir, "topk.tsv"), text);

  std::vector<int32_t> pairs;
  pairs.reserve(static_cast<size_t>(model.known.nnz()) * 2);
  for (int64_t u = 0; u < model.known.rows; ++u) {
    for (const int32_t* it = model.known.row_begin(u); it != model.known.row_end(u); ++it) {
      pairs.push_back(static_cast<int32_t>(u));
      pairs.push_back(*it);
    }
  }
  write_npy(path_in(dir, "excluded_pairs.npy"), "<i4", {model.known.nnz(), 2}, pairs.data(),
            pairs.size() * sizeof(int32_t));
  summary.files.insert(summary.files.end(), {"topk.tsv", "excluded_pairs.npy"});
}

// export.json: what the folder holds and how it was made.
void write_manifest(const ServedModel& model, const std::string& dir, const ExportOptions& options,
                    ExportSummary& summary) {
  summary.files.push_back("export.json");
  Json j = Json::object();
  j["format"] = Json("bitrec-export");
  j["version"] = Json(1);
  j["bitrec_version"] = Json(BITREC_VERSION);
  j["model"] = Json(fs::absolute(model.dir).lexically_normal().string());
  j["method"] = Json(method_name(model.config.method));
  j["epochs"] = Json(model.epochs_done);
  j["data"]["name"] = Json(model.data.name);
  j["data"]["source"] = Json(model.data.source);
  j["users"] = Json(static_cast<int64_t>(model.data.n_users));
  j["items"] = Json(static_cast<int64_t>(model.data.n_items));
  j["dim"] = Json(model.dim);
  j["bits"] = Json(model.bits);
  if (options.topk) {
    j["topk"]["k"] = Json(options.ranking.k);
    j["topk"]["mode"] = Json(serve_mode_name(options.ranking.mode));
    if (options.ranking.mode == ServeMode::kHier) j["topk"]["rerank"] = Json(options.ranking.rerank);
  }
  Json files = Json::array();
  for (const std::string& f : summary.files) files.push_back(Json(f));
  j["files"] = files;
  Json notes = Json::array();
  for (const std::string& n : summary.notes) notes.push_back(Json(n));
  j["notes"] = notes;
  write_file_atomic(path_in(dir, "export.json"), j.dump(2) + "\n");
}

}  // namespace

void parse_export_what(const std::string& what, ExportOptions& options) {
  options.codes = options.embeddings = options.topk = false;
  std::stringstream list(what);
  std::string part;
  bool any = false;
  while (std::getline(list, part, ',')) {
    if (part == "codes") {
      options.codes = true;
    } else if (part == "embeddings") {
      options.embeddings = true;
    } else if (part == "topk") {
      options.topk = true;
    } else {
      throw InputError("--what " + what + ": unknown part '" + part + "'; allowed: codes, embeddings, topk");
    }
    any = true;
  }
  if (!any) throw InputError("--what: empty; allowed: codes, embeddings, topk (comma-separated)");
}

ExportSummary write_export(ServedModel& model, const std::string& dir, const ExportOptions& options) {
  ExportSummary summary;
  if (model.data.sessions) {
    // A session model exports its network, not per-user rows (its sessions'
    // states exist only once their items are read).
    if (options.topk) check_ranking_options(options.ranking);
    write_id_maps(model.data, dir);
    summary.files.insert(summary.files.end(), {"users.tsv", "items.tsv"});
    write_session_export(model, dir, options, summary);
    write_manifest(model, dir, options, summary);
    return summary;
  }
  bool codes = options.codes;
  if (codes && !model.hashed) {
    summary.notes.push_back(std::string("codes: the run's method ") + method_name(model.config.method) +
                            " has no codes; exported embeddings only");
    codes = false;
  }
  if (codes && model.bits % 8 != 0) {
    throw InputError("--what codes: the run has " + std::to_string(model.bits) +
                     " bits, not a multiple of 8; FAISS's binary indexes and the packed-byte files need "
                     "whole bytes (train with --dim a multiple of 8, or export --what embeddings)");
  }
  if (options.topk) {
    check_ranking_options(options.ranking);
    if (options.ranking.mode != ServeMode::kReal && !model.hashed) {
      throw InputError(std::string("--mode ") + serve_mode_name(options.ranking.mode) + ": the run's method " +
                       method_name(model.config.method) + " has no codes; use --mode real");
    }
  }
  write_id_maps(model.data, dir);
  summary.files.insert(summary.files.end(), {"users.tsv", "items.tsv"});
  if (codes) write_codes(model, dir, summary);
  if (options.embeddings || (options.codes && !model.hashed)) write_embeddings(model, dir, summary);
  if (options.topk) write_topk(model, dir, options.ranking, summary);
  write_manifest(model, dir, options, summary);
  return summary;
}

ExportSummary export_model(ServedModel& model, const std::string& out, bool overwrite, const ExportOptions& options) {
  // A marked folder of kind "export": --overwrite replaces only an earlier
  // export (never a run, never files bitrec did not write), and a failed
  // export leaves --out as it was (run_directory.hpp).
  RunDirectory folder(out, overwrite, "--out", "export");
  ExportSummary summary = write_export(model, folder.staging(), options);
  const std::string landed = folder.commit();
  if (landed != folder.out()) summary.notes.push_back("the export is in " + landed + " (--out changed meanwhile)");
  return summary;
}

}  // namespace bitrec

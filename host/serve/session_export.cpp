#include "serve/session_export.hpp"

#include <filesystem>

#include "bitrec/error.hpp"
#include "bitrec/faiss_binary.hpp"
#include "bitrec/kernels/hamming.hpp"
#include "bitrec/npy.hpp"
#include "bitrec/run_directory.hpp"
#include "bitrec/session_recommend.hpp"

namespace fs = std::filesystem;

namespace bitrec {
namespace {

std::string path_in(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

// "gru4rec.layer1.W_ih" -> "gru_layer1_W_ih.npy"; "gru4rec.E" -> "gru_E.npy".
std::string block_file(const std::string& name) {
  std::string base = name.substr(name.find('.') + 1);
  for (char& c : base) c = c == '.' ? '_' : c;
  return "gru_" + base + ".npy";
}

}  // namespace

void write_session_export(ServedModel& model, const std::string& dir, const ExportOptions& options,
                          ExportSummary& summary) {
  const int64_t n_items = model.data.n_items;
  const int d = model.dim;
  for (const ParamBlock& b : model.blocks) {
    if (b.name == "gru4rec.Wy") {
      write_npy(path_in(dir, "emb_items.npy"), "<f4", {b.rows, b.cols}, b.value.data(), b.value.size() * sizeof(float));
      summary.files.push_back("emb_items.npy");
    } else if (b.name == "gru4rec.By") {
      write_npy(path_in(dir, "bias_items.npy"), "<f4", {b.rows}, b.value.data(), b.value.size() * sizeof(float));
      summary.files.push_back("bias_items.npy");
    } else if (b.name != "gru4rec.state") {  // the training slots' carried states are not the model
      const std::vector<int64_t> shape = b.rows == 1 ? std::vector<int64_t>{b.cols} : std::vector<int64_t>{b.rows, b.cols};
      write_npy(path_in(dir, block_file(b.name)), "<f4", shape, b.value.data(), b.value.size() * sizeof(float));
      summary.files.push_back(block_file(b.name));
    }
  }
  if (options.codes) {
    if (d % 8 != 0) {
      throw InputError("--what codes: the run has " + std::to_string(d) +
                       " bits, not a multiple of 8; FAISS's binary indexes need whole bytes");
    }
    // The items' sign codes in the layout of every export (FAISS's bytes).
    const float* wy = model.item_embedding(0);
    const int words = code_words(d);
    std::vector<uint64_t> packed(static_cast<size_t>(n_items) * words);
    for (int64_t i = 0; i < n_items; ++i) pack_signs(wy + i * d, d, packed.data() + i * words);
    const std::vector<uint8_t> codes = codes_to_bytes(packed, n_items, d);
    write_npy(path_in(dir, "codes_items.npy"), "|u1", {n_items, d / 8}, codes.data(), codes.size());
    write_faiss_binary_flat(path_in(dir, "items.faiss"), codes, n_items, d);
    summary.files.insert(summary.files.end(), {"codes_items.npy", "items.faiss"});
    if (!model.hashed) summary.notes.push_back("codes: the post-hoc sign of the run's item vectors (gru4rec has no learned codes)");
  }
  if (options.topk) {
    std::vector<std::vector<int32_t>> sessions;
    for (int32_t row = 0; row < model.data.n_users; ++row) sessions.push_back(session_items(model.data, row));
    const TopK top = recommend_sessions(model, sessions, options.ranking);
    std::string text = kTopkHeader;
    for (int64_t row = 0; row < top.n_users; ++row) {
      append_topk_rows(text, model.user_label(static_cast<int32_t>(row)), top, row, options.ranking.mode, model);
    }
    write_file_atomic(path_in(dir, "topk.tsv"), text);
    summary.files.push_back("topk.tsv");
  }
}

}  // namespace bitrec

// The export of a session model (docs/sessions.md "Serving"): what a
// serving system needs to read a session and rank the next items itself.
#pragma once
#include <string>

#include "bitrec/model_export.hpp"
#include "bitrec/served_model.hpp"

namespace bitrec {

// Writes into `dir`: items.tsv and users.tsv (session ids); emb_items.npy
// (the items' output vectors Wy) and bias_items.npy (By); every GRU block
// as gru_<block>.npy (layerL_W_ih [in, 3H], W_hh [H, 3H], b_ih, b_hh [3H],
// gate order r, z, n; E [items, in] with --input embedding); with codes
// (hashed runs, or asked of a gru4rec run: its post-hoc codes)
// codes_items.npy and items.faiss of sign(Wy); with topk, topk.tsv: the
// next items of every session of the data after all its events.
void write_session_export(ServedModel& model, const std::string& dir, const ExportOptions& options,
                          ExportSummary& summary);

}  // namespace bitrec

#include "bitrec/memory_estimate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bitrec/error.hpp"
#include "bitrec/method_model.hpp"

namespace bitrec {
namespace {

constexpr int64_t kFloat = 4, kInt = 4, kWord = 8;

// hashgnn and bgch train on the host (include/bitrec/method_model.hpp); the
// backend holds only what evaluation uploads. A coarse bound from each
// model's layout (docs/hashgnn.md, docs/bgch.md).
MemoryEstimate estimate_method_model_memory(const TrainConfig& c, int64_t rows, int64_t train_pairs,
                                            bool on_device) {
  MemoryEstimate m;
  int64_t bits = c.dim, out_dim = c.dim, params = 0, training = 0;
  if (c.method == Method::kBgch) {
    const int64_t table = rows * c.dim * kFloat;
    bits = out_dim = int64_t{c.layers + 1} * c.dim;
    params = 3 * (table + int64_t{c.dim} * c.dim * kFloat);    // E0, W and their moments
    training = (2 * (c.layers + 1) + 2) * table;                // layer tables, their gradients, dispersion
  } else if (c.encoder == Encoder::kNgcf) {
    // E0, (L) [2d, d] layer weights, the [(L+1)d, d] projection, with moments;
    // training keeps E⁽ˡ⁾, ÂE⁽ˡ⁾, the concatenation, its gradient, codes and
    // scratch: about 6(L+1) + 8 tables of d (docs/ngcf.md).
    const int64_t table = rows * c.dim * kFloat;
    params = 3 * (table + int64_t{3 * c.layers + 1} * c.dim * c.dim * kFloat);
    training = (6 * int64_t{c.layers + 1} + 8) * table;
    if (c.method == Method::kLightGcn) bits = out_dim = int64_t{c.layers + 1} * c.dim;
  } else {  // hashgnn: 120-d id embeddings, 68-d hidden layers, dim-bit hash layers
    params = 3 * rows * (120 + 2 * 68 + c.dim) * kFloat;
    training = 2 * int64_t{c.batch} * (2 + c.negatives) * 61 * (120 + 68) * kFloat;  // sampled 2-hop trees
  }
  const int64_t outputs = rows * (out_dim + bits) * kFloat;       // HostOutputs
  const int64_t uploaded = rows * (out_dim + 2 * bits) * kFloat + rows * ((bits + 63) / 64) * kWord;
  m.graph = 2 * train_pairs * (kInt + kFloat) + (rows + 1) * 8 + train_pairs * kInt;
  m.evaluation = uploaded;
  if (on_device) {
    m.host_copies = 2 * params + training + outputs + m.graph;
    m.graph = 0;  // the device never holds the graph for these methods
  } else {
    m.parameters = params;
    m.training = training + outputs;
    m.host_copies = params;  // the trainer's last good state
  }
  return m;
}

}  // namespace

MemoryEstimate estimate_training_memory(const TrainConfig& c, int32_t n_users, int32_t n_items,
                                        int64_t train_pairs, bool on_device) {
  const int64_t rows = static_cast<int64_t>(n_users) + n_items;
  const int64_t table = rows * c.dim * kFloat;
  if (uses_method_model(c)) return estimate_method_model_memory(c, rows, train_pairs, on_device);
  const bool hashed = is_hashed(c.method);
  const int64_t words = (c.dim + 63) / 64;
  MemoryEstimate m;
  m.parameters = 3 * table;  // E0, m, v
  // E, dLoss/dscores, dLoss/dE0; hashed: signs and dLoss/dE too; propagation
  // keeps two ping-pong layer buffers.
  m.training = (3 + (hashed ? 2 : 0) + 2) * table;
  m.training += int64_t{c.batch} * 3 * kInt;
  if (c.method == Method::kRecallHash) {
    // The [users-tile, n_items] ∂L/∂s block (CPU tile 64; CUDA up to 256)
    // and the packed codes; the optional BPR term's triples (bounded by the
    // whole relation).
    const int64_t tile = on_device ? std::min<int64_t>(256, c.user_batch) : 64;
    m.training += tile * n_items * kFloat + rows * words * kWord + tile * c.dim * kFloat * 2;
    if (c.bpr_weight > 0.0f) m.training += std::min<int64_t>(train_pairs, int64_t{c.user_batch} * 4096) * 3 * kInt * 2;
  }
  // Â: both directions of every pair (+ self loops none), CSR with int32
  // columns and float values, int64 row pointers; the train CSR beside it.
  m.graph = 2 * train_pairs * (kInt + kFloat) + (rows + 1) * 8 + train_pairs * kInt + (n_users + 1) * 8;
  // Codes of every node and one retrieval tile (the CUDA top-K tile is
  // bounded at 256 MiB; the CPU keeps per-thread rows of n_items).
  m.evaluation = rows * words * kWord + (on_device ? std::min<int64_t>(int64_t{256} << 20, int64_t{4096} * n_items * 4)
                                                   : int64_t{64} * n_items * kFloat);
  // The trainer keeps the last good state (3 tables) and builds one for the
  // checkpoint.
  m.host_copies = 6 * table;
  return m;
}

}  // namespace bitrec

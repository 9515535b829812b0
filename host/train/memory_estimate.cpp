#include "bitrec/memory_estimate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bitrec/error.hpp"
#include "bitrec/method_spec.hpp"

namespace bitrec {
namespace {

constexpr int64_t kFloat = 4, kInt = 4, kWord = 8;

// A model that trains on the host (its spec's TrainDevice::kHost); the
// backend holds only what evaluation uploads. A coarse bound from the
// model's own layout (its spec's host_memory).
MemoryEstimate estimate_host_model_memory(const HostModelFootprint& f, int64_t rows, int64_t train_pairs,
                                          bool on_device) {
  MemoryEstimate m;
  const int64_t bits = f.bits, out_dim = f.out_dim, params = f.params, training = f.training;
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
  const MemoryShape shape{n_users, n_items, rows, train_pairs, on_device};
  if (const HostMemoryFn host_memory = host_memory_estimate(c)) {
    return estimate_host_model_memory(host_memory(c, shape), rows, train_pairs, on_device);
  }
  const MethodSpec& spec = method_spec(c.method);
  const bool hashed = spec.hashed;
  const int64_t words = (c.dim + 63) / 64;
  MemoryEstimate m;
  m.parameters = 3 * table;  // E0, m, v
  // E, dLoss/dscores, dLoss/dE0; hashed: signs and dLoss/dE too; propagation
  // keeps two ping-pong layer buffers.
  m.training = (3 + (hashed ? 2 : 0) + 2) * table;
  m.training += int64_t{c.batch} * 3 * kInt;
  // Buffers only this method needs (its spec's extra_training_memory).
  if (spec.extra_training_memory != nullptr) m.training += spec.extra_training_memory(c, shape);
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

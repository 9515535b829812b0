// How much memory a training run needs, estimated before it starts, so a run
// that cannot fit is refused with a clear message instead of dying halfway
// (--max-memory, docs/contract.md). Counts the buffers the trainer, the
// losses and the evaluator allocate on the backend (design: every large
// buffer is sized by the data and config alone), plus the host copies the
// trainer keeps.
#pragma once
#include <cstdint>
#include <string>

#include "bitrec/config.hpp"
#include "bitrec/memory_size.hpp"  // format_bytes, parse_memory_size, available_host_memory

namespace bitrec {

struct MemoryEstimate {
  int64_t parameters = 0;  // E0 and Adam's two moments
  int64_t training = 0;    // E, signs, gradients, batch buffers, loss scratch
  int64_t graph = 0;       // Â and the train relation
  int64_t evaluation = 0;  // codes, top-K tiles
  int64_t host_copies = 0; // host-side state snapshots (last good epoch, checkpoint)
  int64_t device_total() const { return parameters + training + graph + evaluation; }
};

// on_device: the CUDA backend (the host then holds only the copies); else
// everything lives in host memory.
MemoryEstimate estimate_training_memory(const TrainConfig& config, int32_t n_users, int32_t n_items,
                                        int64_t train_pairs, bool on_device);

}  // namespace bitrec

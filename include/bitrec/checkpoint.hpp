// checkpoint.bin: magic, version, the run's config, the model state (with
// the position inside an epoch for a run stopped between batches), the
// evaluations so far (so a resumed run selects `best` as the uninterrupted
// one would), and a CRC32 of everything before it. Written to a temp file
// and renamed, so a reader never sees half a checkpoint.
#pragma once
#include <string>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/model.hpp"
#include "bitrec/trainer.hpp"

namespace bitrec {

// Version 2 added the in-epoch position and the evaluation history, version
// 3 the parameter blocks of MethodModel methods (hashgnn, bgch); older files
// still load (position 0, no history, no blocks).
constexpr uint32_t kCheckpointVersion = 3;

struct Checkpoint {
  TrainConfig config;
  ModelState state;
  std::vector<EvalPoint> history;
};

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
// Throws InputError naming the file and what is wrong (missing, not a bitrec
// checkpoint, unsupported version, truncated, checksum mismatch).
Checkpoint load_checkpoint(const std::string& path);

uint32_t crc32(const void* data, size_t bytes, uint32_t crc = 0);

}  // namespace bitrec

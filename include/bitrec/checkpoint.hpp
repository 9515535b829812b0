// checkpoint.bin: magic, version, the run's config, the model state, and a
// CRC32 of everything before it. Written to a temp file and renamed, so a
// reader never sees half a checkpoint.
#pragma once
#include <string>

#include "bitrec/config.hpp"
#include "bitrec/model.hpp"

namespace bitrec {

constexpr uint32_t kCheckpointVersion = 1;

struct Checkpoint {
  TrainConfig config;
  ModelState state;
};

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
// Throws InputError naming the file and what is wrong (missing, not a bitrec
// checkpoint, unsupported version, truncated, checksum mismatch).
Checkpoint load_checkpoint(const std::string& path);

uint32_t crc32(const void* data, size_t bytes, uint32_t crc = 0);

}  // namespace bitrec

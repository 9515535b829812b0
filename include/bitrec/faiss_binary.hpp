// FAISS's serialization of an IndexBinaryFlat, written without FAISS:
// faiss.read_index_binary(path) opens the file (docs/serving.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bitrec {

// The file's bytes for `n` codes of `bits` bits (bits % 8 == 0), `codes`
// holding n * bits/8 bytes in FAISS's order (codes_to_bytes). Layout, all
// little-endian: "IBxF", d (int32), code_size (int32), ntotal (int64),
// is_trained (1 byte), metric_type (int32, 1 = METRIC_L2 as FAISS writes
// it), then the codes as a vector: byte count (uint64) and the bytes.
std::string faiss_binary_flat_bytes(const std::vector<uint8_t>& codes, int64_t n, int bits);

// Writes faiss_binary_flat_bytes to path via a temp file + rename.
void write_faiss_binary_flat(const std::string& path, const std::vector<uint8_t>& codes, int64_t n, int bits);

}  // namespace bitrec

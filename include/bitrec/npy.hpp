// NumPy .npy (format 1.0) writer: what np.load reads without help.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bitrec {

// dtype: "<f4", "|u1", "<i4", ... ; shape row-major. Written via temp + rename.
void write_npy(const std::string& path, const std::string& dtype, const std::vector<int64_t>& shape,
               const void* data, size_t bytes);

// Packed codes [rows, words] as uint8 [rows, ceil(bits/8)]: on a little-endian
// machine this is FAISS's binary layout (docs/contract.md "Codes").
std::vector<uint8_t> codes_to_bytes(const std::vector<uint64_t>& codes, int64_t rows, int bits);

}  // namespace bitrec

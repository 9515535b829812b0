#include "bitrec/npy.hpp"

#include <cstring>
#include <fstream>

#include "bitrec/error.hpp"
#include "bitrec/run_directory.hpp"

namespace bitrec {

void write_npy(const std::string& path, const std::string& dtype, const std::vector<int64_t>& shape,
               const void* data, size_t bytes) {
  std::string dims;
  for (int64_t d : shape) dims += std::to_string(d) + ",";
  if (shape.size() > 1) dims.pop_back();  // (n,) needs the comma; (n, m) does not
  std::string header = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + header length (2) + header, padded to 64 bytes with a final newline.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  const uint16_t length = static_cast<uint16_t>(header.size());
  out += static_cast<char>(length & 0xFF);
  out += static_cast<char>(length >> 8);
  out += header;
  out.append(static_cast<const char*>(data), bytes);
  write_file_atomic(path, out);
}

std::vector<uint8_t> codes_to_bytes(const std::vector<uint64_t>& codes, int64_t rows, int bits) {
  const int words = (bits + 63) / 64;
  const int bytes_per_row = (bits + 7) / 8;
  std::vector<uint8_t> out(static_cast<size_t>(rows) * bytes_per_row);
  for (int64_t r = 0; r < rows; ++r) {
    for (int b = 0; b < bytes_per_row; ++b) {
      out[r * bytes_per_row + b] = static_cast<uint8_t>(codes[r * words + b / 8] >> (8 * (b % 8)));
    }
  }
  return out;
}

}  // namespace bitrec

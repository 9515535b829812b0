// Checked against FAISS 1.7.3 (Debian python3-faiss): a file written by
// faiss.write_index_binary(IndexBinaryFlat) is byte for byte what this writes
// (tools/check_export.py reads ours back with faiss.read_index_binary).
#include "bitrec/faiss_binary.hpp"

#include <stdexcept>

#include "bitrec/run_directory.hpp"

namespace bitrec {
namespace {

template <class T>
void put_le(std::string& out, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((static_cast<uint64_t>(value) >> (8 * i)) & 0xFF);
}

}  // namespace

std::string faiss_binary_flat_bytes(const std::vector<uint8_t>& codes, int64_t n, int bits) {
  if (bits <= 0 || bits % 8 != 0) throw std::invalid_argument("faiss_binary_flat_bytes: bits must be a multiple of 8");
  const int32_t code_size = bits / 8;
  if (static_cast<int64_t>(codes.size()) != n * code_size) {
    throw std::invalid_argument("faiss_binary_flat_bytes: codes hold the wrong number of bytes");
  }
  constexpr int32_t kMetricL2 = 1;  // faiss::METRIC_L2: IndexBinary's default, what FAISS writes
  std::string out = "IBxF";
  put_le<int32_t>(out, bits);       // d
  put_le<int32_t>(out, code_size);  // code_size
  put_le<int64_t>(out, n);          // ntotal
  out += static_cast<char>(1);      // is_trained: a flat index needs no training
  put_le<int32_t>(out, kMetricL2);  // metric_type
  put_le<uint64_t>(out, codes.size());
  out.append(reinterpret_cast<const char*>(codes.data()), codes.size());
  return out;
}

void write_faiss_binary_flat(const std::string& path, const std::vector<uint8_t>& codes, int64_t n, int bits) {
  write_file_atomic(path, faiss_binary_flat_bytes(codes, n, bits));
}

}  // namespace bitrec

// Exact top-k retrieval on the device (docs/evaluation.md "Retrieval"): Hamming
// distance and real inner-product scores. Both rank ties by ascending item id,
// skip excluded items and pad short lists with item -1, exactly as
// host/cpu/cpu_topk_*.cpp.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdint>

#include "device_buffer.hpp"

namespace bitrec::cuda {

// Selection keeps up to this many items per user in shared memory.
constexpr int kMaxTopK = 1024;
// Hamming histograms live in shared memory: bits + 1 bins.
constexpr int kMaxHammingBits = 1024;

// Device pointers describing one retrieval call.
struct TopkRequest {
  const int32_t* users = nullptr;           // [n] user ids (rows of codes/table)
  const int64_t* exclude_indptr = nullptr;  // [n + 1] into exclude_items, row r <-> users[r]
  const int32_t* exclude_items = nullptr;   // excluded item ids (out-of-range ids are ignored)
  int64_t n = 0;
  int32_t n_users = 0;  // item i is row n_users + i of codes/table
  int32_t n_items = 0;
  int k = 0;  // 0 <= k <= kMaxTopK
};

struct TopkOutput {
  int32_t* items = nullptr;  // [n, k]
  float* scores = nullptr;   // [n, k]
  int32_t* hist = nullptr;   // [n, bits + 1] (Hamming only)
};

// codes: [n_users + n_items, code_words(bits)]. Scores are distances;
// padding has distance +inf. keys: scratch, grown as needed.
void hamming_topk(const TopkRequest& request, const uint64_t* codes, int bits,
                  const TopkOutput& out, DeviceBuffer<uint32_t>& keys, cudaStream_t stream);

// How real scores are computed. kFmaChain: a tiled kernel whose every score
// is the fmaf chain over d = 0..dim-1, the CPU's order and rounding
// (host/cpu/cpu_topk_real.cpp), so rankings match the CPU exactly — the
// default, since evaluation must not depend on the device (docs/evaluation.md). kCublas:
// cuBLAS SGEMM (FP32, no TF32), faster, last-bit differences in near-ties.
enum class RealScorePath { kFmaChain, kCublas };

// BITREC_REAL_SCORES unset or "fma" -> kFmaChain, "cublas" -> kCublas; any
// other value throws std::invalid_argument naming the allowed ones.
RealScorePath real_score_path_from_env();

// table: [n_users + n_items, dim]. NaN scores rank (and are reported) as
// -inf, as on the CPU; padding has score -inf. keys / user_rows: scratch,
// grown as needed (user_rows only for kCublas).
void real_topk(const TopkRequest& request, const float* table, int dim, RealScorePath path,
               cublasHandle_t cublas, const TopkOutput& out, DeviceBuffer<uint32_t>& keys,
               DeviceBuffer<float>& user_rows, cudaStream_t stream);

}  // namespace bitrec::cuda

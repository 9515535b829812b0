// BPR triple sampling on the device (methods.md §1 scheme (a)): the same
// Philox draws and the same rejection loop as the CPU backend, so both
// produce identical triples.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

namespace bitrec::cuda {

// The train relation on the device, uploaded once by set_train.
struct TrainView {
  const int64_t* indptr = nullptr;        // [n_users + 1]
  const int32_t* indices = nullptr;       // [nnz], ascending within a row
  const int32_t* sample_users = nullptr;  // users with >= 1 train and >= 1 non-train item, ascending
  int32_t n_sample_users = 0;
  int32_t n_items = 0;
};

// triples [count, 3] = (user, pos item, neg item) of samples first..first+count-1.
void launch_sample_triples(const TrainView& train, uint64_t seed, uint32_t epoch, int64_t first,
                           int64_t count, int32_t* triples, cudaStream_t stream);

}  // namespace bitrec::cuda

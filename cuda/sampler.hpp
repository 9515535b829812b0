// BPR triple sampling on the device (docs/methods.md §1 scheme (a)). Each thread
// runs the shared draw_triple (bitrec/kernels/sampling.hpp), the function the
// CPU backend loops over, so both produce identical triples.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

#include "bitrec/kernels/sampling.hpp"

namespace bitrec::cuda {

// triples [count, 3] = (user, pos item, neg item) of samples first..first+count-1;
// `train` points into device memory (uploaded once by set_train).
void launch_sample_triples(const TripleSamplerView& train, uint64_t seed, uint32_t epoch,
                           int64_t first, int64_t count, int32_t* triples, cudaStream_t stream);

}  // namespace bitrec::cuda

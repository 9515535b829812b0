// One thread per triple; thread t draws sample first + t. The rejection loop
// for the negative is inside draw_triple (binary search in P_u); its expected
// length is n_items / (n_items − |P_u|), so a warp waits for its slowest
// heavy user (not yet timed on a GPU; docs/cuda.md).
#include "check.hpp"
#include "sampler.hpp"

namespace bitrec::cuda {
namespace {

__global__ void sample_triples_kernel(TripleSamplerView train, uint64_t seed, uint32_t epoch,
                                      int64_t first, int64_t count, int32_t* triples) {
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= count) return;
  draw_triple(seed, epoch, static_cast<uint32_t>(first + t), train, triples + 3 * t);
}

}  // namespace

void launch_sample_triples(const TripleSamplerView& train, uint64_t seed, uint32_t epoch,
                           int64_t first, int64_t count, int32_t* triples, cudaStream_t stream) {
  if (count <= 0) return;
  constexpr int kThreads = 256;
  const int64_t blocks = (count + kThreads - 1) / kThreads;
  sample_triples_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(
      train, seed, epoch, first, count, triples);
  CUDA_CHECK_LAUNCH();
}

}  // namespace bitrec::cuda

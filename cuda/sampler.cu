// Sample s of epoch e (thread s - first):
//   r = philox_draw(seed, kTriples, s, e, 0)
//   user = sample_users[uniform_index(r.v[0], |sample_users|)]
//   pos  = P_u[uniform_index(r.v[1], |P_u|)]
//   neg  = uniform_index(r.v[2], n_items), redrawn with attempt a = 1, 2, ...
//          (r = philox_draw(seed, kTriples, s, e, a)) while neg ∈ P_u.
// Every user in sample_users has a non-train item, so the loop ends; its
// expected length is n_items / (n_items - |P_u|).
#include "check.hpp"
#include "sampler.hpp"

#include "bitrec/kernels/philox.hpp"

namespace bitrec::cuda {
namespace {

__device__ bool row_contains(const int32_t* begin, int64_t size, int32_t item) {
  int64_t lo = 0, hi = size;  // binary search in [lo, hi)
  while (lo < hi) {
    const int64_t mid = (lo + hi) >> 1;
    const int32_t v = begin[mid];
    if (v == item) return true;
    if (v < item) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return false;
}

__global__ void sample_triples_kernel(TrainView train, uint64_t seed, uint32_t epoch,
                                      int64_t first, int64_t count, int32_t* triples) {
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= count) return;
  const uint32_t s = static_cast<uint32_t>(first + t);
  Philox4 r = philox_draw(seed, RngStream::kTriples, s, epoch, 0);
  const int32_t user =
      train.sample_users[uniform_index(r.v[0], static_cast<uint32_t>(train.n_sample_users))];
  const int64_t begin = train.indptr[user];
  const int64_t degree = train.indptr[user + 1] - begin;
  const int32_t* row = train.indices + begin;
  const int32_t pos = row[uniform_index(r.v[1], static_cast<uint32_t>(degree))];
  int32_t neg = static_cast<int32_t>(uniform_index(r.v[2], static_cast<uint32_t>(train.n_items)));
  for (uint32_t attempt = 1; row_contains(row, degree, neg); ++attempt) {
    r = philox_draw(seed, RngStream::kTriples, s, epoch, attempt);
    neg = static_cast<int32_t>(uniform_index(r.v[2], static_cast<uint32_t>(train.n_items)));
  }
  triples[3 * t + 0] = user;
  triples[3 * t + 1] = pos;
  triples[3 * t + 2] = neg;
}

}  // namespace

void launch_sample_triples(const TrainView& train, uint64_t seed, uint32_t epoch, int64_t first,
                           int64_t count, int32_t* triples, cudaStream_t stream) {
  if (count <= 0) return;
  constexpr int kThreads = 256;
  const int64_t blocks = (count + kThreads - 1) / kThreads;
  sample_triples_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(
      train, seed, epoch, first, count, triples);
  CUDA_CHECK_LAUNCH();
}

}  // namespace bitrec::cuda

// BPR triples on the CPU: one independent draw_triple per sample (the same
// function the CUDA sampler runs), so the result depends only on (seed,
// epoch, sample index) — not on threads, batch boundaries or device.
#include <cstdint>
#include <limits>

#include "bitrec/error.hpp"
#include "bitrec/kernels/sample_users.hpp"
#include "bitrec/kernels/sampling.hpp"
#include "cpu/cpu_backend.hpp"
#include "cpu/cpu_check.hpp"

namespace bitrec {

void CpuBackend::sample_triples(uint64_t seed, uint32_t epoch, int64_t first, int64_t count,
                                IndexTensor& triples) {
  cpu_require(triples.cols() == 3 && triples.rows() >= count && first >= 0 && count >= 0,
              "sample_triples: triples must be [>= count, 3], first and count >= 0");
  // The sample index is a 32-bit Philox counter word.
  cpu_require(first + count <= (int64_t{1} << 32),
              "sample_triples: sample index beyond 2^32 per epoch");
  if (count == 0) return;
  if (sample_users_.empty()) {
    throw InputError(
        "BPR sampling: no user has both a train item and a non-train item (set_train first)");
  }
  const TripleSamplerView view = triple_sampler_view(sample_users_, train_);
  int32_t* out = triples.data();
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (int64_t t = 0; t < count; ++t) {
    draw_triple(seed, epoch, static_cast<uint32_t>(first + t), view, out + 3 * t);
  }
}

}  // namespace bitrec

// The examples of a batch (docs/methods.md §1 scheme (a), with J negatives) and
// their dropout-ste draws (docs/methods.md §4).
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/dataset.hpp"
#include "bitrec/kernels/sample_users.hpp"
#include "bitrec/kernels/sampling.hpp"

namespace bitrec::hashgnn {

struct ExampleBatch {
  int64_t B = 0;
  int J = 0;
  std::vector<int32_t> users;      // [B]
  std::vector<int32_t> items;      // [B·(1+J)]: positive, then J negatives (item ids)
  std::vector<uint8_t> code_user;  // [B]: the shared draw of u and its positive
  std::vector<uint8_t> code_neg;   // [B·J]
};

// dropout-ste's p at epoch e (0-based): 0 for 2 epochs, then +0.02 every 2
// epochs, held at 1 (HashGNN's code drops back to 0 after 102 epochs; bitrec
// holds 1).
float dropout_ste_p(int epoch);

class ExampleSampler {
 public:
  // Throws InputError when no user has both a train and a non-train item.
  ExampleSampler(const Dataset& data, uint64_t seed, int negatives);

  // Examples first .. first+count−1 of `epoch`. Example s:
  //   (user, positive, negative 0) = draw_triple(seed, epoch, s)  (so with
  //     J = 1 they are exactly the BPR triples of scheme (a));
  //   negative j ≥ 1: the k-th item not in P_user, k = uniform_index(w, n − |P_user|),
  //     w = Philox(seed; s, epoch, (j−1)/4, kExampleNegatives).v[(j−1)%4];
  //   code flags (slot 0: user and positive, slot 1+j: negative j):
  //     uniform_open01(Philox(seed; s, epoch, slot/4, kDropout).v[slot%4]) < p.
  void draw(uint32_t epoch, int64_t first, int64_t count, float p, ExampleBatch& out, int threads) const;

  int64_t n_users_sampled() const { return static_cast<int64_t>(users_.size()); }

 private:
  const Csr* train_;
  uint64_t seed_;
  int J_;
  std::vector<int32_t> users_;
  TripleSamplerView view_{};
};

}  // namespace bitrec::hashgnn

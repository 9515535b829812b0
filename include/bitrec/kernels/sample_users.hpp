// Which users BPR sampling draws from, and the TripleSamplerView over them,
// written once for every sampler (CPU and CUDA backends, bgch, hashgnn).
// Host code only; the view it builds may point into host or device memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bitrec/csr.hpp"
#include "bitrec/kernels/sampling.hpp"

namespace bitrec {

// The users of `train` (users × items) with >= 1 train item and >= 1 item
// outside train, ascending: draw_triple must find a positive and can always
// find a negative for each of them.
inline std::vector<int32_t> sampleable_users(const Csr& train) {
  std::vector<int32_t> users;
  for (int64_t u = 0; u < train.rows; ++u) {
    const int64_t size = train.row_size(u);
    if (size > 0 && size < train.cols) users.push_back(static_cast<int32_t>(u));
  }
  return users;
}

// The view of a train relation with n_items columns and its sampleable
// users; the pointers are host or device copies of train.indptr,
// train.indices and sampleable_users(train).
inline TripleSamplerView triple_sampler_view(const int32_t* users, size_t n_users, const int64_t* indptr,
                                             const int32_t* indices, int64_t n_items) {
  TripleSamplerView view;
  view.users = users;
  view.n_users = static_cast<uint32_t>(n_users);
  view.indptr = indptr;
  view.indices = indices;
  view.n_items = static_cast<uint32_t>(n_items);
  return view;
}

// The same over host memory: `train` and its sampleable `users`.
inline TripleSamplerView triple_sampler_view(const std::vector<int32_t>& users, const Csr& train) {
  return triple_sampler_view(users.data(), users.size(), train.indptr.data(), train.indices.data(), train.cols);
}

}  // namespace bitrec

// The users of a user-based epoch (the smooth recall loss iterates over
// users, not triples): every user with train items, in a seeded order.
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/csr.hpp"

namespace bitrec {

std::vector<int32_t> users_with_train_items(const Csr& train);

// Fisher–Yates with Philox draws (RngStream::kUserOrder, counter (i, epoch)),
// so both backends and every thread count see the same order.
std::vector<int32_t> shuffled_users(const std::vector<int32_t>& users, uint64_t seed, uint32_t epoch);

}  // namespace bitrec

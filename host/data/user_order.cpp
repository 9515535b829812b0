#include "data/user_order.hpp"

#include <cstddef>
#include <utility>

#include "bitrec/kernels/philox.hpp"

namespace bitrec {

std::vector<int32_t> users_with_train_items(const Csr& train) {
  std::vector<int32_t> users;
  for (int64_t u = 0; u < train.rows; ++u) {
    if (train.row_size(u) > 0) users.push_back(static_cast<int32_t>(u));
  }
  return users;
}

std::vector<int32_t> shuffled_users(const std::vector<int32_t>& users, uint64_t seed, uint32_t epoch) {
  std::vector<int32_t> order = users;
  for (std::size_t i = order.size(); i > 1; --i) {
    const Philox4 r = philox_draw(seed, RngStream::kUserOrder, static_cast<uint32_t>(i - 1), epoch, 0);
    std::swap(order[i - 1], order[uniform_index(r.v[0], static_cast<uint32_t>(i))]);
  }
  return order;
}

}  // namespace bitrec

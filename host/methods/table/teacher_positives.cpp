#include "methods/table/teacher_positives.hpp"

#include <utility>
#include <vector>

#include "bitrec/model.hpp"
#include "data/user_order.hpp"

namespace bitrec {

Csr train_with_teacher_items(const Csr& train, const std::vector<int32_t>& users, const TopK& top) {
  std::vector<std::pair<int32_t, int32_t>> pairs;
  pairs.reserve(static_cast<size_t>(train.nnz()) + top.items.size());
  for (int64_t u = 0; u < train.rows; ++u) {
    for (const int32_t* it = train.row_begin(u); it != train.row_end(u); ++it) {
      pairs.emplace_back(static_cast<int32_t>(u), *it);
    }
  }
  for (size_t r = 0; r < users.size(); ++r) {
    for (int j = 0; j < top.k; ++j) {
      const int32_t item = top.items[r * static_cast<size_t>(top.k) + static_cast<size_t>(j)];
      if (item >= 0) pairs.emplace_back(users[r], item);
    }
  }
  return csr_from_pairs(train.rows, train.cols, std::move(pairs));
}

Csr teacher_positives(Backend& backend, const ModelState& teacher, const TrainConfig& teacher_config, int top,
                      const Dataset& data) {
  const ModelOutputs outputs = state_outputs(backend, teacher, teacher_config, data);
  const std::vector<int32_t> users = users_with_train_items(data.train);
  TopK lists;
  backend.topk_real(outputs.embeddings, data.n_users, data.n_items, data.train, users, top, lists);
  return train_with_teacher_items(data.train, users, lists);
}

}  // namespace bitrec

// Dataset statistics for `bitrec info` and report.json.
#include <algorithm>
#include <cmath>
#include <vector>

#include "bitrec/dataset.hpp"

namespace bitrec {
namespace {

// Nearest-rank quantiles (min, 25, 50, 75, 90, 99, max) of `values`: the
// p-th is the smallest value with at least p% of the values at or below it,
// always an observed degree.
std::vector<double> nearest_rank_quantiles(std::vector<int64_t> values) {
  static constexpr double kPercents[] = {0, 25, 50, 75, 90, 99, 100};
  std::vector<double> out;
  if (values.empty()) return std::vector<double>(std::size(kPercents), 0.0);
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  for (double percent : kPercents) {
    // ceil on an exact product: 25% of 8 is rank 2, not 3 from rounding noise.
    const double exact = percent / 100.0 * n;
    int64_t rank = static_cast<int64_t>(std::ceil(exact - 1e-9));
    rank = std::clamp<int64_t>(rank, 1, static_cast<int64_t>(values.size()));
    out.push_back(static_cast<double>(values[rank - 1]));
  }
  return out;
}

}  // namespace

DatasetStats compute_stats(const Dataset& data) {
  DatasetStats stats;
  stats.users = data.n_users;
  stats.items = data.n_items;
  stats.train = data.train.nnz();
  stats.test = data.test.nnz();
  stats.valid = data.valid.nnz();
  const double cells = static_cast<double>(data.n_users) * static_cast<double>(data.n_items);
  stats.density = cells > 0 ? static_cast<double>(stats.train) / cells : 0.0;

  std::vector<int64_t> user_degree(static_cast<size_t>(data.n_users), 0);
  std::vector<int64_t> item_degree(static_cast<size_t>(data.n_items), 0);
  for (int64_t u = 0; u < data.train.rows; ++u) {
    user_degree[u] = data.train.row_size(u);
    for (const int32_t* i = data.train.row_begin(u); i != data.train.row_end(u); ++i) {
      ++item_degree[*i];
    }
  }
  for (int64_t u = 0; u < data.test.rows; ++u) {
    if (data.test.row_size(u) > 0) ++stats.users_with_test;
  }
  stats.users_without_train = static_cast<int32_t>(
      std::count(user_degree.begin(), user_degree.end(), int64_t{0}));
  stats.items_without_train = static_cast<int32_t>(
      std::count(item_degree.begin(), item_degree.end(), int64_t{0}));
  stats.user_degree_quantiles = nearest_rank_quantiles(std::move(user_degree));
  stats.item_degree_quantiles = nearest_rank_quantiles(std::move(item_degree));
  return stats;
}

}  // namespace bitrec

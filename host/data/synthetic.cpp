// The synthetic generator. Every number comes from
// philox_draw(seed, RngStream::kSynthetic, entity, index, purpose | attempt << 8),
// so a spec always yields the same dataset, on any machine with IEEE doubles.
#include "data/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "bitrec/kernels/philox.hpp"
#include "data/loaders.hpp"
#include "data/row_split.hpp"

namespace bitrec::data {
namespace {

// What a draw is for: the low byte of the counter's third word.
enum Purpose : uint32_t {
  kItemRank = 1,     // popularity permutation of items
  kItemCluster = 2,  // cluster permutation of items
  kUserCluster = 3,
  kUserCount = 4,    // how many items a user has
  kUserItems = 5,    // which items: (user, slot, attempt)
  kTestSplit = 6,    // split_rows tag for the test hold-out
};

// Spread of the per-user count: lognormal with sigma 0.6 gives the long right
// tail of real data (Gowalla's train degree runs from 8 to over 800).
constexpr double kCountSigma = 0.6;
constexpr int64_t kMinItemsPerUser = 5;
constexpr double kTwoPi = 6.283185307179586;
// Attempts at an unused item before falling back: from the user's cluster,
// then from global popularity, then a linear probe (always succeeds, since a
// user holds at most half the catalogue).
constexpr uint32_t kClusterAttempts = 32;
constexpr uint32_t kGlobalAttempts = 64;

Philox4 draw(const SyntheticSpec& spec, int64_t entity, int64_t index, Purpose purpose,
             uint32_t attempt = 0) {
  return philox_draw(spec.seed, RngStream::kSynthetic, static_cast<uint32_t>(entity),
                     static_cast<uint32_t>(index), purpose | (attempt << 8));
}

// [0, 1) with 53 random bits: popularity tails of large catalogues are finer
// than a float's 24 bits.
double unit_double(uint32_t hi, uint32_t lo) {
  const uint64_t bits = (static_cast<uint64_t>(hi) << 21) | (lo >> 11);
  return static_cast<double>(bits) * 0x1.0p-53;
}

// Fisher–Yates: a seeded permutation of [0, n).
std::vector<int32_t> seeded_permutation(const SyntheticSpec& spec, int64_t n, Purpose purpose) {
  std::vector<int32_t> perm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[i] = static_cast<int32_t>(i);
  for (int64_t i = n - 1; i > 0; --i) {
    const uint32_t j = uniform_index(draw(spec, i, 0, purpose).v[0], static_cast<uint32_t>(i + 1));
    std::swap(perm[i], perm[j]);
  }
  return perm;
}

// Draws items with probability proportional to their weight.
class WeightedPicker {
 public:
  void add(int32_t item, double weight) {
    items_.push_back(item);
    cumulative_.push_back((cumulative_.empty() ? 0.0 : cumulative_.back()) + weight);
  }
  bool empty() const { return items_.empty(); }
  int32_t pick(double unit) const {
    const double target = unit * cumulative_.back();
    const size_t at = std::upper_bound(cumulative_.begin(), cumulative_.end(), target) -
                      cumulative_.begin();
    return items_[std::min(at, items_.size() - 1)];
  }

 private:
  std::vector<int32_t> items_;
  std::vector<double> cumulative_;
};

int64_t items_for_user(const SyntheticSpec& spec, int64_t user) {
  const Philox4 d = draw(spec, user, 0, kUserCount);
  // Box–Muller; the -sigma²/2 shift keeps the mean at per_user.
  const double u1 = uniform_open01(d.v[0]);
  const double u2 = uniform_open01(d.v[1]);
  const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
  const double count = spec.per_user * std::exp(kCountSigma * z - 0.5 * kCountSigma * kCountSigma);
  const int64_t most = spec.items / 2;
  return std::clamp<int64_t>(std::llround(count), std::min(kMinItemsPerUser, most), most);
}

}  // namespace

Dataset generate_synthetic(const SyntheticSpec& spec, SyntheticTruth* truth) {
  const int64_t n_users = spec.users, n_items = spec.items, n_clusters = spec.clusters;

  // Popularity: Zipf over a random order of the items, so popularity is not
  // tied to the item id.
  std::vector<double> weight(static_cast<size_t>(n_items));
  const std::vector<int32_t> by_popularity = seeded_permutation(spec, n_items, kItemRank);
  for (int64_t rank = 0; rank < n_items; ++rank) {
    weight[by_popularity[rank]] = std::pow(static_cast<double>(rank + 1), -spec.zipf);
  }
  // Clusters: an independent permutation dealt round-robin, so clusters
  // differ in size by at most one item and each mixes head and tail items.
  std::vector<int32_t> item_cluster(static_cast<size_t>(n_items));
  const std::vector<int32_t> dealt = seeded_permutation(spec, n_items, kItemCluster);
  for (int64_t pos = 0; pos < n_items; ++pos) {
    item_cluster[dealt[pos]] = static_cast<int32_t>(pos % n_clusters);
  }

  WeightedPicker global;
  std::vector<WeightedPicker> by_cluster(static_cast<size_t>(n_clusters));
  for (int64_t i = 0; i < n_items; ++i) {
    global.add(static_cast<int32_t>(i), weight[i]);
    by_cluster[item_cluster[i]].add(static_cast<int32_t>(i), weight[i]);
  }

  std::vector<int32_t> user_cluster(static_cast<size_t>(n_users));
  std::vector<std::pair<int32_t, int32_t>> pairs;
  pairs.reserve(static_cast<size_t>(static_cast<double>(n_users) * spec.per_user * 1.1));
  std::vector<int32_t> owner(static_cast<size_t>(n_items), -1);  // last user holding the item
  for (int64_t u = 0; u < n_users; ++u) {
    const int32_t user = static_cast<int32_t>(u);
    const int32_t cluster =
        static_cast<int32_t>(uniform_index(draw(spec, u, 0, kUserCluster).v[0],
                                           static_cast<uint32_t>(n_clusters)));
    user_cluster[u] = cluster;
    const int64_t count = items_for_user(spec, u);
    for (int64_t slot = 0; slot < count; ++slot) {
      for (uint32_t attempt = 0;; ++attempt) {
        const Philox4 d = draw(spec, u, slot, kUserItems, attempt);
        int32_t item;
        if (attempt >= kGlobalAttempts) {
          item = static_cast<int32_t>(uniform_index(d.v[0], static_cast<uint32_t>(n_items)));
          while (owner[item] == user) item = static_cast<int32_t>((item + 1) % n_items);
        } else {
          const bool from_cluster = attempt < kClusterAttempts &&
                                    d.v[0] * 0x1.0p-32 < spec.affinity;
          item = (from_cluster ? by_cluster[cluster] : global).pick(unit_double(d.v[1], d.v[2]));
        }
        if (owner[item] != user) {
          owner[item] = user;
          pairs.emplace_back(user, item);
          break;
        }
      }
    }
  }

  Dataset data;
  data.name = "synthetic";
  data.n_users = static_cast<int32_t>(n_users);
  data.n_items = static_cast<int32_t>(n_items);
  const Csr all = csr_from_pairs(n_users, n_items, std::move(pairs));
  split_rows(all, spec.test_frac, spec.seed, RngStream::kSynthetic, kTestSplit, &data.train,
             &data.test);
  data.valid = empty_csr(n_users, n_items);

  if (truth) {
    truth->user_cluster = std::move(user_cluster);
    truth->item_cluster = std::move(item_cluster);
    truth->item_weight = std::move(weight);
  }
  return data;
}

}  // namespace bitrec::data

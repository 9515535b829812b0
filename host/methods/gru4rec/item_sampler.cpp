#include "methods/gru4rec/item_sampler.hpp"

#include <algorithm>
#include <cmath>

#include "bitrec/kernels/philox.hpp"

namespace bitrec::gru4rec {

ItemSampler::ItemSampler(const SessionSet& train, int32_t n_items, float alpha)
    : counts_(static_cast<size_t>(n_items), 0.0f), cumulative_(static_cast<size_t>(n_items), 0.0) {
  for (int32_t item : train.items) counts_[item] += 1.0f;
  double sum = 0.0;
  for (int32_t i = 0; i < n_items; ++i) {
    // An item without train events has weight 0, also for alpha = 0 (pow(0, 0) is 1).
    if (counts_[i] > 0.0f) sum += std::pow(static_cast<double>(counts_[i]), static_cast<double>(alpha));
    cumulative_[i] = sum;
  }
  for (double& c : cumulative_) c /= sum;
  if (!cumulative_.empty()) cumulative_.back() = 1.0;
}

void ItemSampler::draw(uint64_t seed, int epoch, int64_t step, int count, int32_t* out) const {
  for (int j = 0; j < count; j += 4) {
    const Philox4 r = philox_draw(seed, RngStream::kSessionNegatives, static_cast<uint32_t>(step),
                                  static_cast<uint32_t>(epoch), static_cast<uint32_t>(j / 4));
    for (int w = 0; w < 4 && j + w < count; ++w) {
      // u in (0, 1) at 2^-32 resolution; the first item whose cumulative
      // share exceeds u (an item with no train events is never drawn).
      const double u = (static_cast<double>(r.v[w]) + 0.5) / 4294967296.0;
      const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
      out[j + w] = static_cast<int32_t>(std::min<std::ptrdiff_t>(it - cumulative_.begin(),
                                                                 static_cast<std::ptrdiff_t>(cumulative_.size()) - 1));
    }
  }
}

}  // namespace bitrec::gru4rec

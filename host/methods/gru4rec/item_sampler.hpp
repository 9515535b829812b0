// GRU4Rec's output sampling (docs/sessions.md "Sampling"): extra negatives
// drawn from item popularity^alpha, shared by all rows of a mini-batch.
// Draws come from Philox (RngStream::kSessionNegatives, counter (step,
// epoch, draw/4)), so a batch's negatives depend only on (seed, epoch, step).
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/sessions.hpp"

namespace bitrec::gru4rec {

class ItemSampler {
 public:
  // Popularity = the number of train events of each item.
  ItemSampler(const SessionSet& train, int32_t n_items, float alpha);
  // `count` items for step `step` of epoch `epoch`, written to out.
  void draw(uint64_t seed, int epoch, int64_t step, int count, int32_t* out) const;
  // Train events of each item (the logQ correction's q).
  const std::vector<float>& counts() const { return counts_; }

 private:
  std::vector<float> counts_;
  std::vector<double> cumulative_;  // normalised, last entry 1
};

}  // namespace bitrec::gru4rec

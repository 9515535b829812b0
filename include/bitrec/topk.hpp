// The result of a top-K retrieval for a list of users.
#pragma once
#include <cstdint>
#include <vector>

namespace bitrec {

struct TopK {
  int k = 0;
  int64_t n_users = 0;         // rows
  std::vector<int32_t> items;  // [n_users, k] item ids in rank order; -1 pads short lists
  std::vector<float> scores;   // [n_users, k] score (real) or Hamming distance (hamming)
  // Hamming retrieval only: [n_users, bits + 1] how many candidate items (all
  // items less the excluded ones) lie at each distance; the tie-aware
  // metrics are computed from it.
  int hist_bins = 0;
  std::vector<int32_t> distance_hist;
};

}  // namespace bitrec

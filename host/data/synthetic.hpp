// The built-in synthetic dataset: users and items in latent clusters, Zipf
// popularity, so a model that learns the clusters beats popularity ranking
// by a wide margin (datasets/README.md). Internal to host/data; tests use the
// planted truth to check that the structure is there.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bitrec/dataset.hpp"

namespace bitrec::data {

struct SyntheticSpec {
  int64_t users = 2000;
  int64_t items = 1500;
  int64_t clusters = 20;
  double per_user = 30.0;  // mean interactions per user (before the test split)
  double test_frac = 0.2;  // share of each user's items moved to test
  double affinity = 0.8;   // share of a user's items drawn from its own cluster
  double zipf = 1.0;       // popularity exponent: weight of rank r is 1/(r+1)^zipf
  uint64_t seed = 7;
};

// True for "synthetic" and "synthetic:...".
bool is_synthetic_spec(const std::string& spec);

// Parses "synthetic[:key=value,...]". Unknown keys and bad values throw
// InputError naming the key and the allowed keys.
SyntheticSpec parse_synthetic_spec(const std::string& spec);

// What the generator planted; filled when asked for.
struct SyntheticTruth {
  std::vector<int32_t> user_cluster;  // [users]
  std::vector<int32_t> item_cluster;  // [items]
  std::vector<double> item_weight;    // [items], unnormalised popularity
};

Dataset generate_synthetic(const SyntheticSpec& spec, SyntheticTruth* truth = nullptr);

}  // namespace bitrec::data

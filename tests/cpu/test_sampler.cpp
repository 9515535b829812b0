// BPR triple sampling (docs/methods.md §1 scheme (a), docs/sampling.md): the
// Philox stream, the documented counter layout, validity, determinism,
// independence of threads and batch boundaries, and rough uniformity.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "bitrec/error.hpp"
#include "bitrec/kernels/philox.hpp"
#include "bitrec/kernels/sampling.hpp"
#include "cpu/cpu_backend.hpp"
#include "cpu_test_util.hpp"

namespace bitrec {
namespace {

using test::random_train;

std::vector<int32_t> sample(const Csr& train, uint64_t seed, uint32_t epoch, int64_t first,
                            int64_t count, int threads = 2) {
  CpuBackend be(threads);
  be.set_train(train);
  IndexTensor t = be.alloc_i32(count, 3);
  be.sample_triples(seed, epoch, first, count, t);
  std::vector<int32_t> host(static_cast<size_t>(3 * count));
  be.download(t, host.data());
  return host;
}

// Pearson's statistic of `counts` against a uniform expectation.
double chi_square_uniform(const std::vector<int64_t>& counts) {
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  const double expected = static_cast<double>(total) / static_cast<double>(counts.size());
  double chi2 = 0.0;
  for (int64_t c : counts) chi2 += (c - expected) * (c - expected) / expected;
  return chi2;
}

// Mean + 6 standard deviations of χ² with k − 1 degrees of freedom: with a
// fixed seed the test is deterministic, and a correct sampler is far inside.
double chi_square_bound(size_t k) {
  const double dof = static_cast<double>(k) - 1.0;
  return dof + 6.0 * std::sqrt(2.0 * dof);
}

TEST(Philox, Random123KnownAnswers) {
  // kat_vectors of Random123 (Salmon et al.), philox4x32_10.
  struct Kat {
    Philox4 ctr;
    uint32_t k0, k1;
    Philox4 out;
  };
  const Kat kats[] = {
      {{{0, 0, 0, 0}}, 0, 0, {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}}},
      {{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}},
       0xffffffffu,
       0xffffffffu,
       {{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}}},
      {{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}},
       0xa4093822u,
       0x299f31d0u,
       {{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}}},
  };
  for (const Kat& k : kats) {
    const Philox4 r = philox4x32_10(k.ctr, k.k0, k.k1);
    for (int w = 0; w < 4; ++w) EXPECT_EQ(r.v[w], k.out.v[w]) << "word " << w;
  }
}

TEST(Philox, UniformIndexIsLemire) {
  EXPECT_EQ(uniform_index(0u, 10u), 0u);
  EXPECT_EQ(uniform_index(0xffffffffu, 10u), 9u);
  EXPECT_EQ(uniform_index(0x80000000u, 10u), 5u);
  EXPECT_EQ(uniform_index(0xffffffffu, 1u), 0u);
}

// docs/sampling.md, re-implemented from the words of the document.
std::vector<int32_t> documented_scheme(const Csr& train, uint64_t seed, uint32_t epoch,
                                       uint32_t first, uint32_t count) {
  std::vector<int32_t> users;
  for (int64_t u = 0; u < train.rows; ++u) {
    if (train.row_size(u) > 0 && train.row_size(u) < train.cols) {
      users.push_back(static_cast<int32_t>(u));
    }
  }
  const uint32_t key_lo = static_cast<uint32_t>(seed), key_hi = static_cast<uint32_t>(seed >> 32);
  auto lemire = [](uint32_t x, uint64_t n) { return static_cast<uint32_t>((x * n) >> 32); };
  std::vector<int32_t> out;
  for (uint32_t s = first; s < first + count; ++s) {
    Philox4 r = philox4x32_10(Philox4{{s, epoch, 0u, 0u}}, key_lo, key_hi);
    const int32_t u = users[lemire(r.v[0], users.size())];
    const uint64_t len = static_cast<uint64_t>(train.row_size(u));
    const int32_t pos = train.row_begin(u)[lemire(r.v[1], len)];
    int32_t neg = static_cast<int32_t>(lemire(r.v[2], static_cast<uint64_t>(train.cols)));
    for (uint32_t a = 1; train.contains(u, neg); ++a) {
      r = philox4x32_10(Philox4{{s, epoch, a, 0u}}, key_lo, key_hi);
      neg = static_cast<int32_t>(lemire(r.v[2], static_cast<uint64_t>(train.cols)));
    }
    out.insert(out.end(), {u, pos, neg});
  }
  return out;
}

TEST(Sampler, FollowsTheDocumentedCounterLayout) {
  // Dense rows (density 0.5) force many rejection attempts.
  const Csr train = random_train(40, 30, 0.5, 3, /*full_user0=*/true);
  const uint64_t seed = 0x123456789abcdefull;
  EXPECT_EQ(sample(train, seed, 7, 100, 3000), documented_scheme(train, seed, 7, 100, 3000));
}

TEST(Sampler, TriplesAreValid) {
  const int32_t m = 60, n = 45;
  const Csr train = random_train(m, n, 0.3, 5, /*full_user0=*/true);
  const std::vector<int32_t> t = sample(train, 2020, 0, 0, 20000);
  int64_t user0 = 0;
  for (size_t k = 0; k < t.size(); k += 3) {
    const int32_t u = t[k], pos = t[k + 1], neg = t[k + 2];
    ASSERT_GE(u, 0);
    ASSERT_LT(u, m - 1) << "the last user has no train item";
    ASSERT_GE(pos, 0);
    ASSERT_LT(pos, n);
    ASSERT_GE(neg, 0);
    ASSERT_LT(neg, n);
    ASSERT_TRUE(train.contains(u, pos)) << "sample " << k / 3;
    ASSERT_FALSE(train.contains(u, neg)) << "sample " << k / 3;
    if (u == 0) {
      ++user0;
      EXPECT_EQ(neg, n - 1) << "user 0's only non-train item";
    }
  }
  EXPECT_GT(user0, 0);
}

TEST(Sampler, SkipsUsersWithoutTrainOrWithoutNegatives) {
  // u0 holds every item (no negative exists), u1 none, u2 and u3 some.
  const Csr train = csr_from_pairs(4, 3, {{0, 0}, {0, 1}, {0, 2}, {2, 1}, {3, 0}, {3, 2}});
  const std::vector<int32_t> t = sample(train, 9, 0, 0, 2000);
  std::set<int32_t> users;
  for (size_t k = 0; k < t.size(); k += 3) users.insert(t[k]);
  EXPECT_EQ(users, (std::set<int32_t>{2, 3}));

  CpuBackend be(1);
  be.set_train(csr_from_pairs(2, 2, {{0, 0}, {0, 1}}));  // nobody can draw a negative
  IndexTensor out = be.alloc_i32(4, 3);
  EXPECT_THROW(be.sample_triples(1, 0, 0, 4, out), InputError);
  be.sample_triples(1, 0, 0, 0, out);  // an empty request is fine
}

TEST(Sampler, DeterministicAndIndependentOfBatchingAndThreads) {
  const Csr train = random_train(80, 50, 0.2, 6);
  const std::vector<int32_t> whole = sample(train, 42, 3, 0, 5000, 2);
  EXPECT_EQ(sample(train, 42, 3, 0, 5000, 2), whole);
  EXPECT_EQ(sample(train, 42, 3, 0, 5000, 1), whole);
  EXPECT_EQ(sample(train, 42, 3, 0, 5000, 3), whole);
  // Batches of 2048 (the last one short) reproduce the epoch's stream.
  std::vector<int32_t> batched;
  for (int64_t first = 0; first < 5000; first += 2048) {
    const int64_t count = std::min<int64_t>(2048, 5000 - first);
    const std::vector<int32_t> part = sample(train, 42, 3, first, count);
    batched.insert(batched.end(), part.begin(), part.end());
  }
  EXPECT_EQ(batched, whole);
}

TEST(Sampler, EpochsAndSeedsDiffer) {
  const Csr train = random_train(80, 50, 0.2, 6);
  const std::vector<int32_t> base = sample(train, 42, 3, 0, 1000);
  for (const auto& other : {sample(train, 42, 4, 0, 1000), sample(train, 43, 3, 0, 1000),
                            sample(train, 42ull + (1ull << 32), 3, 0, 1000)}) {
    int same = 0;
    for (size_t k = 0; k < base.size(); k += 3) {
      same += base[k] == other[k] && base[k + 1] == other[k + 1] && base[k + 2] == other[k + 2];
    }
    EXPECT_LT(same, 50) << "of 1000 triples identical";
  }
}

TEST(Sampler, RoughlyUniform) {
  const int32_t m = 101, n = 70;
  const Csr train = random_train(m, n, 0.25, 8, /*full_user0=*/true);
  const int64_t count = 200000;
  const std::vector<int32_t> t = sample(train, 2024, 1, 0, count);
  // Users: uniform over the m − 1 users with train items.
  std::vector<int64_t> users(m - 1, 0);
  // Positives of user 5 uniform over P_5; negatives of user 5 uniform over the rest.
  const int32_t probe = 5;
  std::vector<int64_t> pos(n, 0), neg(n, 0);
  for (size_t k = 0; k < t.size(); k += 3) {
    ++users[t[k]];
    if (t[k] == probe) {
      ++pos[t[k + 1]];
      ++neg[t[k + 2]];
    }
  }
  EXPECT_LT(chi_square_uniform(users), chi_square_bound(users.size()));
  std::vector<int64_t> pos_in, neg_out;
  for (int32_t i = 0; i < n; ++i) {
    if (train.contains(probe, i)) {
      pos_in.push_back(pos[i]);
      EXPECT_EQ(neg[i], 0);
    } else {
      neg_out.push_back(neg[i]);
      EXPECT_EQ(pos[i], 0);
    }
  }
  ASSERT_GT(pos_in.size(), 5u);
  EXPECT_LT(chi_square_uniform(pos_in), chi_square_bound(pos_in.size()));
  EXPECT_LT(chi_square_uniform(neg_out), chi_square_bound(neg_out.size()));
}

TEST(Sampler, RejectsBadRequests) {
  CpuBackend be(1);
  be.set_train(random_train(10, 10, 0.3, 1));
  IndexTensor small = be.alloc_i32(5, 3), wide = be.alloc_i32(10, 4);
  EXPECT_THROW(be.sample_triples(1, 0, 0, 6, small), std::invalid_argument);
  EXPECT_THROW(be.sample_triples(1, 0, 0, 5, wide), std::invalid_argument);
  EXPECT_THROW(be.sample_triples(1, 0, (int64_t{1} << 32) - 2, 5, small), std::invalid_argument);
  be.sample_triples(1, 0, (int64_t{1} << 32) - 5, 5, small);  // the last indices are fine
}

}  // namespace
}  // namespace bitrec

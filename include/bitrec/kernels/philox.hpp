// Philox4x32-10 (Salmon et al., SC 2011): the one random stream both backends
// draw from, so a CPU run and a GPU run sample exactly the same numbers.
// Keyed by the 64-bit seed; the 128-bit counter names what is drawn
// (see docs/methods.md §1 and docs/sampling.md).
#pragma once
#include <cstdint>

#include "bitrec/hd.hpp"

namespace bitrec {

struct Philox4 {
  uint32_t v[4];
};

BITREC_HD uint32_t philox_mulhilo(uint32_t a, uint32_t b, uint32_t* hi) {
  const uint64_t p = static_cast<uint64_t>(a) * static_cast<uint64_t>(b);
  *hi = static_cast<uint32_t>(p >> 32);
  return static_cast<uint32_t>(p);
}

// counter c, key (k0, k1) -> 4 independent uniform 32-bit words.
BITREC_HD Philox4 philox4x32_10(Philox4 c, uint32_t k0, uint32_t k1) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, hi1;
    const uint32_t lo0 = philox_mulhilo(kMul0, c.v[0], &hi0);
    const uint32_t lo1 = philox_mulhilo(kMul1, c.v[2], &hi1);
    Philox4 next;
    next.v[0] = hi1 ^ c.v[1] ^ k0;
    next.v[1] = lo1;
    next.v[2] = hi0 ^ c.v[3] ^ k1;
    next.v[3] = lo0;
    c = next;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return c;
}

// Streams separate the purposes that draw from one seed, so adding a draw to
// one never shifts another.
enum class RngStream : uint32_t {
  kTriples = 0,     // BPR triple sampling: counter (sample, epoch, attempt)
  kInit = 1,        // embedding initialisation
  kValidSplit = 2,  // --valid-frac hold-out
  kSynthetic = 3,   // the built-in synthetic dataset
  kUserOrder = 4,   // user-batch shuffles of user-based losses
  kDropout = 5,     // dropout-ste draws
  kNeighbours = 6,  // sampled-neighbour encoders
  kPairNegatives = 7,  // one negative per train pair: counter (pair, epoch, attempt)
  kExampleNegatives = 8,  // hashgnn negatives 1.. of an example: counter (sample, epoch, group of 4)
  kDispersion = 9,  // bgch feature-dispersion start vectors: counter (epoch, batch, draw)
  kSessionNegatives = 10,  // gru4rec output samples: counter (step, epoch, draw)
  kSessionDropout = 11,    // gru4rec dropout masks: counter (step, epoch, tensor·2^24 + draw)
};

// Draw for (stream, a, b, c): counter = (a, b, c, stream), key = seed.
BITREC_HD Philox4 philox_draw(uint64_t seed, RngStream stream, uint32_t a,
                              uint32_t b, uint32_t c) {
  Philox4 ctr;
  ctr.v[0] = a;
  ctr.v[1] = b;
  ctr.v[2] = c;
  ctr.v[3] = static_cast<uint32_t>(stream);
  return philox4x32_10(ctr, static_cast<uint32_t>(seed),
                       static_cast<uint32_t>(seed >> 32));
}

// Lemire's multiply-shift: an integer in [0, n) from a 32-bit draw. Biased by
// at most n/2^32, which docs/methods.md §1 accepts for exact CPU/GPU agreement.
BITREC_HD uint32_t uniform_index(uint32_t x, uint32_t n) {
  return static_cast<uint32_t>((static_cast<uint64_t>(x) * n) >> 32);
}

// A float in (0, 1) from a 32-bit draw (never 0, so log() is safe).
BITREC_HD float uniform_open01(uint32_t x) {
  return (static_cast<float>(x >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

}  // namespace bitrec

// Packed codes and Hamming distance (docs/contract.md "Codes"): bit k of a code is
// bit k % 64 of word k / 64, +1 -> 1, padding bits 0.
#pragma once
#include <cstdint>

#include "bitrec/hd.hpp"

namespace bitrec {

BITREC_HD int code_words(int bits) { return (bits + 63) / 64; }

BITREC_HD int popcount64(uint64_t x) {
#if defined(__CUDA_ARCH__)
  return __popcll(x);
#else
  return __builtin_popcountll(x);
#endif
}

BITREC_HD int hamming_distance(const uint64_t* a, const uint64_t* b, int words) {
  int h = 0;
  for (int w = 0; w < words; ++w) {
    h += popcount64(a[w] ^ b[w]);
  }
  return h;
}

// b_u^T b_i for ±1 codes of `bits` bits at Hamming distance h.
BITREC_HD int code_inner_product(int bits, int h) { return bits - 2 * h; }

// Packs row x[0..bits) of signs (sign(0) = +1) into words.
BITREC_HD void pack_signs(const float* x, int bits, uint64_t* out) {
  const int words = code_words(bits);
  for (int w = 0; w < words; ++w) {
    uint64_t word = 0;
    const int end = (w + 1) * 64 < bits ? (w + 1) * 64 : bits;
    for (int k = w * 64; k < end; ++k) {
      if (x[k] >= 0.0f) word |= (uint64_t{1} << (k - w * 64));
    }
    out[w] = word;
  }
}

}  // namespace bitrec

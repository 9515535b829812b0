// Parameter blocks of MethodModel methods (include/bitrec/method_model.hpp):
// seeded initialisation, Adam over a block, and checking a checkpoint's
// blocks against the method's layout.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bitrec/kernels/adam.hpp"
#include "bitrec/method_model.hpp"

namespace bitrec {

// A block of N(0, std²) values drawn from Philox (RngStream::kInit) with
// `tag` as the counter's third word, so every block of a model gets its own
// draws and the same seed gives the same block on every machine. std = 0
// gives zeros (biases).
ParamBlock normal_block(const std::string& name, int64_t rows, int64_t cols, float std, uint64_t seed,
                        uint32_t tag);
// Uniform in [−limit, limit] (Xavier/Glorot uniform: limit = √(6/(fan_in+fan_out))).
ParamBlock uniform_block(const std::string& name, int64_t rows, int64_t cols, float limit, uint64_t seed,
                         uint32_t tag);

// One Adam step (step t, 1-based) of a block from its gradient (same size),
// parallel over elements; bitwise the same for any thread count.
void adam_step_block(ParamBlock& block, const std::vector<float>& grad, const AdamParams& adam, int64_t step);

// Replaces `fresh`'s values and moments with `saved`'s, which must have the
// same names in the same order and the same shapes; throws InputError
// naming the first block that differs ("checkpoint block 'W' is 64 × 32, …").
void restore_blocks(std::vector<ParamBlock>& fresh, const std::vector<ParamBlock>& saved);

}  // namespace bitrec

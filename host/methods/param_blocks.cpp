#include "param_blocks.hpp"

#include <cmath>

#include "bitrec/error.hpp"
#include "bitrec/kernels/philox.hpp"

namespace bitrec {
namespace {

ParamBlock empty_block(const std::string& name, int64_t rows, int64_t cols) {
  ParamBlock b;
  b.name = name;
  b.rows = rows;
  b.cols = cols;
  b.value.assign(static_cast<size_t>(rows * cols), 0.0f);
  b.adam_m.assign(b.value.size(), 0.0f);
  b.adam_v.assign(b.value.size(), 0.0f);
  return b;
}

}  // namespace

ParamBlock normal_block(const std::string& name, int64_t rows, int64_t cols, float std, uint64_t seed,
                        uint32_t tag) {
  ParamBlock b = empty_block(name, rows, cols);
  if (std == 0.0f) return b;
  constexpr double kTwoPi = 6.283185307179586;
  const int64_t size = b.size();
  // One Philox draw gives two normals (Box–Muller), as init_model.
  for (int64_t pair = 0; pair * 2 < size; ++pair) {
    const Philox4 r = philox_draw(seed, RngStream::kInit, static_cast<uint32_t>(pair),
                                  static_cast<uint32_t>(pair >> 32), tag);
    const double radius = std::sqrt(-2.0 * std::log(uniform_open01(r.v[0]))) * std;
    const double angle = kTwoPi * uniform_open01(r.v[1]);
    b.value[pair * 2] = static_cast<float>(radius * std::cos(angle));
    if (pair * 2 + 1 < size) b.value[pair * 2 + 1] = static_cast<float>(radius * std::sin(angle));
  }
  return b;
}

ParamBlock uniform_block(const std::string& name, int64_t rows, int64_t cols, float limit, uint64_t seed,
                         uint32_t tag) {
  ParamBlock b = empty_block(name, rows, cols);
  for (int64_t k = 0; k < b.size(); ++k) {
    const Philox4 r = philox_draw(seed, RngStream::kInit, static_cast<uint32_t>(k), static_cast<uint32_t>(k >> 32),
                                  tag);
    b.value[k] = static_cast<float>((2.0 * uniform_open01(r.v[0]) - 1.0) * limit);
  }
  return b;
}

void adam_step_block(ParamBlock& block, const std::vector<float>& grad, const AdamParams& adam, int64_t step) {
  const AdamStepScalars s = adam_step_scalars(adam, step);
  const int64_t n = block.size();
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t k = 0; k < n; ++k) {
    adam_update(&block.value[k], &block.adam_m[k], &block.adam_v[k], grad[k], s);
  }
}

void restore_blocks(std::vector<ParamBlock>& fresh, const std::vector<ParamBlock>& saved) {
  if (saved.size() != fresh.size()) {
    throw InputError("checkpoint holds " + std::to_string(saved.size()) + " parameter blocks, the method has " +
                     std::to_string(fresh.size()));
  }
  for (size_t k = 0; k < fresh.size(); ++k) {
    const ParamBlock& s = saved[k];
    ParamBlock& f = fresh[k];
    if (s.name != f.name || s.rows != f.rows || s.cols != f.cols || s.value.size() != f.value.size() ||
        s.adam_m.size() != f.value.size() || s.adam_v.size() != f.value.size()) {
      throw InputError("checkpoint block '" + s.name + "' is " + std::to_string(s.rows) + " × " +
                       std::to_string(s.cols) + "; the method expects '" + f.name + "' " + std::to_string(f.rows) +
                       " × " + std::to_string(f.cols) + " (config or data changed?)");
    }
    f = s;
  }
}

}  // namespace bitrec

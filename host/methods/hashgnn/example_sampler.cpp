#include "example_sampler.hpp"

#include <algorithm>

#include "bitrec/error.hpp"
#include "bitrec/kernels/philox.hpp"

namespace bitrec::hashgnn {
namespace {

// The k-th (0-based) item in [0, n) not in the ascending list P: one draw,
// no rejection loop, O(|P|).
int32_t kth_non_member(uint32_t k, const int32_t* P, int64_t len) {
  int64_t x = k;
  for (int64_t t = 0; t < len && P[t] <= x; ++t) ++x;
  return static_cast<int32_t>(x);
}

}  // namespace

float dropout_ste_p(int epoch) { return std::min(1.0f, 0.02f * static_cast<float>(epoch / 2)); }

ExampleSampler::ExampleSampler(const Dataset& data, uint64_t seed, int negatives)
    : train_(&data.train), seed_(seed), J_(negatives) {
  users_ = sampleable_users(data.train);
  if (users_.empty()) throw InputError("hashgnn: no user has both a train item and a non-train item");
  view_ = triple_sampler_view(users_, data.train);
}

void ExampleSampler::draw(uint32_t epoch, int64_t first, int64_t count, float p, ExampleBatch& out,
                          int threads) const {
  const int S = 1 + J_;
  out.B = count;
  out.J = J_;
  out.users.resize(count);
  out.items.resize(static_cast<size_t>(count) * S);
  out.code_user.resize(count);
  out.code_neg.resize(static_cast<size_t>(count) * J_);
#pragma omp parallel for num_threads(threads) schedule(static) if (count >= 64)
  for (int64_t b = 0; b < count; ++b) {
    const uint32_t sample = static_cast<uint32_t>(first + b);
    int32_t triple[3];
    draw_triple(seed_, epoch, sample, view_, triple);
    const int32_t u = triple[0];
    out.users[b] = u;
    int32_t* items = out.items.data() + b * S;
    items[0] = triple[1];
    items[1] = triple[2];
    const int32_t* P = train_->row_begin(u);
    const int64_t len = train_->row_size(u);
    const uint32_t n_free = view_.n_items - static_cast<uint32_t>(len);
    Philox4 r{};
    for (int j = 1; j < J_; ++j) {
      if ((j - 1) % 4 == 0) {
        r = philox_draw(seed_, RngStream::kExampleNegatives, sample, epoch, static_cast<uint32_t>((j - 1) / 4));
      }
      items[1 + j] = kth_non_member(uniform_index(r.v[(j - 1) % 4], n_free), P, len);
    }
    for (int slot = 0; slot < S; ++slot) {
      if (slot % 4 == 0) r = philox_draw(seed_, RngStream::kDropout, sample, epoch, static_cast<uint32_t>(slot / 4));
      const uint8_t code = uniform_open01(r.v[slot % 4]) < p ? 1 : 0;
      if (slot == 0) {
        out.code_user[b] = code;
      } else {
        out.code_neg[b * J_ + slot - 1] = code;
      }
    }
  }
}

}  // namespace bitrec::hashgnn

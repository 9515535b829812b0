#include "towers.hpp"

#include <algorithm>

#include "hashgnn_layout.hpp"

namespace bitrec::hashgnn {

void UserTower::forward(const std::vector<ParamBlock>& p, const NeighbourSampler& graph, const NeighbourKey& key,
                        const int32_t* users, int64_t count, int threads) {
  count_ = count;
  // Row layout first (serial, from degrees: a user with neighbours has
  // kUserFanout1 item rows, each with kUserFanout2 neighbours, since an item
  // met as a neighbour has at least that user), then the draws in parallel.
  std::vector<int64_t>& first_row = first_row_;
  first_row.resize(static_cast<size_t>(count) + 1);
  first_row[0] = 0;
  for (int64_t b = 0; b < count; ++b) {
    first_row[b + 1] = first_row[b] + 1 + (graph.degree(users[b]) > 0 ? kUserFanout1 : 0);
  }
  const int64_t n1 = first_row[count];
  rows1_.self.resize(n1);
  rows1_.nbr_ptr.resize(n1 + 1);
  rows1_.nbr_ptr[0] = 0;
  rows2_.self.resize(count);
  rows2_.nbr_ptr.resize(count + 1);
  rows2_.nbr_ptr[0] = 0;
  for (int64_t b = 0; b < count; ++b) {
    const int64_t r = first_row[b];
    const int hops = static_cast<int>(first_row[b + 1] - r - 1);
    rows1_.nbr_ptr[r + 1] = rows1_.nbr_ptr[r] + hops;
    for (int s = 0; s < hops; ++s) rows1_.nbr_ptr[r + 2 + s] = rows1_.nbr_ptr[r + 1 + s] + kUserFanout2;
    rows2_.self[b] = static_cast<int32_t>(r);
    rows2_.nbr_ptr[b + 1] = rows2_.nbr_ptr[b] + hops;
  }
  rows1_.nbr.resize(rows1_.nbr_ptr[n1]);
  rows2_.nbr.resize(rows2_.nbr_ptr[count]);
#pragma omp parallel for num_threads(threads) schedule(static) if (count >= 64)
  for (int64_t b = 0; b < count; ++b) {
    const int64_t r = first_row[b];
    rows1_.self[r] = users[b];
    int32_t* hop1 = rows1_.nbr.data() + rows1_.nbr_ptr[r];
    const int n = graph.sample(key, users[b], kUserFanout1, hop1);
    for (int s = 0; s < n; ++s) {
      rows1_.self[r + 1 + s] = hop1[s];
      graph.sample(key, hop1[s], kUserFanout2, rows1_.nbr.data() + rows1_.nbr_ptr[r + 1 + s]);
      rows2_.nbr[rows2_.nbr_ptr[b] + s] = static_cast<int32_t>(r + 1 + s);
    }
  }
  const int bits = static_cast<int>(p[kUserHashW].cols);
  sage_forward(p[kEmbedding].value.data(), kEmbed, rows1_, p[kUserSage1W].value.data(), p[kUserSage1B].value.data(),
               kHidden, layer1_, threads);
  sage_forward(layer1_.out.data(), kHidden, rows2_, p[kUserSage2W].value.data(), p[kUserSage2B].value.data(),
               kHidden, layer2_, threads);
  hash_forward(layer2_.out.data(), count, kHidden, p[kUserHashW].value.data(), p[kUserHashB].value.data(), bits,
               hash_, threads);
}

void UserTower::backward(const std::vector<ParamBlock>& p, const float* dh, DenseGrads& grads,
                         std::vector<GradEntry>& table, int threads) {
  const int bits = static_cast<int>(p[kUserHashW].cols);
  hash_backward(layer2_.out.data(), count_, kHidden, p[kUserHashW].value.data(), bits, dh, hash_,
                grads[kUserHashW].data(), grads[kUserHashB].data(), threads);
  local_entries_.clear();
  sage_backward(rows2_, kHidden, p[kUserSage2W].value.data(), kHidden, hash_.d_z.data(), layer2_,
                grads[kUserSage2W].data(), grads[kUserSage2B].data(), local_entries_, threads);
  // Layer 1's rows each feed one layer-2 row (a tree per user), but summing
  // through the accumulator keeps this right for any row structure.
  const int64_t n1 = rows1_.size();
  if (local_.capacity() < n1) local_.resize(n1);
  local_.accumulate(local_entries_, kHidden, d_h1_sparse_, threads);
  d_h1_.assign(static_cast<size_t>(n1) * kHidden, 0.0f);
  for (size_t r = 0; r < d_h1_sparse_.rows.size(); ++r) {
    std::copy(d_h1_sparse_.grad.begin() + r * kHidden, d_h1_sparse_.grad.begin() + (r + 1) * kHidden,
              d_h1_.begin() + static_cast<int64_t>(d_h1_sparse_.rows[r]) * kHidden);
  }
  sage_backward(rows1_, kEmbed, p[kUserSage1W].value.data(), kHidden, d_h1_.data(), layer1_,
                grads[kUserSage1W].data(), grads[kUserSage1B].data(), table, threads);
}

void ItemTower::forward(const std::vector<ParamBlock>& p, const NeighbourSampler& graph, const NeighbourKey& key,
                        const int32_t* items, int64_t count, int threads) {
  count_ = count;
  rows1_.self.resize(count);
  rows1_.nbr_ptr.resize(count + 1);
  rows1_.nbr_ptr[0] = 0;
  for (int64_t b = 0; b < count; ++b) {
    const int32_t node = graph.n_users() + items[b];
    rows1_.self[b] = node;
    rows1_.nbr_ptr[b + 1] = rows1_.nbr_ptr[b] + (graph.degree(node) > 0 ? kItemFanout : 0);
  }
  rows1_.nbr.resize(rows1_.nbr_ptr[count]);
#pragma omp parallel for num_threads(threads) schedule(static) if (count >= 64)
  for (int64_t b = 0; b < count; ++b) {
    graph.sample(key, rows1_.self[b], kItemFanout, rows1_.nbr.data() + rows1_.nbr_ptr[b]);
  }
  const int bits = static_cast<int>(p[kItemHashW].cols);
  sage_forward(p[kEmbedding].value.data(), kEmbed, rows1_, p[kItemSage1W].value.data(), p[kItemSage1B].value.data(),
               kHidden, layer1_, threads);
  hash_forward(layer1_.out.data(), count, kHidden, p[kItemHashW].value.data(), p[kItemHashB].value.data(), bits,
               hash_, threads);
}

void ItemTower::backward(const std::vector<ParamBlock>& p, const float* dh, DenseGrads& grads,
                         std::vector<GradEntry>& table, int threads) {
  const int bits = static_cast<int>(p[kItemHashW].cols);
  hash_backward(layer1_.out.data(), count_, kHidden, p[kItemHashW].value.data(), bits, dh, hash_,
                grads[kItemHashW].data(), grads[kItemHashB].data(), threads);
  sage_backward(rows1_, kEmbed, p[kItemSage1W].value.data(), kHidden, hash_.d_z.data(), layer1_,
                grads[kItemSage1W].data(), grads[kItemSage1B].data(), table, threads);
}

}  // namespace bitrec::hashgnn

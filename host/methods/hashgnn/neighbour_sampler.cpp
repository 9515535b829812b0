#include "neighbour_sampler.hpp"

#include "bitrec/kernels/philox.hpp"

namespace bitrec::hashgnn {

NeighbourSampler::NeighbourSampler(const Dataset& data)
    : user_items_(&data.train), n_users_(data.n_users), n_items_(data.n_items) {
  const Csr& r = data.train;
  item_users_.rows = n_items_;
  item_users_.cols = n_users_;
  item_users_.indptr.assign(static_cast<size_t>(n_items_) + 1, 0);
  for (int32_t item : r.indices) ++item_users_.indptr[item + 1];
  for (int32_t i = 0; i < n_items_; ++i) item_users_.indptr[i + 1] += item_users_.indptr[i];
  item_users_.indices.resize(r.indices.size());
  std::vector<int64_t> fill(item_users_.indptr.begin(), item_users_.indptr.end() - 1);
  for (int32_t u = 0; u < n_users_; ++u) {  // users ascending: rows stay sorted
    for (const int32_t* it = r.row_begin(u); it != r.row_end(u); ++it) item_users_.indices[fill[*it]++] = u;
  }
}

int64_t NeighbourSampler::degree(int32_t node) const {
  return node < n_users_ ? user_items_->row_size(node) : item_users_.row_size(node - n_users_);
}

int NeighbourSampler::sample(const NeighbourKey& key, int32_t node, int fanout, int32_t* out) const {
  const bool is_user = node < n_users_;
  const Csr& adj = is_user ? *user_items_ : item_users_;
  const int32_t row = is_user ? node : node - n_users_;
  const int64_t deg = adj.row_size(row);
  if (deg == 0) return 0;
  const int32_t* nbrs = adj.row_begin(row);
  const int32_t offset = is_user ? n_users_ : 0;  // neighbours of a user are items
  Philox4 r{};
  for (int s = 0; s < fanout; ++s) {
    if (s % 4 == 0) {
      r = philox_draw(key.seed, RngStream::kNeighbours, static_cast<uint32_t>(node), key.epoch,
                      key.batch * 4u + static_cast<uint32_t>(s / 4));
    }
    out[s] = offset + nbrs[uniform_index(r.v[s % 4], static_cast<uint32_t>(deg))];
  }
  return fanout;
}

}  // namespace bitrec::hashgnn

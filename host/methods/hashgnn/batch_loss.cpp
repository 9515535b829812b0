#include "batch_loss.hpp"

#include "hashgnn_layout.hpp"

namespace bitrec::hashgnn {
namespace {

double squared_norm(const float* x, int64_t n) {
  double s = 0.0;
  for (int64_t k = 0; k < n; ++k) s += static_cast<double>(x[k]) * x[k];
  return s;
}

}  // namespace

BatchLoss BatchLossEngine::run(const std::vector<ParamBlock>& p, const NeighbourSampler& graph,
                               const ExampleBatch& ex, const NeighbourKey& key, const LossSettings& s,
                               BatchGrads* grads, int threads) {
  const int64_t B = ex.B;
  const int S = 1 + ex.J;
  const int bits = static_cast<int>(p[kUserHashW].cols);
  user_tower_.forward(p, graph, key, ex.users.data(), B, threads);
  item_tower_.forward(p, graph, key, ex.items.data(), B * S, threads);

  LossInputs in;
  in.h_user = user_tower_.h().data();
  in.h_item = item_tower_.h().data();
  in.code_user = ex.code_user.data();
  in.code_neg = ex.code_neg.data();
  in.B = B;
  in.J = ex.J;
  in.bits = bits;
  in.bce_weight = s.bce_weight;
  in.estimator = s.estimator;
  d_user_.resize(static_cast<size_t>(B) * bits);
  d_item_.resize(static_cast<size_t>(B) * S * bits);
  BatchLoss out;
  out.terms = hashgnn_loss(in, d_user_.data(), d_item_.data(), threads);

  // L2 on the rows of the batch's own nodes (with multiplicity) and on the
  // weight matrices, as BGCH's code and docs/methods.md §2 scale it: /B.
  const float* E = p[kEmbedding].value.data();
  const int32_t m = graph.n_users();
  double l2 = 0.0;
  for (int64_t b = 0; b < B; ++b) {
    l2 += squared_norm(E + static_cast<int64_t>(ex.users[b]) * kEmbed, kEmbed);
    for (int t = 0; t < S; ++t) l2 += squared_norm(E + static_cast<int64_t>(m + ex.items[b * S + t]) * kEmbed, kEmbed);
  }
  for (int k = 0; k < kBlockCount; ++k) {
    if (is_dense_weight(k)) l2 += squared_norm(p[k].value.data(), p[k].size());
  }
  out.l2 = s.decay / (2.0 * B) * l2;
  out.total = out.terms.total(s.bce_weight) + out.l2;
  if (grads == nullptr) return out;

  DenseGrads& g = grads->dense;
  g.resize(kBlockCount);
  for (int k = 0; k < kBlockCount; ++k) {
    if (k == kEmbedding) continue;
    g[k].assign(static_cast<size_t>(p[k].size()), 0.0f);
  }
  table_entries_.clear();
  user_tower_.backward(p, d_user_.data(), g, table_entries_, threads);
  item_tower_.backward(p, d_item_.data(), g, table_entries_, threads);
  const float c = s.decay / static_cast<float>(B);
  if (c != 0.0f) {
    for (int64_t b = 0; b < B; ++b) {
      table_entries_.push_back({ex.users[b], c, E + static_cast<int64_t>(ex.users[b]) * kEmbed});
      for (int t = 0; t < S; ++t) {
        const int32_t node = m + ex.items[b * S + t];
        table_entries_.push_back({node, c, E + static_cast<int64_t>(node) * kEmbed});
      }
    }
    for (int k = 0; k < kBlockCount; ++k) {
      if (!is_dense_weight(k)) continue;
      for (int64_t e = 0; e < p[k].size(); ++e) g[k][e] += c * p[k].value[e];
    }
  }
  table_acc_.accumulate(table_entries_, kEmbed, grads->embedding, threads);
  return out;
}

}  // namespace bitrec::hashgnn

#include "bitrec/session_eval.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "bitrec/kernels/hamming.hpp"
#include "cpu/dense_gemm.hpp"
#include "methods/gru4rec/gru4rec_network.hpp"

namespace bitrec {

SessionMetricSums::SessionMetricSums(std::vector<int> ks)
    : topk(std::move(ks)), hits(topk.size(), 0.0), reciprocal(topk.size(), 0.0), dcg(topk.size(), 0.0) {}

void SessionMetricSums::add(int64_t rank) {
  ++predictions;
  for (size_t k = 0; k < topk.size(); ++k) {
    if (rank > topk[k]) continue;
    hits[k] += 1.0;
    reciprocal[k] += 1.0 / static_cast<double>(rank);
    dcg[k] += 1.0 / std::log2(static_cast<double>(rank) + 1.0);
  }
}

MetricMap SessionMetricSums::metrics() const {
  MetricMap m;
  const double n = predictions > 0 ? static_cast<double>(predictions) : 1.0;
  for (size_t k = 0; k < topk.size(); ++k) {
    const std::string at = "@" + std::to_string(topk[k]);
    m["recall" + at] = hits[k] / n;
    m["mrr" + at] = reciprocal[k] / n;
    m["ndcg" + at] = dcg[k] / n;
  }
  m["predictions"] = static_cast<double>(predictions);
  return m;
}

int64_t conservative_rank(const float* scores, int64_t n, int64_t target) {
  const float t = scores[target];
  if (!std::isfinite(t)) return n;
  int64_t rank = 0;
  for (int64_t j = 0; j < n; ++j) rank += scores[j] >= t ? 1 : 0;
  return rank;
}

namespace {

// Items per score tile: a multiple of the GEMM's 64-column register tile;
// the tile's output vectors (d × 256 floats) stay in L2.
constexpr int kItemTile = 256;

// Wyᵀ cut into item tiles, each [d, width] contiguous, for dense::gemm_rows.
struct ItemTiles {
  int d = 0;
  int32_t n_items = 0;
  std::vector<float> data;  // tile k at offset k · d · kItemTile
  int count() const { return (n_items + kItemTile - 1) / kItemTile; }
  int width(int k) const { return std::min<int32_t>(kItemTile, n_items - k * kItemTile); }
  const float* tile(int k) const { return data.data() + static_cast<int64_t>(k) * d * kItemTile; }
};

ItemTiles item_tiles(const float* wy, int32_t n_items, int d) {
  ItemTiles t;
  t.d = d;
  t.n_items = n_items;
  t.data.assign(static_cast<size_t>(t.count()) * d * kItemTile, 0.0f);
  for (int k = 0; k < t.count(); ++k) {
    float* out = t.data.data() + static_cast<int64_t>(k) * d * kItemTile;
    const int w = t.width(k);
    for (int j = 0; j < w; ++j) {
      const float* v = wy + (static_cast<int64_t>(k) * kItemTile + j) * d;
      for (int c = 0; c < d; ++c) out[static_cast<int64_t>(c) * w + j] = v[c];
    }
  }
  return t;
}

}  // namespace

namespace {

// The sign codes of `rows` vectors of width d (kernels/hamming.hpp's layout).
std::vector<uint64_t> pack_rows(const float* vectors, int64_t rows, int d) {
  const int words = code_words(d);
  std::vector<uint64_t> codes(static_cast<size_t>(rows) * words);
  for (int64_t r = 0; r < rows; ++r) pack_signs(vectors + r * d, d, codes.data() + r * words);
  return codes;
}

}  // namespace

ModeMetrics evaluate_sessions_in_modes(const std::vector<ParamBlock>& blocks, const TrainConfig& config,
                                       int32_t n_items, const SessionSet& sessions, const SessionEvalOptions& options) {
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  const gru4rec::NetworkShape shape = gru4rec::network_shape(config, n_items);
  const gru4rec::GruNetwork net(shape, blocks);
  const int d = shape.out_dim();
  const ItemTiles tiles = item_tiles(net.item_vectors(), n_items, d);
  const float* bias = net.item_bias();
  const bool want_real = std::count(options.modes.begin(), options.modes.end(), RetrievalMode::kReal) > 0;
  const bool want_hamming = std::count(options.modes.begin(), options.modes.end(), RetrievalMode::kHamming) > 0;
  const bool want_hier = std::count(options.modes.begin(), options.modes.end(), RetrievalMode::kHier) > 0;
  const int words = code_words(d);
  const std::vector<uint64_t> item_codes =
      want_hamming || want_hier ? pack_rows(net.item_vectors(), n_items, d) : std::vector<uint64_t>();
  const int64_t rerank = std::min<int64_t>(std::max(options.rerank, 1), n_items);

  // Longest sessions first, so the sessions still reading at any step are a
  // prefix of their group and the hidden states need no gathering.
  std::vector<int64_t> order(static_cast<size_t>(sessions.n_sessions()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return sessions.length(a) > sessions.length(b); });

  SessionMetricSums real_sums(options.topk), hamming_sums(options.topk), hier_sums(options.topk);
  const int group = std::max(1, options.sessions_per_group);
  std::vector<std::vector<float>> hidden(shape.hidden.size());
  std::vector<float> scratch, scores;
  std::vector<int32_t> items;
  std::vector<int64_t> real_ranks, hamming_ranks, hier_ranks;
  // Per thread: one prediction's distance to every item (hamming, hier).
  std::vector<std::vector<int>> distances(
      static_cast<size_t>(threads), std::vector<int>(want_hamming || want_hier ? static_cast<size_t>(n_items) : 0));
  for (size_t g0 = 0; g0 < order.size(); g0 += group) {
    const size_t g1 = std::min(order.size(), g0 + group);
    for (size_t l = 0; l < hidden.size(); ++l) hidden[l].assign((g1 - g0) * shape.hidden[l], 0.0f);
    const int64_t steps = sessions.length(order[g0]) - 1;
    for (int64_t t = 0; t < steps; ++t) {
      int64_t rows = 0;
      while (g0 + rows < g1 && sessions.length(order[g0 + rows]) > t + 1) ++rows;
      items.resize(static_cast<size_t>(rows));
      for (int64_t r = 0; r < rows; ++r) items[r] = sessions.items[sessions.offsets[order[g0 + r]] + t];
      net.step(items.data(), rows, hidden, scratch, 1);  // a few rows: one thread (the scores below use all)
      const float* h = hidden.back().data();
      // Real scores of every item, tile by tile: [tile][row][width].
      scores.resize(static_cast<size_t>(tiles.count()) * rows * kItemTile);
#pragma omp parallel for num_threads(threads) schedule(dynamic)
      for (int k = 0; k < tiles.count(); ++k) {
        const int w = tiles.width(k);
        float* out = scores.data() + static_cast<int64_t>(k) * rows * kItemTile;
        dense::gemm_rows(h, tiles.tile(k), out, rows, d, w, 1);
        const float* b = bias + static_cast<int64_t>(k) * kItemTile;
        for (int64_t r = 0; r < rows; ++r) {
          for (int j = 0; j < w; ++j) out[r * w + j] += b[j];
        }
      }
      const auto real_score = [&](int64_t r, int32_t item) {
        const int tk = item / kItemTile;
        return scores[static_cast<int64_t>(tk) * rows * kItemTile + r * tiles.width(tk) + item % kItemTile];
      };
      const std::vector<uint64_t> session_codes =
          want_hamming || want_hier ? pack_rows(h, rows, d) : std::vector<uint64_t>();
      real_ranks.assign(static_cast<size_t>(rows), 0);
      hamming_ranks.assign(static_cast<size_t>(rows), 0);
      hier_ranks.assign(static_cast<size_t>(rows), 0);
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int64_t r = 0; r < rows; ++r) {
        const int32_t target = sessions.items[sessions.offsets[order[g0 + r]] + t + 1];
        const float ts = real_score(r, target);
        if (want_real) {
          int64_t rank = 0;
          if (!std::isfinite(ts)) {
            rank = n_items;
          } else {
            for (int k = 0; k < tiles.count(); ++k) {
              const int w = tiles.width(k);
              const float* row = scores.data() + static_cast<int64_t>(k) * rows * kItemTile + r * w;
              for (int j = 0; j < w; ++j) rank += row[j] >= ts ? 1 : 0;
            }
          }
          real_ranks[r] = rank;
        }
        if (want_hamming || want_hier) {
          // Every item's distance once: the histogram gives the Hamming rank
          // and hier's edge, one more pass its candidates.
          const uint64_t* code = session_codes.data() + r * words;
          std::vector<int>& distance = distances[omp_get_thread_num()];
          std::vector<int64_t> histogram(static_cast<size_t>(d) + 1, 0);
          for (int32_t j = 0; j < n_items; ++j) {
            distance[j] = hamming_distance(code, item_codes.data() + int64_t{j} * words, words);
            ++histogram[distance[j]];
          }
          const int target_distance = distance[target];
          int64_t at_most = 0;  // items at distance <= the target's
          for (int dist = 0; dist <= target_distance; ++dist) at_most += histogram[dist];
          hamming_ranks[r] = at_most;
          if (want_hier) {
            // The R nearest codes, ties at the edge by ascending item id.
            int edge = 0;
            int64_t before = 0;  // items strictly nearer than the edge distance
            while (before + histogram[edge] < rerank) before += histogram[edge++];
            const int64_t at_edge = rerank - before;
            bool candidate = target_distance < edge;
            int64_t edge_seen = 0;
            int64_t rank = 0;
            for (int32_t j = 0; j < n_items; ++j) {
              bool in = distance[j] < edge;
              if (distance[j] == edge && edge_seen < at_edge) {
                in = true;
                ++edge_seen;
                if (j == target) candidate = true;
              }
              if (in && real_score(r, j) >= ts) ++rank;
            }
            hier_ranks[r] = candidate && std::isfinite(ts) ? rank : n_items;
          }
        }
      }
      for (int64_t r = 0; r < rows; ++r) {
        if (want_real) real_sums.add(real_ranks[r]);
        if (want_hamming) hamming_sums.add(hamming_ranks[r]);
        if (want_hier) hier_sums.add(hier_ranks[r]);
      }
    }
  }
  ModeMetrics out;
  if (want_real) out[retrieval_mode_name(RetrievalMode::kReal)] = real_sums.metrics();
  if (want_hamming) out[retrieval_mode_name(RetrievalMode::kHamming)] = hamming_sums.metrics();
  if (want_hier) out[retrieval_mode_name(RetrievalMode::kHier)] = hier_sums.metrics();
  return out;
}

MetricMap evaluate_sessions(const std::vector<ParamBlock>& blocks, const TrainConfig& config, int32_t n_items,
                            const SessionSet& sessions, const SessionEvalOptions& options) {
  SessionEvalOptions real = options;
  real.modes = {RetrievalMode::kReal};
  return evaluate_sessions_in_modes(blocks, config, n_items, sessions, real).at(
      retrieval_mode_name(RetrievalMode::kReal));
}

ModeMetrics evaluate_session_modes(const std::vector<ParamBlock>& blocks, const TrainConfig& config,
                                   const Dataset& data, const SessionSet& sessions, std::vector<RetrievalMode> modes) {
  SessionEvalOptions options;
  options.topk = config.topk;
  options.threads = config.threads;
  options.modes = modes.empty() ? modes_for(config.method) : std::move(modes);
  options.rerank = default_rerank(config.kmax);
  return evaluate_sessions_in_modes(blocks, config, data.n_items, sessions, options);
}

}  // namespace bitrec

#include "bitrec/session_recommend.hpp"

#include <algorithm>
#include <numeric>

#include "bitrec/error.hpp"
#include "bitrec/kernels/hamming.hpp"
#include "methods/gru4rec/gru4rec_network.hpp"

namespace bitrec {

std::vector<int32_t> session_items(const Dataset& data, int32_t row) {
  if (!data.sessions) throw InputError("session_items: the dataset holds no sessions");
  const SessionData& s = *data.sessions;
  const SessionSet* set = &s.train;
  int64_t index = row;
  if (index >= set->n_sessions()) index -= set->n_sessions(), set = &s.valid;
  if (index >= set->n_sessions()) index -= set->n_sessions(), set = &s.test;
  return std::vector<int32_t>(set->items.begin() + set->offsets[index], set->items.begin() + set->offsets[index + 1]);
}

TopK recommend_sessions(const ServedModel& model, const std::vector<std::vector<int32_t>>& sessions,
                        const RankingOptions& options) {
  check_ranking_options(options);
  const gru4rec::NetworkShape shape = gru4rec::network_shape(model.config, model.data.n_items);
  const gru4rec::GruNetwork net(shape, model.blocks);
  const int32_t n_items = model.data.n_items;
  const int d = shape.out_dim();
  const int words = code_words(d);
  const int k = std::min<int>(options.k, n_items);
  // Codes of the items' output vectors (hamming, hier), as the evaluation's.
  std::vector<uint64_t> item_codes;
  if (options.mode != ServeMode::kReal) {
    item_codes.resize(static_cast<size_t>(n_items) * words);
    for (int32_t i = 0; i < n_items; ++i) pack_signs(net.item_vectors() + int64_t{i} * d, d, &item_codes[i * words]);
  }
  TopK top;
  top.k = options.k;
  top.n_users = static_cast<int64_t>(sessions.size());
  top.items.assign(static_cast<size_t>(top.n_users) * options.k, -1);
  top.scores.assign(top.items.size(), 0.0f);
  std::vector<std::vector<float>> hidden(shape.hidden.size());
  std::vector<float> scratch, scores(static_cast<size_t>(n_items));
  std::vector<int> distance(static_cast<size_t>(n_items));
  std::vector<uint64_t> session_code(static_cast<size_t>(words));
  std::vector<int32_t> order(static_cast<size_t>(n_items));
  for (size_t row = 0; row < sessions.size(); ++row) {
    for (size_t l = 0; l < hidden.size(); ++l) hidden[l].assign(static_cast<size_t>(shape.hidden[l]), 0.0f);
    for (int32_t item : sessions[row]) net.step(&item, 1, hidden, scratch, 1);
    const float* h = hidden.back().data();
    for (int32_t i = 0; i < n_items; ++i) {
      const float* v = net.item_vectors() + static_cast<int64_t>(i) * d;
      float s = 0.0f;
      for (int c = 0; c < d; ++c) s += h[c] * v[c];
      scores[i] = s + net.item_bias()[i];
    }
    std::iota(order.begin(), order.end(), 0);
    const auto by_score = [&](int32_t a, int32_t b) { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); };
    if (options.mode == ServeMode::kReal) {
      std::partial_sort(order.begin(), order.begin() + k, order.end(), by_score);
    } else {
      pack_signs(h, d, session_code.data());
      for (int32_t i = 0; i < n_items; ++i) {
        distance[i] = hamming_distance(session_code.data(), &item_codes[i * words], words);
      }
      const auto by_distance = [&](int32_t a, int32_t b) {
        return distance[a] < distance[b] || (distance[a] == distance[b] && a < b);
      };
      if (options.mode == ServeMode::kHamming) {
        std::partial_sort(order.begin(), order.begin() + k, order.end(), by_distance);
      } else {  // hier: the R nearest codes re-ranked by the real score
        const int r = std::max(k, std::min<int>(options.rerank, n_items));
        std::partial_sort(order.begin(), order.begin() + r, order.end(), by_distance);
        std::partial_sort(order.begin(), order.begin() + k, order.begin() + r, by_score);
      }
    }
    for (int i = 0; i < k; ++i) {
      const int32_t item = order[i];
      top.items[row * options.k + i] = item;
      top.scores[row * options.k + i] =
          options.mode == ServeMode::kHamming ? static_cast<float>(distance[item]) : scores[item];
    }
  }
  return top;
}

}  // namespace bitrec

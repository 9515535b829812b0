#include "bitrec/session_recommend.hpp"

#include <algorithm>
#include <numeric>

#include "bitrec/error.hpp"
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
  if (options.mode != ServeMode::kReal) {
    throw InputError(std::string("--mode ") + serve_mode_name(options.mode) + ": the run's method " +
                     method_name(model.config.method) + " has no codes; use --mode real");
  }
  const gru4rec::NetworkShape shape = gru4rec::network_shape(model.config, model.data.n_items);
  const gru4rec::GruNetwork net(shape, model.blocks);
  const int32_t n_items = model.data.n_items;
  const int d = shape.out_dim();
  const int k = std::min<int>(options.k, n_items);
  TopK top;
  top.k = options.k;
  top.n_users = static_cast<int64_t>(sessions.size());
  top.items.assign(static_cast<size_t>(top.n_users) * options.k, -1);
  top.scores.assign(top.items.size(), 0.0f);
  std::vector<std::vector<float>> hidden(shape.hidden.size());
  std::vector<float> scratch, scores(static_cast<size_t>(n_items));
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
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int32_t a, int32_t b) {
      return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
    });
    for (int r = 0; r < k; ++r) {
      top.items[row * options.k + r] = order[r];
      top.scores[row * options.k + r] = scores[order[r]];
    }
  }
  return top;
}

}  // namespace bitrec

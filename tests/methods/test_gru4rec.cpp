// gru4rec's host pieces (docs/sessions.md): the session-parallel mini-batch
// schedule against the official GRU4Rec iterator, the popularity^alpha
// negative sampler, the next-item evaluation's ranks and metric sums, and a
// run stopped inside an epoch and resumed equal to the uninterrupted one.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/session_eval.hpp"
#include "bitrec/sessions.hpp"
#include "bitrec/trainer.hpp"
#include "methods/gru4rec/gru4rec_network.hpp"
#include "methods/gru4rec/item_sampler.hpp"
#include "methods/gru4rec/session_batches.hpp"
#include "test_data_util.hpp"
#include "train/resume_test_util.hpp"

namespace bitrec {
namespace {

using gru4rec::build_session_batches;
using gru4rec::ItemSampler;
using gru4rec::SessionBatches;

SessionSet make_sessions(const std::vector<std::vector<int32_t>>& sessions) {
  SessionSet s;
  for (size_t k = 0; k < sessions.size(); ++k) {
    s.items.insert(s.items.end(), sessions[k].begin(), sessions[k].end());
    s.offsets.push_back(static_cast<int64_t>(s.items.size()));
    s.session_ids.push_back(std::to_string(k));
    s.start_times.push_back(static_cast<double>(k));
  }
  return s;
}

struct Row {
  int32_t slot, input, target;
  bool reset;
  bool operator==(const Row& o) const {
    return slot == o.slot && input == o.input && target == o.target && reset == o.reset;
  }
};

std::ostream& operator<<(std::ostream& os, const Row& r) {
  return os << "{slot " << r.slot << ", " << r.input << "->" << r.target << (r.reset ? ", reset}" : "}");
}

std::vector<std::vector<Row>> steps_of(const SessionBatches& b) {
  std::vector<std::vector<Row>> steps;
  for (int64_t s = 0; s < b.steps(); ++s) {
    std::vector<Row> rows;
    for (int64_t r = b.offsets[s]; r < b.offsets[s + 1]; ++r) {
      rows.push_back({b.slot[r], b.input[r], b.target[r], b.reset[r] != 0});
    }
    steps.push_back(rows);
  }
  return steps;
}

// The official GRU4Rec's SessionDataIterator.__call__ (gru4rec_pytorch.py),
// line for line: slots read sessions side by side for minlen - 1 steps; then
// every finished slot, in slot order, takes the next session
// (iters[finished] = maxiter + 1 ..), its hidden state is zeroed (the reset
// hook), and slots past the last session are dropped (compacted, order kept).
std::vector<std::vector<Row>> official_schedule(const SessionSet& s, int batch) {
  const int64_t n = s.n_sessions();
  std::vector<int64_t> iters, start, end;
  std::vector<int32_t> slot;
  std::vector<bool> fresh;
  for (int k = 0; k < batch; ++k) {
    iters.push_back(k);
    start.push_back(s.offsets[k]);
    end.push_back(s.offsets[k + 1]);
    slot.push_back(k);
    fresh.push_back(true);
  }
  int64_t maxiter = batch - 1;
  std::vector<std::vector<Row>> steps;
  while (true) {
    int64_t minlen = std::numeric_limits<int64_t>::max();
    for (size_t k = 0; k < start.size(); ++k) minlen = std::min(minlen, end[k] - start[k]);
    for (int64_t i = 0; i < minlen - 1; ++i) {
      std::vector<Row> rows;
      for (size_t k = 0; k < start.size(); ++k) {
        rows.push_back({slot[k], s.items[start[k] + i], s.items[start[k] + i + 1], fresh[k]});
        fresh[k] = false;
      }
      steps.push_back(rows);
    }
    std::vector<bool> finished(start.size()), valid(start.size());
    int64_t n_valid = 0;
    for (size_t k = 0; k < start.size(); ++k) {
      start[k] += minlen - 1;
      finished[k] = end[k] - start[k] <= 1;
      if (finished[k]) iters[k] = ++maxiter;
      valid[k] = iters[k] < n;
      n_valid += valid[k] ? 1 : 0;
    }
    if (n_valid == 0) break;
    std::vector<int64_t> iters2, start2, end2;
    std::vector<int32_t> slot2;
    std::vector<bool> fresh2;
    for (size_t k = 0; k < start.size(); ++k) {
      if (!valid[k]) continue;
      if (finished[k]) {
        start[k] = s.offsets[iters[k]];
        end[k] = s.offsets[iters[k] + 1];
        fresh[k] = true;
      }
      iters2.push_back(iters[k]);
      start2.push_back(start[k]);
      end2.push_back(end[k]);
      slot2.push_back(slot[k]);
      fresh2.push_back(fresh[k]);
    }
    iters.swap(iters2), start.swap(start2), end.swap(end2), slot.swap(slot2), fresh.swap(fresh2);
  }
  return steps;
}

// Lengths 3, 1, 4, 2, 3 over batch 2, every step by hand.
TEST(SessionBatches, HandCaseFollowsTheOfficialIterator) {
  const SessionSet s = make_sessions({{0, 1, 2}, {3}, {4, 5, 6, 7}, {8, 9}, {10, 11, 12}});
  const SessionBatches b = build_session_batches(s, 2);
  EXPECT_EQ(b.slots, 2);
  const std::vector<std::vector<Row>> expected = {
      // slot 0 reads s0; slot 1's s1 has one event (no step): it takes s2.
      {{0, 0, 1, true}, {1, 4, 5, true}},
      {{0, 1, 2, false}, {1, 5, 6, false}},
      // s0 ended: slot 0 takes s3 and restarts from zero.
      {{0, 8, 9, true}, {1, 6, 7, false}},
      // Both ended together: slot 0 takes s4, none is left for slot 1.
      {{0, 10, 11, true}},
      {{0, 11, 12, false}},
  };
  EXPECT_EQ(steps_of(b), expected);
  ASSERT_EQ(b.steps(), 5);
  for (int64_t step = 0; step < b.steps(); ++step) EXPECT_EQ(b.rows(step), static_cast<int64_t>(expected[step].size()));
  EXPECT_EQ(b.offsets.back(), 2 + 0 + 3 + 1 + 2);  // Σ (len − 1)
  EXPECT_EQ(b.slot.size(), 8u);
  EXPECT_EQ(b.input.size(), 8u);
  EXPECT_EQ(b.target.size(), 8u);
  EXPECT_EQ(b.reset.size(), 8u);
  EXPECT_EQ(steps_of(b), official_schedule(s, 2));
}

// Slot 0 drops out first: the slots behind it keep reading, in order.
TEST(SessionBatches, ADroppedSlotLeavesTheOthersInOrder) {
  const SessionSet s = make_sessions({{0, 1}, {2, 3, 4, 5}, {6, 7, 8}, {9, 10}});
  const SessionBatches b = build_session_batches(s, 3);
  const std::vector<std::vector<Row>> expected = {
      {{0, 0, 1, true}, {1, 2, 3, true}, {2, 6, 7, true}},
      {{0, 9, 10, true}, {1, 3, 4, false}, {2, 7, 8, false}},
      {{1, 4, 5, false}},
  };
  EXPECT_EQ(steps_of(b), expected);
  EXPECT_EQ(steps_of(b), official_schedule(s, 3));
}

// More slots than sessions: one slot per session.
TEST(SessionBatches, FewerSessionsThanSlots) {
  const SessionSet s = make_sessions({{0, 1, 2}, {3, 4}});
  const SessionBatches b = build_session_batches(s, 64);
  EXPECT_EQ(b.slots, 2);
  const std::vector<std::vector<Row>> expected = {{{0, 0, 1, true}, {1, 3, 4, true}}, {{0, 1, 2, false}}};
  EXPECT_EQ(steps_of(b), expected);
}

// Random session lengths (one-event sessions included) against the official
// iterator, step by step, and Σ (len − 1) rows in all.
TEST(SessionBatches, RandomSessionsMatchTheOfficialIterator) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const int batch = 1 + static_cast<int>(rng() % 6);
    const int n = batch + static_cast<int>(rng() % 20);
    std::vector<std::vector<int32_t>> sessions(n);
    int32_t item = 0;
    int64_t rows = 0;
    for (auto& session : sessions) {
      const int len = 1 + static_cast<int>(rng() % 6);
      for (int e = 0; e < len; ++e) session.push_back(item++);
      rows += len - 1;
    }
    const SessionSet s = make_sessions(sessions);
    const SessionBatches b = build_session_batches(s, batch);
    SCOPED_TRACE("trial " + std::to_string(trial) + ", batch " + std::to_string(batch));
    EXPECT_EQ(b.offsets.back(), rows);
    ASSERT_EQ(steps_of(b), official_schedule(s, batch));
  }
}

// ---------------------------------------------------------------------------

// Items 1 and 4 never occur; the others 10, 1, 4, 25, 3, 7 times.
SessionSet popularity_sessions() {
  const std::map<int32_t, int> counts = {{0, 10}, {2, 1}, {3, 4}, {5, 25}, {6, 3}, {7, 7}};
  std::vector<int32_t> events;
  for (const auto& [item, c] : counts) events.insert(events.end(), c, item);
  std::mt19937 rng(3);
  std::shuffle(events.begin(), events.end(), rng);
  std::vector<std::vector<int32_t>> sessions;
  for (size_t k = 0; k < events.size(); k += 5) {
    sessions.emplace_back(events.begin() + k, events.begin() + std::min(events.size(), k + 5));
  }
  return make_sessions(sessions);
}

TEST(ItemSampler, DrawsDependOnlyOnSeedEpochAndStep) {
  const SessionSet train = popularity_sessions();
  const ItemSampler sampler(train, 8, 0.5f);
  EXPECT_EQ(sampler.counts(), (std::vector<float>{10, 0, 1, 4, 0, 25, 3, 7}));
  const auto draw = [&](uint64_t seed, int epoch, int64_t step, int count) {
    std::vector<int32_t> out(static_cast<size_t>(count), -1);
    sampler.draw(seed, epoch, step, count, out.data());
    return out;
  };
  const std::vector<int32_t> a = draw(11, 2, 5, 64);
  EXPECT_EQ(a, draw(11, 2, 5, 64));
  // Another sampler over the same data draws the same.
  const ItemSampler twin(train, 8, 0.5f);
  std::vector<int32_t> b(64);
  twin.draw(11, 2, 5, 64, b.data());
  EXPECT_EQ(a, b);
  // Fewer draws: a prefix of the same draws (the counter is the draw's index).
  const std::vector<int32_t> head = draw(11, 2, 5, 7);
  EXPECT_EQ(head, std::vector<int32_t>(a.begin(), a.begin() + 7));
  // Another step, epoch or seed: other draws.
  EXPECT_NE(a, draw(11, 2, 6, 64));
  EXPECT_NE(a, draw(11, 3, 5, 64));
  EXPECT_NE(a, draw(12, 2, 5, 64));
  for (int32_t item : a) {
    EXPECT_GE(item, 0);
    EXPECT_LT(item, 8);
  }
}

// Over many draws each item's frequency is count^alpha / Σ within 5
// binomial standard deviations; items without train events are never drawn.
TEST(ItemSampler, FrequenciesFollowPopularityToTheAlpha) {
  const SessionSet train = popularity_sessions();
  const std::vector<double> counts = {10, 0, 1, 4, 0, 25, 3, 7};
  for (const float alpha : {0.0f, 0.5f, 1.0f, 2.0f}) {
    SCOPED_TRACE("alpha " + std::to_string(alpha));
    const ItemSampler sampler(train, 8, alpha);
    std::vector<int64_t> seen(8, 0);
    const int per_step = 250;
    const int steps = 800;
    std::vector<int32_t> out(per_step);
    for (int step = 0; step < steps; ++step) {
      sampler.draw(99, 1 + step % 3, step, per_step, out.data());
      for (int32_t item : out) {
        ASSERT_GE(item, 0);
        ASSERT_LT(item, 8);
        ++seen[item];
      }
    }
    double total_weight = 0.0;
    for (double c : counts) total_weight += c > 0 ? std::pow(c, static_cast<double>(alpha)) : 0.0;
    const double n = static_cast<double>(per_step) * steps;
    for (int i = 0; i < 8; ++i) {
      if (counts[i] == 0) {
        EXPECT_EQ(seen[i], 0) << "item " << i << " has no train events";
        continue;
      }
      const double p = std::pow(counts[i], static_cast<double>(alpha)) / total_weight;
      const double sd = std::sqrt(n * p * (1.0 - p));
      EXPECT_NEAR(static_cast<double>(seen[i]), n * p, 5.0 * sd) << "item " << i << ", p " << p;
    }
  }
}

// ---------------------------------------------------------------------------

TEST(SessionEval, ConservativeRankCountsTiesAgainstTheTarget) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> scores = {1.0f, 3.0f, 3.0f, 2.0f, 3.0f, -1.0f};
  const int64_t n = static_cast<int64_t>(scores.size());
  EXPECT_EQ(conservative_rank(scores.data(), n, 1), 3);  // three items at 3, itself included
  EXPECT_EQ(conservative_rank(scores.data(), n, 2), 3);
  EXPECT_EQ(conservative_rank(scores.data(), n, 4), 3);
  EXPECT_EQ(conservative_rank(scores.data(), n, 3), 4);
  EXPECT_EQ(conservative_rank(scores.data(), n, 0), 5);
  EXPECT_EQ(conservative_rank(scores.data(), n, 5), 6);
  const std::vector<float> alone = {0.5f, 2.0f, 1.0f};
  EXPECT_EQ(conservative_rank(alone.data(), 3, 1), 1);
  // A non-finite target ranks last; a NaN elsewhere never outranks a target.
  const std::vector<float> with_nan = {1.0f, nan, 0.5f, 2.0f};
  EXPECT_EQ(conservative_rank(with_nan.data(), 4, 1), 4);
  EXPECT_EQ(conservative_rank(with_nan.data(), 4, 0), 2);
  EXPECT_EQ(conservative_rank(with_nan.data(), 4, 2), 3);
  const std::vector<float> with_inf = {1.0f, inf, -inf};
  EXPECT_EQ(conservative_rank(with_inf.data(), 3, 1), 3);
  EXPECT_EQ(conservative_rank(with_inf.data(), 3, 2), 3);
  EXPECT_EQ(conservative_rank(with_inf.data(), 3, 0), 2);
}

TEST(SessionEval, MetricSumsOverHandRanks) {
  SessionMetricSums sums({1, 5, 20});
  for (int64_t rank : {1, 3, 7, 25, 20}) sums.add(rank);
  const MetricMap m = sums.metrics();
  EXPECT_EQ(m.at("predictions"), 5.0);
  EXPECT_DOUBLE_EQ(m.at("recall@1"), 1.0 / 5);
  EXPECT_DOUBLE_EQ(m.at("recall@5"), 2.0 / 5);
  EXPECT_DOUBLE_EQ(m.at("recall@20"), 4.0 / 5);
  EXPECT_DOUBLE_EQ(m.at("mrr@1"), 1.0 / 5);
  EXPECT_DOUBLE_EQ(m.at("mrr@5"), (1.0 + 1.0 / 3) / 5);
  EXPECT_DOUBLE_EQ(m.at("mrr@20"), (1.0 + 1.0 / 3 + 1.0 / 7 + 1.0 / 20) / 5);
  EXPECT_DOUBLE_EQ(m.at("ndcg@1"), 1.0 / 5);
  EXPECT_DOUBLE_EQ(m.at("ndcg@5"), (1.0 + 1.0 / 2) / 5);  // 1/log2(3+1) = 1/2
  EXPECT_DOUBLE_EQ(m.at("ndcg@20"), (1.0 + 1.0 / 2 + 1.0 / 3 + 1.0 / std::log2(21.0)) / 5);  // 1/log2(8) = 1/3
  EXPECT_EQ(m.size(), 3u * 3u + 1u);
  // No prediction: zeros, not NaN.
  const MetricMap empty = SessionMetricSums({20}).metrics();
  EXPECT_EQ(empty.at("predictions"), 0.0);
  EXPECT_EQ(empty.at("recall@20"), 0.0);
  EXPECT_EQ(empty.at("mrr@20"), 0.0);
}

TrainConfig gru4rec_config(std::vector<int> hidden, SessionInput input = SessionInput::kConstrained) {
  TrainConfig c;
  c.method = Method::kGru4Rec;
  c.session.hidden = std::move(hidden);
  c.session.input = input;
  resolve_config(c);
  return c;
}

// evaluate_sessions (item tiles, longest sessions first, groups of sessions)
// against a plain reading of every session alone with double dot products,
// over 600 items (three score tiles, the last partial); any thread count
// and group size give the same metrics; for each input mode.
class SessionEvalInputs : public ::testing::TestWithParam<SessionInput> {};

TEST_P(SessionEvalInputs, EvaluateSessionsEqualsAPlainReading) {
  const int32_t n_items = 600;
  const TrainConfig config = gru4rec_config({12, 8}, GetParam());
  const gru4rec::NetworkShape shape = gru4rec::network_shape(config, n_items);
  std::vector<ParamBlock> blocks = gru4rec::init_network_blocks(shape, 5);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(-0.5f, 0.5f);
  for (ParamBlock& b : blocks) {
    if (b.name == gru4rec::kItemBias) {
      for (float& v : b.value) v = uniform(rng);
    }
  }
  std::vector<std::vector<int32_t>> raw;
  for (int k = 0; k < 40; ++k) {
    std::vector<int32_t> session(2 + rng() % 9);
    for (int32_t& item : session) item = static_cast<int32_t>(rng() % n_items);
    raw.push_back(session);
  }
  const SessionSet sessions = make_sessions(raw);

  const gru4rec::GruNetwork net(shape, blocks);
  const float* wy = net.item_vectors();
  const float* by = net.item_bias();
  const int d = shape.out_dim();
  const std::vector<int> ks = {1, 10, 20, 300};
  SessionMetricSums expected(ks);
  std::vector<float> scratch, scores(n_items);
  for (int64_t s = 0; s < sessions.n_sessions(); ++s) {
    std::vector<std::vector<float>> hidden;
    for (int h : shape.hidden) hidden.emplace_back(static_cast<size_t>(h), 0.0f);
    for (int64_t t = sessions.offsets[s]; t + 1 < sessions.offsets[s + 1]; ++t) {
      net.step(&sessions.items[t], 1, hidden, scratch, 1);
      for (int32_t j = 0; j < n_items; ++j) {
        double dot = by[j];
        for (int c = 0; c < d; ++c) dot += static_cast<double>(hidden.back()[c]) * wy[int64_t{j} * d + c];
        scores[j] = static_cast<float>(dot);
      }
      expected.add(conservative_rank(scores.data(), n_items, sessions.items[t + 1]));
    }
  }
  const MetricMap want = expected.metrics();
  EXPECT_EQ(want.at("predictions"), static_cast<double>(sessions.n_events() - sessions.n_sessions()));
  EXPECT_GT(want.at("recall@300"), 0.0);
  EXPECT_LT(want.at("recall@300"), 1.0);
  for (const int threads : {1, 2}) {
    for (const int group : {1, 7, 256}) {
      SCOPED_TRACE("threads " + std::to_string(threads) + ", group " + std::to_string(group));
      SessionEvalOptions options;
      options.topk = ks;
      options.threads = threads;
      options.sessions_per_group = group;
      const MetricMap got = evaluate_sessions(blocks, config, n_items, sessions, options);
      ASSERT_EQ(got.size(), want.size());
      for (const auto& [key, value] : want) EXPECT_NEAR(got.at(key), value, 1e-12) << key;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Inputs, SessionEvalInputs,
                         ::testing::Values(SessionInput::kConstrained, SessionInput::kEmbedding, SessionInput::kOneHot),
                         [](const ::testing::TestParamInfo<SessionInput>& info) {
                           return std::string(session_input_name(info.param));
                         });

// The hamming and hier modes against a plain reading: each session's state
// signed and compared with every item's signed output vector (conservative:
// items at most as far as the target); hier takes the R nearest codes, ties
// by item id, and ranks the target among them by the real score (a miss
// outside them). 16-bit codes over 600 items make distance ties common.
TEST(SessionEval, HammingAndHierEqualAPlainReading) {
  const int32_t n_items = 600;
  TrainConfig config;
  config.method = Method::kGru4RecHash;
  config.session.hidden = {16};
  resolve_config(config);
  const gru4rec::NetworkShape shape = gru4rec::network_shape(config, n_items);
  std::vector<ParamBlock> blocks = gru4rec::init_network_blocks(shape, 9);
  std::mt19937 rng(9);
  std::vector<std::vector<int32_t>> raw;
  for (int k = 0; k < 30; ++k) {
    std::vector<int32_t> session(2 + rng() % 7);
    for (int32_t& item : session) item = static_cast<int32_t>(rng() % n_items);
    raw.push_back(session);
  }
  const SessionSet sessions = make_sessions(raw);
  const gru4rec::GruNetwork net(shape, blocks);
  const int d = shape.out_dim();
  const int rerank = 50;
  const std::vector<int> ks = {1, 10, 40};
  SessionMetricSums hamming(ks), hier(ks);
  std::vector<float> scratch, scores(n_items);
  std::vector<int> distance(n_items);
  for (int64_t s = 0; s < sessions.n_sessions(); ++s) {
    std::vector<std::vector<float>> hidden{std::vector<float>(static_cast<size_t>(d), 0.0f)};
    for (int64_t t = sessions.offsets[s]; t + 1 < sessions.offsets[s + 1]; ++t) {
      net.step(&sessions.items[t], 1, hidden, scratch, 1);
      const float* h = hidden.back().data();
      for (int32_t j = 0; j < n_items; ++j) {
        const float* v = net.item_vectors() + int64_t{j} * d;
        int dist = 0;
        for (int c = 0; c < d; ++c) dist += (h[c] >= 0.0f) != (v[c] >= 0.0f) ? 1 : 0;
        distance[j] = dist;
      }
      const int32_t target = sessions.items[t + 1];
      hamming.add(std::count_if(distance.begin(), distance.end(), [&](int x) { return x <= distance[target]; }));
      // Real scores in double: the evaluation's float products differ in
      // the last bits, which moves a rank only through an exact tie of two
      // scores, which random weights do not produce.
      for (int32_t j = 0; j < n_items; ++j) {
        const float* v = net.item_vectors() + int64_t{j} * d;
        double dot = net.item_bias()[j];
        for (int c = 0; c < d; ++c) dot += static_cast<double>(h[c]) * v[c];
        scores[j] = static_cast<float>(dot);
      }
      std::vector<int32_t> order(n_items);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return distance[a] < distance[b]; });
      order.resize(rerank);
      const bool in = std::find(order.begin(), order.end(), target) != order.end();
      hier.add(in ? std::count_if(order.begin(), order.end(), [&](int32_t j) { return scores[j] >= scores[target]; })
                  : n_items);
    }
  }
  for (const int threads : {1, 2}) {
    SessionEvalOptions options;
    options.topk = ks;
    options.threads = threads;
    options.sessions_per_group = 4;
    options.rerank = rerank;
    options.modes = {RetrievalMode::kHamming, RetrievalMode::kHier};
    const ModeMetrics got = evaluate_sessions_in_modes(blocks, config, n_items, sessions, options);
    for (const auto& [mode, sums] : {std::make_pair("hamming", &hamming), std::make_pair("hier", &hier)}) {
      const MetricMap want = sums->metrics();
      EXPECT_GT(want.at("recall@40"), 0.0) << mode;
      for (const auto& [key, value] : want) EXPECT_NEAR(got.at(mode).at(key), value, 1e-12) << mode << " " << key;
    }
  }
}

// ---------------------------------------------------------------------------

TrainConfig small_gru4rec(int epochs) {
  TrainConfig c;
  c.method = Method::kGru4Rec;
  c.epochs = epochs;
  c.eval_every = 1;
  c.batch = 8;
  c.batch_set = true;
  c.session.hidden = {16, 12};
  c.session.n_sample = 40;
  c.session.momentum = 0.3f;
  c.session.dropout_embed = 0.1f;
  c.session.dropout_hidden = 0.2f;
  c.session.logq = 0.5f;
  c.topk = {5, 20};
  c.topk_set = true;
  resolve_config(c);
  return c;
}

// Stopped inside an epoch (and at an epoch's end), checkpointed to disk and
// resumed on another thread count: bit for bit the uninterrupted run,
// carried hidden states, Adagrad moments, dropout and negatives included.
TEST(Gru4RecResume, StoppedInsideAnEpochAndResumedEqualsUninterrupted) {
  const std::string dir = test::fresh_test_dir();
  const Dataset data = load_dataset(test::write_session_file(dir, "sessions.tsv", 60, 30, /*walk=*/false, 4));
  ASSERT_TRUE(data.sessions);
  for (const SessionLoss loss : {SessionLoss::kCrossEntropy, SessionLoss::kBprMax, SessionLoss::kTop1Max}) {
    TrainConfig cfg = small_gru4rec(3);
    cfg.session.loss = loss;
    // top1-max runs with the one-hot input: its first layer's carried state
    // and its row-updated W_x must resume too.
    if (loss == SessionLoss::kTop1Max) cfg.session.input = SessionInput::kOneHot;
    SCOPED_TRACE(session_loss_name(loss));
    auto backend = make_cpu_backend(2);
    const TrainSummary whole = train_model(*backend, data, cfg, nullptr);
    ASSERT_EQ(whole.stop, TrainStop::kFinished);
    const int64_t per_epoch = gru4rec::build_session_batches(data.sessions->train, cfg.batch).steps();
    ASSERT_GE(per_epoch, 4);
    for (const int64_t stop : {int64_t{1}, per_epoch / 2 + 1, per_epoch, per_epoch + per_epoch / 2}) {
      SCOPED_TRACE("stopped after " + std::to_string(stop) + " batches");
      const TrainSummary resumed = testing::stopped_and_resumed(data, cfg, stop);
      testing::expect_same_run(whole, resumed);
    }
  }
}

}  // namespace
}  // namespace bitrec

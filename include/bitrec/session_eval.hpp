// Next-item evaluation of a session model (docs/sessions.md "Evaluation"),
// the official GRU4Rec protocol: every next item of every session is one
// prediction; the session's state is read event by event from a zero state;
// all items are ranked (the session's earlier items are not removed); the
// target's rank is conservative: the number of items scoring at least as
// high as it, itself included, so ties count against the model.
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/evaluate_modes.hpp"
#include "bitrec/evaluator.hpp"
#include "bitrec/model.hpp"
#include "bitrec/sessions.hpp"

namespace bitrec {

// Running sums of the metrics over predictions.
struct SessionMetricSums {
  std::vector<int> topk;
  std::vector<double> hits, reciprocal, dcg;  // per K
  int64_t predictions = 0;

  explicit SessionMetricSums(std::vector<int> ks);
  // One prediction whose target ranked `rank` (1-based).
  void add(int64_t rank);
  // recall@K (hit rate), mrr@K and ndcg@K (one relevant item: 1/log2(rank+1))
  // averaged over the predictions, and "predictions".
  MetricMap metrics() const;
};

// The conservative rank of column `target` among `n` scores: how many
// scores are >= the target's (so at least 1). A non-finite target score
// ranks last (n).
int64_t conservative_rank(const float* scores, int64_t n, int64_t target);

struct SessionEvalOptions {
  std::vector<int> topk{20};
  int threads = 0;           // 0: OpenMP's default
  int sessions_per_group = 256;  // sessions read side by side (memory: group × items scores)
  // Modes: real ranks by the state's inner product with the items' output
  // vectors plus their bias; hamming by the Hamming distance of their sign
  // codes (ties conservative: every item at most as far counts); hier
  // re-ranks the `rerank` nearest codes (ties by item id) by the real score,
  // a target outside them being a miss.
  std::vector<RetrievalMode> modes{RetrievalMode::kReal};
  int rerank = kDefaultRerank;
};

// Evaluates the gru4rec parameters `blocks` (a run's, config its config)
// on `sessions` over `n_items` items, in every mode of options.modes.
// Deterministic for any thread count.
ModeMetrics evaluate_sessions_in_modes(const std::vector<ParamBlock>& blocks, const TrainConfig& config,
                                       int32_t n_items, const SessionSet& sessions, const SessionEvalOptions& options);

// The real mode alone.
MetricMap evaluate_sessions(const std::vector<ParamBlock>& blocks, const TrainConfig& config, int32_t n_items,
                            const SessionSet& sessions, const SessionEvalOptions& options);

// The metrics on `sessions` (one of data.sessions' sets) in `modes`, by
// default every mode of the run's method (modes_for: "real" for gru4rec;
// hamming, real and hier for gru4rec-hash). A gru4rec run may be asked for
// hamming and hier too: the sign of its vectors taken after training.
ModeMetrics evaluate_session_modes(const std::vector<ParamBlock>& blocks, const TrainConfig& config,
                                   const Dataset& data, const SessionSet& sessions,
                                   std::vector<RetrievalMode> modes = {});

}  // namespace bitrec

// Next-item recommendations of a session model (docs/sessions.md
// "Serving"): the session's items are read in order from a zero state and
// every item is ranked, as the evaluation's modes do: real by the final
// state's inner product with the item's output vector plus its bias,
// hamming by the Hamming distance of their sign codes (the score is the
// distance), hier by the real score among the R nearest codes. As in the
// evaluation, the session's own items stay rankable (sessions repeat
// items). Equal scores or distances go to the lower item id.
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/recommend.hpp"
#include "bitrec/served_model.hpp"
#include "bitrec/topk.hpp"

namespace bitrec {

// The top options.k of each session (a list of dense item ids, in order).
TopK recommend_sessions(const ServedModel& model, const std::vector<std::vector<int32_t>>& sessions,
                        const RankingOptions& options);

// The items of the dataset's session row `row` (train, validation or test
// session), in order.
std::vector<int32_t> session_items(const Dataset& data, int32_t row);

}  // namespace bitrec

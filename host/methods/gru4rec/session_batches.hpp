// Session-parallel mini-batches (docs/sessions.md "Mini-batches"), the
// official GRU4Rec's scheme: B slots each read one session, one event per
// step; the input of a row is a session's current item and its target the
// next one. A slot whose session ends takes the next session in training
// order and its hidden state restarts from zero; once no session is left,
// the slot drops out and the batch shrinks (remaining slots keep their
// order). The schedule does not depend on the parameters or the epoch, so
// it is built once and any batch can be looked up by number (resume).
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/sessions.hpp"

namespace bitrec::gru4rec {

struct SessionBatches {
  int slots = 0;                 // B (fewer when there are fewer sessions)
  std::vector<int64_t> offsets{0};  // step s holds rows [offsets[s], offsets[s+1])
  std::vector<int32_t> slot;     // the slot of each row, ascending within a step
  std::vector<int32_t> input;    // the row's input item
  std::vector<int32_t> target;   // the row's target item (the next event)
  std::vector<uint8_t> reset;    // 1: the slot's session starts at this row (hidden state zero)

  int64_t steps() const { return static_cast<int64_t>(offsets.size()) - 1; }
  int64_t rows(int64_t step) const { return offsets[step + 1] - offsets[step]; }
};

// The schedule of `sessions` (in their stored training order) over `batch`
// slots.
SessionBatches build_session_batches(const SessionSet& sessions, int batch);

}  // namespace bitrec::gru4rec

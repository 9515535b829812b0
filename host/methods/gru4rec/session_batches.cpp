#include "methods/gru4rec/session_batches.hpp"

#include <algorithm>

namespace bitrec::gru4rec {

SessionBatches build_session_batches(const SessionSet& sessions, int batch) {
  SessionBatches out;
  const int64_t n_sessions = sessions.n_sessions();
  out.slots = static_cast<int>(std::min<int64_t>(batch, n_sessions));
  // Each live slot: its session, the position of its current event, and
  // whether that event is the session's first (a fresh hidden state).
  struct Slot {
    int32_t id;
    int64_t session;
    int64_t pos;
    bool fresh;
  };
  std::vector<Slot> live;
  int64_t next_session = 0;
  for (int i = 0; i < out.slots; ++i) live.push_back({i, next_session, sessions.offsets[next_session], true}), ++next_session;
  const auto end_of = [&](const Slot& s) { return sessions.offsets[s.session + 1]; };
  while (!live.empty()) {
    // Refill: every slot whose session has no next event takes the next
    // session, slots in order; without one left, the slot drops out. A
    // session of one event gives no step: it is replaced in a further round,
    // after every other finished slot got its session (the official
    // iterator's order: its minlen = 1 round yields nothing).
    bool refilled = true;
    while (refilled && !live.empty()) {
      refilled = false;
      std::vector<Slot> kept;
      for (Slot s : live) {
        if (end_of(s) - s.pos <= 1) {
          if (next_session >= n_sessions) continue;
          s.session = next_session++;
          s.pos = sessions.offsets[s.session];
          s.fresh = true;
          refilled = refilled || end_of(s) - s.pos <= 1;
        }
        kept.push_back(s);
      }
      live.swap(kept);
    }
    if (live.empty()) break;
    for (Slot& s : live) {
      out.slot.push_back(s.id);
      out.input.push_back(sessions.items[s.pos]);
      out.target.push_back(sessions.items[s.pos + 1]);
      out.reset.push_back(s.fresh ? 1 : 0);
      s.fresh = false;
      ++s.pos;
    }
    out.offsets.push_back(static_cast<int64_t>(out.slot.size()));
  }
  return out;
}

}  // namespace bitrec::gru4rec

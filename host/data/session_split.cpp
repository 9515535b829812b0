// The split of session data into train / validation / test and what follows
// from it: dense item ids from train alone, validation and test filtered by
// train's items (datasets/README.md "Session data").
#include <algorithm>

#include "bitrec/error.hpp"
#include "bitrec/plural.hpp"
#include "data/session_parts.hpp"

namespace bitrec::data {
namespace {

// The sessions of `raw` with `role`, in raw (= training) order, items mapped
// through `dense` (-1 for an item that is not in train).
SessionSet sessions_with_role(const RawSessions& raw, const std::vector<SessionRole>& roles,
                              SessionRole role, const std::vector<int32_t>& dense) {
  SessionSet set;
  for (int64_t s = 0; s < raw.n_sessions(); ++s) {
    if (roles[s] != role) continue;
    for (int64_t e = raw.offsets[s]; e < raw.offsets[s + 1]; ++e) {
      set.items.push_back(dense[static_cast<size_t>(raw.items[e])]);
    }
    set.offsets.push_back(set.n_events());
    set.session_ids.push_back(raw.session_ids[s]);
    set.start_times.push_back(raw.start_times[s]);
  }
  return set;
}

// "no test sessions left after filtering: ..." with what went and why.
std::string nothing_left(const char* set_name, const SessionSet& before,
                         const SessionFilterCounts& counts) {
  return "no " + std::string(set_name) + " sessions left after filtering: of " +
         plural(before.n_sessions(), std::string(set_name) + " session") + " (" +
         plural(before.n_events(), "event") + "), dropped " +
         plural(counts.unknown_item_events, "event") + " whose item never occurs in train, then " +
         plural(counts.short_sessions, "session") + " left with fewer than 2 events (" +
         plural(counts.short_session_events, "event") + ")";
}

}  // namespace

int64_t split_by_time(const RawSessions& raw, int64_t begin, int64_t end, double days,
                      SessionRole from, SessionRole late, std::vector<SessionRole>* roles) {
  bool any = false;
  double latest = 0;
  for (int64_t s = begin; s < end; ++s) {
    if ((*roles)[s] != from) continue;
    latest = any ? std::max(latest, raw.last_times[s]) : raw.last_times[s];
    any = true;
  }
  if (!any) return 0;
  const double cut = latest - days * 86400.0;
  int64_t moved = 0;
  for (int64_t s = begin; s < end; ++s) {
    if ((*roles)[s] == from && raw.last_times[s] >= cut) {
      (*roles)[s] = late;
      ++moved;
    }
  }
  return moved;
}

void assemble_session_data(const RawSessions& raw, const std::vector<SessionRole>& roles,
                           const SplitSources& sources, SessionData* data) {
  int64_t n_train = 0, n_valid = 0;
  for (const SessionRole role : roles) {
    n_train += role == SessionRole::kTrain;
    n_valid += role == SessionRole::kValid;
  }
  if (n_train == 0) {
    throw InputError(at_line(
        sources.train_path, sources.train_line,
        "no train sessions left after the split: " + sources.rule + " took all " +
            plural(raw.n_sessions(), "session") +
            (n_valid > 0 ? " (validation took " + std::to_string(n_valid) + " of them)" : "")));
  }

  // Dense ids: items of train in order of first occurrence, train sessions
  // walked in training order and events in order.
  std::vector<int32_t> dense(static_cast<size_t>(raw.item_table.size()), -1);
  data->item_ids.clear();
  for (int64_t s = 0; s < raw.n_sessions(); ++s) {
    if (roles[s] != SessionRole::kTrain) continue;
    for (int64_t e = raw.offsets[s]; e < raw.offsets[s + 1]; ++e) {
      int32_t& id = dense[static_cast<size_t>(raw.items[e])];
      if (id < 0) {
        id = static_cast<int32_t>(data->item_ids.size());
        data->item_ids.push_back(raw.item_table.name(raw.items[e]));
      }
    }
  }
  data->n_items = static_cast<int32_t>(data->item_ids.size());
  data->events_read = static_cast<int64_t>(raw.items.size());
  data->train = sessions_with_role(raw, roles, SessionRole::kTrain, dense);

  const SessionSet valid = sessions_with_role(raw, roles, SessionRole::kValid, dense);
  data->valid_filter = SessionFilterCounts();
  data->valid = filter_eval_sessions(valid, &data->valid_filter);
  if (sources.carve_valid && data->valid.n_sessions() == 0) {
    throw InputError(at_line(sources.train_path, sources.train_line,
                             valid.n_sessions() == 0
                                 ? "no validation sessions: " + sources.valid_rule +
                                       " took none of the train sessions"
                                 : nothing_left("validation", valid, data->valid_filter)));
  }

  const SessionSet test = sessions_with_role(raw, roles, SessionRole::kTest, dense);
  data->test_filter = SessionFilterCounts();
  data->test = filter_eval_sessions(test, &data->test_filter);
  if (data->test.n_sessions() == 0) {
    throw InputError(at_line(sources.test_path, sources.test_line,
                             test.n_sessions() == 0
                                 ? "no test sessions: " + sources.rule + " took none"
                                 : nothing_left("test", test, data->test_filter)));
  }
}

}  // namespace bitrec::data

namespace bitrec {

SessionSet filter_eval_sessions(const SessionSet& sessions, SessionFilterCounts* counts) {
  SessionSet kept;
  kept.items.reserve(sessions.items.size());
  std::vector<int32_t> known;
  for (int64_t s = 0; s < sessions.n_sessions(); ++s) {
    known.clear();
    for (int64_t e = sessions.offsets[s]; e < sessions.offsets[s + 1]; ++e) {
      if (sessions.items[e] >= 0) known.push_back(sessions.items[e]);
    }
    const int64_t unknown = sessions.length(s) - static_cast<int64_t>(known.size());
    if (counts) counts->unknown_item_events += unknown;
    // One event gives no next item to predict.
    if (known.size() < 2) {
      if (counts) {
        ++counts->short_sessions;
        counts->short_session_events += static_cast<int64_t>(known.size());
      }
      continue;
    }
    kept.items.insert(kept.items.end(), known.begin(), known.end());
    kept.offsets.push_back(kept.n_events());
    kept.session_ids.push_back(sessions.session_ids[s]);
    // The session keeps its place in the order even if its first event went.
    kept.start_times.push_back(sessions.start_times[s]);
  }
  return kept;
}

}  // namespace bitrec

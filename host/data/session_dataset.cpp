// Session data as a Dataset (include/bitrec/dataset.hpp): the sessions are
// the dataset's rows, so the parts of bitrec that count users and items
// (info, fingerprints, memory estimates, reports) read session data
// unchanged, while the session model reads the ordered events kept beside.
#include <utility>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "data/session_dataset.hpp"

namespace bitrec {
namespace {

// Rows [first, first + sessions) of a CSR with `rows` rows and the session
// set's distinct items; the other rows stay empty.
Csr session_rows(const SessionSet& sessions, int64_t first, int64_t rows, int32_t n_items) {
  std::vector<std::pair<int32_t, int32_t>> pairs;
  pairs.reserve(sessions.items.size());
  for (int64_t s = 0; s < sessions.n_sessions(); ++s) {
    for (int64_t e = sessions.offsets[s]; e < sessions.offsets[s + 1]; ++e) {
      pairs.emplace_back(static_cast<int32_t>(first + s), sessions.items[e]);
    }
  }
  return csr_from_pairs(rows, n_items, std::move(pairs));
}

}  // namespace

int64_t Dataset::valid_session_row() const { return sessions ? sessions->train.n_sessions() : 0; }
int64_t Dataset::test_session_row() const {
  return sessions ? sessions->train.n_sessions() + sessions->valid.n_sessions() : 0;
}

LoadOptions load_options_of(const TrainConfig& c) {
  LoadOptions load;
  load.user_column = c.user_column;
  load.item_column = c.item_column;
  load.n_items = c.declared_items;
  load.n_users = c.declared_users;
  load.sessions.session_column = c.session.session_column;
  load.sessions.time_column = c.session.time_column;
  load.sessions.test_days = c.session.test_days;
  load.sessions.carve_valid = c.session.valid_sessions;
  return load;
}

namespace data {

Dataset dataset_from_sessions(SessionData sessions) {
  Dataset data;
  data.name = sessions.name;
  data.source = sessions.source;
  data.n_items = sessions.n_items;
  const int64_t rows = sessions.train.n_sessions() + sessions.valid.n_sessions() + sessions.test.n_sessions();
  data.n_users = static_cast<int32_t>(rows);
  data.train = session_rows(sessions.train, 0, rows, sessions.n_items);
  data.valid = session_rows(sessions.valid, sessions.train.n_sessions(), rows, sessions.n_items);
  data.test = session_rows(sessions.test, sessions.train.n_sessions() + sessions.valid.n_sessions(), rows,
                           sessions.n_items);
  data.item_ids = sessions.item_ids;
  data.user_ids.reserve(static_cast<size_t>(rows));
  for (const SessionSet* set : {&sessions.train, &sessions.valid, &sessions.test}) {
    data.user_ids.insert(data.user_ids.end(), set->session_ids.begin(), set->session_ids.end());
  }
  data.sessions = std::make_shared<const SessionData>(std::move(sessions));
  return data;
}

}  // namespace data
}  // namespace bitrec

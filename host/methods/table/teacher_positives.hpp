// Distillation for the smooth recall loss (docs/training.md "Distillation"):
// a teacher run's top-R non-train items of each user join that user's
// positives in the loss, so the codes learn the teacher's ranking beyond the
// train items it has memorised. Train items stay the only items evaluation
// removes.
#pragma once
#include <cstdint>

#include "bitrec/backend.hpp"
#include "bitrec/config.hpp"
#include "bitrec/csr.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/model.hpp"
#include "bitrec/topk.hpp"

namespace bitrec {

// `train` with, for the users of `top` (row r of top is users[r]), every
// item of their list (-1 pads are skipped); rows ascending and unique.
Csr train_with_teacher_items(const Csr& train, const std::vector<int32_t>& users, const TopK& top);

// The loss's positives for a run with --distill-from: the teacher's (a table
// run's state and config, checked by the caller: load_teacher_checkpoint)
// propagated real-valued embeddings score every item on `backend` (left
// holding data.train's graph), and each user's `top` best items outside
// data.train join its train items. Only users with train items get teacher
// items: the others are never in a batch.
Csr teacher_positives(Backend& backend, const ModelState& teacher, const TrainConfig& teacher_config, int top,
                      const Dataset& data);

}  // namespace bitrec

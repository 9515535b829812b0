// lightgcn, hash-ste and recall-hash as a Model: one embedding table E0
// (block kTableBlock), LightGCN's mean propagation, the loss heads of
// batch_head.hpp, Adam on the whole table, every tensor resident on the
// backend (docs/methods.md §1, §2, §5).
#pragma once
#include <memory>

#include "bitrec/train_model.hpp"

namespace bitrec {

// `start`: a checkpoint's state (its E0 block or legacy e0 table, Adam's
// moments and epoch_loss_sum), or null for init_model's table from the seed.
// `loss_positives`: the smooth recall loss's positives (train plus a
// teacher's items, teacher_positives.hpp), or null for data.train.
std::unique_ptr<Model> make_table_model(Backend& backend, const TrainConfig& config, const Dataset& data,
                                        const ModelState* start, const Csr* loss_positives);

}  // namespace bitrec

// --init-from RUN: a run that starts from another run's parameters
// (docs/training.md "Warm start"). The source must have trained on the same
// data and split, with the same --dim and --layers, and a model whose
// parameter blocks the new method reads: any run on the embedding table
// (lightgcn, hash-ste, recall-hash) for another such run, otherwise the same
// method and encoder.
#pragma once
#include <string>

#include "bitrec/checkpoint.hpp"
#include "bitrec/dataset.hpp"

namespace bitrec {

// The checkpoint of the run in `dir` (its checkpoint.bin); InputError naming
// --init-from and the folder when there is none or it cannot be read.
Checkpoint load_init_checkpoint(const std::string& dir);

// --distill-from DIR: the teacher's checkpoint (docs/training.md
// "Distillation"), checked against this run: the same data and split, any
// --dim and --layers, a run on the embedding table. InputError naming
// --distill-from and the folder otherwise.
// With config.distill_fingerprint set (a run that began with this teacher),
// the teacher must still be the same (teacher_fingerprint).
Checkpoint load_teacher_checkpoint(const std::string& dir, const TrainConfig& config, const Dataset& data);

// The teacher's identity: its epochs and steps done and a 64-bit FNV-1a
// hash of its table, as hex text.
std::string teacher_fingerprint(const ModelState& teacher);

// The state `config` (resolved) starts from: the source's parameters, Adam's
// moments zero, no epochs or steps done. Throws InputError naming --init-from
// DIR and the mismatch (data, split, sizes, model).
ModelState warm_start_state(const Checkpoint& source, const std::string& dir, const TrainConfig& config,
                            const Dataset& data);

}  // namespace bitrec

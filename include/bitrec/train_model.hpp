// The one interface every training method implements (docs/training.md "The
// Model interface"). The trainer (host/train/trainer.cpp) drives any Model
// the same way, batch by batch: progress, the NaN guard, Ctrl-C and resume,
// evaluation every --eval-every epochs, checkpoints and the report. It knows
// no method names; make_model picks the implementation.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/model.hpp"

namespace bitrec {

class Model {
 public:
  virtual ~Model() = default;

  // Batches of one epoch (fixed for a dataset and config).
  virtual int64_t batches_per_epoch() const = 0;
  // Batches of epoch `epoch` (0-based): batches_per_epoch() unless the
  // model's epochs differ, as a two-phase run's warm-up and method epochs do.
  virtual int64_t batches_in_epoch(int epoch) const {
    (void)epoch;
    return batches_per_epoch();
  }
  // Trains batch `batch` (0-based) of epoch `epoch` (0-based): forward, loss,
  // backward and Adam step number `adam_step` (1-based), adding the batch
  // loss to the epoch's running loss sum. Deterministic given (seed, epoch,
  // batch) and the parameters, so a run stopped between batches and resumed
  // equals the uninterrupted one.
  virtual void train_batch(int epoch, int64_t batch, int64_t adam_step) = 0;
  // True when reading loss_sum() costs nothing (the host, a synchronous
  // backend): the trainer then reads it after every batch. False on a queued
  // device, where a read synchronises the stream: the trainer reads it every
  // few batches.
  virtual bool loss_read_is_free() const = 0;
  // The running loss sum of the current epoch (float, accumulated batch by
  // batch; a resumed run starts from the checkpoint's epoch_loss_sum).
  virtual float loss_sum() const = 0;
  // Resets the running loss sum to 0 (the trainer calls it at an epoch's end).
  virtual void end_epoch() = 0;
  // What evaluation needs of the current parameters, resident on the
  // backend: continuous embeddings, and codes for hashed methods.
  virtual ModelOutputs outputs() const = 0;
  // The parameters with their Adam moments, in a fixed order (downloaded
  // from the backend where they live there). make_model restores them.
  virtual std::vector<ParamBlock> params() const = 0;
  // After a non-finite loss: the first non-finite tensor, "NAME row R col C"
  // (in the order the batch computes them), or what the model says instead.
  virtual std::string first_non_finite() const = 0;
};

// The model of `config` over data.train on `backend`: initialised from
// config.seed, or from `start` (a checkpoint's state: its parameter blocks
// and epoch_loss_sum; the caller checks its shape). The one place that
// picks an implementation per method. `loss_positives` (table models,
// --distill-from): the relation the smooth recall loss takes its positives
// from instead of data.train (teacher_positives); null: data.train.
std::unique_ptr<Model> make_model(Backend& backend, const TrainConfig& config, const Dataset& data,
                                  const ModelState* start, const Csr* loss_positives = nullptr);

}  // namespace bitrec

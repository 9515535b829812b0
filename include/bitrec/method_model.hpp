// Methods whose model is more than LightGCN's one embedding table
// (hashgnn, bgch): their own layers, their own forward and backward, trained
// on the host with OpenMP whatever the backend. The trainer drives them
// batch by batch like the table methods (progress, NaN guard, Ctrl-C and
// resume, evaluation every --eval-every epochs, checkpoint, report); the
// evaluation gets their continuous vectors and codes through HostOutputs and
// runs on the backend as for every method.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/model.hpp"

namespace bitrec {

// What evaluation needs, on the host; the trainer uploads it.
struct HostOutputs {
  // Continuous vectors, [n_users + n_items, dim] (users first): `real`
  // retrieval ranks by their inner product and `hier` re-ranks the Hamming
  // top-R by it (hashgnn: tanh(Wz+b); bgch: the α-scaled codes, so their
  // inner product is BGCH's score Σ_l α_uˡ α_iˡ b_uˡᵀb_iˡ).
  int dim = 0;
  std::vector<float> embeddings;
  // The ±1 codes whose packed bits `hamming` ranks by, [n_users + n_items, bits].
  int bits = 0;
  std::vector<float> signs;
};

class MethodModel {
 public:
  virtual ~MethodModel() = default;

  // Batches of one epoch (fixed for a dataset and config).
  virtual int64_t batches_per_epoch() const = 0;
  // Trains batch `batch` (0-based) of epoch `epoch` (0-based): forward,
  // loss, backward and one Adam step numbered `adam_step` (1-based). Returns
  // the batch loss. Deterministic given (seed, epoch, batch) and the
  // parameters, whatever the thread count, so a run stopped between batches
  // and resumed equals the uninterrupted one.
  virtual double train_batch(int epoch, int64_t batch, int64_t adam_step) = 0;
  // The outputs of the current parameters; deterministic (no dropout, fixed
  // neighbour draws).
  virtual HostOutputs outputs() const = 0;
  // The parameters and Adam moments, in a fixed order; the trainer saves
  // them and a resumed run passes them back to make_method_model.
  virtual const std::vector<ParamBlock>& params() const = 0;
};

// True for the runs built on MethodModel: hashgnn, bgch, and any method
// with --encoder ngcf (host/methods/ngcf, docs/ngcf.md).
bool uses_method_model(const TrainConfig& config);

// The model of `config.method` (and `config.encoder`) over `data.train`, initialised from
// config.seed, or from `blocks` (a checkpoint's) when not empty: they must
// match the method's names and shapes, else InputError naming the block.
std::unique_ptr<MethodModel> make_method_model(const TrainConfig& config, const Dataset& data,
                                               const std::vector<ParamBlock>& blocks);

}  // namespace bitrec

// GRU4Rec's training step on a GPU (docs/sessions.md "On a GPU"): the
// host model (host/methods/gru4rec) keeps the schedule, draws the
// negatives and saves checkpoints; a SessionDeviceTrainer keeps every
// parameter, Adagrad sum, momentum and carried state on the device and runs
// the whole step there (cuBLAS products, fused gate kernels over the
// element rules of include/bitrec/kernels/gru_cell.hpp and
// session_losses.hpp). Implemented in cuda/ and reached through the CUDA
// module (host/device/backend_factory.cpp); no CUDA header is included here.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bitrec/config.hpp"  // SessionLoss
#include "bitrec/kernels/estimators.hpp"

namespace bitrec {

// The network and where its blocks sit in the host model's block list
// (its params() order). Block k is `sizes[k]` floats of value, Adagrad sum
// and momentum.
struct SessionDeviceLayout {
  int32_t n_items = 0;
  bool one_hot = false;        // --input onehot: layer 1 is W_x, W_rz, W_h, b
  bool constrained = true;     // --input constrained: the input table is Wy
  int input_dim = 0;           // the first GRUCell's input width (0 for onehot)
  std::vector<int> hidden;     // GRU layer sizes
  std::vector<int64_t> sizes;  // every block's size, in order
  int wy = -1, by = -1, e = -1, state = -1;
  std::vector<int> layer_first;  // each layer's first block; its four follow
};

// The step's fixed settings (docs/sessions.md "One step").
struct SessionDeviceOptions {
  SessionLoss loss = SessionLoss::kCrossEntropy;
  float scale = 1.0f;          // 1 / --batch
  float lr = 0.05f, momentum = 0.0f, eps = 1e-6f;
  float dropout_embed = 0.0f, dropout_hidden = 0.0f;
  float bpreg = 1.0f, elu_alpha = 0.5f;
  bool hashed = false;         // gru4rec-hash: scores of sign codes / τ, no bias
  float inverse_tau = 1.0f;
  float logq = 0.0f, sample_alpha = 0.5f;  // cross-entropy's logQ weight (0: off)
  std::vector<float> log_counts;            // log of each item's train events (logq > 0)
  uint64_t seed = 0;
};

// One step: `rows` session rows (their input items, slots and reset flags)
// scored over `cols` columns (the rows' targets, then the negatives).
struct SessionStepRows {
  int epoch = 0;
  int64_t step = 0;
  int64_t rows = 0;
  const int32_t* inputs = nullptr;
  const int32_t* slots = nullptr;
  const uint8_t* resets = nullptr;
  int64_t cols = 0;
  const int32_t* columns = nullptr;
  EstimatorParams estimator;  // gru4rec-hash: sign's backward at this epoch
};

// A block of the host model: value, Adagrad sum and momentum, `size` each.
struct SessionBlockView {
  float* value;
  float* acc;
  float* mom;
  int64_t size;
};

class SessionDeviceTrainer {
 public:
  virtual ~SessionDeviceTrainer() = default;
  virtual std::string device_name() const = 0;
  // Copies the host blocks (layout order) to the device / back.
  virtual void upload(const std::vector<SessionBlockView>& blocks) = 0;
  virtual void download(const std::vector<SessionBlockView>& blocks) = 0;
  // Forward, loss, backward, the carried states and every update of one
  // step; returns the step's loss (÷ --batch), as the host step does.
  virtual double step(const SessionStepRows& rows) = 0;
};

}  // namespace bitrec

// The module's entry point (cuda/module_entry.cpp): a trainer on the current
// device, owned by the caller. Throws when it cannot start.
extern "C" bitrec::SessionDeviceTrainer* bitrec_cuda_module_make_session_trainer(
    const bitrec::SessionDeviceLayout* layout, const bitrec::SessionDeviceOptions* options);

namespace bitrec::cuda_module {
inline constexpr const char* kMakeSessionTrainerSymbol = "bitrec_cuda_module_make_session_trainer";
using MakeSessionTrainerFn = SessionDeviceTrainer* (*)(const SessionDeviceLayout*, const SessionDeviceOptions*);
}  // namespace bitrec::cuda_module

// One gru4rec step's loss and gradients without any update, for the
// finite-difference checks of the whole step (tests/methods): the GRU
// cell, the losses and the sampled softmax are checked on their own in
// tests/cpu; this covers how the step joins them (gathers, scores, biases,
// the constrained embedding's two uses of Wy, dropout masks).
#pragma once
#include <cstdint>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/model.hpp"

namespace bitrec::gru4rec {

struct StepGradients {
  double loss = 0.0;                 // the step's loss (÷ --batch, as trained)
  std::vector<int32_t> columns;      // the scored items: the rows' targets, then the negatives
  std::vector<float> d_columns;      // d loss / d Wy[columns[j]], [columns, out_dim]
  std::vector<float> d_bias;         // d loss / d By[columns[j]], [columns]
  std::vector<int32_t> inputs;       // the rows' input items
  std::vector<float> d_inputs;       // d loss / d (input table)[inputs[r]], [rows, input_dim]
  // Per layer: W_ih, W_hh, b_ih, b_hh gradients (dense).
  std::vector<std::vector<float>> layers;
};

// The gradients of step `step` of epoch `epoch` for parameters `blocks` (a
// gru4rec model's params(), carried state included).
StepGradients step_gradients(const TrainConfig& config, const Dataset& data, const std::vector<ParamBlock>& blocks,
                             int epoch, int64_t step);

}  // namespace bitrec::gru4rec

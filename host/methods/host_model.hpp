// A MethodModel (hashgnn, bgch, --encoder ngcf: trained on the host) as a
// Model: its batches run on the host, the epoch's loss sum is kept here, and
// its outputs are uploaded to the backend for evaluation.
#pragma once
#include <memory>

#include "bitrec/method_model.hpp"
#include "bitrec/train_model.hpp"

namespace bitrec {

// loss_sum: the running loss sum to start from (a resumed epoch's).
std::unique_ptr<Model> make_host_model(Backend& backend, std::unique_ptr<MethodModel> model, float loss_sum);

}  // namespace bitrec

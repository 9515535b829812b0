#include "methods/host_model.hpp"

namespace bitrec {
namespace {

class HostModel final : public Model {
 public:
  HostModel(Backend& be, std::unique_ptr<MethodModel> model, float loss_sum)
      : be_(be), model_(std::move(model)), loss_sum_(loss_sum) {}

  int64_t batches_per_epoch() const override { return model_->batches_per_epoch(); }
  void train_batch(int epoch, int64_t batch, int64_t adam_step) override {
    loss_sum_ += static_cast<float>(model_->train_batch(epoch, batch, adam_step));
  }
  bool loss_read_is_free() const override { return true; }
  float loss_sum() const override { return loss_sum_; }
  void end_epoch() override { loss_sum_ = 0.0f; }
  ModelOutputs outputs() const override { return upload_outputs(be_, model_->outputs()); }
  std::vector<ParamBlock> params() const override { return model_->params(); }
  std::string first_non_finite() const override { return blocks_non_finite(model_->params()); }

 private:
  Backend& be_;
  std::unique_ptr<MethodModel> model_;
  float loss_sum_ = 0.0f;
};

}  // namespace

std::unique_ptr<Model> make_host_model(Backend& backend, std::unique_ptr<MethodModel> model, float loss_sum) {
  return std::make_unique<HostModel>(backend, std::move(model), loss_sum);
}

}  // namespace bitrec

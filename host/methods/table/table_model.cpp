#include "methods/table/table_model.hpp"

#include "bitrec/graph.hpp"
#include "methods/table/batch_head.hpp"

namespace bitrec {
namespace {

// The warm-up phase's head: lightgcn's BPR on the real-valued embeddings,
// with the run's --batch, --decay and seed.
TrainConfig warmup_head_config(const TrainConfig& config) {
  TrainConfig warm = config;
  warm.method = Method::kLightGcn;
  return warm;
}

class TableModel final : public Model {
 public:
  TableModel(Backend& be, const TrainConfig& config, const Dataset& data, const ModelState* start,
             const Csr* loss_positives)
      : be_(be), config_(config), hashed_(is_hashed(config.method)) {
    be_.set_graph(build_normalized_graph(data.train, data.n_users, data.n_items));
    // With a teacher the loss's positives are train plus the teacher's top
    // items; only the smooth recall loss reads the backend's relation
    // (--warmup-epochs' BPR sampler is refused with a teacher: config.cpp).
    be_.set_train(loss_positives ? *loss_positives : data.train);
    const ModelState fresh = start ? ModelState() : init_model(data.n_users, data.n_items, config.dim,
                                                                config.init_std, config.seed);
    const ModelState& from = start ? *start : fresh;
    rows_ = from.n_nodes();
    dim_ = from.dim;
    e0_ = be_.alloc_f32(rows_, dim_);
    adam_m_ = be_.alloc_f32(rows_, dim_);
    adam_v_ = be_.alloc_f32(rows_, dim_);
    embeddings_ = be_.alloc_f32(rows_, dim_);
    grad_embeddings_ = be_.alloc_f32(rows_, dim_);
    grad_e0_ = be_.alloc_f32(rows_, dim_);
    loss_acc_ = be_.alloc_f32(1, 1);
    if (start) {
      const ParamBlock table = table_block(*start);
      be_.upload(table.value.data(), e0_);
      be_.upload(table.adam_m.data(), adam_m_);
      be_.upload(table.adam_v.data(), adam_v_);
    } else {
      be_.upload(fresh.e0.data(), e0_);
    }
    head_ = std::make_unique<BatchHead>(be_, config_, data.train, data.n_users, dim_);
    if (config_.warmup_epochs > 0) {
      warmup_head_ = std::make_unique<BatchHead>(be_, warmup_head_config(config_), data.train, data.n_users, dim_);
    }
    be_.upload(&from.epoch_loss_sum, loss_acc_);
  }

  int64_t batches_per_epoch() const override { return head_->batches_per_epoch(); }
  int64_t batches_in_epoch(int epoch) const override { return head_for(epoch).batches_per_epoch(); }

  // One mini-batch: propagate, the loss head (hash, loss, back through the
  // estimator), propagate back, L2, Adam (docs/methods.md §2, §5, §6).
  // A two-phase run (--warmup-epochs W) trains lightgcn's head for epochs
  // 0..W-1, then the method's head from epoch W with fresh Adam moments and
  // step count at --lr-after-warmup: the method's loss has its own gradient
  // scale, which moments learned on BPR would mis-normalise.
  void train_batch(int epoch, int64_t batch, int64_t adam_step) override {
    const bool warm = in_warmup(config_, epoch);
    BatchHead& head = head_for(epoch);
    float lr = config_.lr;
    if (config_.warmup_epochs > 0 && !warm) {
      if (epoch == config_.warmup_epochs && batch == 0) {
        be_.fill_zero(adam_m_);
        be_.fill_zero(adam_v_);
        if (hashed_) {  // the codes' estimators work at the initialisation's scale (rescale_rms)
          std::vector<float> table(static_cast<size_t>(e0_.size()));
          be_.download(e0_, table.data());
          rescale_rms(table, config_.init_std);
          be_.upload(table.data(), e0_);
        }
      }
      adam_step -= config_.warmup_epochs * warmup_head_->batches_per_epoch();
      lr = config_.lr_after_warmup;
    }
    be_.propagate_mean(e0_, embeddings_, config_.layers);
    head.forward_backward(epoch, batch, embeddings_, grad_embeddings_, loss_acc_);
    be_.propagate_mean(grad_embeddings_, grad_e0_, config_.layers);
    head.l2_forward_backward(e0_, grad_e0_, loss_acc_);
    AdamParams adam;
    adam.lr = lr;
    be_.adam_step(e0_, grad_e0_, adam_m_, adam_v_, adam_step_scalars(adam, adam_step));
    last_head_ = &head;
  }

  bool loss_read_is_free() const override { return be_.synchronous(); }

  float loss_sum() const override {
    float sum = 0.0f;
    be_.download(loss_acc_, &sum);
    return sum;
  }

  void end_epoch() override { be_.fill_zero(loss_acc_); }

  ModelOutputs outputs() const override { return forward_model(be_, e0_, config_.layers, hashed_); }

  std::vector<ParamBlock> params() const override {
    ParamBlock b;
    b.name = kTableBlock;
    b.rows = rows_;
    b.cols = dim_;
    b.value.resize(static_cast<size_t>(rows_ * dim_));
    b.adam_m.resize(b.value.size());
    b.adam_v.resize(b.value.size());
    be_.download(e0_, b.value.data());
    be_.download(adam_m_, b.adam_m.data());
    be_.download(adam_v_, b.adam_v.data());
    return {std::move(b)};
  }

  // Which tensor went non-finite first, in the order the step computes them
  // (E from the step's input E0, then the gradients, Adam's moments, and E0
  // after the update).
  std::string first_non_finite() const override {
    const FloatTensor* grad_codes = (last_head_ ? last_head_ : head_.get())->grad_codes();
    const std::pair<const FloatTensor*, const char*> order[] = {
        {&embeddings_, "E (propagated)"},
        {grad_codes ? grad_codes : &grad_embeddings_, "dLoss/dscores"},
        {&grad_e0_, "dLoss/dE0"},
        {&adam_m_, "Adam m"},
        {&adam_v_, "Adam v"},
        {&e0_, "E0 (updated)"}};
    for (const auto& [tensor, name] : order) {
      std::vector<float> host(static_cast<size_t>(tensor->size()));
      be_.download(*tensor, host.data());
      const std::string where = first_non_finite_value(host, tensor->cols(), name);
      if (!where.empty()) return where;
    }
    return "the loss itself (every tensor finite)";
  }

 private:
  Backend& be_;
  TrainConfig config_;
  bool hashed_ = false;
  int64_t rows_ = 0;
  int dim_ = 0;
  FloatTensor e0_, adam_m_, adam_v_;
  FloatTensor embeddings_;       // E = propagate_mean(E0)
  FloatTensor grad_embeddings_;  // dLoss/dE
  FloatTensor grad_e0_;
  FloatTensor loss_acc_;         // the epoch's running loss sum
  std::unique_ptr<BatchHead> head_;
  std::unique_ptr<BatchHead> warmup_head_;  // two-phase runs only
  const BatchHead* last_head_ = nullptr;     // the head of the last batch

  BatchHead& head_for(int epoch) const { return in_warmup(config_, epoch) ? *warmup_head_ : *head_; }
};

}  // namespace

std::unique_ptr<Model> make_table_model(Backend& backend, const TrainConfig& config, const Dataset& data,
                                        const ModelState* start, const Csr* loss_positives) {
  return std::make_unique<TableModel>(backend, config, data, start, loss_positives);
}

}  // namespace bitrec

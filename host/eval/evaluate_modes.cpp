#include "bitrec/evaluate_modes.hpp"

#include <utility>

#include "bitrec/method_spec.hpp"

namespace bitrec {

std::vector<RetrievalMode> modes_for(Method method) {
  if (is_hashed(method)) return {RetrievalMode::kHamming, RetrievalMode::kReal, RetrievalMode::kHier};
  return {RetrievalMode::kReal};
}

RetrievalMode primary_mode(Method method) {
  const MethodSpec& spec = method_spec(method);
  return spec.hashed && !spec.ranks_by_real_score ? RetrievalMode::kHamming : RetrievalMode::kReal;
}

Csr known_interactions(const Dataset& data) {
  if (data.valid.nnz() == 0) return data.train;
  std::vector<std::pair<int32_t, int32_t>> pairs;
  pairs.reserve(data.train.nnz() + data.valid.nnz());
  for (const Csr* part : {&data.train, &data.valid}) {
    for (int64_t u = 0; u < part->rows; ++u) {
      for (const int32_t* it = part->row_begin(u); it != part->row_end(u); ++it) {
        pairs.emplace_back(static_cast<int32_t>(u), *it);
      }
    }
  }
  return csr_from_pairs(data.n_users, data.n_items, std::move(pairs));
}

ModeMetrics evaluate_outputs(Backend& be, const ModelOutputs& outputs, const Dataset& data,
                             const Csr& truth, const Csr& exclude,
                             const std::vector<RetrievalMode>& modes, const EvalOptions& base) {
  ModeMetrics result;
  for (RetrievalMode mode : modes) {
    EvalOptions options = base;
    options.mode = mode;
    EvalInputs inputs;
    inputs.n_users = data.n_users;
    inputs.n_items = data.n_items;
    inputs.table = &outputs.embeddings;
    inputs.codes = mode != RetrievalMode::kReal ? &outputs.codes : nullptr;
    inputs.bits = outputs.bits;
    result[retrieval_mode_name(mode)] = evaluate(be, inputs, truth, exclude, options);
  }
  return result;
}

}  // namespace bitrec

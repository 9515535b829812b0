// Evaluation (docs/methods.md §1, docs/evaluation.md): retrieval for every user
// with >= 1 truth item, per-user metrics, averages over those users. hier
// (docs/methods.md §6): the backend's Hamming top-R, re-ranked on the host by
// inner products of E (rerank.hpp, shared with bitrec query).
//
// Users go to the backend in blocks of options.user_batch (ascending id);
// each block's per-user figures are computed in parallel into their own
// slots, then added to the sums one user after another in id order. So the
// averages are the same doubles whatever the batch size or thread count.
#include "bitrec/evaluator.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitrec/error.hpp"
#include "bitrec/kernels/hamming.hpp"
#include "bitrec/metrics.hpp"
#include "bitrec/rerank.hpp"

namespace bitrec {
namespace {

// Per-user figures for one K, in this order.
enum Figure { kRecall, kNdcg, kNdcgHit, kRecallTie, kNdcgTie, kFigures };

void check_options(const EvalInputs& inputs, const EvalOptions& options) {
  if (options.topk.empty()) throw InputError("--topk: the K list is empty");
  for (int k : options.topk) {
    if (k < 1) throw InputError("--topk: K must be >= 1, got " + std::to_string(k));
  }
  const int max_k = *std::max_element(options.topk.begin(), options.topk.end());
  if (options.kmax < max_k) {
    throw InputError("--kmax " + std::to_string(options.kmax) +
                     " must be >= the largest --topk value " + std::to_string(max_k));
  }
  if (options.user_batch < 1) {
    throw InputError("user batch must be >= 1, got " + std::to_string(options.user_batch));
  }
  if (options.mode != RetrievalMode::kReal) {
    if (inputs.codes == nullptr || inputs.bits < 1) {
      throw std::invalid_argument("evaluate: hamming and hier modes need codes and bits");
    }
    if (inputs.codes->rows() < int64_t{inputs.n_users} + inputs.n_items ||
        inputs.codes->cols() < code_words(inputs.bits)) {
      throw std::invalid_argument("evaluate: codes tensor smaller than [users + items, words]");
    }
  }
  if (options.mode != RetrievalMode::kHamming && inputs.table == nullptr) {
    throw std::invalid_argument("evaluate: real and hier modes need the embedding table");
  }
  if (options.mode == RetrievalMode::kHier) {
    if (inputs.table->rows() < int64_t{inputs.n_users} + inputs.n_items) {
      throw std::invalid_argument("evaluate: embedding table smaller than [users + items, d]");
    }
    if (options.rerank < max_k) {
      throw InputError("--rerank " + std::to_string(options.rerank) +
                       " must be >= the largest --topk value " + std::to_string(max_k) +
                       " (hier re-ranks only the R Hamming candidates)");
    }
    if (options.rerank < options.kmax) {
      throw InputError("--rerank " + std::to_string(options.rerank) + " must be >= --kmax " +
                       std::to_string(options.kmax) + " (hier re-ranks only the R Hamming candidates)");
    }
  }
}

std::vector<int32_t> users_with_truth(const Csr& truth, int32_t n_users) {
  std::vector<int32_t> users;
  const int64_t rows = std::min<int64_t>(truth.rows, n_users);
  for (int64_t u = 0; u < rows; ++u) {
    if (truth.row_size(u) > 0) users.push_back(static_cast<int32_t>(u));
  }
  return users;
}

// test_at[v]: the user's truth items at Hamming distance v that are also
// candidates (truth items the user trained on are excluded from the ranking
// and so can never be hit; they still count in |T_u|).
void truth_distance_histogram(const uint64_t* codes, int words, int32_t n_users, int32_t user,
                              const Csr& truth, const Csr& exclude, std::vector<int32_t>& test_at) {
  std::fill(test_at.begin(), test_at.end(), 0);
  const uint64_t* user_code = codes + static_cast<int64_t>(user) * words;
  const int32_t* ex = user < exclude.rows ? exclude.row_begin(user) : nullptr;
  const int32_t* ex_end = user < exclude.rows ? exclude.row_end(user) : nullptr;
  for (const int32_t* it = truth.row_begin(user); it != truth.row_end(user); ++it) {
    while (ex != ex_end && *ex < *it) ++ex;
    if (ex != ex_end && *ex == *it) continue;
    const uint64_t* item_code = codes + (static_cast<int64_t>(n_users) + *it) * words;
    ++test_at[hamming_distance(user_code, item_code, words)];
  }
}

void write_dump_line(std::string& line, int32_t user, const int32_t* items, int len,
                     const EvalOptions& options) {
  const bool user_names = options.user_ids != nullptr && !options.user_ids->empty();
  const bool item_names = options.item_ids != nullptr && !options.item_ids->empty();
  line += user_names ? (*options.user_ids)[user] : std::to_string(user);
  for (int r = 0; r < len; ++r) {
    if (items[r] < 0) break;  // padding: fewer candidates than K
    line += ' ';
    line += item_names ? (*options.item_ids)[items[r]] : std::to_string(items[r]);
  }
  line += '\n';
}

// What one mode needs on the host, downloaded once per evaluation: the codes
// for the truth items' Hamming distances, E for hier's re-ranking.
struct HostCopies {
  std::vector<uint64_t> codes;
  std::vector<float> table;
  int dim = 0;
};

HostCopies download_for_mode(Backend& backend, const EvalInputs& inputs, RetrievalMode mode) {
  HostCopies copies;
  if (mode == RetrievalMode::kHamming) {
    copies.codes.resize(static_cast<size_t>(inputs.codes->size()));
    backend.download(*inputs.codes, copies.codes.data());
  }
  if (mode == RetrievalMode::kHier) {
    copies.dim = static_cast<int>(inputs.table->cols());
    copies.table.resize(static_cast<size_t>(inputs.table->size()));
    backend.download(*inputs.table, copies.table.data());
  }
  return copies;
}

// The top-`retrieve_k` lists of a block of users in the options' mode.
void retrieve_block(Backend& backend, const EvalInputs& inputs, const Csr& exclude, const EvalOptions& options,
                    const HostCopies& copies, const std::vector<int32_t>& block, int retrieve_k, TopK& top,
                    TopK& candidates) {
  switch (options.mode) {
    case RetrievalMode::kHamming:
      backend.topk_hamming(*inputs.codes, inputs.n_users, inputs.n_items, inputs.bits, exclude, block, retrieve_k,
                           top);
      return;
    case RetrievalMode::kHier: {
      // The Hamming top-R, re-ranked on the host by E_u·E_i.
      backend.topk_hamming(*inputs.codes, inputs.n_users, inputs.n_items, inputs.bits, exclude, block,
                           options.rerank, candidates);
      std::vector<const float*> user_rows(block.size());
      for (size_t b = 0; b < block.size(); ++b) {
        user_rows[b] = copies.table.data() + static_cast<int64_t>(block[b]) * copies.dim;
      }
      rerank_by_inner_product(candidates, user_rows,
                              copies.table.data() + static_cast<int64_t>(inputs.n_users) * copies.dim, copies.dim,
                              retrieve_k, top);
      return;
    }
    case RetrievalMode::kReal:
      backend.topk_real(*inputs.table, inputs.n_users, inputs.n_items, exclude, block, retrieve_k, top);
      return;
  }
}

// One user's figures at every K of options.topk into row [K][figure]: the
// ranked-list metrics, and with `ranked_hist` (Hamming retrieval: the
// distance histogram of the ranking, test_at: the truth items') the
// tie-aware ones.
void user_figures(const int32_t* ranked, int k, const Csr& truth, int32_t u, const EvalOptions& options,
                  const int32_t* ranked_hist, const int32_t* test_at, int bins, int n_test, double* row) {
  for (size_t ki = 0; ki < options.topk.size(); ++ki) {
    const RankedMetrics rm =
        ranked_metrics(ranked, k, truth.row_begin(u), truth.row_end(u), options.topk[ki], options.kmax);
    double* f = row + ki * kFigures;
    f[kRecall] = rm.recall;
    f[kNdcg] = rm.ndcg;
    f[kNdcgHit] = rm.ndcg_hit;
    if (ranked_hist != nullptr) {
      const TieMetrics tm = tie_aware_metrics(ranked_hist, test_at, bins, n_test, options.topk[ki]);
      f[kRecallTie] = tm.recall;
      f[kNdcgTie] = tm.ndcg;
    }
  }
}

}  // namespace

MetricMap evaluate(Backend& backend, const EvalInputs& inputs, const Csr& truth, const Csr& exclude,
                   const EvalOptions& options) {
  check_options(inputs, options);
  const bool hamming = options.mode == RetrievalMode::kHamming;
  const std::vector<int>& topk = options.topk;
  const int n_k = static_cast<int>(topk.size());
  const int max_k = *std::max_element(topk.begin(), topk.end());
  const int retrieve_k = std::max(options.kmax, max_k);
  const int words = hamming ? static_cast<int>(inputs.codes->cols()) : 0;
  const int bins = hamming ? inputs.bits + 1 : 0;
  const HostCopies copies = download_for_mode(backend, inputs, options.mode);

  const std::vector<int32_t> users = users_with_truth(truth, inputs.n_users);
  const int64_t n_eval = static_cast<int64_t>(users.size());
  std::vector<double> sums(static_cast<size_t>(n_k) * kFigures, 0.0);
  std::vector<double> figures;  // [block user][K][figure]
  TopK top;
  TopK candidates;  // hier: the Hamming top-R
  std::string dump_text;

  for (int64_t first = 0; first < n_eval; first += options.user_batch) {
    const int64_t last = std::min<int64_t>(first + options.user_batch, n_eval);
    const std::vector<int32_t> block(users.begin() + first, users.begin() + last);
    const int64_t block_size = last - first;
    retrieve_block(backend, inputs, exclude, options, copies, block, retrieve_k, top, candidates);

    figures.assign(static_cast<size_t>(block_size * n_k * kFigures), 0.0);
#pragma omp parallel
    {
      std::vector<int32_t> test_at(static_cast<size_t>(bins));
#pragma omp for schedule(dynamic, 64)
      for (int64_t b = 0; b < block_size; ++b) {
        const int32_t u = block[b];
        const int32_t* ranked = top.items.data() + b * top.k;
        const int n_test = static_cast<int>(truth.row_size(u));
        if (hamming) {
          truth_distance_histogram(copies.codes.data(), words, inputs.n_users, u, truth, exclude,
                                   test_at);
        }
        const int32_t* ranked_hist = hamming ? top.distance_hist.data() + b * top.hist_bins : nullptr;
        user_figures(ranked, top.k, truth, u, options, ranked_hist, test_at.data(), bins, n_test,
                     figures.data() + b * n_k * kFigures);
      }
    }

    // In user order: the sums do not depend on how users were split up.
    for (int64_t b = 0; b < block_size; ++b) {
      const double* row = figures.data() + b * n_k * kFigures;
      for (int i = 0; i < n_k * kFigures; ++i) sums[i] += row[i];
    }

    if (options.dump != nullptr) {
      dump_text.clear();
      for (int64_t b = 0; b < block_size; ++b) {
        write_dump_line(dump_text, block[b], top.items.data() + b * top.k, max_k, options);
      }
      options.dump->write(dump_text.data(), static_cast<std::streamsize>(dump_text.size()));
    }
  }

  MetricMap metrics;
  // No user with truth items: every average is 0 rather than 0/0.
  const double n = n_eval > 0 ? static_cast<double>(n_eval) : 1.0;
  for (int ki = 0; ki < n_k; ++ki) {
    const std::string at = "@" + std::to_string(topk[ki]);
    const double* s = sums.data() + ki * kFigures;
    metrics["recall" + at] = s[kRecall] / n;
    metrics["ndcg" + at] = s[kNdcg] / n;
    metrics["ndcg_hit" + at] = s[kNdcgHit] / n;
    if (hamming) {
      metrics["recall_tie" + at] = s[kRecallTie] / n;
      metrics["ndcg_tie" + at] = s[kNdcgTie] / n;
    }
  }
  return metrics;
}

}  // namespace bitrec

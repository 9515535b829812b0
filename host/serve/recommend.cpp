#include "bitrec/recommend.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "bitrec/error.hpp"
#include "bitrec/kernels/hamming.hpp"
#include "bitrec/rerank.hpp"

namespace bitrec {
namespace {

// Users per backend call: the Hamming histogram and the lists stay small
// whatever the number of users asked for.
constexpr int64_t kUserBlock = 4096;

// Appends block `part` (rows of width top.k) to `all`.
void append_rows(TopK& all, const TopK& part) {
  all.items.insert(all.items.end(), part.items.begin(), part.items.end());
  all.scores.insert(all.scores.end(), part.scores.begin(), part.scores.end());
  all.n_users += part.n_users;
}

// One backend retrieval over users already present in `table` / `codes`
// (rows: n_users users, then the items), then the hier re-rank when asked.
// user_vectors(b) gives the E row of the b-th user of `users` for the re-rank.
template <class UserVector>
TopK rank_block(ServedModel& model, const FloatTensor& table, const CodeTensor& codes, int32_t n_users,
                const Csr& exclude, const std::vector<int32_t>& users, const RankingOptions& options,
                UserVector user_vector) {
  Backend& backend = *model.backend;
  const int32_t n_items = model.data.n_items;
  TopK top;
  switch (options.mode) {
    case ServeMode::kHamming:
      backend.topk_hamming(codes, n_users, n_items, model.bits, exclude, users, options.k, top);
      break;
    case ServeMode::kReal:
      backend.topk_real(table, n_users, n_items, exclude, users, options.k, top);
      break;
    case ServeMode::kHier: {  // the evaluator's hier: rerank.hpp
      TopK candidates;
      backend.topk_hamming(codes, n_users, n_items, model.bits, exclude, users,
                           std::max(options.rerank, options.k), candidates);
      std::vector<const float*> user_rows(users.size());
      for (size_t b = 0; b < users.size(); ++b) user_rows[b] = user_vector(static_cast<int64_t>(b));
      rerank_by_inner_product(candidates, user_rows, model.item_embedding(0), model.dim, options.k, top);
      break;
    }
  }
  top.hist_bins = 0;
  top.distance_hist.clear();  // not part of a recommendation
  return top;
}

}  // namespace

const char* serve_mode_name(ServeMode mode) {
  switch (mode) {
    case ServeMode::kHamming: return "hamming";
    case ServeMode::kReal: return "real";
    case ServeMode::kHier: return "hier";
  }
  return "?";
}

ServeMode parse_serve_mode(const std::string& name, const ServedModel& model, const std::string& option) {
  ServeMode mode;
  if (name == "hamming") {
    mode = ServeMode::kHamming;
  } else if (name == "real") {
    mode = ServeMode::kReal;
  } else if (name == "hier") {
    mode = ServeMode::kHier;
  } else {
    throw InputError(option + " " + name + ": unknown mode; allowed: hamming, real, hier");
  }
  // A session model's codes are the signs of its vectors, learned
  // (gru4rec-hash) or taken after training (gru4rec), as in its evaluation.
  if (mode != ServeMode::kReal && !model.hashed && !model.data.sessions) {
    throw InputError(option + " " + name + ": the run's method " + method_name(model.config.method) +
                     " has no codes; use --mode real");
  }
  return mode;
}

ServeMode default_serve_mode(const ServedModel& model) {
  return model.hashed ? ServeMode::kHamming : ServeMode::kReal;
}

void check_ranking_options(const RankingOptions& options) {
  if (options.k < 1) throw InputError("-k " + std::to_string(options.k) + ": must be >= 1");
  if (options.rerank < 1) throw InputError("--rerank " + std::to_string(options.rerank) + ": must be >= 1");
}

TopK recommend_users(ServedModel& model, const std::vector<int32_t>& users, const RankingOptions& options) {
  check_ranking_options(options);
  TopK all;
  all.k = options.k;
  for (size_t first = 0; first < users.size(); first += kUserBlock) {
    const size_t last = std::min(users.size(), first + kUserBlock);
    const std::vector<int32_t> block(users.begin() + first, users.begin() + last);
    const TopK part = rank_block(model, model.outputs.embeddings, model.outputs.codes, model.data.n_users,
                                 model.known, block, options,
                                 [&](int64_t b) { return model.user_embedding(block[b]); });
    append_rows(all, part);
  }
  return all;
}

std::vector<float> fold_in_user(const ServedModel& model, const std::vector<int32_t>& items) {
  std::vector<double> sum(static_cast<size_t>(model.dim), 0.0);
  for (int32_t item : items) {
    const float* e = model.item_embedding(item);
    for (int d = 0; d < model.dim; ++d) sum[d] += e[d];
  }
  std::vector<float> user(static_cast<size_t>(model.dim), 0.0f);
  for (int d = 0; d < model.dim; ++d) user[d] = static_cast<float>(sum[d] / static_cast<double>(items.size()));
  return user;
}

TopK recommend_new_user(ServedModel& model, const std::vector<int32_t>& items, const RankingOptions& options) {
  check_ranking_options(options);
  if (items.empty()) throw InputError("--items: give at least one item id");
  std::vector<int32_t> given = items;
  std::sort(given.begin(), given.end());
  given.erase(std::unique(given.begin(), given.end()), given.end());
  const std::vector<float> user = fold_in_user(model, given);

  // A one-user model: row 0 the new user, then every item's E row, so the
  // backend ranks it with the very code that ranks known users.
  const int32_t n_items = model.data.n_items;
  const int64_t rows = int64_t{1} + n_items;
  std::vector<float> host(static_cast<size_t>(rows * model.dim));
  std::copy(user.begin(), user.end(), host.begin());
  std::copy(model.item_embedding(0), model.item_embedding(0) + static_cast<int64_t>(n_items) * model.dim,
            host.begin() + model.dim);
  Backend& backend = *model.backend;
  FloatTensor table = backend.alloc_f32(rows, model.dim);
  backend.upload(host.data(), table);
  CodeTensor codes;
  if (model.hashed) {
    FloatTensor signs = backend.alloc_f32(rows, model.dim);
    codes = backend.alloc_u64(rows, model.words());
    backend.hash_forward(table, signs, codes);  // sign(0) = +1, as for trained codes
  }
  Csr exclude;
  exclude.rows = 1;
  exclude.cols = n_items;
  exclude.indices = given;
  exclude.indptr = {0, static_cast<int64_t>(given.size())};
  return rank_block(model, table, codes, 1, exclude, {0}, options, [&](int64_t) { return user.data(); });
}

std::string format_score(float score, ServeMode mode) {
  char buf[32];
  if (mode == ServeMode::kHamming) {
    std::snprintf(buf, sizeof buf, "%d", static_cast<int>(score));
  } else {
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(score));
  }
  return buf;
}

std::string escape_tsv_field(const std::string& field) {
  std::string out;
  out.reserve(field.size());
  for (char c : field) {
    switch (c) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
  return out;
}

void append_topk_rows(std::string& out, const std::string& user_label, const TopK& top, int64_t row,
                      ServeMode mode, const ServedModel& model) {
  const std::string user = escape_tsv_field(user_label);
  for (int r = 0; r < top.k; ++r) {
    const int32_t item = top.items[row * top.k + r];
    if (item < 0) break;
    out += user;
    out += '\t';
    out += std::to_string(r + 1);
    out += '\t';
    out += escape_tsv_field(model.item_label(item));
    out += '\t';
    out += format_score(top.scores[row * top.k + r], mode);
    out += '\n';
  }
}

}  // namespace bitrec

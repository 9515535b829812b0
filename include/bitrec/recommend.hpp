// Top-K recommendations from a served model, for known users and for a new
// user folded in from its items (docs/serving.md). Rankings follow the
// evaluator exactly: known items excluded, Hamming ties and equal inner
// products broken by ascending item id (docs/evaluation.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bitrec/served_model.hpp"
#include "bitrec/topk.hpp"

namespace bitrec {

// hamming: ascending Hamming distance of the codes; real: descending inner
// product of E; hier: the Hamming top-R, re-ranked by inner product of E.
enum class ServeMode { kHamming, kReal, kHier };

const char* serve_mode_name(ServeMode mode);  // "hamming" | "real" | "hier"
// Throws InputError naming `option` for an unknown name, or a code-based
// mode on a method without codes.
ServeMode parse_serve_mode(const std::string& name, const ServedModel& model, const std::string& option);
// hamming for hashed methods, real otherwise (what eval ranks by first).
ServeMode default_serve_mode(const ServedModel& model);

struct RankingOptions {
  ServeMode mode = ServeMode::kHamming;
  int k = 20;
  int rerank = 500;  // hier: Hamming candidates re-ranked (raised to k when smaller)
};

// Checks k and rerank; throws InputError naming -k / --rerank.
void check_ranking_options(const RankingOptions& options);

// Top-k of each dense user, in rank order; scores are Hamming distances
// (hamming) or inner products of E (real, hier). Short lists pad with item -1.
TopK recommend_users(ServedModel& model, const std::vector<int32_t>& users, const RankingOptions& options);

// A new user's embedding from its items, one propagation step from their
// final embeddings: the mean of the items' rows of E (docs/serving.md).
std::vector<float> fold_in_user(const ServedModel& model, const std::vector<int32_t>& items);

// Top-k of a new user folded in from `items` (those items excluded); its code
// is sign(fold_in_user) with sign(0) = +1. One row.
TopK recommend_new_user(ServedModel& model, const std::vector<int32_t>& items, const RankingOptions& options);

// Appends "user<TAB>rank<TAB>item<TAB>score\n" rows for row `row` of `top`
// (ranks from 1, external ids, padding skipped). The header is kTopkHeader.
constexpr const char* kTopkHeader = "user\trank\titem\tscore\n";
void append_topk_rows(std::string& out, const std::string& user_label, const TopK& top, int64_t row,
                      ServeMode mode, const ServedModel& model);

// A score as written in text and JSON: an integer distance for hamming, the
// shortest decimal that reads back as the same float for inner products.
std::string format_score(float score, ServeMode mode);

// Ids in tab-separated files: tab, newline, CR and backslash escaped as in
// users.tsv / items.tsv.
std::string escape_tsv_field(const std::string& field);

}  // namespace bitrec

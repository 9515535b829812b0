// Evaluation: retrieval for every user with >= 1 truth item, then metrics
// averaged over those users (docs/methods.md §1). Results never depend on
// threads, user batch size or backend.
#pragma once
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/csr.hpp"

namespace bitrec {

// real: inner products of E; hamming: Hamming distance of the codes; hier:
// the Hamming top-R re-ranked by inner products of E (docs/methods.md §6).
enum class RetrievalMode { kReal, kHamming, kHier };
const char* retrieval_mode_name(RetrievalMode mode);     // "real" | "hamming" | "hier"
RetrievalMode parse_retrieval_mode(const std::string& name);

// hier: Hamming candidates re-ranked, R. The default is 500, raised to kmax
// when kmax is larger (what bitrec train uses and bitrec eval defaults to).
constexpr int kDefaultRerank = 500;
inline int default_rerank(int kmax) { return kmax > kDefaultRerank ? kmax : kDefaultRerank; }

// "recall@20" -> value, etc. Ordered, so printing and JSON are stable.
using MetricMap = std::map<std::string, double>;

struct EvalInputs {
  int32_t n_users = 0;
  int32_t n_items = 0;
  const FloatTensor* table = nullptr;  // real, hier: final embeddings [n_nodes, d] (hier re-ranks by them)
  const CodeTensor* codes = nullptr;   // hamming, hier: packed codes [n_nodes, words]
  int bits = 0;                        // hamming, hier
};

struct EvalOptions {
  RetrievalMode mode = RetrievalMode::kReal;
  std::vector<int> topk{20, 50, 100};
  int kmax = 100;           // list length for ndcg_hit (>= max topk)
  int user_batch = 4096;    // users per retrieval call (memory bound)
  int rerank = kDefaultRerank;  // hier: R, the Hamming candidates re-ranked (>= kmax)
  std::ostream* dump = nullptr;  // --dump-topk: "user item item ..." per user
  const std::vector<std::string>* user_ids = nullptr;  // external ids for the dump
  const std::vector<std::string>* item_ids = nullptr;
};

// truth: test (or validation) items; exclude: the items known at training
// time (removed from every ranking).
MetricMap evaluate(Backend& backend, const EvalInputs& inputs, const Csr& truth,
                   const Csr& exclude, const EvalOptions& options);

// Signs of code collapse (docs/contract.md report keys codes.*).
struct CodeHealth {
  int64_t distinct_items = 0;        // distinct item codes
  int64_t distinct_users = 0;        // distinct user codes
  double bit_balance = 0.0;          // mean over bits of |share of +1 − ½|·2 (items and users)
  double user_item_agreement = 0.0; // mean fraction of equal bits, user vs item, all pairs
};

// codes: [n_users + n_items, words] on the host.
CodeHealth code_health(const std::vector<uint64_t>& codes, int32_t n_users, int32_t n_items,
                       int bits);

}  // namespace bitrec

// The rows a batch of BPR triples touches: BGCH hashes and differentiates only
// these (docs/bgch.md "Cost"), and every per-row gradient is summed by one
// thread over the row's occurrences in triple order (deterministic).
#pragma once
#include <cstdint>
#include <vector>

namespace bitrec::bgch {

enum Role : int32_t { kUser = 0, kPositive = 1, kNegative = 2 };

struct BatchRows {
  int64_t triples = 0;
  std::vector<int32_t> nodes;         // [R] distinct node ids (users, then m + item), ascending
  std::vector<int32_t> slots;         // [triples, 3] slot in `nodes` of (user, pos, neg)
  std::vector<int64_t> occ_begin;     // [R + 1]
  std::vector<int32_t> occurrences;   // [3 · triples]: 3·b + role, ascending per row

  int64_t rows() const { return static_cast<int64_t>(nodes.size()); }
};

// triples [count, 3] (user, pos item, neg item) as draw_triple writes them.
// node_slot: scratch of n_nodes entries, all −1 on entry and on return.
void build_batch_rows(const int32_t* triples, int64_t count, int32_t n_users, std::vector<int32_t>& node_slot,
                      BatchRows& out);

// rows[r, :] = table[nodes[r], :] for r < R; table [*, d], rows [R, d].
void gather_rows(const float* table, const BatchRows& batch, int d, float* rows, int threads);

}  // namespace bitrec::bgch

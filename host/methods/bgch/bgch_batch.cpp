#include "methods/bgch/bgch_batch.hpp"

#include <algorithm>
#include <cstring>

namespace bitrec::bgch {

void build_batch_rows(const int32_t* triples, int64_t count, int32_t n_users, std::vector<int32_t>& node_slot,
                      BatchRows& out) {
  out.triples = count;
  out.nodes.clear();
  auto node_of = [&](int64_t b, int role) {
    return role == kUser ? triples[3 * b] : n_users + triples[3 * b + role];
  };
  for (int64_t b = 0; b < count; ++b) {
    for (int role = 0; role < 3; ++role) {
      const int32_t node = node_of(b, role);
      if (node_slot[node] == -1) {
        node_slot[node] = -2;
        out.nodes.push_back(node);
      }
    }
  }
  // Ascending node ids: the gathers from the layer tables then walk memory forward.
  std::sort(out.nodes.begin(), out.nodes.end());
  for (size_t r = 0; r < out.nodes.size(); ++r) node_slot[out.nodes[r]] = static_cast<int32_t>(r);
  const int64_t rows = out.rows();
  out.slots.resize(static_cast<size_t>(3 * count));
  out.occ_begin.assign(static_cast<size_t>(rows + 1), 0);
  for (int64_t b = 0; b < count; ++b) {
    for (int role = 0; role < 3; ++role) {
      const int32_t slot = node_slot[node_of(b, role)];
      out.slots[3 * b + role] = slot;
      ++out.occ_begin[slot + 1];
    }
  }
  for (int64_t r = 0; r < rows; ++r) out.occ_begin[r + 1] += out.occ_begin[r];
  out.occurrences.resize(static_cast<size_t>(3 * count));
  std::vector<int64_t> fill(out.occ_begin.begin(), out.occ_begin.end() - 1);
  for (int64_t b = 0; b < count; ++b) {
    for (int role = 0; role < 3; ++role) {
      out.occurrences[fill[out.slots[3 * b + role]]++] = static_cast<int32_t>(3 * b + role);
    }
  }
  for (int32_t node : out.nodes) node_slot[node] = -1;
}

void gather_rows(const float* table, const BatchRows& batch, int d, float* rows, int threads) {
  const int64_t n = batch.rows();
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < n; ++r) {
    std::memcpy(rows + r * d, table + static_cast<int64_t>(batch.nodes[r]) * d, sizeof(float) * d);
  }
}

}  // namespace bitrec::bgch

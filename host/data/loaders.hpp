// The loaders behind load_dataset() and the pieces they share. Internal to
// host/data; the public entry points are in bitrec/dataset.hpp.
#pragma once
#include <cstdint>
#include <string>

#include "bitrec/csr.hpp"
#include "bitrec/dataset.hpp"

namespace bitrec::data {

// A directory holding LightGCN's train.txt and test.txt.
Dataset load_lightgcn_dir(const std::string& dir, const LoadOptions& options);

// A CSV (delimiter ',') or TSV ('\t') file of all interactions with a header
// row; split into train/test by split_delimited_interactions' rule.
Dataset load_delimited_file(const std::string& path, char delimiter, const LoadOptions& options);

// The held-out share and seed of a CSV/TSV file's train/test split. Fixed, so
// the same file always gives the same split (datasets/README.md).
constexpr double kDelimitedTestFraction = 0.2;
constexpr uint64_t kDelimitedSplitSeed = 20200725;

// A rows x cols CSR with no entries.
Csr empty_csr(int64_t rows, int64_t cols);

// Test pairs that are also train pairs (both CSRs of the same shape).
int64_t count_overlap(const Csr& train, const Csr& test);

// Checks --users / --items: negative means "not declared"; a declared count
// must leave every id representable. Returns the count (or -1).
int64_t checked_declared_count(int64_t declared, const char* flag);

}  // namespace bitrec::data

// Helpers shared by the data-layer tests: fixture files in a per-test
// temporary directory, and expectations on InputError messages.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bitrec/csr.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/error.hpp"

namespace bitrec::test {

// Removes the fixture directories when the test process exits, so repeated
// runs do not fill the temporary directory.
struct TestDirCleaner {
  std::vector<std::string> dirs;
  ~TestDirCleaner() {
    for (const auto& dir : dirs) {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  }
};
inline TestDirCleaner& test_dir_cleaner() {
  static TestDirCleaner cleaner;
  return cleaner;
}

// A directory unique to the running test (and process: ctest may run tests
// in parallel), emptied on creation and removed at exit.
inline std::string fresh_test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string leaf = "bitrec_data_" + std::string(info->test_suite_name()) + "_" + info->name() +
                     "_" + std::to_string(::getpid());
  for (char& c : leaf) {
    if (c == '/') c = '_';  // parameterised tests are named "Prefix/Suite.Test/N"
  }
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / leaf;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  test_dir_cleaner().dirs.push_back(dir.string());
  return dir.string();
}

// Writes bytes verbatim (binary: CRLF and BOM survive).
inline std::string write_file(const std::string& dir, const std::string& name,
                              const std::string& bytes) {
  const std::string path = (std::filesystem::path(dir) / name).string();
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// A LightGCN dataset directory `parent`/`name` with train.txt and test.txt.
inline std::string write_lightgcn(const std::string& parent, const std::string& name,
                                  const std::string& train, const std::string& test) {
  const std::string dir = (std::filesystem::path(parent) / name).string();
  std::filesystem::create_directories(dir);
  write_file(dir, "train.txt", train);
  write_file(dir, "test.txt", test);
  return dir;
}

// A TAB session file `dir`/`name` (SessionId, ItemId, Time) of `sessions`
// sessions of 2-8 events over `items` items, starting over three days (so
// the last day, --test-days 1, is test): each walks items i, i+1, i+2, ...
// (mod items), or picks random items. The same arguments give the same bytes.
inline std::string write_session_file(const std::string& dir, const std::string& name,
                                      int sessions, int items, bool walk, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string text = "SessionId\tItemId\tTime\n";
  const int64_t t0 = 1600000000;
  for (int s = 0; s < sessions; ++s) {
    const int len = 2 + static_cast<int>(rng() % 7);
    const int64_t start = t0 + int64_t{s} * 3 * 86400 / sessions;
    const int first = static_cast<int>(rng() % items);
    for (int k = 0; k < len; ++k) {
      const int item = walk ? (first + k) % items : static_cast<int>(rng() % items);
      text += "s" + std::to_string(s) + "\t" + std::to_string(item) + "\t" +
              std::to_string(start + 60 * k) + "\n";
    }
  }
  return write_file(dir, name, text);
}

// The InputError message `load` throws; fails the test if it throws nothing
// or something else.
inline std::string input_error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected InputError, nothing was thrown";
  return "";
}

inline std::vector<int32_t> row_of(const Csr& csr, int64_t r) {
  return std::vector<int32_t>(csr.row_begin(r), csr.row_end(r));
}

// Every structural invariant of a CSR: shape, monotone indptr, sorted unique
// in-range columns.
inline void expect_valid_csr(const Csr& csr, int64_t rows, int64_t cols) {
  ASSERT_EQ(csr.rows, rows);
  ASSERT_EQ(csr.cols, cols);
  ASSERT_EQ(csr.indptr.size(), static_cast<size_t>(rows) + 1);
  ASSERT_EQ(csr.indptr.front(), 0);
  ASSERT_EQ(csr.indptr.back(), csr.nnz());
  for (int64_t r = 0; r < rows; ++r) {
    ASSERT_LE(csr.indptr[r], csr.indptr[r + 1]);
    for (const int32_t* c = csr.row_begin(r); c != csr.row_end(r); ++c) {
      ASSERT_GE(*c, 0);
      ASSERT_LT(*c, cols);
      if (c != csr.row_begin(r)) {
        ASSERT_LT(c[-1], *c) << "row " << r << " not sorted/unique";
      }
    }
  }
}

inline bool same_csr(const Csr& a, const Csr& b) {
  return a.rows == b.rows && a.cols == b.cols && a.indptr == b.indptr && a.indices == b.indices;
}

}  // namespace bitrec::test

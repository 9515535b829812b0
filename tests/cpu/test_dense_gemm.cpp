// host/cpu/dense_gemm: the register-blocked products of the host's layers
// (BGCH's hash layer, NGCF's layers and projection) against a double
// reference, bitwise the same on 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <tuple>
#include <vector>

#include "cpu/dense_gemm.hpp"
#include "cpu_test_util.hpp"

namespace bitrec::dense {
namespace {

using test::random_vector;

TEST(DenseGemm, ProductsMatchADoubleReferenceAndDoNotDependOnThreads) {
  // Shapes: BGCH's on Gowalla (d 256), NGCF's layer (2d → d) and projection
  // (4d → bits, over more rows than one gemm_at_b chunk), and remainders of
  // tiles in rows and columns.
  for (const auto& [rows, k, n] : std::vector<std::tuple<int, int, int>>{
           {37, 256, 256}, {300, 128, 64}, {301, 256, 48}, {13, 24, 72}, {7, 5, 9}}) {
    const auto a = random_vector(static_cast<size_t>(rows) * k, 1.0f, 1);
    const auto b = random_vector(static_cast<size_t>(k) * n, 1.0f, 2);
    const auto b_rows = random_vector(static_cast<size_t>(rows) * n, 1.0f, 3);
    std::vector<float> c(static_cast<size_t>(rows) * n);
    gemm_rows(a.data(), b.data(), c.data(), rows, k, n, 2);
    std::vector<float> at_b(static_cast<size_t>(k) * n, 0.5f), sums(static_cast<size_t>(n), 0.25f);
    gemm_at_b_accumulate(a.data(), b_rows.data(), at_b.data(), rows, k, n, 2);
    column_sums_accumulate(b_rows.data(), sums.data(), rows, n, 2);
    for (int i = 0; i < rows; ++i) {
      for (int j = 0; j < n; ++j) {
        double s = 0.0;
        for (int kk = 0; kk < k; ++kk) s += static_cast<double>(a[i * k + kk]) * b[kk * n + j];
        ASSERT_NEAR(c[i * n + j], s, 1e-4 * std::sqrt(k)) << rows << "x" << k << "x" << n;
      }
    }
    for (int kk = 0; kk < k; ++kk) {
      for (int j = 0; j < n; ++j) {
        double s = 0.5;
        for (int i = 0; i < rows; ++i) s += static_cast<double>(a[i * k + kk]) * b_rows[i * n + j];
        ASSERT_NEAR(at_b[kk * n + j], s, 1e-4 * std::sqrt(rows)) << rows << "x" << k << "x" << n;
      }
    }
    for (int j = 0; j < n; ++j) {
      double s = 0.25;
      for (int i = 0; i < rows; ++i) s += b_rows[i * n + j];
      ASSERT_NEAR(sums[j], s, 1e-4 * std::sqrt(rows)) << "column " << j;
    }
    // One thread gives the same bits.
    std::vector<float> c1(c.size()), at_b1(static_cast<size_t>(k) * n, 0.5f), sums1(static_cast<size_t>(n), 0.25f);
    gemm_rows(a.data(), b.data(), c1.data(), rows, k, n, 1);
    gemm_at_b_accumulate(a.data(), b_rows.data(), at_b1.data(), rows, k, n, 1);
    column_sums_accumulate(b_rows.data(), sums1.data(), rows, n, 1);
    EXPECT_EQ(c, c1);
    EXPECT_EQ(at_b, at_b1);
    EXPECT_EQ(sums, sums1);
  }
  std::vector<float> m{1, 2, 3, 4, 5, 6}, mt(6);
  transpose(m.data(), mt.data(), 2, 3);
  EXPECT_EQ(mt, (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

}  // namespace
}  // namespace bitrec::dense

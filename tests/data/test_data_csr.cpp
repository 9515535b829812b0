#include <gtest/gtest.h>

#include <stdexcept>

#include "bitrec/csr.hpp"
#include "test_data_util.hpp"

namespace bitrec {
namespace {

using test::row_of;

TEST(DataCsr, SortsRowsAndDropsDuplicates) {
  int64_t duplicates = -1;
  const Csr csr = csr_from_pairs(3, 5, {{2, 4}, {0, 3}, {0, 1}, {2, 0}, {0, 3}, {2, 4}, {2, 4}},
                                 &duplicates);
  test::expect_valid_csr(csr, 3, 5);
  EXPECT_EQ(duplicates, 3);
  EXPECT_EQ(csr.nnz(), 4);
  EXPECT_EQ(row_of(csr, 0), (std::vector<int32_t>{1, 3}));
  EXPECT_TRUE(row_of(csr, 1).empty());
  EXPECT_EQ(row_of(csr, 2), (std::vector<int32_t>{0, 4}));
}

TEST(DataCsr, ContainsIsMembership) {
  const Csr csr = csr_from_pairs(2, 10, {{0, 7}, {0, 2}, {1, 9}});
  EXPECT_TRUE(csr.contains(0, 2));
  EXPECT_TRUE(csr.contains(0, 7));
  EXPECT_FALSE(csr.contains(0, 9));
  EXPECT_TRUE(csr.contains(1, 9));
  EXPECT_FALSE(csr.contains(1, 0));
}

TEST(DataCsr, EmptyInputGivesEmptyRows) {
  const Csr csr = csr_from_pairs(4, 3, {});
  test::expect_valid_csr(csr, 4, 3);
  EXPECT_EQ(csr.nnz(), 0);
}

TEST(DataCsr, PairOutsideShapeIsRejected) {
  EXPECT_THROW(csr_from_pairs(2, 3, {{2, 0}}), std::out_of_range);
  EXPECT_THROW(csr_from_pairs(2, 3, {{0, 3}}), std::out_of_range);
  EXPECT_THROW(csr_from_pairs(2, 3, {{0, -1}}), std::out_of_range);
}

}  // namespace
}  // namespace bitrec

// The memory estimate behind --max-memory.
#include <gtest/gtest.h>

#include <filesystem>

#include "bitrec/error.hpp"
#include "bitrec/memory_estimate.hpp"
#include "cli_runner.hpp"

namespace bitrec {
namespace {

TEST(MemoryEstimate, ParsesSizes) {
  EXPECT_EQ(parse_memory_size("1000000"), 1000000);
  EXPECT_EQ(parse_memory_size("512M"), int64_t{512} << 20);
  EXPECT_EQ(parse_memory_size("8G"), int64_t{8} << 30);
  EXPECT_EQ(parse_memory_size("8GiB"), int64_t{8} << 30);
  EXPECT_EQ(parse_memory_size("1.5g"), int64_t{3} << 29);
  EXPECT_EQ(parse_memory_size("64 KB"), int64_t{64} << 10);
  for (const char* bad : {"", "abc", "12X", "-1G", "0", "1e30T", "nan"}) {
    EXPECT_THROW(parse_memory_size(bad), InputError) << bad;
  }
}

TEST(MemoryEstimate, CountsTheParameterTablesAndGrowsWithTheModel) {
  TrainConfig c;
  c.method = Method::kRecallHash;
  c.dim = 64;
  resolve_config(c);
  // Gowalla's shape: 70,839 nodes × 64 floats = 18.1 MB per table; E0 + m + v.
  const MemoryEstimate m64 = estimate_training_memory(c, 29858, 40981, 810128, false);
  EXPECT_EQ(m64.parameters, 3 * int64_t{70839} * 64 * 4);
  EXPECT_GT(m64.training, m64.parameters);  // E, signs, gradients, the ∂L/∂s tile
  EXPECT_GT(m64.graph, 2 * int64_t{810128} * 8);
  c.dim = 256;
  const MemoryEstimate m256 = estimate_training_memory(c, 29858, 40981, 810128, false);
  EXPECT_EQ(m256.parameters, 4 * m64.parameters);
  EXPECT_GT(m256.device_total(), 3 * m64.device_total());
  EXPECT_GT(available_host_memory(), 0);  // /proc/meminfo on Linux
}

TEST(MemoryEstimate, CliRefusesARunAboveMaxMemoryAndWritesNothing) {
  const std::string out = ::testing::TempDir() + "bitrec_mem_" + std::to_string(getpid());
  std::filesystem::remove_all(out);
  const testing::CliResult r = testing::run_bitrec("train --epochs 1 --max-memory 1M --out " + out, "max_memory");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--max-memory: this run needs about"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace bitrec

// Checkpoint round trip and corruption, JSON, .npy, the run directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "bitrec/checkpoint.hpp"
#include "bitrec/config_io.hpp"
#include "bitrec/error.hpp"
#include "bitrec/npy.hpp"
#include "bitrec/run_directory.hpp"
#include "cli_runner.hpp"
#include "io/json_writer.hpp"

namespace fs = std::filesystem;

namespace bitrec {
namespace {

std::string fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("bitrec_io_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

using testing::read_bytes;
using testing::write_bytes;

Checkpoint sample_checkpoint() {
  Checkpoint ck;
  ck.config.method = Method::kLightGcn;
  ck.config.dim = 4;
  resolve_config(ck.config);
  ck.state = init_model(3, 5, 4, 0.1f, 42);
  ck.state.adam_m[3] = 0.25f;
  ck.state.adam_v[7] = 1e-6f;
  ck.state.adam_step = 17;
  ck.state.epochs_done = 2;
  return ck;
}

TEST(Checkpoint, RoundTripIsExact) {
  const std::string path = fresh_dir("roundtrip") + "/checkpoint.bin";
  const Checkpoint ck = sample_checkpoint();
  save_checkpoint(path, ck);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  const Checkpoint back = load_checkpoint(path);
  EXPECT_EQ(back.state.e0, ck.state.e0);
  EXPECT_EQ(back.state.adam_m, ck.state.adam_m);
  EXPECT_EQ(back.state.adam_v, ck.state.adam_v);
  EXPECT_EQ(back.state.adam_step, 17);
  EXPECT_EQ(back.state.epochs_done, 2);
  EXPECT_EQ(back.state.n_users, 3);
  EXPECT_EQ(back.state.n_items, 5);
  EXPECT_EQ(config_to_entries(back.config), config_to_entries(ck.config));
}

// hashgnn/bgch states: no table, named parameter blocks (checkpoint v3).
TEST(Checkpoint, RoundTripsParameterBlocksWithoutTable) {
  const std::string path = fresh_dir("blocks") + "/checkpoint.bin";
  Checkpoint ck;
  ck.config.method = Method::kBgch;
  resolve_config(ck.config);
  ck.state.n_users = 3;
  ck.state.n_items = 5;
  ck.state.dim = ck.config.dim;
  ck.state.adam_step = 9;
  ck.state.epoch_batches_done = 1;
  ck.state.epoch_loss_sum = 0.75f;
  for (int k = 0; k < 2; ++k) {
    ParamBlock b;
    b.name = k == 0 ? "E0" : "W";
    b.rows = 2 + k;
    b.cols = 3;
    for (int64_t e = 0; e < b.size(); ++e) {
      b.value.push_back(0.5f * e - k);
      b.adam_m.push_back(1e-3f * e);
      b.adam_v.push_back(1e-7f * (e + k));
    }
    ck.state.blocks.push_back(b);
  }
  save_checkpoint(path, ck);
  const Checkpoint back = load_checkpoint(path);
  EXPECT_TRUE(back.state.e0.empty());
  EXPECT_EQ(back.state.adam_step, 9);
  EXPECT_EQ(back.state.epoch_batches_done, 1);
  EXPECT_EQ(back.state.epoch_loss_sum, 0.75f);
  ASSERT_EQ(back.state.blocks.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    const ParamBlock& a = ck.state.blocks[k];
    const ParamBlock& b = back.state.blocks[k];
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.rows, a.rows);
    EXPECT_EQ(b.cols, a.cols);
    EXPECT_EQ(b.value, a.value);
    EXPECT_EQ(b.adam_m, a.adam_m);
    EXPECT_EQ(b.adam_v, a.adam_v);
  }
  EXPECT_EQ(back.config.method, Method::kBgch);
  EXPECT_EQ(back.config.dim, 256);
  EXPECT_EQ(back.config.layers, 2);
}

TEST(Checkpoint, DetectsCorruptionTruncationAndForeignFiles) {
  const std::string dir = fresh_dir("corrupt");
  const std::string path = dir + "/checkpoint.bin";
  save_checkpoint(path, sample_checkpoint());
  std::vector<char> bytes = read_bytes(path);

  std::vector<char> flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x10;
  write_bytes(path, flipped);
  EXPECT_THROW(
      {
        try {
          load_checkpoint(path);
        } catch (const InputError& e) {
          EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
          throw;
        }
      },
      InputError);

  write_bytes(path, std::vector<char>(bytes.begin(), bytes.begin() + 40));
  EXPECT_THROW(load_checkpoint(path), InputError);
  write_bytes(path, {'h', 'e', 'l', 'l', 'o'});
  EXPECT_THROW(load_checkpoint(path), InputError);
  EXPECT_THROW(load_checkpoint(dir + "/missing.bin"), InputError);
}

TEST(Crc32, KnownVector) {
  // The standard check value of CRC-32/ISO-HDLC.
  EXPECT_EQ(crc32("123456789", 9), 0xCBF43926u);
}

TEST(Json, OrderedNestedAndEscaped) {
  Json j = Json::object();
  j["b"] = Json(1);
  j["a"] = Json("x\"y\n");
  j.at_path("metrics.hamming.recall@20") = Json(0.125);
  j["list"].push_back(Json(true));
  j["nan"] = Json(std::nan(""));
  EXPECT_EQ(j.dump(-1),
            "{\"b\": 1, \"a\": \"x\\\"y\\n\", \"metrics\": {\"hamming\": {\"recall@20\": 0.125}}, "
            "\"list\": [true], \"nan\": null}");
}

TEST(Npy, HeaderIsAlignedAndDataFollows) {
  const std::string path = fresh_dir("npy") + "/x.npy";
  const std::vector<uint8_t> data{1, 2, 3, 4, 5, 6};
  write_npy(path, "|u1", {3, 2}, data.data(), data.size());
  const std::vector<char> bytes = read_bytes(path);
  ASSERT_GE(bytes.size(), 16u);
  EXPECT_EQ(std::string(bytes.data() + 1, 5), "NUMPY");
  const size_t header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  const std::string header(bytes.data() + 10, header_len);
  EXPECT_NE(header.find("'shape': (3,2)"), std::string::npos) << header;
  EXPECT_EQ(bytes.size(), 10 + header_len + data.size());
  EXPECT_EQ(bytes.back(), 6);
}

TEST(Npy, CodesToBytesIsFaissLayout) {
  // Bit k of the code -> bit k % 8 of byte k / 8.
  const std::vector<uint64_t> codes{0x0000000000000201ULL, 0x1ULL};  // 2 rows, 10 bits
  const std::vector<uint8_t> bytes = codes_to_bytes(codes, 2, 10);
  EXPECT_EQ(bytes, (std::vector<uint8_t>{0x01, 0x02, 0x01, 0x00}));
}

TEST(RunDirectory, StagesAndCommitsAndRefusesOtherRuns) {
  const std::string base = fresh_dir("rundir");
  const std::string out = base + "/run";
  {
    RunDirectory run(out, false);
    write_file_atomic(run.file("report.json"), "{}\n");
    EXPECT_FALSE(fs::exists(out));  // nothing in --out until commit
    run.commit();
  }
  EXPECT_TRUE(fs::exists(out + "/report.json"));
  EXPECT_THROW(RunDirectory(out, false), InputError);
  {
    RunDirectory failed(out, true);
    write_file_atomic(failed.file("report.json"), "{\"new\": 1}\n");
    // destroyed without commit: a failed run leaves the old one untouched
  }
  EXPECT_EQ(read_bytes(out + "/report.json").size(), 3u);
  for (const auto& entry : fs::directory_iterator(base)) {
    EXPECT_EQ(entry.path().filename().string(), "run") << "staging left behind: " << entry.path();
  }
  const std::string foreign = base + "/notes";
  fs::create_directories(foreign);
  write_bytes(foreign + "/mine.txt", {'x'});
  EXPECT_THROW(RunDirectory(foreign, true), InputError);  // never deletes a user's files
}

}  // namespace
}  // namespace bitrec

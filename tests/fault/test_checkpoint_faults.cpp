// Crafted checkpoints: every length and count field of checkpoint.bin set to
// a huge value, with the CRC recomputed so the reader reaches the field. The
// reader must refuse each with an InputError naming the file (never
// std::length_error, bad_alloc or a crash), and `bitrec eval` must say so
// with rc 2.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bitrec/checkpoint.hpp"
#include "bitrec/error.hpp"
#include "cli_runner.hpp"

namespace fs = std::filesystem;

namespace bitrec {
namespace {

using testing::read_bytes;
using testing::write_bytes;

// A checkpoint with something behind every length field: config strings,
// tensors, a history point with test and valid metrics, a parameter block.
Checkpoint sample_checkpoint() {
  Checkpoint ck;
  ck.config.method = Method::kLightGcn;
  ck.config.dim = 4;
  ck.config.data = "synthetic:users=3,items=5";
  resolve_config(ck.config);
  ck.state = init_model(3, 5, 4, 0.1f, 42);
  ck.state.epochs_done = 1;
  EvalPoint p;
  p.epoch = 1;
  p.test["real"]["recall@20"] = 0.5;
  p.test["real"]["ndcg@20"] = 0.25;
  p.valid["real"]["recall@20"] = 0.125;
  ck.history.push_back(p);
  ParamBlock b;
  b.name = "w";
  b.rows = 2;
  b.cols = 3;
  b.value.assign(6, 1.0f);
  b.adam_m.assign(6, 0.0f);
  b.adam_v.assign(6, 0.0f);
  ck.state.blocks.push_back(b);
  return ck;
}

struct Field {
  std::string what;
  size_t offset;  // of its uint64 length or count
};

// Walks a version-3 checkpoint as load_checkpoint reads it, recording the
// offset of every length and count field.
class Walker {
 public:
  explicit Walker(const std::vector<char>& bytes) : bytes_(bytes) {}
  std::vector<Field> walk() {
    pos_ = 8 + 4;
    const uint64_t entries = count("config entry count");
    for (uint64_t i = 0; i < entries; ++i) {
      string(i == 0 ? "config key length" : "");
      string(i == 0 ? "config value length" : "");
    }
    pos_ += 4 * 4 + 8;  // users, items, dim, epochs_done, adam_step
    tensor("e0 tensor length");
    tensor("adam_m tensor length");
    tensor("adam_v tensor length");
    pos_ += 8 + 4;
    const uint64_t points = count("history count");
    for (uint64_t i = 0; i < points; ++i) {
      pos_ += 4 + 3 * 8 + 1;
      modes("test");
      modes("valid");
      pos_ += 2 * 8 + 2 * 8;
    }
    const uint64_t blocks = count("parameter block count");
    for (uint64_t i = 0; i < blocks; ++i) {
      string("block name length");
      pos_ += 2 * 8;
      tensor("block value tensor length");
      tensor("block adam_m tensor length");
      tensor("block adam_v tensor length");
    }
    EXPECT_EQ(pos_ + 4, bytes_.size()) << "the walk must end at the CRC";
    return fields_;
  }

 private:
  uint64_t count(const std::string& what) {
    if (!what.empty()) fields_.push_back({what, pos_});
    uint64_t n;
    std::memcpy(&n, bytes_.data() + pos_, sizeof n);
    pos_ += 8;
    return n;
  }
  void string(const std::string& what) { pos_ += count(what); }
  void tensor(const std::string& what) { pos_ += count(what) * sizeof(float); }
  void modes(const std::string& which) {
    const uint64_t n = count(which + " mode count");
    for (uint64_t m = 0; m < n; ++m) {
      string(which + " mode name length");
      const uint64_t metrics = count(which + " metric count");
      for (uint64_t k = 0; k < metrics; ++k) {
        string(k == 0 ? which + " metric name length" : "");
        pos_ += 8;
      }
    }
  }
  const std::vector<char>& bytes_;
  size_t pos_ = 0;
  std::vector<Field> fields_;
};

std::vector<char> with_length(std::vector<char> bytes, size_t offset, uint64_t value) {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
  const size_t body = bytes.size() - sizeof(uint32_t);
  const uint32_t crc = crc32(bytes.data(), body);
  std::memcpy(bytes.data() + body, &crc, sizeof crc);
  return bytes;
}

std::string temp_dir(const std::string& name) {
  const std::string dir = bitrec::testing::cli_temp_path("bitrec_ckfault", name);
  fs::create_directories(dir);
  return dir;
}

// The huge values tried at each field: the largest, one that wraps pos + n
// around to just past the read position (what overflowed the old bounds
// check), one that overflows n * sizeof(float), and one byte more than left.
std::vector<uint64_t> huge_values(size_t offset, size_t file_size) {
  const uint64_t after = offset + 8;
  return {UINT64_MAX, UINT64_MAX - after + 2, (UINT64_MAX / 4) + 2, uint64_t{1} << 62,
          static_cast<uint64_t>(file_size - 4 - after + 1)};
}

TEST(CheckpointFaults, WalkerFindsEveryLengthField) {
  const std::string path = temp_dir("walk") + "/checkpoint.bin";
  save_checkpoint(path, sample_checkpoint());
  const std::vector<Field> fields = Walker(read_bytes(path)).walk();
  // config count, key, value; 3 tensors; history; 2 x (mode count, mode
  // name, metric count, metric name); block count, name, 3 tensors.
  EXPECT_EQ(fields.size(), 3u + 3u + 1u + 8u + 5u);
}

TEST(CheckpointFaults, HugeLengthAtEveryFieldIsACleanInputErrorNamingTheFile) {
  const std::string dir = temp_dir("huge");
  const std::string good = dir + "/good.bin";
  save_checkpoint(good, sample_checkpoint());
  const std::vector<char> bytes = read_bytes(good);
  ASSERT_NO_THROW(load_checkpoint(good));
  const std::vector<Field> fields = Walker(bytes).walk();
  ASSERT_FALSE(fields.empty());
  const std::string bad = dir + "/bad.bin";
  for (const Field& field : fields) {
    for (const uint64_t value : huge_values(field.offset, bytes.size())) {
      SCOPED_TRACE(field.what + " = " + std::to_string(value));
      write_bytes(bad, with_length(bytes, field.offset, value));
      try {
        load_checkpoint(bad);
        ADD_FAILURE() << "loaded a checkpoint with a crafted length";
      } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "not an InputError: " << typeid(e).name() << ": " << e.what();
      }
    }
  }
}

TEST(CheckpointFaults, CliEvalOfACraftedCheckpointIsRc2NamingTheFile) {
  const std::string dir = temp_dir("cli");
  const std::string path = dir + "/checkpoint.bin";
  save_checkpoint(path, sample_checkpoint());
  const std::vector<char> bytes = read_bytes(path);
  const std::vector<Field> fields = Walker(bytes).walk();
  ASSERT_GE(fields.size(), 2u);
  // The first config string's length, wrapped around: the old reader's
  // bounds check overflowed here and std::string threw length_error.
  const Field& key = fields[1];
  ASSERT_EQ(key.what, "config key length");
  write_bytes(path, with_length(bytes, key.offset, UINT64_MAX - (key.offset + 8) + 2));
  const bitrec::testing::CliResult r = bitrec::testing::run_bitrec("eval --model " + dir, "ckfault_eval");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("bitrec: error:", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("basic_string"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("length_error"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace bitrec

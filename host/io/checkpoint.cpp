#include "bitrec/checkpoint.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "bitrec/config_io.hpp"
#include "bitrec/error.hpp"

namespace bitrec {
namespace {

constexpr char kMagic[8] = {'B', 'I', 'T', 'R', 'E', 'C', 'C', 'K'};
// The fewest bytes one history point and one parameter block take (empty
// metrics, empty name and tensors): a count beyond bytes left / this is corrupt.
constexpr size_t kHistoryPointBytes = 4 + 3 * 8 + 1 + 2 * 8 + 2 * 8 + 2 * 8;
constexpr size_t kBlockBytes = 8 + 2 * 8 + 3 * 8;

class Writer {
 public:
  template <class T>
  void put(const T& v) { append(&v, sizeof v); }
  void put_string(const std::string& s) {
    put<uint64_t>(s.size());
    append(s.data(), s.size());
  }
  void put_metrics(const MetricMap& m) {
    put<uint64_t>(m.size());
    for (const auto& [name, value] : m) {
      put_string(name);
      put<double>(value);
    }
  }
  void put_modes(const ModeMetrics& modes) {
    put<uint64_t>(modes.size());
    for (const auto& [mode, metrics] : modes) {
      put_string(mode);
      put_metrics(metrics);
    }
  }
  void put_floats(const std::vector<float>& v) {
    put<uint64_t>(v.size());
    append(v.data(), v.size() * sizeof(float));
  }
  void append(const void* p, size_t n) {
    const char* c = static_cast<const char*>(p);
    bytes.insert(bytes.end(), c, c + n);
  }
  std::vector<char> bytes;
};

class Reader {
 public:
  Reader(const std::string& path, const std::vector<char>& bytes, size_t end)
      : path_(path), bytes_(bytes), end_(end) {}
  template <class T>
  T get() {
    T v;
    take(&v, sizeof v);
    return v;
  }
  template <class T>
  T peek() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof v);
    return v;
  }
  std::string get_string() {
    const uint64_t n = get<uint64_t>();
    if (n > left()) throw InputError(path_ + ": corrupt checkpoint (a string of " + std::to_string(n) +
                                     " bytes where " + std::to_string(left()) + " bytes are left)");
    std::string s(bytes_.data() + pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  // A count of entries, each at least min_bytes long: more than the bytes
  // left could hold is corrupt whatever the limit.
  uint64_t get_count(uint64_t limit, const char* what, size_t min_bytes = 1) {
    const uint64_t n = get<uint64_t>();
    if (n > limit || n > left() / min_bytes) throw InputError(path_ + ": corrupt " + what + " section");
    return n;
  }
  MetricMap get_metrics() {
    MetricMap m;
    for (uint64_t k = get_count(100000, "metrics", sizeof(uint64_t) + sizeof(double)); k > 0; --k) {
      std::string name = get_string();
      m[name] = get<double>();
    }
    return m;
  }
  ModeMetrics get_modes() {
    ModeMetrics modes;
    for (uint64_t k = get_count(16, "metrics", 2 * sizeof(uint64_t)); k > 0; --k) {
      std::string mode = get_string();
      modes[mode] = get_metrics();
    }
    return modes;
  }
  std::vector<float> get_floats(uint64_t expected) {
    const uint64_t n = get<uint64_t>();
    if (n != expected) throw InputError(path_ + ": tensor has " + std::to_string(n) + " values, expected " + std::to_string(expected));
    if (n > left() / sizeof(float)) {
      throw InputError(path_ + ": truncated checkpoint (a tensor of " + std::to_string(n) + " values where " +
                       std::to_string(left()) + " bytes are left)");
    }
    std::vector<float> v(static_cast<size_t>(n));
    take(v.data(), static_cast<size_t>(n) * sizeof(float));
    return v;
  }

 private:
  // Bytes between the read position and the checksum; compared against,
  // never added to, so a crafted length cannot overflow the check.
  uint64_t left() const { return pos_ <= end_ ? end_ - pos_ : 0; }
  void need(uint64_t n) const {
    if (n > left()) throw InputError(path_ + ": truncated checkpoint");
  }
  void take(void* dst, size_t n) {
    need(n);
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
  }
  const std::string& path_;
  const std::vector<char>& bytes_;
  size_t end_;
  size_t pos_ = sizeof kMagic + sizeof(uint32_t);
};

}  // namespace

uint32_t crc32(const void* data, size_t bytes, uint32_t crc) {
  static uint32_t table[256] = {0};
  static const bool ready = [] {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    return true;
  }();
  (void)ready;
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (size_t i = 0; i < bytes; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void save_checkpoint(const std::string& path, const Checkpoint& ck) {
  Writer w;
  w.append(kMagic, sizeof kMagic);
  w.put<uint32_t>(kCheckpointVersion);
  const ConfigEntries entries = config_to_entries(ck.config);
  w.put<uint64_t>(entries.size());
  for (const auto& [key, value] : entries) {
    w.put_string(key);
    w.put_string(value);
  }
  const ModelState& s = ck.state;
  w.put<int32_t>(s.n_users);
  w.put<int32_t>(s.n_items);
  w.put<int32_t>(s.dim);
  w.put<int32_t>(s.epochs_done);
  w.put<int64_t>(s.adam_step);
  w.put_floats(s.e0);
  w.put_floats(s.adam_m);
  w.put_floats(s.adam_v);
  w.put<int64_t>(s.epoch_batches_done);
  w.put<float>(s.epoch_loss_sum);
  w.put<uint64_t>(ck.history.size());
  for (const EvalPoint& p : ck.history) {
    w.put<int32_t>(p.epoch);
    w.put<double>(p.train_seconds);
    w.put<double>(p.eval_seconds);
    w.put<double>(p.loss);
    w.put<uint8_t>(p.hashed ? 1 : 0);
    w.put_modes(p.test);
    w.put_modes(p.valid);
    w.put<int64_t>(p.codes.distinct_items);
    w.put<int64_t>(p.codes.distinct_users);
    w.put<double>(p.codes.bit_balance);
    w.put<double>(p.codes.user_item_agreement);
  }
  w.put<uint64_t>(s.blocks.size());
  for (const ParamBlock& b : s.blocks) {
    w.put_string(b.name);
    w.put<int64_t>(b.rows);
    w.put<int64_t>(b.cols);
    w.put_floats(b.value);
    w.put_floats(b.adam_m);
    w.put_floats(b.adam_v);
  }
  w.put<uint32_t>(crc32(w.bytes.data(), w.bytes.size()));

  // Every failure says the system's reason ("No space left on device").
  const std::string tmp = path + ".tmp";
  std::FILE* out = std::fopen(tmp.c_str(), "wb");
  if (out == nullptr) throw InputError(tmp + ": cannot write checkpoint: " + std::strerror(errno));
  const bool written = std::fwrite(w.bytes.data(), 1, w.bytes.size(), out) == w.bytes.size() && std::fflush(out) == 0;
  const int write_errno = errno;
  const bool closed = std::fclose(out) == 0;
  if (!written || !closed) {
    const std::string why = std::strerror(!written ? write_errno : errno);
    std::remove(tmp.c_str());
    throw InputError(tmp + ": cannot write checkpoint: " + why);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw InputError(path + ": cannot rename " + tmp + " into place: " + why);
  }
}

Checkpoint load_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open checkpoint");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < sizeof kMagic + 2 * sizeof(uint32_t) || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    throw InputError(path + ": not a bitrec checkpoint");
  }
  uint32_t version;
  std::memcpy(&version, bytes.data() + sizeof kMagic, sizeof version);
  if (version < 1 || version > kCheckpointVersion) {
    throw InputError(path + ": checkpoint version " + std::to_string(version) + " (this bitrec reads " +
                     std::to_string(kCheckpointVersion) + ")");
  }
  const size_t body = bytes.size() - sizeof(uint32_t);
  uint32_t stored_crc;
  std::memcpy(&stored_crc, bytes.data() + body, sizeof stored_crc);
  if (crc32(bytes.data(), body) != stored_crc) throw InputError(path + ": checksum mismatch (file corrupted)");

  Reader r(path, bytes, body);
  Checkpoint ck;
  // Each entry is two strings, each at least its 8-byte length.
  ConfigEntries entries(r.get_count(1000, "config", 2 * sizeof(uint64_t)));
  for (auto& [key, value] : entries) {
    key = r.get_string();
    value = r.get_string();
  }
  try {
    ck.config = config_from_entries(entries);
  } catch (const InputError& e) {
    throw InputError(path + ": " + e.what());
  }
  ModelState& s = ck.state;
  s.n_users = r.get<int32_t>();
  s.n_items = r.get<int32_t>();
  s.dim = r.get<int32_t>();
  s.epochs_done = r.get<int32_t>();
  s.adam_step = r.get<int64_t>();
  if (s.n_users < 0 || s.n_items < 0 || s.dim <= 0) throw InputError(path + ": corrupt shapes");
  // Version 3: a MethodModel's state has an empty table and parameter blocks.
  const uint64_t table = static_cast<uint64_t>(s.n_nodes()) * s.dim;
  const uint64_t size = version >= 3 && r.peek<uint64_t>() == 0 ? 0 : table;
  s.e0 = r.get_floats(size);
  s.adam_m = r.get_floats(size);
  s.adam_v = r.get_floats(size);
  if (version >= 2) {
    s.epoch_batches_done = r.get<int64_t>();
    s.epoch_loss_sum = r.get<float>();
    if (s.epoch_batches_done < 0) throw InputError(path + ": corrupt epoch position");
    ck.history.resize(r.get_count(10000000, "history", kHistoryPointBytes));
    for (EvalPoint& p : ck.history) {
      p.epoch = r.get<int32_t>();
      p.train_seconds = r.get<double>();
      p.eval_seconds = r.get<double>();
      p.loss = r.get<double>();
      p.hashed = r.get<uint8_t>() != 0;
      p.test = r.get_modes();
      p.valid = r.get_modes();
      p.codes.distinct_items = r.get<int64_t>();
      p.codes.distinct_users = r.get<int64_t>();
      p.codes.bit_balance = r.get<double>();
      p.codes.user_item_agreement = r.get<double>();
    }
  }
  if (version >= 3) {
    s.blocks.resize(r.get_count(1000, "parameter blocks", kBlockBytes));
    for (ParamBlock& b : s.blocks) {
      b.name = r.get_string();
      b.rows = r.get<int64_t>();
      b.cols = r.get<int64_t>();
      if (b.rows < 0 || b.cols < 0 || b.rows > (int64_t{1} << 40) / std::max<int64_t>(b.cols, 1)) {
        throw InputError(path + ": corrupt shape of parameter block '" + b.name + "'");
      }
      const uint64_t n = static_cast<uint64_t>(b.rows * b.cols);
      b.value = r.get_floats(n);
      b.adam_m = r.get_floats(n);
      b.adam_v = r.get_floats(n);
    }
  }
  return ck;
}

}  // namespace bitrec

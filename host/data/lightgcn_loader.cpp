// LightGCN's text format: train.txt and test.txt, each line
// `user item item ...` with 0-based ids (NGCF / LightGCN / BGCH releases).
#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

#include "bitrec/error.hpp"
#include "data/loaders.hpp"
#include "data/text_input.hpp"

namespace bitrec::data {
namespace {

using Pairs = std::vector<std::pair<int32_t, int32_t>>;

struct ParsedFile {
  std::string path;
  Pairs pairs;
  int32_t max_user = -1;  // over every line, including users without items
  int32_t max_item = -1;
  long long max_user_line = 0, max_item_line = 0;  // where the maxima were read
  long long lines = 0;
};

// LightGCN ids are dense, so the count is max id + 1. A stray huge id in a
// small file would make that count allocate gigabytes; past this floor, a
// count over kSparseIdRatio times the file's lines and pairs is refused.
constexpr int64_t kSparseIdFloor = int64_t{1} << 20;
constexpr int64_t kSparseIdRatio = 64;

void check_ids_dense(const ParsedFile& train, const ParsedFile& test, bool users,
                     int64_t declared) {
  if (declared >= 0) return;  // the user stated the count
  const bool in_train = users ? train.max_user >= test.max_user : train.max_item >= test.max_item;
  const ParsedFile& where = in_train ? train : test;
  const int64_t max_id = users ? where.max_user : where.max_item;
  const int64_t evidence = static_cast<int64_t>(train.pairs.size() + test.pairs.size()) +
                           train.lines + test.lines;
  if (max_id + 1 <= kSparseIdFloor || max_id + 1 <= kSparseIdRatio * evidence) return;
  const char* kind = users ? "user" : "item";
  throw InputError(at_line(
      where.path, users ? where.max_user_line : where.max_item_line,
      std::string(kind) + " id " + std::to_string(max_id) + " asks for " +
          std::to_string(max_id + 1) + " " + kind + "s, too many for " +
          std::to_string(train.lines + test.lines) +
          " lines of input: LightGCN ids must be dense and 0-based (declare " +
          (users ? "--users" : "--items") +
          " to accept it, or use a CSV/TSV file, whose ids are remapped)"));
}

void check_declared(int32_t id, int64_t declared, const char* kind, const char* flag,
                    const std::string& path, long long line) {
  if (declared >= 0 && id >= declared) {
    throw InputError(at_line(path, line,
                             std::string(kind) + " id " + std::to_string(id) + " is not below " +
                                 flag + " " + std::to_string(declared)));
  }
}

ParsedFile parse_lightgcn_file(const std::string& path, const std::string& role,
                               const LoadOptions& options) {
  const std::string text = read_whole_file(path, role);
  ParsedFile parsed;
  parsed.path = path;
  // About one id per 5-6 bytes in the public releases; reserving avoids most
  // regrowth of the largest buffer of the load.
  parsed.pairs.reserve(text.size() / 6);

  LineCursor lines(text);
  std::string_view line;
  while (lines.next(&line)) {
    const long long line_number = lines.line_number();
    const char* p = line.data();
    const char* const end = p + line.size();
    bool have_user = false;
    int32_t user = 0;
    while (true) {
      while (p < end && is_blank_char(*p)) ++p;
      if (p == end) break;
      const char* token_start = p;
      while (p < end && !is_blank_char(*p)) ++p;
      const std::string_view token(token_start, static_cast<size_t>(p - token_start));
      if (!have_user) {
        user = parse_id(token, "user", path, line_number);
        check_declared(user, options.n_users, "user", "--users", path, line_number);
        if (user > parsed.max_user) {
          parsed.max_user = user;
          parsed.max_user_line = line_number;
        }
        have_user = true;
      } else {
        const int32_t item = parse_id(token, "item", path, line_number);
        check_declared(item, options.n_items, "item", "--items", path, line_number);
        if (item > parsed.max_item) {
          parsed.max_item = item;
          parsed.max_item_line = line_number;
        }
        parsed.pairs.emplace_back(user, item);
      }
    }
  }
  parsed.lines = lines.line_number();
  return parsed;
}

}  // namespace

Dataset load_lightgcn_dir(const std::string& dir, const LoadOptions& options) {
  const std::string train_path = (std::filesystem::path(dir) / "train.txt").string();
  const std::string test_path = (std::filesystem::path(dir) / "test.txt").string();
  // Both files are checked before either is parsed, so a user missing
  // test.txt learns it without waiting for train.txt.
  for (const std::string& path : {train_path, test_path}) {
    std::error_code ec;
    const std::filesystem::file_status status = std::filesystem::status(path, ec);
    if (status.type() == std::filesystem::file_type::not_found) {
      throw InputError(path + ": file not found (a LightGCN dataset directory holds train.txt " +
                       "and test.txt, lines 'user item item ...')");
    }
    // e.g. a folder without read or search permission: the path and why.
    if (ec) throw InputError(path + ": cannot access: " + ec.message());
  }

  ParsedFile train = parse_lightgcn_file(train_path, "LightGCN train file", options);
  if (train.pairs.empty()) {
    throw InputError(at_line(train_path, std::max(1LL, train.lines),
                             "empty train file: no user-item pairs (lines 'user item item ...')"));
  }
  ParsedFile test = parse_lightgcn_file(test_path, "LightGCN test file", options);
  check_ids_dense(train, test, /*users=*/true, options.n_users);
  check_ids_dense(train, test, /*users=*/false, options.n_items);

  Dataset data;
  const int64_t max_user = std::max(train.max_user, test.max_user);
  const int64_t max_item = std::max(train.max_item, test.max_item);
  data.n_users = static_cast<int32_t>(options.n_users >= 0 ? options.n_users : max_user + 1);
  data.n_items = static_cast<int32_t>(options.n_items >= 0 ? options.n_items : max_item + 1);
  data.train = csr_from_pairs(data.n_users, data.n_items, std::move(train.pairs),
                              &data.duplicate_train);
  data.test = csr_from_pairs(data.n_users, data.n_items, std::move(test.pairs),
                             &data.duplicate_test);
  data.valid = empty_csr(data.n_users, data.n_items);
  data.overlap = count_overlap(data.train, data.test);
  return data;
}

}  // namespace bitrec::data

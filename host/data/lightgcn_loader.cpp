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
  Pairs pairs;
  int32_t max_user = -1;  // over every line, including users without items
  int32_t max_item = -1;
  long long lines = 0;
};

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
        parsed.max_user = std::max(parsed.max_user, user);
        have_user = true;
      } else {
        const int32_t item = parse_id(token, "item", path, line_number);
        check_declared(item, options.n_items, "item", "--items", path, line_number);
        parsed.max_item = std::max(parsed.max_item, item);
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
    if (!std::filesystem::exists(path)) {
      throw InputError(path + ": file not found (a LightGCN dataset directory holds train.txt " +
                       "and test.txt, lines 'user item item ...')");
    }
  }

  ParsedFile train = parse_lightgcn_file(train_path, "LightGCN train file", options);
  if (train.pairs.empty()) {
    throw InputError(at_line(train_path, std::max(1LL, train.lines),
                             "empty train file: no user-item pairs (lines 'user item item ...')"));
  }
  ParsedFile test = parse_lightgcn_file(test_path, "LightGCN test file", options);

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

// CSV / TSV interactions: a header row naming the columns, one interaction a
// row, ids arbitrary strings remapped densely in order of first appearance.
// The file holds every interaction; the test split is carved here.
#include <deque>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bitrec/error.hpp"
#include "data/delimited_fields.hpp"
#include "data/header_columns.hpp"
#include "data/loaders.hpp"
#include "data/row_split.hpp"
#include "data/text_input.hpp"

namespace bitrec::data {
namespace {

// Dense ids in order of first appearance. Keys view the file buffer (or the
// unescaped-field store), which outlive the map, so no string is copied per row.
class DenseIds {
 public:
  DenseIds(const char* kind, const char* flag, int64_t declared)
      : kind_(kind), flag_(flag), declared_(declared) {}

  int32_t id_of(std::string_view external, const std::string& path, long long line) {
    const auto [it, inserted] = ids_.try_emplace(external, static_cast<int32_t>(order_.size()));
    if (inserted) {
      const int64_t count = static_cast<int64_t>(order_.size()) + 1;
      const int64_t limit = declared_ >= 0 ? declared_ : kMaxId + 1;
      if (count > limit) {
        throw InputError(at_line(path, line,
                                 std::string(kind_) + " " + quote_token(external) +
                                     " is distinct " + kind_ + " number " + std::to_string(count) +
                                     ", more than " +
                                     (declared_ >= 0 ? std::string(flag_) + " " : "the limit ") +
                                     std::to_string(limit)));
      }
      order_.push_back(external);
    }
    return it->second;
  }

  int64_t size() const { return static_cast<int64_t>(order_.size()); }

  // External id of every dense id; ids declared but never seen get "#<id>".
  std::vector<std::string> external_ids(int64_t count) const {
    std::vector<std::string> out(order_.begin(), order_.end());
    for (int64_t id = size(); id < count; ++id) out.push_back("#" + std::to_string(id));
    return out;
  }

 private:
  const char* kind_;
  const char* flag_;
  int64_t declared_;
  std::unordered_map<std::string_view, int32_t> ids_;
  std::vector<std::string_view> order_;
};

}  // namespace

Dataset load_delimited_file(const std::string& path, char delimiter, const LoadOptions& options) {
  const std::string kind = delimiter == '\t' ? "TSV" : "CSV";
  const std::string text = read_whole_file(path, kind + " file of interactions");
  const std::string delimiter_name = delimiter == '\t' ? "tab" : "','";

  LineCursor lines(text);
  std::string_view line;
  std::vector<std::string_view> fields;
  std::deque<std::string> unescaped;
  std::string problem;

  std::vector<std::string_view> header;
  const long long header_line = read_header_row(lines, delimiter, path, &header, &unescaped);
  if (header_line == 0) {
    throw InputError(at_line(path, 1, "empty file: expected a header row naming the " +
                                          options.user_column + " and " + options.item_column +
                                          " columns"));
  }
  if (options.user_column == options.item_column) {
    throw InputError(at_line(path, header_line, "the user and item columns are both " +
                                                    quote_token(options.user_column)));
  }
  const int user_column =
      find_column(header, options.user_column, "user", nullptr, path, header_line);
  const int item_column =
      find_column(header, options.item_column, "item", nullptr, path, header_line);

  DenseIds users("user", "--users", options.n_users);
  DenseIds items("item", "--items", options.n_items);
  std::vector<std::pair<int32_t, int32_t>> pairs;
  pairs.reserve(text.size() / 16);
  while (lines.next(&line)) {
    if (is_blank_line(line)) continue;
    const long long line_number = lines.line_number();
    if (!split_delimited_line(line, delimiter, &fields, &unescaped, &problem)) {
      throw InputError(at_line(path, line_number, problem));
    }
    // A row of another width means a delimiter inside an unquoted value or a
    // cut line; guessing which column is which would load wrong data.
    if (fields.size() != header.size()) {
      throw InputError(at_line(path, line_number,
                               "row has " + std::to_string(fields.size()) +
                                   " fields, the header has " + std::to_string(header.size()) +
                                   " (delimiter " + delimiter_name + ")"));
    }
    const std::string_view user = fields[user_column];
    const std::string_view item = fields[item_column];
    if (user.empty()) throw InputError(at_line(path, line_number, "empty user id"));
    if (item.empty()) throw InputError(at_line(path, line_number, "empty item id"));
    // A NUL byte is binary data (or UTF-16 without a byte-order mark), never
    // part of a real id; kept, it would reach users.tsv / items.tsv, where
    // C-string readers cut the id short (found by tests/data/test_fuzz_loaders.cpp).
    for (const auto& [id, kind] : {std::pair{user, "user"}, std::pair{item, "item"}}) {
      if (id.find('\0') != std::string_view::npos) {
        throw InputError(at_line(path, line_number,
                                 std::string(kind) + " id " + quote_token(id) +
                                     " holds a NUL byte (a binary or UTF-16 file?)"));
      }
    }
    const int32_t u = users.id_of(user, path, line_number);
    const int32_t i = items.id_of(item, path, line_number);
    pairs.emplace_back(u, i);
  }
  if (pairs.empty()) {
    throw InputError(at_line(path, header_line, "no interactions after the header row"));
  }

  Dataset data;
  data.n_users = static_cast<int32_t>(options.n_users >= 0 ? options.n_users : users.size());
  data.n_items = static_cast<int32_t>(options.n_items >= 0 ? options.n_items : items.size());
  const Csr all = csr_from_pairs(data.n_users, data.n_items, std::move(pairs),
                                 &data.duplicate_train);
  // One file holds every interaction, so the split is carved here: train and
  // test are disjoint by construction (overlap 0) and duplicates are counted
  // as duplicate_train.
  split_rows(all, kDelimitedTestFraction, kDelimitedSplitSeed, RngStream::kValidSplit,
             /*tag=*/1, &data.train, &data.test);
  data.valid = empty_csr(data.n_users, data.n_items);
  data.user_ids = users.external_ids(data.n_users);
  data.item_ids = items.external_ids(data.n_items);
  return data;
}

}  // namespace bitrec::data

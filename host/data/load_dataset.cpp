// load_dataset(): decides what --data names and hands it to its loader.
#include <filesystem>

#include "bitrec/dataset.hpp"
#include "bitrec/error.hpp"
#include "data/loaders.hpp"
#include "data/paths.hpp"
#include "data/session_dataset.hpp"
#include "data/synthetic.hpp"
#include "data/text_input.hpp"

namespace bitrec {
namespace data {

Csr empty_csr(int64_t rows, int64_t cols) {
  Csr csr;
  csr.rows = rows;
  csr.cols = cols;
  csr.indptr.assign(static_cast<size_t>(rows) + 1, 0);
  return csr;
}

int64_t count_overlap(const Csr& train, const Csr& test) {
  int64_t overlap = 0;
  for (int64_t u = 0; u < test.rows; ++u) {
    const int32_t *a = train.row_begin(u), *a_end = train.row_end(u);
    const int32_t *b = test.row_begin(u), *b_end = test.row_end(u);
    while (a < a_end && b < b_end) {  // both rows sorted: a merge
      if (*a < *b) ++a;
      else if (*b < *a) ++b;
      else { ++overlap; ++a; ++b; }
    }
  }
  return overlap;
}

int64_t checked_declared_count(int64_t declared, const char* flag) {
  if (declared < 0) return -1;
  if (declared > kMaxId + 1) {
    throw InputError(std::string(flag) + ": " + std::to_string(declared) +
                     " exceeds the largest count accepted, " + std::to_string(kMaxId + 1));
  }
  return declared;
}

}  // namespace data

namespace {

namespace fs = std::filesystem;

// The synthetic generator has its own users= / items= keys; a declared count
// that disagrees is a mistake worth stopping for, not something to pad.
void check_synthetic_counts(const Dataset& data, const LoadOptions& options) {
  if (options.n_users >= 0 && options.n_users != data.n_users) {
    throw InputError("--users " + std::to_string(options.n_users) +
                     " disagrees with the synthetic dataset's users=" +
                     std::to_string(data.n_users) + " (set users= in the spec instead)");
  }
  if (options.n_items >= 0 && options.n_items != data.n_items) {
    throw InputError("--items " + std::to_string(options.n_items) +
                     " disagrees with the synthetic dataset's items=" +
                     std::to_string(data.n_items) + " (set items= in the spec instead)");
  }
}

constexpr const char* kAccepted =
    "expected a directory with train.txt and test.txt, a .csv or .tsv file, session data (a session file, "
    "a sequence file, a directory with train.tsv and test.tsv), or synthetic[:key=value,...]";

}  // namespace

Dataset load_dataset(const std::string& spec, const LoadOptions& options) {
  data::checked_declared_count(options.n_users, "--users");
  data::checked_declared_count(options.n_items, "--items");

  Dataset result;
  // "synthetic" is matched before the file system: a file of that name in
  // the working directory is reached as ./synthetic.
  if (data::is_synthetic_spec(spec)) {
    result = data::generate_synthetic(data::parse_synthetic_spec(spec));
    check_synthetic_counts(result, options);
    result.name = "synthetic";
  } else {
    std::error_code ec;
    const fs::file_status status = fs::status(spec, ec);
    // Not "not found" when the system could not tell (a folder on the way
    // without permission): the path and the system's reason.
    if (!spec.empty() && ec && status.type() != fs::file_type::not_found) {
      throw InputError("--data: '" + spec + "': cannot access: " + ec.message());
    }
    if (spec.empty() || !fs::exists(status)) {
      throw InputError("--data: '" + spec + "' not found (" + kAccepted + ")");
    }
    SessionLoadOptions session_options = options.sessions;
    if (options.item_column != LoadOptions().item_column) session_options.item_column = options.item_column;
    // A LightGCN train.txt or test.txt given as a file is refused with the
    // hint below, not read as a sequence file (its line "user item" looks like one).
    const std::string file_name = fs::path(spec).filename().string();
    const bool lightgcn_file = !fs::is_directory(status) && (file_name == "train.txt" || file_name == "test.txt");
    if (!lightgcn_file && is_session_spec(spec, session_options)) {
      result = data::dataset_from_sessions(load_session_data(spec, session_options));
    } else if (fs::is_directory(status)) {
      result = data::load_lightgcn_dir(spec, options);
      result.name = data::directory_name(spec);
    } else {
      const std::string extension = data::lowercase_extension(spec);
      if (extension == ".csv" || extension == ".tsv") {
        result = data::load_delimited_file(spec, extension == ".csv" ? ',' : '\t', options);
        result.name = fs::path(spec).stem().string();
      } else {
        const std::string hint = lightgcn_file ? "; for LightGCN files pass the directory that holds them" : "";
        throw InputError("--data: '" + spec + "' is not a dataset (" + kAccepted + ")" + hint);
      }
    }
  }
  result.source = spec;
  return result;
}

}  // namespace bitrec

#include "compare_table.hpp"

#include <cstdio>
#include <filesystem>

#include "bitrec/evaluator.hpp"
#include "bitrec/evaluate_modes.hpp"

namespace fs = std::filesystem;

namespace bitrec::cli {
namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// "0.12345" from the report's number at key, "–" when the run has none.
std::string metric_cell(const FlatJson& report, const std::string& key) {
  double v = 0.0;
  return report.finite(key, &v) ? fixed(v, 5) : "–";
}

std::string bits_cell(const CompareRow& row) {
  if (row.bits == 0) return "32-bit floats × " + std::to_string(row.dim);
  return std::to_string(row.bits);
}

std::string bytes_cell(double bytes) {
  return bytes == static_cast<double>(static_cast<long long>(bytes)) ? std::to_string(static_cast<long long>(bytes))
                                                                      : fixed(bytes, 1);
}

// Three significant digits without exponents: 0.00123, 0.0456, 1.23, 45.6, 789.
std::string seconds_cell(double v) {
  char buf[64];
  if (v >= 100.0) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (v >= 0.001 || v == 0.0) {
    std::snprintf(buf, sizeof buf, "%.*f", v >= 10.0 ? 1 : v >= 1.0 ? 2 : v >= 0.1 ? 3 : v >= 0.01 ? 4 : 5, v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g", v);
  }
  return buf;
}

double seconds_per_epoch(const FlatJson& report) {
  const double epochs = report.number("epochs");
  return epochs > 0 ? report.number("train_seconds") / epochs : 0.0;
}

// The report's "<prefix><mode>.<metric>" numbers, nested as mode -> metric.
Json metrics_block(const FlatJson& report, const std::string& prefix) {
  Json block = Json::object();
  for (const char* mode : {"hamming", "real", "hier"}) {
    for (const std::string& key : report.keys_under(prefix + mode + ".")) {
      block[mode][key.substr(prefix.size() + std::string(mode).size() + 1)] = report.value(key);
    }
  }
  return block;
}

}  // namespace

std::vector<CompareRow> read_compare_rows(const std::vector<PlannedRun>& runs) {
  std::vector<CompareRow> rows;
  for (const PlannedRun& run : runs) {
    CompareRow row;
    row.name = run.name;
    row.method = run.config.method;
    row.bits = run.bits;
    row.dim = run.config.dim;
    row.bytes_per_item = bytes_per_item(row.method, row.bits, row.dim);
    row.mode = retrieval_mode_name(primary_mode(row.method));
    // A report found unsound (run.report_problem) is left to the caller,
    // who rebuilds it from the run's checkpoint.
    if (run.report_problem.empty()) {
      row.report = FlatJson::read_file((fs::path(run.config.out) / "report.json").string());
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Json compare_json(const std::vector<CompareRow>& rows, const std::vector<int>& topk) {
  Json j = Json::object();
  j["bitrec_version"] = Json(BITREC_VERSION);
  if (!rows.empty()) {
    const FlatJson& first = rows.front().report;
    for (const std::string& key : first.keys_under("dataset.")) j.at_path(key) = first.value(key);
    Json& protocol = j["protocol"];
    protocol["split"] = Json("test");
    protocol["excluded"] = Json(first.number("dataset.valid") > 0 ? "train and valid items" : "train items");
    protocol["best_selected_on"] = first.value("best.selected_on");
    protocol["kmax"] = first.value("kmax");
    // config.* holds every option as text (config_io.hpp); these are numbers.
    protocol["eval_every"] = Json(static_cast<int64_t>(first.number("config.eval-every")));
    protocol["seed"] = Json(static_cast<int64_t>(first.number("config.seed")));
    protocol["valid_frac"] = Json(first.number("config.valid-frac"));
    // Named so that a reader can tell the published protocol (whole train
    // split, best test epoch) from bitrec's validation-selected one.
    protocol["name"] = Json(first.has("paper.epoch") ? "paper" : "validation");
  }
  Json ks = Json::array();
  for (int k : topk) ks.push_back(Json(k));
  j["topk"] = std::move(ks);
  Json runs = Json::array();
  for (const CompareRow& row : rows) {
    const FlatJson& r = row.report;
    Json run = Json::object();
    run["name"] = Json(row.name);
    run["method"] = Json(method_name(row.method));
    run["bits"] = Json(row.bits);
    run["dim"] = Json(row.dim);
    run["representation"] = Json(row.bits == 0 ? "float32" : "sign code");
    run["bytes_per_item"] = Json(row.bytes_per_item);
    run["mode"] = Json(row.mode);
    run["epochs"] = r.value("epochs");
    run["train_seconds"] = r.value("train_seconds");
    run["eval_seconds"] = r.value("eval_seconds");
    run["seconds_per_epoch"] = Json(seconds_per_epoch(r));
    run["best_epoch"] = r.value("best.epoch");
    run["device"] = r.value("device.name");
    run["final"] = metrics_block(r, "metrics.");
    run["best"] = metrics_block(r, "best.");
    if (r.has("codes.distinct_items")) {
      for (const std::string& key : r.keys_under("codes.")) run.at_path(key) = r.value(key);
    }
    runs.push_back(std::move(run));
  }
  j["runs"] = std::move(runs);
  return j;
}

std::string compare_markdown(const std::vector<CompareRow>& rows, const std::vector<int>& topk) {
  std::string out;
  if (!rows.empty()) {
    const FlatJson& r = rows.front().report;
    const bool valid = r.number("dataset.valid") > 0;
    out += "Data " + r.text("dataset.name") + ": " + r.text("dataset.users") + " users, " +
           r.text("dataset.items") + " items, " + r.text("dataset.train") + " train, " + r.text("dataset.test") +
           " test" + (valid ? ", " + r.text("dataset.valid") + " valid" : "") + ". Test metrics, " +
           (valid ? "train and valid" : "train") + " items excluded; mode: Hamming for codes, real for floats; " +
           "best epoch chosen on " + r.text("best.selected_on") + " recall@" + std::to_string(topk.front()) +
           (r.has("paper.epoch") ? " (the papers' protocol: whole train split, tested every " +
                                       r.text("config.eval-every") + " epochs; ndcg_hit over the top " +
                                       r.text("kmax") + ")"
                                 : " (validation protocol)") +
           ".\n\n";
  }
  std::string header = "| method | bits | bytes/item | mode |";
  std::string rule = "|---|---|---:|---|";
  for (int k : topk) {
    const std::string ks = "@" + std::to_string(k);
    header += " recall" + ks + " | ndcg" + ks + " | best recall" + ks + " | best ndcg" + ks + " | hier recall" + ks + " |";
    rule += "---:|---:|---:|---:|---:|";
  }
  header += " best epoch | s/epoch | epochs |";
  rule += "---:|---:|---:|";
  out += header + "\n" + rule + "\n";
  for (const CompareRow& row : rows) {
    const FlatJson& r = row.report;
    std::string line = "| " + std::string(method_name(row.method)) + " | " + bits_cell(row) + " | " +
                       bytes_cell(row.bytes_per_item) + " | " + row.mode + " |";
    for (int k : topk) {
      const std::string ks = "@" + std::to_string(k);
      line += " " + metric_cell(r, "metrics." + row.mode + ".recall" + ks) + " | " +
              metric_cell(r, "metrics." + row.mode + ".ndcg" + ks) + " | " +
              metric_cell(r, "best." + row.mode + ".recall" + ks) + " | " +
              metric_cell(r, "best." + row.mode + ".ndcg" + ks) + " | " +
              metric_cell(r, "metrics.hier.recall" + ks) + " |";
    }
    line += " " + r.text("best.epoch", "–") + " | " + seconds_cell(seconds_per_epoch(r)) + " | " + r.text("epochs") + " |";
    out += line + "\n";
  }
  return out;
}

}  // namespace bitrec::cli

namespace bitrec::cli {
namespace {

// Characters on screen of a UTF-8 string (what "–" and "×" take: one each).
size_t narrow_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// A number or "–" when the report has none (or it is not finite).
std::string narrow_metric(const FlatJson& report, const std::string& key) {
  double v = 0.0;
  return report.finite(key, &v) ? fixed(v, 4) : "–";
}

}  // namespace

std::string compare_terminal_table(const std::vector<CompareRow>& rows, const std::vector<int>& topk,
                                   const std::string& md_path) {
  const std::string ks = topk.empty() ? std::string() : "@" + std::to_string(topk.front());
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"method", "bits", "bytes/item", "mode", "recall" + ks, "ndcg" + ks, "best epoch", "s/epoch"});
  for (const CompareRow& row : rows) {
    const FlatJson& r = row.report;
    const std::string bits = row.bits == 0 ? "float×" + std::to_string(row.dim) : std::to_string(row.bits);
    cells.push_back({method_name(row.method), bits, bytes_cell(row.bytes_per_item), row.mode,
                     narrow_metric(r, "metrics." + row.mode + ".recall" + ks),
                     narrow_metric(r, "metrics." + row.mode + ".ndcg" + ks), r.text("best.epoch", "–"),
                     seconds_cell(seconds_per_epoch(r))});
  }
  const size_t columns = cells.front().size();
  std::vector<size_t> width(columns, 0);
  for (const auto& line : cells) {
    for (size_t c = 0; c < columns; ++c) {
      if (narrow_width(line[c]) > width[c]) width[c] = narrow_width(line[c]);
    }
  }
  // Text columns (method, bits, mode) to the left, numbers to the right.
  const auto left = [](size_t c) { return c == 0 || c == 1 || c == 3; };
  std::string out;
  for (const auto& line : cells) {
    std::string text;
    for (size_t c = 0; c < columns; ++c) {
      const std::string pad(width[c] - narrow_width(line[c]), ' ');
      if (c > 0) text += "  ";
      text += left(c) ? line[c] + (c + 1 < columns ? pad : "") : pad + line[c];
    }
    out += text + "\n";
  }
  out += "Test metrics at the last epoch, in each method's mode (Hamming for codes, real for floats).\n";
  out += "Every K, best-epoch and hier metrics: " + md_path + "\n";
  return out;
}

}  // namespace bitrec::cli

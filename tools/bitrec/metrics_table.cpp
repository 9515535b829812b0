#include "metrics_table.hpp"

#include <cstdio>

namespace bitrec::cli {

namespace {

// Session models' next-item metrics (docs/sessions.md): recall, MRR, NDCG.
std::string format_session_table(const ModeMetrics& metrics, const std::vector<int>& topk) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-8s %5s %9s %9s %9s\n", "mode", "K", "recall", "mrr", "ndcg");
  out += line;
  for (const auto& [mode, values] : metrics) {
    for (int k : topk) {
      const std::string ks = "@" + std::to_string(k);
      const auto get = [&](const char* name) {
        const auto it = values.find(name + ks);
        return it == values.end() ? 0.0 : it->second;
      };
      std::snprintf(line, sizeof line, "%-8s %5d %9.5f %9.5f %9.5f\n", mode.c_str(), k, get("recall"), get("mrr"),
                    get("ndcg"));
      out += line;
    }
  }
  return out;
}

bool has_session_metrics(const ModeMetrics& metrics) {
  for (const auto& [mode, values] : metrics) {
    for (const auto& [name, value] : values) {
      if (name.rfind("mrr@", 0) == 0) return true;
    }
  }
  return false;
}

}  // namespace

std::string format_metrics_table(const ModeMetrics& metrics, const std::vector<int>& topk) {
  if (has_session_metrics(metrics)) return format_session_table(metrics, topk);
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-8s %5s %9s %9s %9s %11s %9s\n", "mode", "K", "recall", "ndcg",
                "ndcg_hit", "recall_tie", "ndcg_tie");
  out += line;
  for (const auto& [mode, values] : metrics) {
    for (int k : topk) {
      const std::string ks = "@" + std::to_string(k);
      const auto get = [&](const char* name) -> std::string {
        const auto it = values.find(name + ks);
        if (it == values.end()) return "-";
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.5f", it->second);
        return buf;
      };
      std::snprintf(line, sizeof line, "%-8s %5d %9s %9s %9s %11s %9s\n", mode.c_str(), k, get("recall").c_str(),
                    get("ndcg").c_str(), get("ndcg_hit").c_str(), get("recall_tie").c_str(),
                    get("ndcg_tie").c_str());
      out += line;
    }
  }
  return out;
}

}  // namespace bitrec::cli

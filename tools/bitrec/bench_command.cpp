// bitrec bench: throughput of the parts that decide a run's time — SpMM
// propagation, a training epoch, a full evaluation, all-user Hamming top-K —
// as medians of repeated runs, with the device named (BENCHMARKS.md).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>

#include "bitrec/backend_factory.hpp"
#include "bitrec/config_io.hpp"
#include "bitrec/graph.hpp"
#include "bitrec/npy.hpp"
#include "bitrec/output_path.hpp"
#include "bitrec/plural.hpp"
#include "bitrec/run_directory.hpp"
#include "bitrec/trainer.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "flag_checks.hpp"
#include "io/json_writer.hpp"

namespace bitrec::cli {
namespace {

struct BenchArgs {
  DataArgs data;
  std::string method = "lightgcn";
  int epochs = 1;
  int repeats = 5;
  int dim = 64;
  int layers = 3;
  int batch = 2048;
  int hamming_k = 50;
  std::string device = "auto";
  int threads = 0;
  std::string codes_out;
  std::string json_out;
};

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Median seconds of `repeats` calls of fn (after one warm-up call).
double time_median(int repeats, const std::function<void()>& fn, Backend& be) {
  fn();
  be.synchronize();
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    fn();
    be.synchronize();
    times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return median(times);
}

void run_bench(BenchArgs& a) {
  // Output files are checked before anything is timed: never inside a run folder.
  if (!a.codes_out.empty()) check_output_file(a.codes_out, "--codes-out");
  if (!a.json_out.empty()) check_output_file(a.json_out, "--json");
  Json result = Json::object();
  const auto t_load = Clock::now();
  const Dataset data = load_dataset(a.data.data, a.data.load);
  const double load_s = std::chrono::duration<double>(Clock::now() - t_load).count();
  print_dataset_summary(data);
  a.hamming_k = cap_at_items(a.hamming_k, data.n_items, "--hamming-k");

  BackendOptions backend_options;
  backend_options.device = a.device;
  backend_options.threads = a.threads;
  const std::unique_ptr<Backend> be = make_backend(backend_options);
  std::printf("device: %s (%s)\n", be->device_name().c_str(), be->name().c_str());
  result["device"] = Json(be->device_name());
  result["dataset"] = Json(data.name);
  std::printf("load data: %.3f s\n", load_s);

  const auto t_graph = Clock::now();
  const NormalizedGraph graph = build_normalized_graph(data.train, data.n_users, data.n_items);
  const double graph_s = std::chrono::duration<double>(Clock::now() - t_graph).count();
  std::printf("build graph: %.3f s (%lld nodes, %lld nnz)\n", graph_s, static_cast<long long>(graph.n_nodes),
              static_cast<long long>(graph.nnz()));

  TrainConfig cfg;
  cfg.data = a.data.data;
  cfg.method = parse_method(a.method);
  cfg.epochs = std::max(1, a.epochs);  // the schedule length; --epochs 0 times no epoch
  cfg.dim = a.dim;
  cfg.layers = a.layers;
  cfg.batch = a.batch;
  cfg.device = a.device;
  cfg.threads = a.threads;
  resolve_config(cfg);
  EpochRunner runner(*be, data, cfg);

  // Propagation: one SpMM pass per layer, 2·nnz·d flops each.
  FloatTensor in = be->alloc_f32(graph.n_nodes, a.dim);
  FloatTensor out = be->alloc_f32(graph.n_nodes, a.dim);
  const ModelState initial = runner.state();
  be->upload(initial.e0.data(), in);
  const double prop_s = time_median(a.repeats, [&] { be->propagate_mean(in, out, a.layers); }, *be);
  const double flops = 2.0 * graph.nnz() * a.dim * a.layers;
  std::printf("propagate_mean (L=%d, d=%d): median %.2f ms = %.2f ms per SpMM, %.1f GFLOP/s\n", a.layers, a.dim,
              prop_s * 1e3, prop_s * 1e3 / std::max(1, a.layers), flops / prop_s / 1e9);
  result["propagate_ms"] = Json(prop_s * 1e3);
  result["spmm_ms"] = Json(prop_s * 1e3 / std::max(1, a.layers));
  result["spmm_gflops"] = Json(flops / prop_s / 1e9);

  std::vector<double> epoch_times;
  for (int e = 0; e < a.epochs; ++e) {
    const auto t0 = Clock::now();
    const double loss = runner.run_epoch(e);
    be->synchronize();
    epoch_times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    std::printf("epoch %d (%s, %s of %d): %.2f s, loss %.5f\n", e + 1, a.method.c_str(),
                plural(runner.batches_per_epoch(), "batch", "batches").c_str(), a.batch, epoch_times.back(), loss);
  }
  if (!epoch_times.empty()) {
    result["epoch_seconds_median"] = Json(median(epoch_times));
    std::printf("epoch: median %.2f s over %d\n", median(epoch_times), a.epochs);
  }

  const ModelOutputs outputs = runner.outputs();
  EvalOptions eval_options;
  const auto t_eval = Clock::now();
  const ModeMetrics metrics =
      evaluate_outputs(*be, outputs, data, data.test, data.train, {RetrievalMode::kReal}, eval_options);
  const double eval_s = std::chrono::duration<double>(Clock::now() - t_eval).count();
  int64_t test_users = 0;
  for (int64_t u = 0; u < data.test.rows; ++u) test_users += data.test.row_size(u) > 0;
  std::printf("full evaluation (real, all %lld test users, K=20,50,100): %.2f s (recall@20 %.4f)\n",
              static_cast<long long>(test_users), eval_s, metrics.at("real").at("recall@20"));
  result["eval_seconds"] = Json(eval_s);

  // All-user Hamming top-K over the codes of sign(E).
  FloatTensor signs = be->alloc_f32(graph.n_nodes, a.dim);
  CodeTensor codes = be->alloc_u64(graph.n_nodes, (a.dim + 63) / 64);
  be->hash_forward(outputs.embeddings, signs, codes);
  std::vector<int32_t> users(data.n_users);
  for (int32_t u = 0; u < data.n_users; ++u) users[u] = u;
  Csr no_exclusion;
  no_exclusion.rows = data.n_users;
  no_exclusion.cols = data.n_items;
  no_exclusion.indptr.assign(data.n_users + 1, 0);
  TopK topk;
  const double ham_s = time_median(a.repeats, [&] {
    be->topk_hamming(codes, data.n_users, data.n_items, a.dim, no_exclusion, users, a.hamming_k, topk);
  }, *be);
  const double ham_excl_s = time_median(a.repeats, [&] {
    be->topk_hamming(codes, data.n_users, data.n_items, a.dim, data.train, users, a.hamming_k, topk);
  }, *be);
  std::printf("hamming top-%d, %s, %s x %s: median %.2f ms (%.2f ms with train items excluded)\n", a.hamming_k,
              plural(a.dim, "bit").c_str(), plural(data.n_users, "user").c_str(), plural(data.n_items, "item").c_str(),
              ham_s * 1e3, ham_excl_s * 1e3);
  result["hamming_topk_ms"] = Json(ham_s * 1e3);
  result["hamming_topk_excluded_ms"] = Json(ham_excl_s * 1e3);

  if (!a.codes_out.empty()) {
    std::vector<uint64_t> host(codes.size());
    be->download(codes, host.data());
    const std::vector<uint8_t> bytes = codes_to_bytes(host, graph.n_nodes, a.dim);
    write_npy(a.codes_out, "|u1", {graph.n_nodes, (a.dim + 7) / 8}, bytes.data(), bytes.size());
    std::printf("codes [%lld nodes: %d users then items] written to %s\n", static_cast<long long>(graph.n_nodes),
                data.n_users, a.codes_out.c_str());
  }
  if (!a.json_out.empty()) write_file_atomic(a.json_out, result.dump(2) + "\n");
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure propagation, epoch, evaluation and Hamming top-K throughput");
  add_data_options(cmd, args->data);
  cmd->add_option("--method", args->method, "Method whose epoch is timed")->capture_default_str();
  cmd->add_option("--epochs", args->epochs, "Epochs to time (0: none)")
      ->capture_default_str()
      ->check(whole_in(0, kMaxEpochs));
  cmd->add_option("--repeats", args->repeats, "Repeats of each micro-benchmark (median)")
      ->capture_default_str()
      ->check(whole_in(1, 100000));
  cmd->add_option("--dim", args->dim, "Embedding size / code bits")->capture_default_str()->check(whole_in(1, kMaxDim));
  cmd->add_option("--layers", args->layers, "Propagation layers")
      ->capture_default_str()
      ->check(whole_in(0, kMaxLayers));
  cmd->add_option("--batch", args->batch, "Triples per batch")->capture_default_str()->check(whole_in(1, kMaxBatch));
  cmd->add_option("--hamming-k", args->hamming_k, "K of the Hamming top-K benchmark (at most the number of items)")
      ->capture_default_str()
      ->check(whole_in(1, kMaxInt));
  cmd->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--threads", args->threads, "CPU threads (0 = all cores)")->check(whole_in(0, kMaxThreads));
  cmd->add_option("--codes-out", args->codes_out, "Write the benchmarked codes as a uint8 .npy (for FAISS)");
  cmd->add_option("--json", args->json_out, "Write the figures as JSON");
  cmd->callback([args] { run_bench(*args); });
}

}  // namespace bitrec::cli

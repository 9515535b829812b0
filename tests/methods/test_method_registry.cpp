// The method registry (include/bitrec/method_spec.hpp): one spec per method,
// the presets and sizes resolve_config and `bitrec compare` read from it,
// and where each method trains (report.json's train_device, eval_device).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "bitrec/config.hpp"
#include "bitrec/error.hpp"
#include "bitrec/memory_estimate.hpp"
#include "bitrec/method_spec.hpp"
#include "cli_runner.hpp"
#include "json_reader.hpp"

using namespace bitrec;

namespace {

TrainConfig resolved(const std::string& method, const std::string& encoder = "") {
  TrainConfig c;
  c.method = parse_method(method);
  if (!encoder.empty()) {
    c.encoder = parse_encoder(encoder);
    c.encoder_set = true;
  }
  resolve_config(c);
  return c;
}

std::string refusal(const std::string& method, const std::string& encoder, const std::string& estimator = "") {
  TrainConfig c;
  c.method = parse_method(method);
  if (!encoder.empty()) {
    c.encoder = parse_encoder(encoder);
    c.encoder_set = true;
  }
  if (!estimator.empty()) {
    c.estimator = parse_estimator(estimator);
    c.estimator_set = true;
  }
  try {
    resolve_config(c);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(MethodRegistry, EveryMethodNameHasOneSpec) {
  std::set<std::string> names;
  std::set<Method> methods;
  ASSERT_EQ(all_method_specs().size(), method_names().size());
  for (const std::string& name : method_names()) {
    const MethodSpec* spec = find_method_spec(name);
    ASSERT_NE(spec, nullptr) << name;
    EXPECT_EQ(spec->name, name);
    EXPECT_EQ(parse_method(name), spec->method);
    EXPECT_EQ(method_name(spec->method), name);
    EXPECT_EQ(&method_spec(spec->method), spec) << name;
    EXPECT_TRUE(names.insert(name).second) << "two specs named " << name;
    EXPECT_TRUE(methods.insert(spec->method).second) << "two specs for the method of " << name;
    // The preset encoder is one the method runs on.
    EXPECT_TRUE(encoder_allowed(spec->method, spec->presets.encoder)) << name;
  }
  EXPECT_EQ(find_method_spec("no-such-method"), nullptr);
  EXPECT_EQ(method_names(), (std::vector<std::string>{"lightgcn", "hash-ste", "recall-hash", "hashgnn", "bgch", "gru4rec",
                                                        "gru4rec-hash"}));
  EXPECT_EQ(encoder_names(), (std::vector<std::string>{"lightgcn", "ngcf", "graphsage"}));
}

TEST(MethodRegistry, PresetsAsDocumented) {
  struct Expected {
    const char* method;
    int epochs;
    Estimator estimator;
    int dim, layers, batch;
    float bce_weight;
    Encoder encoder;
  };
  const TrainConfig defaults;
  // docs/training.md, docs/methods.md §6: the presets of every method.
  const Expected table[] = {
      {"lightgcn", 1000, Estimator::kSte, defaults.dim, defaults.layers, defaults.batch, 1.0f, Encoder::kLightGcn},
      {"hash-ste", 200, Estimator::kSte, defaults.dim, defaults.layers, defaults.batch, 1.0f, Encoder::kLightGcn},
      {"recall-hash", 100, Estimator::kSignswish, defaults.dim, defaults.layers, defaults.batch, 1.0f,
       Encoder::kLightGcn},
      {"hashgnn", 200, Estimator::kDropoutSte, 32, defaults.layers, 256, 0.1f, Encoder::kGraphSage},
      {"bgch", 200, Estimator::kFourier, 256, 2, 4096, 1.0f, Encoder::kLightGcn},
      // gru4rec: --dim is its last GRU layer (100 by default).
      {"gru4rec", 10, Estimator::kSte, 100, defaults.layers, 64, 1.0f, Encoder::kLightGcn},
      {"gru4rec-hash", 10, Estimator::kSignswish, 100, defaults.layers, 64, 1.0f, Encoder::kLightGcn},
  };
  for (const Expected& e : table) {
    const TrainConfig c = resolved(e.method);
    EXPECT_EQ(c.epochs, e.epochs) << e.method;
    EXPECT_EQ(c.estimator, e.estimator) << e.method;
    EXPECT_EQ(c.dim, e.dim) << e.method;
    EXPECT_EQ(c.layers, e.layers) << e.method;
    EXPECT_EQ(c.batch, e.batch) << e.method;
    EXPECT_EQ(c.bce_weight, e.bce_weight) << e.method;
    EXPECT_EQ(c.encoder, e.encoder) << e.method;
  }
  // The code-score temperature and signswish's slope: recall-hash's chosen
  // on Gowalla, gru4rec-hash's on Video Games (docs/sessions.md).
  EXPECT_EQ(resolved("recall-hash").beta, 20.0f);
  EXPECT_FLOAT_EQ(resolved("recall-hash").tau_rank, 4.0f);  // √64 / 2
  EXPECT_EQ(resolved("gru4rec-hash").beta, 5.0f);
  EXPECT_FLOAT_EQ(resolved("gru4rec-hash").tau_rank, 20.0f);  // 2·√100
  // Given options win over the presets.
  TrainConfig c;
  c.method = Method::kBgch;
  c.dim = 16, c.dim_set = true;
  c.layers = 1, c.layers_set = true;
  c.batch = 100, c.batch_set = true;
  c.epochs = 3;
  c.bce_weight = 0.5f;
  resolve_config(c);
  EXPECT_EQ(c.dim, 16);
  EXPECT_EQ(c.layers, 1);
  EXPECT_EQ(c.batch, 100);
  EXPECT_EQ(c.epochs, 3);
  EXPECT_EQ(c.bce_weight, 0.5f);
}

TEST(MethodRegistry, CodeLengthsAndStorageUnchanged) {
  EXPECT_FALSE(is_hashed(Method::kLightGcn));
  EXPECT_FALSE(is_hashed(Method::kGru4Rec));
  EXPECT_TRUE(is_hashed(Method::kGru4RecHash));
  for (Method m : {Method::kHashSte, Method::kRecallHash, Method::kHashGnn, Method::kBgch}) EXPECT_TRUE(is_hashed(m));
  EXPECT_EQ(fixed_code_bits(Method::kLightGcn), 0);
  EXPECT_EQ(fixed_code_bits(Method::kHashSte), 0);
  EXPECT_EQ(fixed_code_bits(Method::kRecallHash), 0);
  EXPECT_EQ(fixed_code_bits(Method::kHashGnn), 32);
  EXPECT_EQ(fixed_code_bits(Method::kBgch), 768);
  EXPECT_EQ(bytes_per_item(Method::kLightGcn, 0, 64), 256.0);
  EXPECT_EQ(bytes_per_item(Method::kHashSte, 64, 64), 8.0);
  EXPECT_EQ(bytes_per_item(Method::kRecallHash, 33, 33), 5.0);
  EXPECT_EQ(bytes_per_item(Method::kHashGnn, 32, 32), 4.0);
  EXPECT_EQ(bytes_per_item(Method::kBgch, 768, 256), 96.0 + 12.0);  // codes + one float α per segment
}

TEST(MethodRegistry, EncoderAndEstimatorRefusalsUnchanged) {
  const std::string allowed =
      " (allowed: --encoder graphsage with hashgnn; lightgcn with lightgcn, hash-ste, recall-hash, bgch, gru4rec, "
      "gru4rec-hash; "
      "ngcf with lightgcn, hash-ste, recall-hash)";
  EXPECT_EQ(refusal("hashgnn", "lightgcn"), "--encoder lightgcn: --method hashgnn has its own GraphSAGE encoder" + allowed);
  EXPECT_EQ(refusal("bgch", "ngcf"), "--encoder ngcf: --method bgch propagates with LightGCN" + allowed);
  EXPECT_EQ(refusal("lightgcn", "graphsage"), "--encoder graphsage: only with --method hashgnn" + allowed);
  EXPECT_EQ(refusal("gru4rec", "ngcf"),
            "--encoder ngcf: --method gru4rec reads sessions with GRU layers, not a graph encoder" + allowed);
  EXPECT_EQ(refusal("recall-hash", "", "dropout-ste"),
            "--estimator dropout-ste: only with --method hashgnn (it mixes codes and hashgnn's continuous vectors "
            "per example)");
  for (const char* m : {"lightgcn", "hash-ste", "recall-hash"}) {
    EXPECT_EQ(refusal(m, "ngcf"), "") << m;
    EXPECT_EQ(refusal(m, "lightgcn"), "") << m;
  }
  EXPECT_EQ(refusal("hashgnn", "graphsage", "dropout-ste"), "");
}

TEST(MethodRegistry, WhereEachMethodTrains) {
  EXPECT_EQ(train_placement(resolved("lightgcn")).device, TrainDevice::kBackend);
  EXPECT_EQ(train_placement(resolved("hash-ste")).device, TrainDevice::kBackend);
  EXPECT_EQ(train_placement(resolved("recall-hash")).device, TrainDevice::kBackend);
  const TrainPlacement hashgnn = train_placement(resolved("hashgnn"));
  EXPECT_EQ(hashgnn.device, TrainDevice::kHost);
  EXPECT_EQ(hashgnn.cause, "--method hashgnn");
  EXPECT_EQ(train_placement(resolved("bgch")).cause, "--method bgch");
  const TrainPlacement ngcf = train_placement(resolved("recall-hash", "ngcf"));
  EXPECT_EQ(ngcf.device, TrainDevice::kHost);
  EXPECT_EQ(ngcf.cause, "--encoder ngcf");
  EXPECT_EQ(host_train_device_name(2), "host (OpenMP, 2 threads)");
  EXPECT_EQ(host_train_device_name(1), "host (OpenMP, 1 thread)");
}

TEST(MethodRegistry, OptionHelpNamesTheOwners) {
  EXPECT_EQ(option_help("--tau-rank"),
            "recall-hash, gru4rec-hash: temperature in raw code-score units (default: recall-hash sqrt(--dim)/2, "
            "gru4rec-hash 2*sqrt(--dim))");
  EXPECT_EQ(option_help("--bce-weight"), "hashgnn, bgch: weight of the BCE term");
  EXPECT_EQ(option_help("--negatives"), "hashgnn: negatives per positive");
  EXPECT_EQ(option_help("--dispersion"), "bgch: latent feature dispersion strength (0: off)");
  EXPECT_EQ(option_help("--lr"), "");
}

// The host models' estimates from their own layouts equal the sizes the
// estimate had before the registry (hashgnn: 120-d embeddings, 68-d hidden
// layers, 61-node sampled trees).
TEST(MethodRegistry, HostModelMemoryFromTheLayout) {
  TrainConfig c = resolved("hashgnn");
  const int64_t rows = 1000 + 2000;
  const MemoryEstimate m = estimate_training_memory(c, 1000, 2000, 50000, /*on_device=*/false);
  EXPECT_EQ(m.parameters, 3 * rows * (120 + 2 * 68 + c.dim) * 4);
  const int64_t training = 2 * int64_t{c.batch} * (2 + c.negatives) * 61 * (120 + 68) * 4;
  EXPECT_EQ(m.training, training + rows * (c.dim + c.dim) * 4);
  c = resolved("bgch");
  const MemoryEstimate b = estimate_training_memory(c, 1000, 2000, 50000, /*on_device=*/false);
  const int64_t table = rows * c.dim * 4;
  EXPECT_EQ(b.parameters, 3 * (table + int64_t{c.dim} * c.dim * 4));
}

namespace {

const char* kSmallData = "synthetic:users=300,items=200,clusters=5,per_user=15";

std::string temp_path(const std::string& name) { return bitrec::testing::cli_temp_path("bitrec_registry", name); }

}  // namespace

// report.json says where the parameters trained and where evaluation ran.
TEST(CliDevices, ReportNamesTrainAndEvalDevices) {
  using bitrec::testing::FlatJson;
  const std::string table_out = temp_path("table_run");
  const auto table = bitrec::testing::run_bitrec(std::string("train --data ") + kSmallData +
                                                     " --method hash-ste --epochs 1 --dim 16 --batch 512 --threads 2 "
                                                     "--device cpu --out " + table_out,
                                                 "registry_table");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  const FlatJson table_report(bitrec::testing::slurp(table_out + "/report.json"));
  EXPECT_EQ(table_report.text("train_device"), table_report.text("device.name"));
  EXPECT_EQ(table_report.text("eval_device"), table_report.text("device.name"));
  EXPECT_EQ(table.err.find("note: --method"), std::string::npos) << table.err;

  const std::string host_out = temp_path("host_run");
  const auto host = bitrec::testing::run_bitrec(std::string("train --data ") + kSmallData +
                                                    " --method hashgnn --epochs 1 --batch 1024 --threads 2 "
                                                    "--device cpu --out " + host_out,
                                                "registry_host");
  ASSERT_EQ(host.exit_code, 0) << host.err;
  const FlatJson host_report(bitrec::testing::slurp(host_out + "/report.json"));
  EXPECT_EQ(host_report.text("train_device"), "host (OpenMP, 2 threads)");
  EXPECT_EQ(host_report.text("eval_device"), host_report.text("device.name"));
  // --device cpu: nothing to say.
  EXPECT_EQ(host.err.find("note: --method hashgnn"), std::string::npos) << host.err;
}

// --device cuda with a method that trains on the host: a one-line notice
// (where CUDA is available; elsewhere the device refusal is all there is).
TEST(CliDevices, CudaOnAHostMethodSaysWhereItTrains) {
  using bitrec::testing::FlatJson;
  const std::string out = temp_path("cuda_host_run");
  const auto r = bitrec::testing::run_bitrec(std::string("train --data ") + kSmallData +
                                                 " --method hashgnn --epochs 1 --batch 1024 --threads 2 "
                                                 "--device cuda --out " + out,
                                             "registry_cuda");
  if (r.exit_code != 0) {
    EXPECT_NE(r.err.find("cuda"), std::string::npos) << r.err;
    GTEST_SKIP() << "no CUDA device here: " << r.err;
  }
  EXPECT_NE(r.err.find("note: --method hashgnn trains on the host (OpenMP, 2 threads), not on cuda; evaluation "
                       "runs on "),
            std::string::npos)
      << r.err;
  const FlatJson report(bitrec::testing::slurp(out + "/report.json"));
  EXPECT_EQ(report.text("train_device"), "host (OpenMP, 2 threads)");
  EXPECT_EQ(report.text("eval_device"), report.text("device.name"));
  EXPECT_EQ(report.text("device.backend"), "cuda");
}

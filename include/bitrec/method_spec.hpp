// One spec per method: what the rest of bitrec knows about a method (its
// name, whether it hashes, where it trains, its presets, its memory estimate,
// its code length and storage, the help text of the options it alone reads).
// Each method defines its spec in its own folder (host/methods/<method>/);
// host/methods/method_registry.cpp lists them. config.cpp, memory_estimate.cpp
// and the CLI read specs instead of naming methods (docs/training.md, "Adding
// a method").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bitrec/config.hpp"
#include "bitrec/kernels/estimators.hpp"

namespace bitrec {

// Where a method's parameters train.
enum class TrainDevice {
  kBackend,  // on the backend --device picks (cpu or cuda), through its ops
  kHost,     // on the host with OpenMP, whatever --device says; evaluation
             // still runs on the backend
};

// Values resolve_config fills in when the option was not given. A preset of
// 0 (dim, batch) or -1 (layers) leaves the option's own default.
struct MethodPresets {
  int epochs = 200;
  float lr = 1e-3f;
  int warmup_epochs = 0;   // BPR epochs before the method's loss (supports_warmup)
  Estimator estimator = Estimator::kSte;
  int dim = 0;
  int layers = -1;
  int batch = 0;
  float bce_weight = 1.0f;
  Encoder encoder = Encoder::kLightGcn;
  float beta = 20.0f;             // signswish's slope (--beta)
  float tau_rank_per_root_bits = 0.5f;  // --tau-rank = this × √bits
};

// The sizes a memory estimate starts from.
struct MemoryShape {
  int64_t n_users = 0;
  int64_t n_items = 0;
  int64_t rows = 0;  // n_users + n_items
  int64_t train_pairs = 0;
  bool on_device = false;  // the CUDA backend
};

// What a host-trained model holds, in bytes (bits and out_dim: the widths of
// its codes and continuous outputs). memory_estimate.cpp adds the graph, the
// outputs and evaluation's uploads, and places it all on the host or device.
struct HostModelFootprint {
  int64_t bits = 0;
  int64_t out_dim = 0;
  int64_t params = 0;    // parameters with Adam's two moments
  int64_t training = 0;  // activations, gradients, scratch of one batch
};

struct OptionHelp {
  const char* option;  // "--tau-rank"
  const char* text;
};

struct MethodSpec {
  Method method = Method::kLightGcn;
  const char* name = "";  // --method
  bool hashed = false;    // emits ±1 codes (else real-valued embeddings only)
  TrainDevice trains_on = TrainDevice::kBackend;
  MethodPresets presets;

  // Encoders this method runs on (presets.encoder among them). Encoders with
  // a spec of their own (EncoderSpec) may add the method on their side.
  std::vector<Encoder> encoders{Encoder::kLightGcn};
  // Why any other encoder is refused ("has its own GraphSAGE encoder"),
  // after "--method NAME "; empty: the generic "only with --method …".
  const char* encoder_refusal = "";
  // Estimators only this method's model implements, and why (the text of
  // the refusal for other methods).
  std::vector<Estimator> own_estimators;
  const char* own_estimator_reason = "";

  // Whether --warmup-epochs applies: a hashed method on the embedding table
  // (host/methods/table), whose BPR phase is lightgcn's head.
  bool supports_warmup = false;

  // Learns from sessions (include/bitrec/sessions.hpp) and is evaluated by
  // next-item prediction over test sessions (docs/sessions.md), not by
  // user-item retrieval.
  bool session_based = false;
  // A MethodModel (TrainDevice::kHost) whose step runs on the CUDA device
  // itself when --device chooses it (gru4rec: include/bitrec/
  // session_device.hpp), so it trains where the backend lives.
  bool steps_on_device = false;

  // A hashed method whose own ranking is its real-valued score of the codes
  // (bgch: Σ α_u α_i b_uᵀb_i, docs/bgch.md): best-epoch selection, the
  // papers' protocol block and compare's headline read the "real" mode,
  // with pure Hamming reported beside it. false: hashed methods read
  // "hamming".
  bool ranks_by_real_score = false;

  // Code length in bits when it does not follow --dim (a method that always
  // emits the same code length); 0: the code length is --dim (or no codes).
  int fixed_code_bits = 0;
  // Storage of one item's representation in bytes for a code of `bits` bits
  // at --dim `dim`; null: ceil(bits / 8) when hashed, 4·dim when not.
  double (*bytes_per_item)(int bits, int dim) = nullptr;

  // Memory. kBackend methods: training bytes beyond the shared layout of one
  // embedding table (null: none). kHost methods: the model's footprint.
  int64_t (*extra_training_memory)(const TrainConfig& config, const MemoryShape& shape) = nullptr;
  HostModelFootprint (*host_memory)(const TrainConfig& config, const MemoryShape& shape) = nullptr;

  // `train --help` of the options this method alone reads: each reads
  // "<methods that own it>: <text>" (option_help).
  std::vector<OptionHelp> own_options;

  // The model itself is built in the methods layer, above this one
  // (tools/layers.txt): make_model (host/methods/model_factory.cpp) gives
  // kBackend methods the embedding table over the backend's ops
  // (host/methods/table/) and kHost methods their MethodModel, found by one
  // line in host/methods/method_model.cpp's table.
};

// The fields every spec sets, in one call (the rest keep their defaults).
inline MethodSpec base_spec(Method method, const char* name, bool hashed, TrainDevice trains_on, int epochs,
                            Estimator estimator) {
  MethodSpec s;
  s.method = method;
  s.name = name;
  s.hashed = hashed;
  s.trains_on = trains_on;
  s.presets.epochs = epochs;
  s.presets.estimator = estimator;
  return s;
}

// An encoder with a model of its own (--encoder ngcf): the methods it serves,
// where it trains, its memory. The lightgcn and graphsage encoders are part
// of the methods that name them in MethodSpec::encoders.
struct EncoderSpec {
  Encoder encoder = Encoder::kLightGcn;
  const char* name = "";  // --encoder
  std::vector<Method> methods;
  TrainDevice trains_on = TrainDevice::kHost;
  HostModelFootprint (*host_memory)(const TrainConfig& config, const MemoryShape& shape) = nullptr;
};

// --encoder's names, in the order its help lists them.
struct EncoderName {
  Encoder encoder;
  const char* name;
};
const std::vector<EncoderName>& all_encoders();

// The registry (host/methods/method_registry.cpp), in --method order.
const std::vector<MethodSpec>& all_method_specs();
const MethodSpec& method_spec(Method method);
const MethodSpec* find_method_spec(const std::string& name);  // null: unknown
const std::vector<EncoderSpec>& all_encoder_specs();
const EncoderSpec* find_encoder_spec(Encoder encoder);  // null: no model of its own

// Whether `method` may run on `encoder` (either spec says so).
bool encoder_allowed(Method method, Encoder encoder);

// Where a run with this config trains, and what puts it there: "--method
// NAME" or "--encoder NAME" for the host, empty for the backend.
struct TrainPlacement {
  TrainDevice device = TrainDevice::kBackend;
  std::string cause;
};
TrainPlacement train_placement(const TrainConfig& config);

// The host trainer as report.json and the notice name it: "host (OpenMP,
// 2 threads)" (--threads, else OpenMP's default team).
std::string host_train_device_name(int threads);

// The footprint of a host-trained run (method's or encoder's model); null
// for runs that train on the backend.
using HostMemoryFn = HostModelFootprint (*)(const TrainConfig&, const MemoryShape&);
HostMemoryFn host_memory_estimate(const TrainConfig& config);

// Whether `spec` lists `option` ("--user-batch") among its own_options.
bool owns_option(const MethodSpec& spec, const std::string& option);

// "a, b: text" for an option that methods list in own_options (the first
// owner's text); empty if none lists it.
std::string option_help(const std::string& option);

}  // namespace bitrec

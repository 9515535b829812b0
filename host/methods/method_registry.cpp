// The method registry: every method's spec, in --method order, and every
// encoder with a model of its own. Adding a method: its folder under
// host/methods/ with a <method>_spec.cpp, its enumerator in Method
// (include/bitrec/config.hpp), and one line in each list below
// (docs/training.md, "Adding a method").
#include <omp.h>

#include <stdexcept>

#include "bitrec/method_spec.hpp"

namespace bitrec {

MethodSpec lightgcn_spec();     // host/methods/lightgcn/lightgcn_spec.cpp
MethodSpec hash_ste_spec();     // host/methods/hash_ste/hash_ste_spec.cpp
MethodSpec recall_hash_spec();  // host/methods/recall_hash/recall_hash_spec.cpp
MethodSpec hashgnn_spec();      // host/methods/hashgnn/hashgnn_spec.cpp
MethodSpec bgch_spec();         // host/methods/bgch/bgch_spec.cpp
MethodSpec gru4rec_spec();      // host/methods/gru4rec/gru4rec_spec.cpp
MethodSpec gru4rec_hash_spec(); // host/methods/gru4rec/gru4rec_spec.cpp
EncoderSpec ngcf_encoder_spec();  // host/methods/ngcf/ngcf_spec.cpp

const std::vector<MethodSpec>& all_method_specs() {
  static const std::vector<MethodSpec> specs{
      lightgcn_spec(), hash_ste_spec(), recall_hash_spec(), hashgnn_spec(), bgch_spec(), gru4rec_spec(), gru4rec_hash_spec(),
  };
  return specs;
}

const std::vector<EncoderSpec>& all_encoder_specs() {
  static const std::vector<EncoderSpec> specs{ngcf_encoder_spec()};
  return specs;
}

const std::vector<EncoderName>& all_encoders() {
  static const std::vector<EncoderName> encoders{
      {Encoder::kLightGcn, "lightgcn"}, {Encoder::kNgcf, "ngcf"}, {Encoder::kGraphSage, "graphsage"}};
  return encoders;
}

const MethodSpec& method_spec(Method method) {
  for (const MethodSpec& s : all_method_specs()) {
    if (s.method == method) return s;
  }
  throw std::logic_error("method " + std::to_string(static_cast<int>(method)) + " has no spec in the registry");
}

const MethodSpec* find_method_spec(const std::string& name) {
  for (const MethodSpec& s : all_method_specs()) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

const EncoderSpec* find_encoder_spec(Encoder encoder) {
  for (const EncoderSpec& s : all_encoder_specs()) {
    if (s.encoder == encoder) return &s;
  }
  return nullptr;
}

bool encoder_allowed(Method method, Encoder encoder) {
  for (Encoder e : method_spec(method).encoders) {
    if (e == encoder) return true;
  }
  if (const EncoderSpec* enc = find_encoder_spec(encoder)) {
    for (Method m : enc->methods) {
      if (m == method) return true;
    }
  }
  return false;
}

TrainPlacement train_placement(const TrainConfig& config) {
  const MethodSpec& spec = method_spec(config.method);
  if (spec.trains_on == TrainDevice::kHost) return {TrainDevice::kHost, std::string("--method ") + spec.name};
  const EncoderSpec* enc = find_encoder_spec(config.encoder);
  if (enc != nullptr && enc->trains_on == TrainDevice::kHost) {
    return {TrainDevice::kHost, std::string("--encoder ") + enc->name};
  }
  return {TrainDevice::kBackend, ""};
}

std::string host_train_device_name(int threads) {
  const int n = threads > 0 ? threads : omp_get_max_threads();
  return "host (OpenMP, " + std::to_string(n) + (n == 1 ? " thread)" : " threads)");
}

HostMemoryFn host_memory_estimate(const TrainConfig& config) {
  const MethodSpec& spec = method_spec(config.method);
  if (spec.host_memory != nullptr) return spec.host_memory;
  const EncoderSpec* enc = find_encoder_spec(config.encoder);
  return enc != nullptr ? enc->host_memory : nullptr;
}

bool owns_option(const MethodSpec& spec, const std::string& option) {
  for (const OptionHelp& o : spec.own_options) {
    if (option == o.option) return true;
  }
  return false;
}

std::string option_help(const std::string& option) {
  std::string owners;
  const char* text = nullptr;
  for (const MethodSpec& s : all_method_specs()) {
    for (const OptionHelp& o : s.own_options) {
      if (option != o.option) continue;
      owners += (owners.empty() ? "" : ", ") + std::string(s.name);
      if (text == nullptr) text = o.text;
    }
  }
  return text == nullptr ? std::string() : owners + ": " + text;
}

}  // namespace bitrec

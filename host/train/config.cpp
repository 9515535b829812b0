#include "bitrec/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bitrec/error.hpp"
#include "bitrec/method_spec.hpp"

namespace bitrec {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

template <class Enum>
Enum parse_name(const std::string& option, const std::string& name,
                const std::vector<std::string>& names, const std::vector<Enum>& values) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return values[i];
  }
  throw InputError(option + ": unknown value '" + name + "' (allowed: " + join(names) + ")");
}

}  // namespace

// Names, presets and per-method checks come from the method registry
// (include/bitrec/method_spec.hpp, host/methods/method_registry.cpp).
const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const MethodSpec& s : all_method_specs()) out.emplace_back(s.name);
    return out;
  }();
  return names;
}
const char* method_name(Method m) {
  for (const MethodSpec& s : all_method_specs()) {
    if (s.method == m) return s.name;
  }
  return "?";
}
Method parse_method(const std::string& name) {
  std::vector<Method> values;
  for (const MethodSpec& s : all_method_specs()) values.push_back(s.method);
  return parse_name<Method>("--method", name, method_names(), values);
}
bool is_hashed(Method m) { return method_spec(m).hashed; }

int fixed_code_bits(Method m) { return method_spec(m).fixed_code_bits; }
double bytes_per_item(Method m, int bits, int dim) {
  const MethodSpec& spec = method_spec(m);
  if (spec.bytes_per_item != nullptr) return spec.bytes_per_item(bits, dim);
  return spec.hashed ? static_cast<double>((bits + 7) / 8) : 4.0 * dim;
}

const std::vector<std::string>& encoder_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const EncoderName& e : all_encoders()) out.emplace_back(e.name);
    return out;
  }();
  return names;
}
const char* encoder_name(Encoder e) {
  for (const EncoderName& n : all_encoders()) {
    if (n.encoder == e) return n.name;
  }
  return "?";
}
Encoder parse_encoder(const std::string& name) {
  std::vector<Encoder> values;
  for (const EncoderName& e : all_encoders()) values.push_back(e.encoder);
  return parse_name<Encoder>("--encoder", name, encoder_names(), values);
}

const std::vector<std::string>& estimator_names() {
  static const std::vector<std::string> names{"ste", "ste-clip", "dropout-ste", "fourier", "signswish"};
  return names;
}
const char* estimator_name(Estimator e) {
  switch (e) {
    case Estimator::kSte: return "ste";
    case Estimator::kSteClip: return "ste-clip";
    case Estimator::kDropoutSte: return "dropout-ste";
    case Estimator::kFourier: return "fourier";
    case Estimator::kSignswish: return "signswish";
  }
  return "?";
}
Estimator parse_estimator(const std::string& name) {
  return parse_name<Estimator>("--estimator", name, estimator_names(),
                               {Estimator::kSte, Estimator::kSteClip, Estimator::kDropoutSte,
                                Estimator::kFourier, Estimator::kSignswish});
}

const char* session_loss_name(SessionLoss l) {
  switch (l) {
    case SessionLoss::kCrossEntropy: return "cross-entropy";
    case SessionLoss::kBprMax: return "bpr-max";
    case SessionLoss::kTop1Max: return "top1-max";
  }
  return "?";
}
SessionLoss parse_session_loss(const std::string& name) {
  return parse_name<SessionLoss>("--loss", name, {"cross-entropy", "bpr-max", "top1-max"},
                                 {SessionLoss::kCrossEntropy, SessionLoss::kBprMax, SessionLoss::kTop1Max});
}
const char* session_input_name(SessionInput i) {
  switch (i) {
    case SessionInput::kConstrained: return "constrained";
    case SessionInput::kEmbedding: return "embedding";
    case SessionInput::kOneHot: return "onehot";
  }
  return "?";
}
SessionInput parse_session_input(const std::string& name) {
  return parse_name<SessionInput>("--input", name, {"constrained", "embedding", "onehot"},
                                  {SessionInput::kConstrained, SessionInput::kEmbedding, SessionInput::kOneHot});
}

std::vector<int> parse_layer_sizes(const std::string& text) {
  std::vector<int> sizes;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(part, &used);
    } catch (const std::logic_error&) {
      used = 0;
    }
    if (part.empty() || used != part.size() || v < 1 || v > 4096) {
      throw InputError("--layers: '" + text + "' is not a list of layer sizes (whole numbers in [1, 4096], "
                       "comma separated, e.g. 100 or 100,100)");
    }
    sizes.push_back(static_cast<int>(v));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (sizes.size() > 8) throw InputError("--layers: at most 8 GRU layers ('" + text + "')");
  return sizes;
}

std::string format_layer_sizes(const std::vector<int>& sizes) {
  std::string out;
  for (int s : sizes) out += (out.empty() ? "" : ",") + std::to_string(s);
  return out;
}

bool is_session_method(Method m) { return method_spec(m).session_based; }

const char* beta_schedule_name(BetaSchedule s) {
  switch (s) {
    case BetaSchedule::kConst: return "const";
    case BetaSchedule::kLinear: return "linear";
    case BetaSchedule::kExp: return "exp";
  }
  return "?";
}
BetaSchedule parse_beta_schedule(const std::string& name) {
  return parse_name<BetaSchedule>("--beta-schedule", name, {"const", "linear", "exp"},
                                  {BetaSchedule::kConst, BetaSchedule::kLinear, BetaSchedule::kExp});
}

namespace {
void require(bool ok, const std::string& message) {
  if (!ok) throw InputError(message);
}

std::string number_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, v == std::floor(v) && std::fabs(v) < 1e15 ? "%.0f" : "%g", v);
  return buf;
}

// The messages of tools/bitrec/flag_checks.cpp.
void require_whole(long long v, long long lo, long long hi, const char* option) {
  require(v >= lo && v <= hi, std::string(option) + ": " + std::to_string(v) +
                                  " is out of range (must be a whole number in [" + std::to_string(lo) + ", " +
                                  std::to_string(hi) + "])");
}

void require_real(double v, double lo, double hi, bool lo_open, bool hi_open, const char* option) {
  const std::string must = std::string(" (must be a finite number in ") + (lo_open ? "(" : "[") + number_text(lo) +
                           ", " + number_text(hi) + (hi_open ? ")" : "]") + ")";
  require(std::isfinite(v), std::string(option) + ": " + number_text(v) + " is not a finite number" + must);
  const bool below = lo_open ? !(v > lo) : !(v >= lo);
  const bool above = hi_open ? !(v < hi) : !(v <= hi);
  require(!below && !above, std::string(option) + ": " + number_text(v) + " is out of range" + must);
}
// "recall-hash, hash-ste": the methods with a BPR warm-up phase.
std::string warmup_method_names() {
  std::string names;
  for (const MethodSpec& s : all_method_specs()) {
    if (s.supports_warmup) names += (names.empty() ? "" : ", ") + std::string(s.name);
  }
  return names;
}
}  // namespace

void resolve_config(TrainConfig& c) {
  // The method's presets (its spec; docs/methods.md §6, §8), unless given.
  const MethodSpec& spec = method_spec(c.method);
  const MethodPresets& preset = spec.presets;
  if (preset.dim > 0 && !c.dim_set) c.dim = preset.dim;
  if (preset.layers >= 0 && !c.layers_set) c.layers = preset.layers;
  if (preset.batch > 0 && !c.batch_set) c.batch = preset.batch;
  if (!c.encoder_set) c.encoder = preset.encoder;
  if (!encoder_allowed(c.method, c.encoder)) {
    // Every allowed pair, by encoder name: " (allowed: --encoder E1 with
    // M1, M2; E2 with ...)".
    std::vector<std::string> encoders = encoder_names();
    std::sort(encoders.begin(), encoders.end());
    std::string combinations;
    for (const std::string& e : encoders) {
      std::string methods;
      for (const MethodSpec& s : all_method_specs()) {
        if (encoder_allowed(s.method, parse_encoder(e))) methods += (methods.empty() ? "" : ", ") + std::string(s.name);
      }
      if (!methods.empty()) combinations += (combinations.empty() ? "" : "; ") + e + " with " + methods;
    }
    combinations = " (allowed: --encoder " + combinations + ")";
    const std::string encoder = encoder_name(c.encoder);
    if (*spec.encoder_refusal != '\0') {
      throw InputError("--encoder " + encoder + ": --method " + spec.name + " " + spec.encoder_refusal +
                       combinations);
    }
    std::string users;
    for (const MethodSpec& s : all_method_specs()) {
      if (encoder_allowed(s.method, c.encoder)) users += (users.empty() ? "" : ", ") + std::string(s.name);
    }
    throw InputError("--encoder " + encoder + ": only with --method " + users + combinations);
  }
  if (spec.session_based) {
    // The model's width is its last GRU layer: the output vectors (and the
    // codes of gru4rec-hash) have that many components. --dim alone (as
    // compare's --bits gives it) sets a single layer of that size.
    require(!c.session.hidden.empty(), "--layers: give at least one GRU layer size");
    if (c.dim_set && !c.layers_set) c.session.hidden = {c.dim};
    require(!c.dim_set || c.dim == c.session.hidden.back(),
            "--dim " + std::to_string(c.dim) + ": a session model's width is its last GRU layer (--layers " +
                format_layer_sizes(c.session.hidden) + "); give one of them");
    c.dim = c.session.hidden.back();
  }
  if (c.bce_weight < 0.0f) c.bce_weight = preset.bce_weight;
  if (c.epochs < 0) c.epochs = preset.epochs;
  if (c.lr < 0.0f) c.lr = preset.lr;
  if (c.warmup_epochs < 0) c.warmup_epochs = spec.supports_warmup ? preset.warmup_epochs : 0;
  if (c.lr_after_warmup < 0.0f) c.lr_after_warmup = c.lr;
  if (!c.estimator_set) c.estimator = preset.estimator;
  if (c.beta < 0.0f) c.beta = preset.beta;
  // recall-hash: √bits/2, chosen on Gowalla's validation split
  // (docs/training.md); gru4rec-hash: 2·√bits (docs/sessions.md).
  if (c.tau_rank < 0.0f) c.tau_rank = preset.tau_rank_per_root_bits * std::sqrt(static_cast<float>(c.dim));
  // Estimators only one method's model implements (its spec's
  // own_estimators).
  for (const MethodSpec& s : all_method_specs()) {
    for (Estimator e : s.own_estimators) {
      require(c.estimator != e || c.method == s.method, std::string("--estimator ") + estimator_name(e) +
                                                            ": only with --method " + s.name + " (" +
                                                            s.own_estimator_reason + ")");
    }
  }
  if (c.beta_end < 0.0f) c.beta_end = c.beta;
  if (c.recall_n_end < 0) c.recall_n_end = c.recall_n;
  if (c.bpr_weight < 0.0f) c.bpr_weight = 0.0f;

  if (spec.session_based) {
    if (!c.topk_set) c.topk = {20};
    if (c.session.embedding_dim <= 0) c.session.embedding_dim = c.session.hidden.front();
    require_whole(c.session.n_sample, 0, 1 << 20, "--n-sample");
    require_real(c.session.sample_alpha, 0, 10, false, false, "--sample-alpha");
    require_real(c.session.logq, 0, 10, false, false, "--logq");
    require_real(c.session.bpreg, 0, 1e6, false, false, "--bpreg");
    require_real(c.session.elu_alpha, 0, 1e6, false, false, "--elu-alpha");
    require_real(c.session.momentum, 0, 1, false, true, "--momentum");
    require_real(c.session.dropout_embed, 0, 1, false, true, "--dropout-embed");
    require_real(c.session.dropout_hidden, 0, 1, false, true, "--dropout-hidden");
    require_whole(c.session.embedding_dim, 1, 4096, "--embedding-dim");
    require_real(c.session.test_days, 0, 1e6, true, false, "--test-days");
    require(c.valid_frac == 0.0, "--valid-frac: session data carve validation by their own rule; use "
                                 "--valid-sessions (datasets/README.md \"Session data\")");
  }

  // The CLI checks the same ranges as each option is parsed
  // (tools/bitrec/flag_checks.hpp, docs/cli_errors.md); these hold for any
  // caller, and for configs read back from a checkpoint.
  require_whole(c.epochs, 1, 1000000, "--epochs");
  require_whole(c.dim, 1, 4096, "--dim");
  require_whole(c.layers, 0, 16, "--layers");
  require_real(c.lr, 0, 10, true, false, "--lr");
  require_whole(c.batch, 1, 1 << 24, "--batch");
  require_real(c.decay, 0, 100, false, false, "--decay");
  require_real(c.init_std, 0, 10, true, false, "--init-std");
  require_real(c.clip, 0, 1e6, true, false, "--clip");
  require_real(c.beta, 0, 1e6, true, false, "--beta");
  require_real(c.beta_end, 0, 1e6, true, false, "--beta-end");
  require_whole(c.eval_every, 1, 1000000, "--eval-every");
  require_whole(c.negatives, 1, 1000, "--negatives");
  require_real(c.bce_weight, 0, 1e6, false, false, "--bce-weight");
  require_whole(c.fourier_terms, 2, 64, "--fourier-terms");
  require_real(c.fourier_omega, 0, 1e6, true, false, "--fourier-omega");
  require_real(c.dispersion, 0, 1, false, true, "--dispersion");
  require_real(c.tau_rank, 0, 1e6, true, false, "--tau-rank");
  require_real(c.tau_cut, 0, 1e9, true, false, "--tau-cut");
  // <= 0: n_items / 20 (tau_cut_at_epoch); a given one is checked by the CLI.
  if (c.tau_cut_start > 0.0f || !std::isfinite(c.tau_cut_start)) {
    require_real(c.tau_cut_start, 0, 1e9, true, false, "--tau-cut-start");
  }
  require_whole(c.recall_n, 1, 1000000, "--recall-n");
  require_whole(c.recall_n_end, 1, 1000000, "--recall-n-end");
  require_real(c.dcg_weight, 0, 1e6, false, false, "--dcg-weight");
  require_real(c.tau_cut_warmup, 0, 1, false, false, "--tau-cut-warmup");
  if (c.user_batch != -1) require_whole(c.user_batch, 1, 1 << 24, "--user-batch");  // -1: auto
  require_real(c.lr_after_warmup, 0, 10, true, false, "--lr-after-warmup");
  require_whole(c.warmup_epochs, 0, 1000000, "--warmup-epochs");
  if (c.warmup_epochs > 0) {
    require(spec.supports_warmup && c.encoder == Encoder::kLightGcn,
            std::string("--warmup-epochs: only with --method ") + warmup_method_names() +
                " on the lightgcn encoder (--method " + spec.name + " has no BPR phase)");
    require(c.warmup_epochs < c.epochs, "--warmup-epochs: " + std::to_string(c.warmup_epochs) +
                                            " must be below --epochs " + std::to_string(c.epochs) +
                                            " (the method's own loss needs at least one epoch)");
  }
  require_real(c.bpr_weight, 0, 1e6, false, false, "--bpr-weight");
  require_whole(c.distill_top, 1, 1000, "--distill-top");
  if (!c.distill_from.empty()) {
    require(c.method == Method::kRecallHash,
            std::string("--distill-from: only with --method recall-hash (its smooth recall loss takes the "
                        "teacher's items as positives), not ") + spec.name);
    require(train_placement(c).device == TrainDevice::kBackend,
            std::string("--distill-from: only on the lightgcn encoder (the embedding table's smooth recall loss), not --encoder ") +
                encoder_name(c.encoder));
    require(c.warmup_epochs <= 0, "--distill-from: not with --warmup-epochs (its BPR phase would draw the "
                                  "teacher's items as positives); warm-start with --init-from instead");
    require(c.bpr_weight <= 0.0f, "--distill-from: not with --bpr-weight (its negatives could be the teacher's "
                                  "items the recall loss takes as positives)");
  }
  require_real(c.valid_frac, 0, 1, false, true, "--valid-frac");
  require_whole(c.threads, 0, 1024, "--threads");
  require(!c.topk.empty(), "--topk: give at least one K");
  for (int k : c.topk) require(k >= 1 && k <= 1000, "--topk: every K must be in [1, 1000]");
  const int max_k = *std::max_element(c.topk.begin(), c.topk.end());
  if (c.kmax < 0) c.kmax = max_k;
  require(c.kmax >= max_k && c.kmax <= 1000, "--kmax: must be in [max(--topk), 1000]");
  require(c.device == "auto" || c.device == "cpu" || c.device == "cuda",
          "--device: unknown value '" + c.device + "' (allowed: auto, cpu, cuda)");
}

void apply_paper_protocol(TrainConfig& c, bool valid_frac_given, bool eval_every_given, bool kmax_given) {
  require(!(valid_frac_given && c.valid_frac > 0),
          "--protocol paper: trains on the whole train split; drop --valid-frac (or use --protocol validation)");
  c.valid_frac = 0.0;
  if (!eval_every_given) c.eval_every = kPaperEvalEvery;
  if (!kmax_given) c.kmax = kPaperKmax;
}

EstimatorParams estimator_at_epoch(const TrainConfig& c, int epoch) {
  EstimatorParams p;
  p.kind = c.estimator;
  p.clip = c.clip;
  p.beta = beta_at_epoch(c, epoch);
  p.fourier_terms = c.fourier_terms;
  p.fourier_omega = c.fourier_omega;
  return p;
}

int phase_epochs(const TrainConfig& c) { return c.epochs - std::max(c.warmup_epochs, 0); }

int phase_epoch(const TrainConfig& c, int epoch) { return std::max(0, epoch - std::max(c.warmup_epochs, 0)); }

namespace {
// Where epoch e of the run sits in the method's phase, 0 at its first epoch
// and 1 at its last (and after); 0 when the phase has a single epoch.
double phase_progress(const TrainConfig& c, int epoch_of_run) {
  const int epochs = phase_epochs(c);
  if (epochs <= 1) return 0.0;
  return std::min(1.0, static_cast<double>(phase_epoch(c, epoch_of_run)) / (epochs - 1));
}
}  // namespace

bool in_warmup(const TrainConfig& c, int epoch) { return epoch < c.warmup_epochs; }

float beta_at_epoch(const TrainConfig& c, int epoch_of_run) {
  if (c.beta_schedule == BetaSchedule::kConst || phase_epochs(c) <= 1) return c.beta;
  const double t = phase_progress(c, epoch_of_run);
  if (c.beta_schedule == BetaSchedule::kLinear) return static_cast<float>(c.beta + t * (c.beta_end - c.beta));
  return static_cast<float>(c.beta * std::pow(static_cast<double>(c.beta_end) / c.beta, t));
}

int user_batch_for(const TrainConfig& c, int64_t sampleable_users) {
  if (c.user_batch > 0) return c.user_batch;
  const int64_t per_step = (sampleable_users + kUserEpochSteps - 1) / kUserEpochSteps;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(kMaxAutoUserBatch, per_step)));
}

int recall_n_at_epoch(const TrainConfig& c, int epoch_of_run) {
  if (c.recall_n_end <= 0 || c.recall_n_end == c.recall_n || phase_epochs(c) <= 1) return c.recall_n;
  const double t = phase_progress(c, epoch_of_run);
  return static_cast<int>(std::lround(c.recall_n * std::pow(static_cast<double>(c.recall_n_end) / c.recall_n, t)));
}

float tau_cut_at_epoch(const TrainConfig& c, int epoch_of_run, int32_t n_items) {
  const int epoch = phase_epoch(c, epoch_of_run);
  const float start = std::max(c.tau_cut, c.tau_cut_start > 0.0f ? c.tau_cut_start : n_items / 20.0f);
  const double warmup_epochs = static_cast<double>(c.tau_cut_warmup) * phase_epochs(c);
  if (epoch >= warmup_epochs || warmup_epochs <= 0.0) return c.tau_cut;
  const double t = epoch / warmup_epochs;
  return static_cast<float>(start * std::pow(static_cast<double>(c.tau_cut) / start, t));
}

}  // namespace bitrec

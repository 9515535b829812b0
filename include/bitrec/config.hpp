// Every option of a training run (docs/contract.md "Commands"). The CLI
// fills it; checkpoints and report.json store it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bitrec/kernels/estimators.hpp"

namespace bitrec {

enum class Method { kLightGcn, kHashSte, kRecallHash, kHashGnn, kBgch, kGru4Rec, kGru4RecHash };
enum class BetaSchedule { kConst, kLinear, kExp };
// The graph encoder under the hash (docs/methods.md §2, §3, §6; --encoder).
// graphsage is hashgnn's own; ngcf is host/methods/ngcf (docs/ngcf.md).
enum class Encoder { kLightGcn, kNgcf, kGraphSage };
// GRU4Rec's loss over the sampled output (docs/sessions.md "Losses"; --loss).
enum class SessionLoss { kCrossEntropy, kBprMax, kTop1Max };
// What feeds GRU4Rec's first layer (--input): the output weights of the
// item (the constrained embedding), an embedding table of its own, or the
// item as a one-hot vector (the first layer's input weights are a table).
enum class SessionInput { kConstrained, kEmbedding, kOneHot };

// Session-based methods (gru4rec, docs/sessions.md): the model's options and
// how session data are read and split. Defaults are the official GRU4Rec's.
struct SessionOptions {
  std::vector<int> hidden{100};  // --layers for gru4rec: GRU layer sizes
  SessionLoss loss = SessionLoss::kCrossEntropy;
  SessionInput input = SessionInput::kConstrained;
  int embedding_dim = 0;       // --input embedding: its size (0: the first layer's)
  int n_sample = 2048;         // extra negatives per mini-batch, shared by its rows
  float sample_alpha = 0.5f;   // negatives ~ popularity^alpha
  float logq = 0.0f;           // cross-entropy: weight of the logQ correction
  float bpreg = 1.0f;          // bpr-max: score regularisation
  float elu_alpha = 0.5f;      // bpr-max: ELU final activation (0: linear)
  float momentum = 0.0f;       // momentum on Adagrad's step (IndexedAdagradM)
  float dropout_embed = 0.0f;  // dropout on the input embedding
  float dropout_hidden = 0.0f; // dropout on each layer's output (and carried state)
  // Data (session files, datasets/README.md "Session data").
  std::string session_column = "SessionId";
  std::string time_column = "Time";
  double test_days = 1.0;
  bool valid_sessions = false;  // --valid-sessions: carve validation from train
};

struct TrainConfig {
  std::string data = "synthetic";
  // What --data held when the run trained (data_fingerprint(): each file's
  // size and content hash, or a synthetic spec); empty: unknown (older runs).
  std::string data_fingerprint;
  std::string out;  // empty: runs/<data>-<method>
  bool overwrite = false;
  std::string user_column = "user";
  std::string item_column = "item";
  int64_t declared_users = -1;  // --users N
  int64_t declared_items = -1;  // --items N

  Method method = Method::kRecallHash;  // contract: the best hashing method implemented
  int epochs = -1;  // -1: the method preset
  uint64_t seed = 2020;
  int dim = 64;
  int layers = 3;
  float lr = -1.0f;  // <0: the method preset (MethodPresets::lr)
  int batch = 2048;
  float decay = 1e-4f;
  float init_std = 0.1f;

  Encoder encoder = Encoder::kLightGcn;
  bool encoder_set = false;  // false: the method preset (hashgnn graphsage, others lightgcn)

  Estimator estimator = Estimator::kSte;
  bool estimator_set = false;  // false: the method preset
  float clip = 1.0f;
  float beta = -1.0f;      // <0: the preset (20: β·|x| ≈ 0.4–1.6 at LightGCN's scale)
  float beta_end = -1.0f;  // <0: same as beta
  BetaSchedule beta_schedule = BetaSchedule::kConst;

  // recall-hash: smooth recall loss over all items (docs/methods.md §5)
  float tau_rank = -1.0f;  // <0: preset √bits / 2 (raw code-score units)
  float tau_cut = 50.0f;   // rank units, after the warm-up
  // Warm-up: from random init positives rank in the thousands, where
  // σ((N − r)/τ_cut) has no gradient for a small τ_cut (docs/methods.md §5); τ_cut
  // starts at tau_cut_start and decays geometrically to tau_cut over the
  // first tau_cut_warmup × epochs.
  float tau_cut_start = -1.0f;  // <0: n_items / 20 (never below tau_cut)
  float tau_cut_warmup = 0.3f;  // fraction of --epochs
  int recall_n = 50;
  // N at the last epoch: N moves geometrically from recall_n to recall_n_end
  // over the method's epochs, so that the loss ends on the top of the list
  // (docs/recall_hash_study.md "An N schedule"); <0: recall_n throughout.
  int recall_n_end = -1;
  // Top weight of the smooth recall loss: each pair's term × (1 + w/log₂(1 +
  // r)), DCG's discount, so pairs near the top count more (NDCG@N).
  float dcg_weight = 0.0f;
  int user_batch = -1;     // users per batch of the user-based epoch; <0: auto (user_batch_for)
  // Weight of the optional BPR term on the codes (one triple per train pair
  // of the batch's users, L2 λ·weight on their rows); <0: the preset.
  float bpr_weight = -1.0f;

  // Two-phase schedule (docs/training.md "Warm start"): the first
  // warmup_epochs epochs train BPR on the real-valued embeddings (lightgcn's
  // head); the rest train the method's own loss at lr_after_warmup, with
  // fresh Adam moments, and its schedules (β, τ_cut) span those epochs only.
  int warmup_epochs = -1;         // <0: the method preset
  float lr_after_warmup = -1.0f;  // <0: --lr
  // --init-from RUN: the run whose parameters this one starts from (its
  // folder, absolute; empty: the seeded initialisation). Kept for the report.
  std::string init_from;
  // --distill-from RUN: a teacher run on the embedding table whose top
  // distill_top non-train items per user (by its real-valued scores) join
  // that user's positives in the smooth recall loss (docs/training.md
  // "Distillation"); its folder, absolute; empty: no teacher.
  std::string distill_from;
  int distill_top = 10;
  // The teacher's identity when the run began (teacher_fingerprint): a
  // resumed run refuses a teacher that has changed since. Empty: unchecked.
  std::string distill_fingerprint;

  // hashgnn and bgch (docs/methods.md §6, §8). Their presets change
  // --dim, --layers and --batch unless given (the *_set flags say so):
  // bgch d 256 (768 bits), L 2, batch 4096; hashgnn 32-bit codes, batch 256.
  bool dim_set = false;
  bool layers_set = false;
  bool batch_set = false;
  int negatives = 10;        // hashgnn: negatives per positive (BCE and BPR)
  float bce_weight = -1.0f;  // <0: preset (hashgnn 0.1, bgch 1)
  int fourier_terms = 8;     // fourier estimator: N (odd terms 1, 3, …, N−1)
  float fourier_omega = 1.0f;
  float dispersion = 0.1f;   // bgch latent feature dispersion strength (0: off)

  SessionOptions session;

  std::vector<int> topk{20, 50, 100};  // session-based methods: 20 unless given
  bool topk_set = false;
  int kmax = -1;  // -1: max(topk)
  int eval_every = 10;
  double valid_frac = 0.0;
  std::string device = "auto";
  int threads = 0;  // 0: all cores
};

const char* method_name(Method m);
Method parse_method(const std::string& name);  // throws InputError listing the names
const std::vector<std::string>& method_names();

const char* encoder_name(Encoder e);
Encoder parse_encoder(const std::string& name);  // throws InputError listing the names
const std::vector<std::string>& encoder_names();

const char* estimator_name(Estimator e);
Estimator parse_estimator(const std::string& name);
const std::vector<std::string>& estimator_names();

const char* session_loss_name(SessionLoss l);
SessionLoss parse_session_loss(const std::string& name);
const char* session_input_name(SessionInput i);
SessionInput parse_session_input(const std::string& name);
// "100,100" -> {100, 100}; InputError naming --layers otherwise.
std::vector<int> parse_layer_sizes(const std::string& text);
std::string format_layer_sizes(const std::vector<int>& sizes);

// Whether the method learns from sessions (gru4rec) rather than user-item
// interactions: its data, evaluation and scores differ (docs/sessions.md).
bool is_session_method(Method m);

const char* beta_schedule_name(BetaSchedule s);
BetaSchedule parse_beta_schedule(const std::string& name);

bool is_hashed(Method m);

// Code length of a method whose codes do not follow --dim (e.g. a method that
// always emits 32-bit codes), in bits; 0 when the code length is --dim (and
// for lightgcn, which has no codes). `bitrec compare` trains such a method
// once instead of once per --bits value. A new Method must add its case.
int fixed_code_bits(Method m);
// Storage of one item's representation, in bytes: ceil(bits / 8) for a code
// of `bits` bits (FAISS binary layout), 4·dim for real-valued embeddings
// (lightgcn). `bitrec compare` puts it in its table and plot.
double bytes_per_item(Method m, int bits, int dim);

// --protocol paper (docs/evaluation.md "Two protocols"): the whole train
// split (no --valid-frac), test every 5 epochs, best test epoch, ndcg_hit
// over the top 1000; the *_given flags keep what the user set. Throws
// InputError when --valid-frac > 0 was given with it.
void apply_paper_protocol(TrainConfig& config, bool valid_frac_given, bool eval_every_given, bool kmax_given);
constexpr int kPaperEvalEvery = 5;
constexpr int kPaperKmax = 1000;

// Fills preset values (epochs, estimator) and derived ones (kmax, beta_end),
// and checks ranges; throws InputError naming the option.
void resolve_config(TrainConfig& config);

// The two-phase schedule (--warmup-epochs): whether epoch e (0-based) of the
// run is a BPR warm-up epoch; the method's own phase, its length and epoch
// e's place in it (e − warmup_epochs, 0 during the warm-up). β and τ_cut
// follow the method's phase, so a warm-up leaves their schedules whole.
bool in_warmup(const TrainConfig& config, int epoch);
int phase_epochs(const TrainConfig& config);
int phase_epoch(const TrainConfig& config, int epoch);

// β of signswish at epoch e (0-based) of the run, per --beta-schedule over
// the method's phase.
float beta_at_epoch(const TrainConfig& config, int epoch);

// The sign estimator's parameters at epoch e (0-based): --estimator, --clip,
// β per --beta-schedule, the Fourier series' terms and frequency.
EstimatorParams estimator_at_epoch(const TrainConfig& config, int epoch);

// Users per batch of a user-based epoch (recall-hash): --user-batch when
// given, else enough batches for kUserEpochSteps optimiser steps per epoch,
// at most kMaxAutoUserBatch users each: ⌈users / 117⌉ capped at 256. The
// cap is the batch chosen on Gowalla's validation split (29,858 users: 117
// steps); a smaller dataset keeps ~117 steps per epoch instead of starving
// (1,195 users: 11 per batch, where 256 gives 5 steps and half the recall;
// docs/recall_hash_study.md "Presets across dataset sizes").
constexpr int kUserEpochSteps = 117;
constexpr int kMaxAutoUserBatch = 256;
int user_batch_for(const TrainConfig& config, int64_t sampleable_users);

// N of the smooth recall loss at epoch e (0-based) of the run: recall_n at
// the method's first epoch, recall_n_end at its last, geometric in between.
int recall_n_at_epoch(const TrainConfig& config, int epoch);

// τ_cut of the smooth recall loss at epoch e (0-based) of the run, per its
// decay over the first tau_cut_warmup of the method's phase.
float tau_cut_at_epoch(const TrainConfig& config, int epoch, int32_t n_items);

}  // namespace bitrec

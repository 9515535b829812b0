// gru4rec: session-based next-item prediction with GRU layers, as the
// official GRU4Rec (docs/sessions.md). Trains on the host (Gru4RecModel).
#include "bitrec/method_spec.hpp"

namespace bitrec {
namespace {

constexpr int64_t kFloat = 4;

// Wy, By, E and the layers, each with Adagrad's accumulator and momentum;
// one step's sampled vectors, scores and their gradients.
HostModelFootprint gru4rec_memory(const TrainConfig& c, const MemoryShape& s) {
  HostModelFootprint f;
  const int out = c.session.hidden.back();
  f.out_dim = out;
  int64_t weights = s.n_items * (out + 1);
  if (c.session.input == SessionInput::kEmbedding) weights += s.n_items * int64_t{c.session.embedding_dim};
  int64_t in = c.session.input == SessionInput::kConstrained ? out : c.session.embedding_dim;
  // onehot's first layer: W_x [items, 3H] in place of W_ih, W_rz [H, 2H],
  // W_h [H, H] and b [3H]: as many weights as a GRUCell with `items` inputs
  // but one bias.
  if (c.session.input == SessionInput::kOneHot) in = s.n_items;
  for (int h : c.session.hidden) {
    weights += (in + h + 2) * 3 * h;
    in = h;
  }
  f.params = 3 * weights * kFloat;
  const int64_t cols = c.batch + c.session.n_sample;
  f.training = (4 * cols * out + 2 * int64_t{c.batch} * cols) * kFloat;
  return f;
}

// The official GRU4Rec's defaults, shared by gru4rec and gru4rec-hash.
MethodSpec session_spec(Method method, const char* name, bool hashed, Estimator estimator) {
  MethodSpec s = base_spec(method, name, hashed, TrainDevice::kHost, /*epochs=*/10, estimator);
  s.session_based = true;
  s.steps_on_device = true;
  s.presets.lr = 0.05f;
  s.presets.batch = 64;
  s.host_memory = gru4rec_memory;
  s.encoder_refusal = "reads sessions with GRU layers, not a graph encoder";
  s.own_options = {
      {"--loss", "loss over the sampled output: cross-entropy, bpr-max or top1-max"},
      {"--input", "first layer's input: constrained (the items' output vectors), embedding (a table of its own) "
                  "or onehot (the item as a one-hot vector through the first layer's own weights, as the official with "
                  "constrained_embedding and embedding off)"},
      {"--embedding-dim", "--input embedding: its size (default: the first layer's)"},
      {"--n-sample", "negatives per mini-batch, shared by its rows, drawn from popularity^--sample-alpha"},
      {"--sample-alpha", "exponent of popularity in the negatives' distribution"},
      {"--logq", "cross-entropy: weight of the logQ sampling correction (0: off)"},
      {"--bpreg", "bpr-max: score regularisation"},
      {"--elu-alpha", "bpr-max: ELU final activation's parameter (0: linear)"},
      {"--momentum", "momentum on Adagrad's step (as the official IndexedAdagradM)"},
      {"--dropout-embed", "dropout on the input embedding"},
      {"--dropout-hidden", "dropout on each GRU layer's output"},
  };
  return s;
}

}  // namespace

MethodSpec gru4rec_spec() { return session_spec(Method::kGru4Rec, "gru4rec", /*hashed=*/false, Estimator::kSte); }

// Sign codes of the session state and of the items' output vectors, trained
// through signswish on code scores (docs/sessions.md "Hashed sessions").
// Its code-score temperature and signswish slope were chosen on Video
// Games' validation sessions at 64 bits (docs/sessions.md "Hashed sessions").
MethodSpec gru4rec_hash_spec() {
  MethodSpec s = session_spec(Method::kGru4RecHash, "gru4rec-hash", /*hashed=*/true, Estimator::kSignswish);
  s.presets.beta = 5.0f;
  s.presets.tau_rank_per_root_bits = 2.0f;
  s.own_options.push_back({"--tau-rank", "temperature in raw code-score units (default: recall-hash sqrt(--dim)/2, gru4rec-hash 2*sqrt(--dim))"});
  return s;
}

}  // namespace bitrec

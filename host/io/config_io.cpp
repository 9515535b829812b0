#include "bitrec/config_io.hpp"

#include <cstdio>
#include <stdexcept>

#include "bitrec/error.hpp"

namespace bitrec {
namespace {

std::string float_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

std::string format_topk(const std::vector<int>& topk) {
  std::string out;
  for (int k : topk) out += (out.empty() ? "" : ",") + std::to_string(k);
  return out;
}

std::vector<int> parse_topk(const std::string& text) {
  std::vector<int> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t used = 0;
    int k = 0;
    try {
      k = std::stoi(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (part.empty() || used != part.size() || k < 1) {
      throw InputError("--topk: '" + text + "' is not a comma-separated list of positive integers");
    }
    out.push_back(k);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

ConfigEntries config_to_entries(const TrainConfig& c) {
  return {
      {"data", c.data},
      {"data-fingerprint", c.data_fingerprint},
      {"out", c.out},
      {"overwrite", c.overwrite ? "true" : "false"},
      {"user-col", c.user_column},
      {"item-col", c.item_column},
      {"users", std::to_string(c.declared_users)},
      {"items", std::to_string(c.declared_items)},
      {"method", method_name(c.method)},
      {"epochs", std::to_string(c.epochs)},
      {"seed", std::to_string(c.seed)},
      {"dim", std::to_string(c.dim)},
      {"layers", std::to_string(c.layers)},
      {"lr", float_text(c.lr)},
      {"batch", std::to_string(c.batch)},
      {"decay", float_text(c.decay)},
      {"init-std", float_text(c.init_std)},
      {"encoder", encoder_name(c.encoder)},
      {"estimator", estimator_name(c.estimator)},
      {"clip", float_text(c.clip)},
      {"beta", float_text(c.beta)},
      {"beta-end", float_text(c.beta_end)},
      {"beta-schedule", beta_schedule_name(c.beta_schedule)},
      {"tau-rank", float_text(c.tau_rank)},
      {"tau-cut", float_text(c.tau_cut)},
      {"tau-cut-start", float_text(c.tau_cut_start)},
      {"tau-cut-warmup", float_text(c.tau_cut_warmup)},
      {"recall-n", std::to_string(c.recall_n)},
      {"recall-n-end", std::to_string(c.recall_n_end)},
      {"dcg-weight", float_text(c.dcg_weight)},
      {"user-batch", std::to_string(c.user_batch)},
      {"bpr-weight", float_text(c.bpr_weight)},
      {"warmup-epochs", std::to_string(c.warmup_epochs)},
      {"lr-after-warmup", float_text(c.lr_after_warmup)},
      {"init-from", c.init_from},
      {"distill-from", c.distill_from},
      {"distill-top", std::to_string(c.distill_top)},
      {"distill-fingerprint", c.distill_fingerprint},
      {"negatives", std::to_string(c.negatives)},
      {"bce-weight", float_text(c.bce_weight)},
      {"fourier-terms", std::to_string(c.fourier_terms)},
      {"fourier-omega", float_text(c.fourier_omega)},
      {"dispersion", float_text(c.dispersion)},
      {"gru-layers", format_layer_sizes(c.session.hidden)},
      {"loss", session_loss_name(c.session.loss)},
      {"input", session_input_name(c.session.input)},
      {"embedding-dim", std::to_string(c.session.embedding_dim)},
      {"n-sample", std::to_string(c.session.n_sample)},
      {"sample-alpha", float_text(c.session.sample_alpha)},
      {"logq", float_text(c.session.logq)},
      {"bpreg", float_text(c.session.bpreg)},
      {"elu-alpha", float_text(c.session.elu_alpha)},
      {"momentum", float_text(c.session.momentum)},
      {"dropout-embed", float_text(c.session.dropout_embed)},
      {"dropout-hidden", float_text(c.session.dropout_hidden)},
      {"session-col", c.session.session_column},
      {"time-col", c.session.time_column},
      {"test-days", float_text(static_cast<float>(c.session.test_days))},
      {"valid-sessions", c.session.valid_sessions ? "true" : "false"},
      {"topk", format_topk(c.topk)},
      {"kmax", std::to_string(c.kmax)},
      {"eval-every", std::to_string(c.eval_every)},
      {"valid-frac", float_text(c.valid_frac)},
      {"device", c.device},
      {"threads", std::to_string(c.threads)},
  };
}

TrainConfig config_from_entries(const ConfigEntries& entries) {
  TrainConfig c;
  // Stored configs are resolved ones: a key a run from before it existed
  // lacks keeps what that run did (no warm-up), not today's preset.
  c.warmup_epochs = 0;
  for (const auto& [key, value] : entries) {
    try {
      if (key == "data") c.data = value;
      else if (key == "data-fingerprint") c.data_fingerprint = value;
      else if (key == "out") c.out = value;
      else if (key == "overwrite") c.overwrite = value == "true";
      else if (key == "user-col") c.user_column = value;
      else if (key == "item-col") c.item_column = value;
      else if (key == "users") c.declared_users = std::stoll(value);
      else if (key == "items") c.declared_items = std::stoll(value);
      else if (key == "method") c.method = parse_method(value);
      else if (key == "epochs") c.epochs = std::stoi(value);
      else if (key == "seed") c.seed = std::stoull(value);
      else if (key == "dim") { c.dim = std::stoi(value); c.dim_set = true; }
      else if (key == "layers") { c.layers = std::stoi(value); c.layers_set = true; }
      else if (key == "lr") c.lr = std::stof(value);
      else if (key == "batch") { c.batch = std::stoi(value); c.batch_set = true; }
      else if (key == "decay") c.decay = std::stof(value);
      else if (key == "init-std") c.init_std = std::stof(value);
      else if (key == "encoder") { c.encoder = parse_encoder(value); c.encoder_set = true; }
      else if (key == "estimator") { c.estimator = parse_estimator(value); c.estimator_set = true; }
      else if (key == "clip") c.clip = std::stof(value);
      else if (key == "beta") c.beta = std::stof(value);
      else if (key == "beta-end") c.beta_end = std::stof(value);
      else if (key == "beta-schedule") c.beta_schedule = parse_beta_schedule(value);
      else if (key == "tau-rank") c.tau_rank = std::stof(value);
      else if (key == "tau-cut") c.tau_cut = std::stof(value);
      else if (key == "tau-cut-start") c.tau_cut_start = std::stof(value);
      else if (key == "tau-cut-warmup") c.tau_cut_warmup = std::stof(value);
      else if (key == "recall-n") c.recall_n = std::stoi(value);
      else if (key == "recall-n-end") c.recall_n_end = std::stoi(value);
      else if (key == "dcg-weight") c.dcg_weight = std::stof(value);
      else if (key == "bpr-weight") c.bpr_weight = std::stof(value);
      else if (key == "user-batch") c.user_batch = std::stoi(value);
      else if (key == "warmup-epochs") c.warmup_epochs = std::stoi(value);
      else if (key == "lr-after-warmup") c.lr_after_warmup = std::stof(value);
      else if (key == "init-from") c.init_from = value;
      else if (key == "distill-from") c.distill_from = value;
      else if (key == "distill-top") c.distill_top = std::stoi(value);
      else if (key == "distill-fingerprint") c.distill_fingerprint = value;
      else if (key == "negatives") c.negatives = std::stoi(value);
      else if (key == "bce-weight") c.bce_weight = std::stof(value);
      else if (key == "fourier-terms") c.fourier_terms = std::stoi(value);
      else if (key == "fourier-omega") c.fourier_omega = std::stof(value);
      else if (key == "dispersion") c.dispersion = std::stof(value);
      else if (key == "gru-layers") c.session.hidden = parse_layer_sizes(value);
      else if (key == "loss") c.session.loss = parse_session_loss(value);
      else if (key == "input") c.session.input = parse_session_input(value);
      else if (key == "embedding-dim") c.session.embedding_dim = std::stoi(value);
      else if (key == "n-sample") c.session.n_sample = std::stoi(value);
      else if (key == "sample-alpha") c.session.sample_alpha = std::stof(value);
      else if (key == "logq") c.session.logq = std::stof(value);
      else if (key == "bpreg") c.session.bpreg = std::stof(value);
      else if (key == "elu-alpha") c.session.elu_alpha = std::stof(value);
      else if (key == "momentum") c.session.momentum = std::stof(value);
      else if (key == "dropout-embed") c.session.dropout_embed = std::stof(value);
      else if (key == "dropout-hidden") c.session.dropout_hidden = std::stof(value);
      else if (key == "session-col") c.session.session_column = value;
      else if (key == "time-col") c.session.time_column = value;
      else if (key == "test-days") c.session.test_days = std::stod(value);
      else if (key == "valid-sessions") c.session.valid_sessions = value == "true";
      else if (key == "topk") { c.topk = parse_topk(value); c.topk_set = true; }
      else if (key == "kmax") c.kmax = std::stoi(value);
      else if (key == "eval-every") c.eval_every = std::stoi(value);
      else if (key == "valid-frac") c.valid_frac = std::stod(value);
      else if (key == "device") c.device = value;
      else if (key == "threads") c.threads = std::stoi(value);
      else throw InputError("unknown option '" + key + "' in stored config (made by a newer bitrec?)");
    } catch (const std::logic_error&) {  // std::invalid_argument / out_of_range from sto*
      throw InputError("stored config: bad value '" + value + "' for '" + key + "'");
    }
  }
  return c;
}

}  // namespace bitrec

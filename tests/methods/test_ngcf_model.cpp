// --encoder ngcf (host/methods/ngcf): the whole batch gradient against
// finite differences (smooth surrogate of sign), determinism over thread
// counts, batches per epoch as the trainer's, outputs, restoring blocks,
// learning on the synthetic data, resume equality through the trainer, and
// the --encoder validation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>

#include "bitrec/backend.hpp"
#include "bitrec/checkpoint.hpp"
#include "bitrec/config_io.hpp"
#include "bitrec/error.hpp"
#include "bitrec/evaluator.hpp"
#include "bitrec/trainer.hpp"
#include "cpu_test_util.hpp"
#include "method_model_test_util.hpp"
#include "methods/ngcf/ngcf_model.hpp"

namespace bitrec::ngcf {
namespace {

using test::tiny_dataset;

TrainConfig ngcf_config(Method method, int dim, int threads) {
  TrainConfig c;
  c.method = method;
  c.encoder = Encoder::kNgcf;
  c.encoder_set = true;
  c.dim = dim;
  c.batch = 256;
  c.user_batch = 64;
  c.epochs = 10;
  c.threads = threads;
  resolve_config(c);
  return c;
}

// Float central differences, h = 2e-4 (small enough not to cross LeakyReLU's
// kink, see test_ngcf_layers.cpp): tolerance 2e-3 + 3e-2·|fd| (float noise
// ≤ 1e-3 on a loss of order 1; looser relative part for the longer chain).
void check_batch_gradient(TrainConfig cfg, const std::string& label) {
  SCOPED_TRACE(label);
  const Dataset data = tiny_dataset();
  cfg.batch = 12;
  cfg.init_std = 1.0f;
  cfg.decay = 0.05f;  // the L2 term shows in E0's gradient
  NgcfOptions options;
  options.smooth_codes = true;
  NgcfModel model(cfg, data, {}, options);
  const double base = model.compute_gradients(1, 0);
  ASSERT_TRUE(std::isfinite(base));
  const std::vector<std::vector<float>> grads = model.grads();
  double largest = 0.0;
  for (size_t block = 0; block < model.params().size(); ++block) {
    std::vector<float>& v = model.mutable_params()[block].value;
    for (size_t k = 0; k < v.size(); k += std::max<size_t>(1, v.size() / 7)) {
      const double fd = test::central_difference(v, k, 2e-4f, [&] { return model.compute_gradients(1, 0); });
      EXPECT_NEAR(grads[block][k], fd, 2e-3 + 3e-2 * std::fabs(fd))
          << model.params()[block].name << " entry " << k;
      largest = std::max(largest, std::fabs(static_cast<double>(grads[block][k])));
    }
  }
  EXPECT_GT(largest, 1e-2);
}

TEST(NgcfModel, BatchGradientMatchesFiniteDifferences) {
  // hash-ste under ste (surrogate x) and under signswish (surrogate SS_β),
  // and full-precision NGCF (BPR on the concatenation, no surrogate needed).
  check_batch_gradient(ngcf_config(Method::kHashSte, 8, 2), "hash-ste ste");
  TrainConfig ss = ngcf_config(Method::kHashSte, 8, 2);
  ss.estimator = Estimator::kSignswish;
  ss.beta = 3.0f;
  ss.beta_end = 3.0f;
  check_batch_gradient(ss, "hash-ste signswish");
  TrainConfig one_layer = ngcf_config(Method::kHashSte, 8, 2);
  one_layer.layers = 1;
  check_batch_gradient(one_layer, "hash-ste ste, 1 layer");
  check_batch_gradient(ngcf_config(Method::kLightGcn, 6, 2), "lightgcn (full-precision NGCF)");
}

TEST(NgcfModel, SameBitsWhateverTheThreads) {
  const Dataset data = load_dataset("synthetic:users=120,items=90,clusters=4,per_user=10");
  for (Method method : {Method::kHashSte, Method::kRecallHash}) {
    SCOPED_TRACE(method_name(method));
    std::vector<test::TrainedModel> runs;
    for (int threads : {1, 2}) {
      TrainConfig cfg = ngcf_config(method, 16, threads);
      cfg.bpr_weight = 0.5f;  // recall-hash: the pair-triple BPR and its L2 term too
      NgcfModel model(cfg, data, {});
      runs.push_back(test::train_epochs(model, 2));
    }
    test::expect_bitwise_equal(runs[0], runs[1]);
  }
}

TEST(NgcfModel, BatchesPerEpochAreTheTrainersForTheMethod) {
  const Dataset data = load_dataset("synthetic:users=150,items=90,clusters=3,per_user=9");
  auto backend = make_cpu_backend(2);
  for (Method method : {Method::kHashSte, Method::kRecallHash, Method::kLightGcn}) {
    const TrainConfig ngcf = ngcf_config(method, 16, 2);
    TrainConfig table = ngcf;
    table.encoder = Encoder::kLightGcn;
    EXPECT_EQ(NgcfModel(ngcf, data, {}).batches_per_epoch(), EpochRunner(*backend, data, table).batches_per_epoch())
        << method_name(method);
  }
}

TEST(NgcfModel, OutputsAreTheProjectionAndItsSigns) {
  const Dataset data = load_dataset("synthetic:users=60,items=50,clusters=3,per_user=8");
  NgcfModel model(ngcf_config(Method::kHashSte, 24, 2), data, {});
  ASSERT_EQ(model.params().size(), 1u + 2 * 3 + 1);
  EXPECT_EQ(model.params().back().name, "P");
  EXPECT_EQ(model.params().back().rows, 4 * 24);
  model.train_batch(0, 0, 1);
  const HostOutputs a = model.outputs(), b = model.outputs();
  ASSERT_EQ(a.dim, 24);
  ASSERT_EQ(a.bits, 24);  // --dim = code bits
  EXPECT_EQ(a.embeddings, b.embeddings);
  ASSERT_EQ(a.embeddings.size(), static_cast<size_t>((60 + 50) * 24));
  for (size_t k = 0; k < a.embeddings.size(); ++k) ASSERT_EQ(a.signs[k], a.embeddings[k] >= 0.0f ? 1.0f : -1.0f);
  model.train_batch(0, 1, 2);
  EXPECT_NE(model.outputs().embeddings, a.embeddings);
  // Full-precision NGCF: the concatenation itself, (L+1)·d wide, each layer's rows unit-norm.
  NgcfModel full(ngcf_config(Method::kLightGcn, 8, 2), data, {});
  const HostOutputs f = full.outputs();
  ASSERT_EQ(f.dim, 32);
  for (int l = 0; l < 4; ++l) {
    double norm = 0.0;
    for (int k = 0; k < 8; ++k) norm += std::pow(f.embeddings[5 * 32 + l * 8 + k], 2);
    EXPECT_NEAR(norm, 1.0, 1e-5);
  }
}

TEST(NgcfModel, TrainingRaisesHammingRecall) {
  const Dataset data = load_dataset("synthetic:users=250,items=180,clusters=4,per_user=12");
  for (Method method : {Method::kHashSte, Method::kRecallHash}) {
    TrainConfig cfg = ngcf_config(method, 32, 2);
    cfg.lr = 5e-3f;
    cfg.epochs = 8;
    NgcfModel model(cfg, data, {});
    const double before = test::hamming_recall_at_20(data, model.outputs());
    test::train_epochs(model, cfg.epochs);
    const double after = test::hamming_recall_at_20(data, model.outputs());
    std::printf("ngcf %s synthetic Hamming recall@20: untrained %.4f, %d epochs %.4f\n", method_name(method), before,
                cfg.epochs, after);
    EXPECT_GT(after, before + 0.05) << method_name(method) << " before " << before << " after " << after;
  }
}

TEST(NgcfModel, RestoresCheckpointBlocks) {
  const Dataset data = load_dataset("synthetic:users=60,items=50,clusters=3,per_user=8");
  TrainConfig cfg = ngcf_config(Method::kRecallHash, 16, 2);
  cfg.user_batch = 16;  // several batches per epoch
  NgcfModel model(cfg, data, {});
  model.train_batch(0, 0, 1);
  const std::vector<ParamBlock> saved = model.params();
  NgcfModel restored(cfg, data, saved);
  for (size_t k = 0; k < saved.size(); ++k) {
    EXPECT_EQ(restored.params()[k].value, saved[k].value);
    EXPECT_EQ(restored.params()[k].adam_m, saved[k].adam_m);
    EXPECT_EQ(restored.params()[k].adam_v, saved[k].adam_v);
  }
  model.train_batch(0, 1, 2);
  restored.train_batch(0, 1, 2);
  for (size_t k = 0; k < saved.size(); ++k) EXPECT_EQ(restored.params()[k].value, model.params()[k].value);
  EXPECT_EQ(make_method_model(cfg, data, saved)->params()[1].value, saved[1].value);

  TrainConfig deeper = cfg;
  deeper.layers = 2;
  EXPECT_THROW(NgcfModel(deeper, data, saved), InputError);
  std::vector<ParamBlock> renamed = saved;
  renamed[1].name = "W1.0";
  EXPECT_THROW(NgcfModel(cfg, data, renamed), InputError);
}

// Through the trainer: stopped mid-epoch and at an epoch boundary, saved,
// loaded and resumed with another thread count equals the uninterrupted run.
TEST(NgcfModel, ResumedRunEqualsUninterrupted) {
  const Dataset data = load_dataset("synthetic:users=300,items=200,clusters=4,per_user=12");
  for (Method method : {Method::kHashSte, Method::kRecallHash}) {
    SCOPED_TRACE(method_name(method));
    TrainConfig cfg = ngcf_config(method, 16, 0);
    cfg.epochs = 3;
    cfg.batch = 512;
    cfg.eval_every = 2;
    cfg.topk = {20};
    cfg.kmax = 20;
    auto backend = make_cpu_backend(2);
    const TrainSummary whole = train_model(*backend, data, cfg, nullptr);
    ASSERT_EQ(whole.stop, TrainStop::kFinished);
    const int64_t per_epoch = EpochRunner(*backend, data, cfg).batches_per_epoch();
    ASSERT_GE(per_epoch, 3);
    for (const int64_t stop : {int64_t{1}, 2 * per_epoch + 1}) {
      TrainOptions first;
      auto asked = std::make_shared<int64_t>(0);
      first.should_stop = [asked, stop] { return (*asked)++ >= stop; };
      const TrainSummary part = train_model(*backend, data, cfg, nullptr, first);
      ASSERT_EQ(part.stop, TrainStop::kInterrupted);
      const std::string path = ::testing::TempDir() + "bitrec_ngcf_resume.bin";
      save_checkpoint(path, Checkpoint{cfg, part.state, part.evals});
      const Checkpoint back = load_checkpoint(path);
      std::remove(path.c_str());
      EXPECT_EQ(back.config.encoder, Encoder::kNgcf);
      TrainOptions second;
      second.resume = &back.state;
      second.history = back.history;
      auto one_thread = make_cpu_backend(1);
      TrainConfig resumed_cfg = back.config;
      resumed_cfg.threads = 1;
      const TrainSummary rest = train_model(*one_thread, data, resumed_cfg, nullptr, second);
      ASSERT_EQ(rest.stop, TrainStop::kFinished);
      ASSERT_EQ(rest.state.blocks.size(), whole.state.blocks.size());
      for (size_t k = 0; k < whole.state.blocks.size(); ++k) {
        EXPECT_EQ(rest.state.blocks[k].value, whole.state.blocks[k].value) << whole.state.blocks[k].name;
        EXPECT_EQ(rest.state.blocks[k].adam_v, whole.state.blocks[k].adam_v) << whole.state.blocks[k].name;
      }
      ASSERT_EQ(rest.evals.size(), whole.evals.size());
      for (size_t k = 0; k < whole.evals.size(); ++k) {
        EXPECT_EQ(rest.evals[k].loss, whole.evals[k].loss);
        EXPECT_EQ(rest.evals[k].test, whole.evals[k].test);
      }
    }
  }
}

void expect_encoder_error(Method method, Encoder encoder, const std::string& fragment) {
  TrainConfig c;
  c.method = method;
  c.encoder = encoder;
  c.encoder_set = true;
  try {
    resolve_config(c);
    ADD_FAILURE() << method_name(method) << " + " << encoder_name(encoder) << " was accepted";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--encoder"), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
    EXPECT_NE(what.find("allowed"), std::string::npos) << what;
  }
}

TEST(NgcfConfig, EncoderPresetsAndValidation) {
  for (Method method : {Method::kLightGcn, Method::kHashSte, Method::kRecallHash, Method::kBgch, Method::kHashGnn}) {
    TrainConfig c;
    c.method = method;
    resolve_config(c);
    EXPECT_EQ(c.encoder, method == Method::kHashGnn ? Encoder::kGraphSage : Encoder::kLightGcn) << method_name(method);
    EXPECT_EQ(uses_method_model(c), method == Method::kHashGnn || method == Method::kBgch) << method_name(method);
  }
  expect_encoder_error(Method::kHashGnn, Encoder::kNgcf, "hashgnn");
  expect_encoder_error(Method::kHashGnn, Encoder::kLightGcn, "hashgnn");
  expect_encoder_error(Method::kBgch, Encoder::kNgcf, "bgch");
  expect_encoder_error(Method::kRecallHash, Encoder::kGraphSage, "graphsage");
  expect_encoder_error(Method::kLightGcn, Encoder::kGraphSage, "graphsage");
  for (Method method : {Method::kLightGcn, Method::kHashSte, Method::kRecallHash}) {
    const TrainConfig c = ngcf_config(method, 16, 1);
    EXPECT_TRUE(uses_method_model(c)) << method_name(method);
  }
  EXPECT_EQ(parse_encoder("ngcf"), Encoder::kNgcf);
  EXPECT_THROW(parse_encoder("gat"), InputError);
  // Stored configs keep the encoder.
  const TrainConfig c = ngcf_config(Method::kRecallHash, 16, 1);
  const TrainConfig back = config_from_entries(config_to_entries(c));
  EXPECT_EQ(back.encoder, Encoder::kNgcf);
  EXPECT_TRUE(back.encoder_set);
}

}  // namespace
}  // namespace bitrec::ngcf

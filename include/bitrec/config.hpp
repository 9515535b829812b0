// Every option of a training run (contract.md "Commands and flags"). The CLI
// fills it; checkpoints and report.json store it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bitrec/kernels/estimators.hpp"

namespace bitrec {

enum class Method { kLightGcn, kHashSte };
enum class BetaSchedule { kConst, kLinear, kExp };

struct TrainConfig {
  std::string data = "synthetic";
  std::string out;  // empty: runs/<data>-<method>
  bool overwrite = false;
  std::string user_column = "user";
  std::string item_column = "item";
  int64_t declared_users = -1;  // --users N
  int64_t declared_items = -1;  // --items N

  Method method = Method::kHashSte;
  int epochs = -1;  // -1: the method preset
  uint64_t seed = 2020;
  int dim = 64;
  int layers = 3;
  float lr = 1e-3f;
  int batch = 2048;
  float decay = 1e-4f;
  float init_std = 0.1f;

  Estimator estimator = Estimator::kSte;
  bool estimator_set = false;  // false: the method preset
  float clip = 1.0f;
  float beta = 1.0f;
  float beta_end = -1.0f;  // <0: same as beta
  BetaSchedule beta_schedule = BetaSchedule::kConst;

  std::vector<int> topk{20, 50, 100};
  int kmax = -1;  // -1: max(topk)
  int eval_every = 10;
  double valid_frac = 0.0;
  std::string device = "auto";
  int threads = 0;  // 0: all cores
};

const char* method_name(Method m);
Method parse_method(const std::string& name);  // throws InputError listing the names
const std::vector<std::string>& method_names();

const char* estimator_name(Estimator e);
Estimator parse_estimator(const std::string& name);
const std::vector<std::string>& estimator_names();

const char* beta_schedule_name(BetaSchedule s);
BetaSchedule parse_beta_schedule(const std::string& name);

bool is_hashed(Method m);

// Fills preset values (epochs, estimator) and derived ones (kmax, beta_end),
// and checks ranges; throws InputError naming the option.
void resolve_config(TrainConfig& config);

// β of signswish at epoch e (0-based) of `epochs`, per --beta-schedule.
float beta_at_epoch(const TrainConfig& config, int epoch);

}  // namespace bitrec

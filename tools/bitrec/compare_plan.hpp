// `bitrec compare`: its options, and the runs they ask for. plan_compare
// checks every option and every run folder already in --out before anything
// is loaded or written, so a bad option leaves nothing behind.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bitrec/config.hpp"
#include "data_options.hpp"

namespace bitrec::cli {

struct CompareArgs {
  DataArgs data;
  std::string methods;           // --methods a,b,c
  std::string bits = "64";       // --bits: code lengths of methods whose code length is --dim
  int dim = 64;                  // d of lightgcn (a fixed-code-length method keeps its preset d)
  int epochs = -1;               // -1: each method's preset
  int eval_every = 10;
  uint64_t seed = 2020;
  double valid_frac = 0.0;
  std::string topk = "20,50,100";
  std::string device = "auto";
  int threads = 0;
  std::string max_memory;
  std::string out;
  bool overwrite = false;
  bool no_plot = false;
  // --protocol paper: every run on the whole train split, tested every 5
  // epochs (unless --eval-every), best test epoch, --kmax 1000.
  bool paper = false;
  bool eval_every_given = false;
};

// What compare does with a run's folder in --out.
enum class RunAction {
  kTrain,    // absent (or empty): train it
  kReuse,    // holds the finished run of this very config: use its report.json
  kResume,   // holds this config's run stopped by Ctrl-C: continue it from its checkpoint
  kRetrain,  // holds something else and --overwrite was given: train it again, replacing it
};

struct PlannedRun {
  std::string name;    // folder in --out: "<method>-<bits>b", lightgcn "lightgcn-d<dim>"
  TrainConfig config;  // resolved, as `bitrec train` would; config.out = --out/name
  int bits = 0;        // code length; 0 for real-valued embeddings
  RunAction action = RunAction::kTrain;
  std::string why;     // kRetrain: what the folder held
  // kReuse: what is wrong with the run's report.json (malformed, fails its
  // schema, disagrees with checkpoint.bin); empty when it is sound. compare
  // then takes the run's figures from its checkpoint instead.
  std::string report_problem;
};

// One run per (method, --bits value) for methods whose code length is --dim,
// one run for lightgcn and for methods with a fixed_code_bits; in --methods
// order, then --bits order. Throws InputError naming the option or folder.
std::vector<PlannedRun> plan_compare(const CompareArgs& args);

// The options whose value may differ between a run and its reuse: where the
// files are and how fast they were made, not what was trained.
bool config_key_ignored_for_reuse(const std::string& key);

}  // namespace bitrec::cli

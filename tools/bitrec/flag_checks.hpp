// Range checks of the CLI's numeric options (docs/cli_errors.md). Each is a
// CLI11 validator: it runs on the text of the value before CLI11 converts it,
// so a non-number, NaN, infinity, a negative count or a value past the
// option's range fails at parse time with the option's name and its range
// ("--epochs: -1 is out of range (must be a whole number in [1, 1000000])"),
// before anything is loaded or written. main() prints CLI11's errors as
// "bitrec: error: ..." and exits 2. The same checks apply to values read from
// a --config file (they are passed on as options).
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace bitrec::cli {

// Shared maxima: sane upper bounds, far above any real run, that keep a typo
// from allocating the machine away.
constexpr int64_t kMaxEpochs = 1000000;
constexpr int64_t kMaxBatch = int64_t{1} << 24;
constexpr int64_t kMaxThreads = 1024;
constexpr int64_t kMaxDim = 4096;
constexpr int64_t kMaxLayers = 16;
constexpr int64_t kMaxInt = 2147483647;   // INT32_MAX: -k, --rerank (then capped at the items)
constexpr int64_t kMaxCount = 2147483647;  // --users / --items (ids are int32)

// A whole number in [lo, hi] (decimal, or 0x.. as CLI11 reads it).
CLI::Validator whole_in(int64_t lo, int64_t hi);

// --layers: a whole number (LightGCN's propagation layers; resolve_config
// checks it against [0, max_layers]) or GRU layer sizes "100,100"
// (gru4rec), each in [1, kMaxDim].
CLI::Validator layers_value(int64_t max_layers);

// Any unsigned 64-bit integer: no sign, no overflow (CLI11 itself reads
// "-1" as 2^64 - 1 and clamps 2^64 and above).
CLI::Validator any_uint64();

// A finite real number in the interval from lo to hi; lo_open / hi_open
// exclude the end itself ("(0, 10]").
CLI::Validator real_in(double lo, double hi, bool lo_open = false, bool hi_open = false);

// --max-memory: a size as parse_memory_size reads it (512M, 8G, 1000000).
CLI::Validator memory_size();

// value, or n_items when larger, with a note on stderr naming the option:
// a list longer than the catalogue has nothing more to show.
int cap_at_items(int value, int n_items, const std::string& option);

}  // namespace bitrec::cli

// What a run read (docs/training.md "What a run remembers of its data"): the
// absolute --data path and a fingerprint of its files, stored in the run's
// checkpoint and report.json, so eval, export, query and --resume find the
// data from any directory and notice when it changed.
#pragma once
#include <string>

namespace bitrec {

// --data as a run stores it: a synthetic spec unchanged, a path made absolute
// (lexically normal; symlinks are kept as given).
std::string absolute_data_path(const std::string& spec);

// A synthetic spec: the spec itself. A LightGCN folder: "train.txt
// size=N fnv1a64=H; test.txt size=N fnv1a64=H" (FNV-1a 64 over the bytes). A
// CSV/TSV file: "<file name> size=N fnv1a64=H". Throws InputError naming the
// file and the system's reason when one cannot be read.
std::string data_fingerprint(const std::string& spec);

// "" when `now` equals `trained`; else what changed, one file per clause:
// "train.txt: 1234 bytes (hash 0x...) when the run trained, now 1240 bytes
// (hash 0x...)".
std::string describe_data_change(const std::string& trained, const std::string& now);

// Where the run in run_dir finds its stored --data: a synthetic spec or an
// absolute path as is; a relative path (runs made before paths were stored
// absolute) from the current directory, else from the run folder's parent
// folders (where `bitrec train` was likely started). Throws InputError
// naming the run and saying how to give the data (--data PATH) when it is
// nowhere.
std::string locate_run_data(const std::string& stored, const std::string& run_dir, const std::string& what);

// Compares the fingerprint of `spec` with the one the run stored (nothing
// to compare when it stored none). Changed: InputError naming `what` (e.g.
// "--model runs/x"), each changed file and --allow-changed-data; with
// allow_changed a warning on stderr instead. Returns the fingerprint of
// `spec` (the stored one when it did not change).
std::string check_data_unchanged(const std::string& stored_fingerprint, const std::string& spec, bool allow_changed,
                                 const std::string& what);

}  // namespace bitrec

// Output paths checked before any work: where a run or an export goes, and
// files other commands write. A path is refused when it cannot be written
// at the end (`.`, a trailing-slash oddity, a dangling link, a parent that
// is not a writable folder) or when it lies inside a folder bitrec owns (a
// run folder), so no command can destroy a run's files.
#pragma once
#include <string>

namespace bitrec {

// `path` absolute and normalised, without a trailing separator, links in
// its parent chain resolved (the last component is left as it is): the
// one spelling of an output folder, so `runs/x/`, `./runs/x` and a linked
// parent name the same folder (and the same staging and lock files).
std::string absolute_output_path(const std::string& path);

// The absolute, normalised path of an output folder given as `flag path`
// (trailing slashes and `.`/`..` resolved, the parent's links resolved).
// Throws InputError naming the flag when the path is a symbolic link, a
// file, the current folder or one of its parents, inside a run folder, or
// when its parent cannot be created or written. The parent is created.
std::string resolve_output_folder(const std::string& path, const std::string& flag);

// Checks an output *file* the user named: not inside a run folder (nor a
// run folder itself), not a folder, parent exists and is writable. Returns
// the path unchanged.
std::string check_output_file(const std::string& path, const std::string& flag);

// The run folder that contains `path` (path itself or one of its parents),
// or "" when none does.
std::string enclosing_run_folder(const std::string& path);

}  // namespace bitrec

// The mark bitrec leaves in every folder it creates (a run folder, a
// staging folder, an export): `.bitrec-run`, naming the folder's kind, a
// run id and every file bitrec wrote there. `--overwrite` replaces only a
// folder bearing this mark, and only when nothing else is in it
// (docs/run_folders.md).
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace bitrec {

inline constexpr const char* kRunMarkerName = ".bitrec-run";

struct RunMarker {
  std::string kind;                // "run" or "export"
  std::string id;                  // unique per run: host, pid, time, random
  std::vector<std::string> files;  // names bitrec wrote in the folder (not the marker)
};

// A fresh run id (16 hex digits from the clock, the pid and /dev/urandom).
std::string new_run_id();

// Reads dir/.bitrec-run; nullopt when absent or unreadable as a marker.
std::optional<RunMarker> read_run_marker(const std::string& dir);
// Writes dir/.bitrec-run atomically (temp file + rename).
void write_run_marker(const std::string& dir, const RunMarker& marker);
// The names of the regular files and folders directly in dir, the marker
// excluded, sorted.
std::vector<std::string> list_folder(const std::string& dir);

// A run folder written before the marker existed: checkpoint.bin starts with
// bitrec's magic and every entry is a file bitrec writes in a run.
bool is_unmarked_legacy_run(const std::string& dir);
// The entries of dir that bitrec did not write there: for a marked folder
// those its marker does not list; for a legacy run those outside the known
// run files; for anything else every entry.
std::vector<std::string> foreign_entries(const std::string& dir);

// True when dir holds a bitrec run: a run marker, or a legacy run.
bool holds_run(const std::string& dir);

// Removes a folder bitrec wrote: the files its marker lists, the marker,
// then the folder itself if it is empty. Anything else stays; returns false
// when something did (the folder then remains).
bool remove_marked_folder(const std::string& dir);

}  // namespace bitrec

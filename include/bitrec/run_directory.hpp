// A run's --out folder (or an export's), filled safely:
//  - --out is resolved and validated before any work (output_path.hpp);
//  - an exclusive lock is held on it for the command's lifetime, so a second
//    process on the same --out is refused at start (folder_lock.hpp);
//  - files are written into a marked staging folder beside it,
//    `.<name>.partial-<pid>`, which holds the run's checkpoints while it
//    trains, so a killed run can be resumed from there;
//  - commit() moves the staging folder into place. It replaces only a folder
//    bitrec marked as its own (run_marker.hpp) and only with --overwrite;
//    if --out changed while the run worked, the new run is kept under a
//    unique sibling name instead, and the message says where.
// docs/run_folders.md tells the whole story.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "bitrec/folder_lock.hpp"
#include "bitrec/run_marker.hpp"

namespace bitrec {

// A staging folder left by a bitrec process that was killed before its run
// was committed: it holds a checkpoint that `train --resume` can continue.
struct LeftoverStaging {
  std::string folder;  // absolute path of `.<name>.partial-<pid>`
  bool has_checkpoint = false;
};

// Staging folders beside `out` that no living process owns (the caller holds
// out's lock), newest first.
std::vector<LeftoverStaging> leftover_stagings(const std::string& out);

// What an output folder holds, checked for a command that will write it.
struct FolderCheck {
  enum Found { kNothing, kEmptyFolder, kOwnFolder };
  std::string out;                     // resolved, absolute
  Found found = kNothing;
  std::string found_id;                // the folder's marker id ("" for a legacy run)
  std::vector<std::string> leftovers;  // stale staging folders the commit removes
};

// Everything RunDirectory refuses, checked without writing anything (the
// parent folder may be created): call it before loading data so a bad --out
// fails at once. Arguments as RunDirectory's.
FolderCheck check_output_folder(const std::string& out, bool overwrite, const std::string& flag = "--out",
                                const std::string& kind = "run", bool resuming = false);

class RunDirectory {
 public:
  // `flag` names the option in messages; `kind` is "run" or "export".
  // Throws InputError (nothing created) when --out is invalid, locked by
  // another process, holds something that is not bitrec's, holds a folder of
  // another kind, or holds a run and overwrite is false. `resuming`: the
  // folder is being continued by train --resume (its own run is replaced,
  // and leftover staging folders are the checkpoints being resumed).
  RunDirectory(const std::string& out, bool overwrite, const std::string& flag = "--out",
               const std::string& kind = "run", bool resuming = false);
  ~RunDirectory();  // removes the staging folder unless committed or kept
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  // Path of a file in the staging folder.
  std::string file(const std::string& name) const;
  const std::string& staging() const { return staging_; }
  // The resolved, absolute --out.
  const std::string& out() const { return out_; }
  const std::string& id() const { return id_; }
  // Rewrites the staging folder's marker to list what is in it now (call it
  // after writing files there, so a killed run's folder stays removable).
  void mark() const;
  // Moves the staging folder into place and returns where the run now is:
  // --out, or a unique sibling when --out changed meanwhile.
  std::string commit();

 private:
  bool still_as_found() const;
  std::string out_;
  std::string flag_;
  std::string kind_;
  std::string id_;
  std::unique_ptr<FolderLock> lock_;
  FolderCheck::Found found_ = FolderCheck::kNothing;
  std::string found_id_;  // the replaced folder's marker id ("" for a legacy run)
  std::vector<std::string> leftovers_;  // stale staging folders removed at commit
  std::string staging_;
  bool committed_ = false;
};

// Writes text to path via a temp file + rename; errors name the path and
// the system's reason (e.g. "No space left on device").
void write_file_atomic(const std::string& path, const std::string& text);

}  // namespace bitrec

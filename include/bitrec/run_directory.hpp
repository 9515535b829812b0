// A run's --out directory, filled atomically: files are written into a
// staging folder beside it and moved into place only when the run succeeds,
// so a failed run leaves nothing partial in --out.
#pragma once
#include <string>

namespace bitrec {

class RunDirectory {
 public:
  // Refuses (InputError) an --out that holds another run unless overwrite,
  // and one that holds anything else (never deletes a user's files).
  RunDirectory(std::string out, bool overwrite);
  ~RunDirectory();  // removes the staging folder unless committed
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  // Path of a file in the staging folder.
  std::string file(const std::string& name) const;
  const std::string& out() const { return out_; }
  // Moves the staging folder to --out (replacing an old run when allowed).
  void commit();

 private:
  std::string out_;
  std::string staging_;
  bool committed_ = false;
};

// True when dir holds a bitrec run (checkpoint.bin or report.json).
bool holds_run(const std::string& dir);

// Writes text to path via a temp file + rename.
void write_file_atomic(const std::string& path, const std::string& text);

}  // namespace bitrec

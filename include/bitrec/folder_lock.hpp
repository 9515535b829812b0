// An exclusive lock on an output folder for as long as a command writes it:
// `.<name>.lock` beside the folder, held with flock(2), so a second bitrec
// process on the same --out is refused at start instead of both running and
// one run silently replacing the other. The kernel drops the lock when the
// process dies (even by SIGKILL); the file is removed on release.
#pragma once
#include <string>

namespace bitrec {

class FolderLock {
 public:
  // Throws InputError naming `flag`, the folder and the holder's pid when
  // another process holds the lock.
  FolderLock(const std::string& folder, const std::string& flag);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace bitrec

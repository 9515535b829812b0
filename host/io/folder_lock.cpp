#include "bitrec/folder_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "bitrec/error.hpp"

namespace fs = std::filesystem;

namespace bitrec {
namespace {

std::string read_holder(int fd) {
  char buf[32] = {};
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

}  // namespace

FolderLock::FolderLock(const std::string& folder, const std::string& flag) {
  const fs::path target(folder);
  path_ = (target.parent_path() / ("." + target.filename().string() + ".lock")).string();
  // A lock file can be unlinked by its holder's release between our open and
  // flock; then the lock we got is on a dead inode, so check and retry.
  for (int attempt = 0; attempt < 8; ++attempt) {
    fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw InputError(flag + " " + folder + ": cannot create the lock file " + path_ + ": " + std::strerror(errno));
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      const std::string holder = read_holder(fd_);
      close(fd_);
      fd_ = -1;
      if (err == EWOULDBLOCK) {
        throw InputError(flag + " " + folder + ": another bitrec process" +
                         (holder.empty() ? std::string() : " (pid " + holder + ")") +
                         " is writing this folder; wait for it to end or choose another folder");
      }
      throw InputError(flag + " " + folder + ": cannot lock " + path_ + ": " + std::strerror(err));
    }
    struct stat held {}, named {};
    if (fstat(fd_, &held) == 0 && stat(path_.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev) {
      const std::string pid = std::to_string(getpid()) + "\n";
      if (ftruncate(fd_, 0) == 0) (void)!pwrite(fd_, pid.data(), pid.size(), 0);
      return;
    }
    close(fd_);
    fd_ = -1;
  }
  throw InputError(flag + " " + folder + ": cannot lock " + path_ + " (it keeps changing)");
}

FolderLock::~FolderLock() {
  if (fd_ < 0) return;
  unlink(path_.c_str());  // while still held: a waiter re-checks the inode
  close(fd_);
}

}  // namespace bitrec

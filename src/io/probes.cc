#include "io/probes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <thread>

namespace featmerge::io {
namespace {

// Reads "<key>: <n> kB" from a /proc status-like file; 0 when absent.
uint64_t ReadProcKb(const char* file, const char* key) {
  std::ifstream in(file);
  std::string line;
  size_t key_len = std::strlen(key);
  while (std::getline(in, line)) {
    if (line.compare(0, key_len, key) == 0 && line.size() > key_len && line[key_len] == ':') {
      return std::strtoull(line.c_str() + key_len + 1, nullptr, 10) * 1024;
    }
  }
  return 0;
}

}  // namespace

Result<uint64_t> FreeDiskBytes(const std::string& path) {
  struct statvfs st;
  if (::statvfs(path.c_str(), &st) != 0) {
    return Status::IOError("cannot query free disk space at '" + path + "': " +
                           std::strerror(errno));
  }
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

Result<uint64_t> AvailableMemoryBytes() {
  uint64_t avail = ReadProcKb("/proc/meminfo", "MemAvailable");
  if (avail == 0) return Status::IOError("cannot read MemAvailable from /proc/meminfo");
  // cgroup v2 limit, when the process runs in a memory-limited container.
  std::ifstream max_file("/sys/fs/cgroup/memory.max");
  std::ifstream cur_file("/sys/fs/cgroup/memory.current");
  std::string max_text;
  uint64_t current = 0;
  if (max_file >> max_text && max_text != "max" && (cur_file >> current)) {
    uint64_t limit = std::strtoull(max_text.c_str(), nullptr, 10);
    uint64_t room = limit > current ? limit - current : 0;
    if (room < avail) avail = room;
  }
  return avail;
}

uint64_t CurrentRssBytes() { return ReadProcKb("/proc/self/status", "VmRSS"); }
uint64_t PeakRssBytes() { return ReadProcKb("/proc/self/status", "VmHWM"); }

int CpuCount() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

Result<std::unique_ptr<FileLock>> FileLock::Acquire(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError("cannot create lock file '" + path + "': " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[32] = {0};
    ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "unknown";
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      return Status::AlreadyExists("another featmerge (pid " + holder + ") is writing this output (lock '" +
                                   path + "')");
    }
    return Status::IOError("cannot lock '" + path + "': " + std::strerror(err));
  }
  // The holder may have unlinked the file between our open and our flock; then we hold a lock
  // on a dead inode. Check that the path still names our inode, else try again.
  struct stat held, named;
  if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &named) != 0 || held.st_ino != named.st_ino ||
      held.st_dev != named.st_dev) {
    ::close(fd);
    return Acquire(path);
  }
  // The lock is held: record our pid (informational only; the kernel lock is the truth).
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // Not fatal: the flock is what excludes other writers.
  }
  return std::unique_ptr<FileLock>(new FileLock(path, fd));
}

FileLock::~FileLock() {
  // Unlink while still holding the lock; Acquire() re-checks the inode after locking, so a
  // process that opened the old file before the unlink retries on the new one.
  ::unlink(path_.c_str());
  ::close(fd_);
}

bool ProcessIsRunning(int pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  // /proc/<pid>/stat: "pid (comm) S ...", comm may hold spaces and parentheses.
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return true;  // unknown: alive
  const char state = stat[close + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace featmerge::io

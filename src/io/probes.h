// Machine probes: free disk, available memory, this process's RSS, and a file lock that is
// released by the kernel when its holder dies. Thread-safety: all functions are thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace featmerge::io {

// Bytes available to an unprivileged writer on the filesystem holding `path`.
Result<uint64_t> FreeDiskBytes(const std::string& path);
// MemAvailable from /proc/meminfo, capped by a cgroup memory limit when one is set.
Result<uint64_t> AvailableMemoryBytes();
uint64_t CurrentRssBytes();  // 0 when unknown
uint64_t PeakRssBytes();     // this process's high-water mark (VmHWM)
int CpuCount();
// False when no process `pid` exists or it has exited and awaits reaping (a zombie: in a
// container whose init does not reap, a killed writer stays one for a while).
bool ProcessIsRunning(int pid);

// An exclusive advisory lock (flock) on `path` (created if missing). Held until destroyed or
// the process dies, so a lock left by a killed run is never stale. The file records the
// holder's pid for messages.
class FileLock {
 public:
  // AlreadyExists when another process holds it (message names the holder's pid).
  static Result<std::unique_ptr<FileLock>> Acquire(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  FileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
};

}  // namespace featmerge::io

// FaultInjectionFileSystem: wraps a FileSystem for tests. It remembers how much of every file
// it wrote was made durable (Sync), can drop everything not synced as a power loss would
// (DropUnsyncedData), and can make writes or syncs fail (disk full, EIO) at a chosen point.
// Used only by tests (leveldb's fault_injection_test.cc is the model).
// Thread-safety: all methods are thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "io/file.h"

namespace featmerge::io {

class FaultInjectionFileSystem : public FileSystem {
 public:
  explicit FaultInjectionFileSystem(FileSystem* base) : base_(base) {}

  // Fail every append once `bytes` more bytes have been appended (across files), as a full
  // disk does (ENOSPC -> ResourceExhausted). -1 disables.
  void FailWritesAfter(int64_t bytes);
  // Fail the n-th Sync from now with an I/O error (EIO). 0 disables.
  void FailNthSync(int n);
  // Truncates every file written through this object to its last synced length (a power
  // loss), and forgets files created but never synced (they are removed).
  Status DropUnsyncedData();
  int64_t bytes_appended() const;
  // After a simulated power loss the process is "dead": every later write, flush, sync,
  // rename or removal fails, so nothing more reaches the disk.
  void SetDead();
  bool dead() const;

  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override {
    return base_->OpenForRead(path);
  }
  Result<std::unique_ptr<AppendFile>> CreateForAppend(const std::string& path) override;
  Result<std::unique_ptr<AppendFile>> ReopenForAppend(const std::string& path,
                                                      uint64_t length) override;
  Status RenameDurable(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& dir) override {
    FM_RETURN_IF_ERROR(CheckAlive(dir));
    return base_->SyncDir(dir);
  }
  Status Remove(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override { return base_->Stat(path); }
  bool Exists(const std::string& path) override { return base_->Exists(path); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  Status CreateDirs(const std::string& dir) override { return base_->CreateDirs(dir); }

  // Called by the wrapped files.
  Status BeforeAppend(const std::string& path, size_t bytes);
  Status BeforeSync(const std::string& path);
  Status CheckAlive(const std::string& what) const;
  void Synced(const std::string& path, uint64_t length);

 private:
  FileSystem* base_;
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> synced_;  // path -> durable length (files we wrote)
  int64_t write_budget_ = -1;
  int64_t appended_ = 0;
  int sync_countdown_ = 0;
  bool dead_ = false;
};

}  // namespace featmerge::io

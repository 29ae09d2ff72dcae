// File access for featmerge: positional reads, buffered appends, fsync, atomic rename.
// Every OS call of the project goes through a FileSystem so tests can inject faults.
// Thread-safety: RandomAccessFile::ReadAt is thread-safe; an AppendFile is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/byte_view.h"
#include "base/status.h"

namespace featmerge::io {

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads exactly `length` bytes at `offset` into `out` (resized). Reading past the end is an
  // IOError naming the file. Thread-safe.
  virtual Status ReadAt(uint64_t offset, uint64_t length, ByteBuffer* out) const = 0;
  // Reads into caller memory of at least `length` bytes.
  virtual Status ReadAt(uint64_t offset, uint64_t length, uint8_t* out) const = 0;
  virtual uint64_t size() const = 0;
  virtual const std::string& path() const = 0;
};

// Errors are sticky: after a failed write or sync every later Append, Flush and Sync fails
// with that error, so nothing appended is ever reported durable once bytes may have been lost.
class AppendFile {
 public:
  virtual ~AppendFile() = default;
  virtual Status Append(ByteView data) = 0;
  virtual Status Flush() = 0;  // hand buffered bytes to the OS
  virtual Status Sync() = 0;   // Flush + fdatasync: durable after it returns OK
  // A hint: start writing the bytes handed to the OS so far to the device, without waiting,
  // so that the next Sync() has less left to wait for. Durability still comes from Sync().
  virtual void StartWriteback() {}
  virtual Status Close() = 0;  // Flush + close (no sync)
  virtual uint64_t size() const = 0;  // bytes appended so far, including the initial length
  virtual const std::string& path() const = 0;
};

struct FileInfo {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool is_directory = false;
};

// The OS seam. The default implementation is POSIX; tests wrap it to inject faults.
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) = 0;
  // Creates or truncates `path`.
  virtual Result<std::unique_ptr<AppendFile>> CreateForAppend(const std::string& path) = 0;
  // Opens an existing file, truncates it to `length` and appends after it.
  virtual Result<std::unique_ptr<AppendFile>> ReopenForAppend(const std::string& path,
                                                              uint64_t length) = 0;
  // rename(2) followed by an fsync of the destination directory.
  virtual Status RenameDurable(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;  // NotFound is OK
  virtual Result<FileInfo> Stat(const std::string& path) = 0;  // NotFound when missing
  virtual bool Exists(const std::string& path) = 0;
  // Sorted file names (not paths) in `dir`, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Status SyncDir(const std::string& dir) = 0;
};

// The process-wide POSIX file system (never null, never freed).
FileSystem* DefaultFileSystem();

// Writes `data` to `path` durably: temp file beside it, fsync, rename, fsync dir. Temp files of
// earlier writers of `path` that died before their rename are removed.
Status WriteFileAtomic(FileSystem* fs, const std::string& path, ByteView data);
Result<std::string> ReadWholeFile(FileSystem* fs, const std::string& path, uint64_t max_bytes);

std::string DirName(const std::string& path);   // "." when there is no slash
std::string BaseName(const std::string& path);
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace featmerge::io

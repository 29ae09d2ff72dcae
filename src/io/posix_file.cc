#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/file.h"

namespace featmerge::io {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " '" + path + "': " + std::strerror(err);
  if (err == EFBIG) msg += " (the file-size limit, ulimit -f, or the filesystem's largest file)";
  if (err == ENOENT) return Status::NotFound(msg);
  if (err == ENOSPC || err == EDQUOT || err == EFBIG) return Status::ResourceExhausted(msg);
  return Status::IOError(msg);
}

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Status ReadAt(uint64_t offset, uint64_t length, ByteBuffer* out) const override {
    // Checked before the buffer is sized: a length read from a file never allocates past it.
    FM_RETURN_IF_ERROR(CheckRange(offset, length));
    out->resize(length);
    return ReadAt(offset, length, out->data());
  }

  Status ReadAt(uint64_t offset, uint64_t length, uint8_t* out) const override {
    FM_RETURN_IF_ERROR(CheckRange(offset, length));
    uint64_t done = 0;
    while (done < length) {
      ssize_t n = ::pread(fd_, out + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("cannot read", path_, errno);
      }
      if (n == 0) {
        return Status::IOError("unexpected end of '" + path_ + "' at offset " +
                               std::to_string(offset + done) + " (file shrank while reading?)");
      }
      done += static_cast<uint64_t>(n);
    }
    return Status::OK();
  }

  uint64_t size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  Status CheckRange(uint64_t offset, uint64_t length) const {
    if (offset > size_ || length > size_ - offset) {
      return Status::IOError("read of " + std::to_string(length) + " bytes at offset " +
                             std::to_string(offset) + " is past the end of '" + path_ + "' (" +
                             std::to_string(size_) + " bytes)");
    }
    return Status::OK();
  }

  const std::string path_;
  const int fd_;
  const uint64_t size_;
};

class PosixAppendFile final : public AppendFile {
 public:
  // Buffer appends so that small metadata writes do not become syscalls; large column
  // chunks bypass the buffer.
  static constexpr size_t kBufferSize = 1 << 20;

  PosixAppendFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size), written_back_(size) {
    buffer_.reserve(kBufferSize);
  }
  ~PosixAppendFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(ByteView data) override {
    if (fd_ < 0) return Status::IOError("append to closed file '" + path_ + "'");
    if (!error_.ok()) return error_;
    size_ += data.size();
    if (buffer_.size() + data.size() <= kBufferSize) {
      buffer_.insert(buffer_.end(), data.begin(), data.end());
      return Status::OK();
    }
    FM_RETURN_IF_ERROR(Flush());
    if (data.size() < kBufferSize) {
      buffer_.insert(buffer_.end(), data.begin(), data.end());
      return Status::OK();
    }
    return WriteAll(data.data(), data.size());
  }

  Status Flush() override {
    if (!error_.ok()) return error_;
    if (buffer_.empty()) return Status::OK();
    Status s = WriteAll(buffer_.data(), buffer_.size());
    buffer_.clear();
    return s;
  }

  void StartWriteback() override {
    if (fd_ < 0 || !error_.ok() || size_ - buffer_.size() <= written_back_) return;
    const uint64_t end = size_ - buffer_.size();
    // Errors are left to Sync(), which reports them; this only moves work earlier.
    (void)::sync_file_range(fd_, static_cast<off_t>(written_back_),
                            static_cast<off_t>(end - written_back_), SYNC_FILE_RANGE_WRITE);
    written_back_ = end;
  }

  Status Sync() override {
    FM_RETURN_IF_ERROR(Flush());
    if (::fdatasync(fd_) != 0) {
      // After a failed fsync the kernel may drop the dirty pages and report success next time:
      // the error stays.
      error_ = ErrnoStatus("cannot fsync", path_, errno);
      return error_;
    }
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = Flush();
    if (::close(fd_) != 0 && s.ok()) s = ErrnoStatus("cannot close", path_, errno);
    fd_ = -1;
    return s;
  }

  uint64_t size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  Status WriteAll(const uint8_t* p, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        error_ = ErrnoStatus("cannot write", path_, errno);
        return error_;
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
    return Status::OK();
  }

  const std::string path_;
  int fd_;
  uint64_t size_;
  uint64_t written_back_;  // StartWriteback() has covered [.., written_back_)
  ByteBuffer buffer_;
  // Sticky: once a write or fsync failed, bytes counted in size_ may be missing from the file,
  // so no later Flush or Sync may report them durable (a journal would then point past them).
  Status error_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("cannot stat", path, err);
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return Status::InvalidArgument("'" + path + "' is a directory, not a file");
    }
    return std::unique_ptr<RandomAccessFile>(
        new PosixRandomAccessFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  Result<std::unique_ptr<AppendFile>> CreateForAppend(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("cannot create", path, errno);
    return std::unique_ptr<AppendFile>(new PosixAppendFile(path, fd, 0));
  }

  Result<std::unique_ptr<AppendFile>> ReopenForAppend(const std::string& path,
                                                      uint64_t length) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open for append", path, errno);
    if (::ftruncate(fd, static_cast<off_t>(length)) != 0 ||
        ::lseek(fd, static_cast<off_t>(length), SEEK_SET) < 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("cannot truncate", path, err);
    }
    return std::unique_ptr<AppendFile>(new PosixAppendFile(path, fd, length));
  }

  Status RenameDurable(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus("cannot rename '" + from + "' to", to, errno);
    }
    return SyncDir(DirName(to));
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus("cannot remove", path, errno);
    }
    return Status::OK();
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("cannot stat", path, errno);
    FileInfo info;
    info.size = static_cast<uint64_t>(st.st_size);
    info.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    info.is_directory = S_ISDIR(st.st_mode);
    return info;
  }

  bool Exists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus("cannot list directory", dir, errno);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }

  Status CreateDirs(const std::string& dir) override {
    if (dir.empty() || dir == "." || dir == "/") return Status::OK();
    struct stat st;
    if (::stat(dir.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return Status::OK();
      return Status::IOError("'" + dir + "' exists and is not a directory");
    }
    FM_RETURN_IF_ERROR(CreateDirs(DirName(dir)));
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("cannot create directory", dir, errno);
    }
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open directory", dir, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus("cannot fsync directory", dir, err);
    return Status::OK();
  }
};

}  // namespace

FileSystem* DefaultFileSystem() {
  static PosixFileSystem* fs = new PosixFileSystem();
  return fs;
}

}  // namespace featmerge::io

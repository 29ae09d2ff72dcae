// MemoryFile: a RandomAccessFile over bytes held in memory, for fuzz targets and tests that
// hand a reader a file without touching the disk. Thread-safety: ReadAt is thread-safe (the
// bytes never change).
#pragma once

#include <string>

#include "io/file.h"

namespace featmerge::io {

class MemoryFile final : public RandomAccessFile {
 public:
  MemoryFile(std::string path, ByteBuffer bytes)
      : path_(std::move(path)), bytes_(std::move(bytes)) {}

  // As RandomAccessFile: IOError naming the path for a read past the end (checked before any
  // buffer is sized).
  Status ReadAt(uint64_t offset, uint64_t length, ByteBuffer* out) const override;
  Status ReadAt(uint64_t offset, uint64_t length, uint8_t* out) const override;
  uint64_t size() const override { return bytes_.size(); }
  const std::string& path() const override { return path_; }

 private:
  Status CheckRange(uint64_t offset, uint64_t length) const;

  const std::string path_;
  const ByteBuffer bytes_;
};

}  // namespace featmerge::io

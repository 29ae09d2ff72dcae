#include "io/memory_file.h"

#include <cstring>

namespace featmerge::io {

Status MemoryFile::CheckRange(uint64_t offset, uint64_t length) const {
  if (offset > bytes_.size() || length > bytes_.size() - offset) {
    return Status::IOError("read of " + std::to_string(length) + " bytes at offset " +
                           std::to_string(offset) + " is past the end of '" + path_ + "' (" +
                           std::to_string(bytes_.size()) + " bytes)");
  }
  return Status::OK();
}

Status MemoryFile::ReadAt(uint64_t offset, uint64_t length, ByteBuffer* out) const {
  FM_RETURN_IF_ERROR(CheckRange(offset, length));
  out->assign(bytes_.begin() + static_cast<std::ptrdiff_t>(offset),
              bytes_.begin() + static_cast<std::ptrdiff_t>(offset + length));
  return Status::OK();
}

Status MemoryFile::ReadAt(uint64_t offset, uint64_t length, uint8_t* out) const {
  FM_RETURN_IF_ERROR(CheckRange(offset, length));
  if (length > 0) std::memcpy(out, bytes_.data() + offset, length);
  return Status::OK();
}

}  // namespace featmerge::io

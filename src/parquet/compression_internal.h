// Internals of compression.cc shared by the per-codec files: the CodecBase that applies the
// checks common to every codec, message helpers and the per-codec factories.
// Thread-safety: as Codec (none; one codec object per thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "parquet/compression.h"

namespace featmerge::parquet::internal {

// Parquet page sizes are i32, and lz4 and zlib take int/uInt lengths, so no page is larger.
inline constexpr size_t kMaxPageBytes = 0x7FFFFFFF;

// Applies the checks every codec needs once, so the implementations only see inputs they can
// pass to their library: both sizes at most kMaxPageBytes, `out` non-null, and `in` non-empty
// unless out_len is 0 too.
class CodecBase : public Codec {
 public:
  explicit CodecBase(Compression id) : id_(id) {}
  Status Decompress(ByteView in, uint8_t* out, size_t out_len) final;
  Status Compress(ByteView in, ByteBuffer* out) final;
  Compression id() const final { return id_; }

 protected:
  // REQUIRES: in.size() and out_len <= kMaxPageBytes; in non-empty; out non-null.
  virtual Status DecompressImpl(ByteView in, uint8_t* out, size_t out_len) = 0;
  // REQUIRES: in.size() <= kMaxPageBytes; in.data() non-null.
  virtual Status CompressImpl(ByteView in, ByteBuffer* out) = 0;

  const char* name() const { return CompressionName(id_); }
  // "<CODEC> page decompresses to <produced> bytes, header says <out_len>"
  Status SizeMismatch(size_t produced, size_t out_len) const;
  // "<CODEC> page decompresses to more than <out_len> bytes, header says <out_len>"
  Status TooLarge(size_t out_len) const;
  // "<CODEC> page is truncated: it ends after <produced> of <out_len> bytes"
  Status Truncated(size_t produced, size_t out_len) const;
  // "<CODEC> decompression failed: <what> (expected <out_len> bytes)"
  Status Failed(const std::string& what, size_t out_len) const;

 private:
  Compression id_;
};

// Factories; levels are already validated and defaulted by MakeCodec.
std::unique_ptr<Codec> MakeZstdCodec(int level);
std::unique_ptr<Codec> MakeGzipCodec(int level);
std::unique_ptr<Codec> MakeBrotliCodec(int quality);
std::unique_ptr<Codec> MakeLz4RawCodec();
std::unique_ptr<Codec> MakeLz4HadoopCodec();

}  // namespace featmerge::parquet::internal

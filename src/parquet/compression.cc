#include "parquet/compression.h"

#include <isa-l/crc.h>
#include <snappy.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "base/logging.h"
#include "parquet/compression_internal.h"

namespace featmerge::parquet {
namespace internal {

namespace {

std::string Bytes(size_t n) { return std::to_string(n) + " bytes"; }

}  // namespace

Status CodecBase::Decompress(ByteView in, uint8_t* out, size_t out_len) {
  if (in.size() > kMaxPageBytes || out_len > kMaxPageBytes) {
    return Status::Corruption(std::string(name()) + " page of " + Bytes(in.size()) + " (" +
                              Bytes(out_len) + " uncompressed) exceeds the " +
                              Bytes(kMaxPageBytes) + " page limit");
  }
  if (in.empty()) {
    // No codec turns 0 bytes into data. Accepting 0 -> 0 spares callers a special case for empty
    // pages whose writer skipped the codec; nothing could be decoded wrongly from it.
    if (out_len == 0) return Status::OK();
    return Status::Corruption(std::string(name()) + " page has 0 compressed bytes, header says " +
                              Bytes(out_len) + " uncompressed");
  }
  FM_DCHECK(out != nullptr || out_len == 0);
  // Libraries may not accept a null destination even for 0 bytes (and memcpy to null is UB).
  uint8_t empty_out;
  if (out == nullptr) out = &empty_out;
  return DecompressImpl(in, out, out_len);
}

Status CodecBase::Compress(ByteView in, ByteBuffer* out) {
  if (in.size() > kMaxPageBytes) {
    return Status::InvalidArgument(std::string("cannot ") + name() + "-compress a page of " +
                                   Bytes(in.size()) + ": the limit is " + Bytes(kMaxPageBytes));
  }
  // An empty span may carry a null pointer; give the libraries a valid one.
  static constexpr uint8_t kNoBytes = 0;
  if (in.data() == nullptr) in = ByteView(&kNoBytes, 0);
  return CompressImpl(in, out);
}

Status CodecBase::SizeMismatch(size_t produced, size_t out_len) const {
  return Status::Corruption(std::string(name()) + " page decompresses to " + Bytes(produced) +
                            ", header says " + std::to_string(out_len));
}

Status CodecBase::TooLarge(size_t out_len) const {
  return Status::Corruption(std::string(name()) + " page decompresses to more than " +
                            Bytes(out_len) + ", header says " + std::to_string(out_len));
}

Status CodecBase::Truncated(size_t produced, size_t out_len) const {
  return Status::Corruption(std::string(name()) + " page is truncated: it ends after " +
                            std::to_string(produced) + " of " + Bytes(out_len));
}

Status CodecBase::Failed(const std::string& what, size_t out_len) const {
  return Status::Corruption(std::string(name()) + " decompression failed: " + what + " (expected " +
                            Bytes(out_len) + ")");
}

}  // namespace internal

namespace {

using internal::CodecBase;

class UncompressedCodec final : public CodecBase {
 public:
  UncompressedCodec() : CodecBase(Compression::kUncompressed) {}

 protected:
  Status DecompressImpl(ByteView in, uint8_t* out, size_t out_len) override {
    if (in.size() != out_len) {
      return Status::Corruption("UNCOMPRESSED page has " + std::to_string(in.size()) +
                                " bytes, header says " + std::to_string(out_len));
    }
    std::memcpy(out, in.data(), out_len);
    return Status::OK();
  }
  Status CompressImpl(ByteView in, ByteBuffer* out) override {
    out->assign(in.begin(), in.end());
    return Status::OK();
  }
};

// Snappy keeps no state between calls, so there is nothing to reuse.
class SnappyCodec final : public CodecBase {
 public:
  SnappyCodec() : CodecBase(Compression::kSnappy) {}

 protected:
  Status DecompressImpl(ByteView in, uint8_t* out, size_t out_len) override {
    const char* src = reinterpret_cast<const char*>(in.data());
    size_t declared = 0;
    if (!snappy::GetUncompressedLength(src, in.size(), &declared)) {
      return Failed("the length preamble is malformed", out_len);
    }
    // RawUncompress writes exactly `declared` bytes; checking it against out_len first is what
    // keeps it inside the caller's buffer.
    if (declared != out_len) return SizeMismatch(declared, out_len);
    if (!snappy::RawUncompress(src, in.size(), reinterpret_cast<char*>(out))) {
      return Failed("malformed data", out_len);
    }
    return Status::OK();
  }
  Status CompressImpl(ByteView in, ByteBuffer* out) override {
    out->resize(snappy::MaxCompressedLength(in.size()));
    size_t written = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(in.data()), in.size(),
                        reinterpret_cast<char*>(out->data()), &written);
    out->resize(written);
    return Status::OK();
  }
};

Status CheckLevel(Compression codec, int level, int min_level, int max_level) {
  if (level >= min_level && level <= max_level) return Status::OK();
  return Status::InvalidArgument(std::string(CompressionName(codec)) + " level " +
                                 std::to_string(level) + " is out of range: use " +
                                 std::to_string(min_level) + "-" + std::to_string(max_level) +
                                 ", or 0 for the default");
}

// Defaults favour speed: a merge compresses every page it writes. On 1 MiB of price doubles
// (bench/codec_benchmark.cc) zstd 1 compresses ~20x faster than gzip 6 for ~11% less ratio;
// brotli 5 runs at ~45 MB/s, brotli's own default of 11 at ~1 MB/s (for a 45% smaller page).
constexpr int kZstdDefaultLevel = 1;
constexpr int kGzipDefaultLevel = 6;
constexpr int kBrotliDefaultQuality = 5;

}  // namespace

Result<std::unique_ptr<Codec>> MakeCodec(Compression codec, int level) {
  switch (codec) {
    case Compression::kUncompressed:
      return std::unique_ptr<Codec>(std::make_unique<UncompressedCodec>());
    case Compression::kSnappy:
      return std::unique_ptr<Codec>(std::make_unique<SnappyCodec>());
    case Compression::kGzip:
      if (level == 0) level = kGzipDefaultLevel;
      FM_RETURN_IF_ERROR(CheckLevel(codec, level, 1, 9));
      return internal::MakeGzipCodec(level);
    case Compression::kBrotli:
      if (level == 0) level = kBrotliDefaultQuality;
      FM_RETURN_IF_ERROR(CheckLevel(codec, level, 1, 11));
      return internal::MakeBrotliCodec(level);
    case Compression::kZstd:
      if (level == 0) level = kZstdDefaultLevel;
      FM_RETURN_IF_ERROR(CheckLevel(codec, level, 1, 22));
      return internal::MakeZstdCodec(level);
    case Compression::kLz4:
      return internal::MakeLz4HadoopCodec();
    case Compression::kLz4Raw:
      return internal::MakeLz4RawCodec();
    case Compression::kLzo:
      break;
  }
  if (IsKnownCompression(static_cast<int32_t>(codec))) {
    return Status::NotSupported(std::string("compression codec ") + CompressionName(codec) +
                                " is not supported");
  }
  return Status::NotSupported("compression codec id " +
                              std::to_string(static_cast<int32_t>(codec)) + " is not supported");
}

uint64_t MaxDecompressedSize(Compression codec, uint64_t compressed_size) {
  // Largest expansion per stored byte, with a small allowance for stream headers:
  // - snappy: a 3-byte copy element yields at most 64 bytes (21.3x);
  // - lz4 (raw, Hadoop and frame framings): each 255 byte of a match length adds 255 bytes;
  // - deflate: 258 bytes per 2 bits at best, the 1032:1 of zlib's documentation;
  // - zstd: a 4-byte RLE block (3-byte block header + 1 byte) yields one block of at most 128 KiB.
  uint64_t ratio = 0;
  switch (codec) {
    case Compression::kUncompressed: return compressed_size;
    case Compression::kSnappy: ratio = 22; break;
    case Compression::kLz4:
    case Compression::kLz4Raw: ratio = 256; break;
    case Compression::kGzip: ratio = 1032; break;
    case Compression::kZstd: ratio = 32768; break;
    default: return internal::kMaxPageBytes;
  }
  constexpr uint64_t kHeaderAllowance = 64;
  if (compressed_size >= internal::kMaxPageBytes / ratio) return internal::kMaxPageBytes;
  return std::min<uint64_t>(compressed_size * ratio + kHeaderAllowance, internal::kMaxPageBytes);
}

// Parquet's page CRC (PageHeader.crc) is the standard CRC-32 (zlib's crc32, polynomial
// 0x04C11DB7 reflected) of the bytes that follow the page header as stored, i.e. the compressed
// page. See docs/parquet_notes.md, "Page CRC".
uint32_t PageCrc32(ByteView data) { return PageCrc32Extend(0, data); }

uint32_t PageCrc32Extend(uint32_t crc, ByteView data) {
  if (data.empty()) return crc;
  // ISA-L's reflected IEEE CRC-32 is zlib's crc32 (same polynomial, pre- and post-inversion,
  // chaining) computed with carry-less multiplication: ~10x zlib's speed, and every page a
  // merge reads or copies is checked (tested against zlib in compression_test).
  return crc32_gzip_refl(crc, data.data(), data.size());
}

}  // namespace featmerge::parquet

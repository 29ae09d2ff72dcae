// Page compression codecs (zstd, snappy, gzip, brotli, lz4 raw/legacy) over Debian's libraries,
// and the page CRC. A Codec keeps its library contexts and reuses them across pages.
// Thread-safety: none; one Codec per thread.
#pragma once

#include <cstdint>
#include <memory>

#include "base/byte_view.h"
#include "base/status.h"
#include "parquet/types.h"

namespace featmerge::parquet {

class Codec {
 public:
  virtual ~Codec() = default;
  // Decompresses `in` into exactly `out_len` bytes at `out`. Corruption when the data is
  // damaged or does not produce exactly out_len bytes. Nothing is ever written past
  // out + out_len, and working memory stays under a per-codec constant (at most brotli's 16 MiB
  // window) whatever sizes the data declares. ResourceExhausted when a library context cannot be
  // allocated. REQUIRES: out holds out_len writable bytes (may be null when out_len == 0) and
  // does not overlap `in`.
  virtual Status Decompress(ByteView in, uint8_t* out, size_t out_len) = 0;
  // Replaces *out with the compressed form of `in` (its capacity is reused).
  virtual Status Compress(ByteView in, ByteBuffer* out) = 0;
  virtual Compression id() const = 0;
};

// level: codec-specific (zstd 1-22, gzip 1-9, brotli quality 1-11); 0 = the codec's default
// (zstd 1, gzip 6, brotli 5). InvalidArgument outside those ranges; codecs without levels
// (snappy, lz4) ignore it. NotSupported for LZO and unknown ids. UNCOMPRESSED gives a copying
// codec. The LZ4 id (deprecated) writes Hadoop framing and reads every framing writers used.
// Pages are at most 2^31-1 bytes on either side (Parquet's page sizes are i32): larger inputs are
// InvalidArgument for Compress and Corruption for Decompress.
Result<std::unique_ptr<Codec>> MakeCodec(Compression codec, int level = 0);

// The most bytes `compressed_size` bytes of `codec` data can decompress to, from each format's
// own limits (not a library's behaviour): readers refuse a page header declaring more before
// they size a buffer by it. Brotli can legitimately turn a dozen bytes into a 16 MiB meta-block,
// so for it (and for codecs we cannot read) the bound is only the page limit of 2^31-1 bytes.
uint64_t MaxDecompressedSize(Compression codec, uint64_t compressed_size);

// CRC-32 (the gzip/zlib polynomial) as Parquet page headers carry it: computed over the page's
// bytes as stored after the page header (compressed_page_size bytes). The header's i32 `crc`
// holds these 32 bits. PageCrc32Extend(PageCrc32(a), b) == PageCrc32(a followed by b).
uint32_t PageCrc32(ByteView data);
uint32_t PageCrc32Extend(uint32_t crc, ByteView data);

}  // namespace featmerge::parquet

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
  // damaged or does not produce exactly out_len bytes.
  virtual Status Decompress(ByteView in, uint8_t* out, size_t out_len) = 0;
  // Replaces *out with the compressed form of `in`.
  virtual Status Compress(ByteView in, ByteBuffer* out) = 0;
  virtual Compression id() const = 0;
};

// level: codec-specific (zstd 1-22, gzip 1-9, brotli 0-11); 0 = the codec's default.
// NotSupported for LZO and unknown ids. UNCOMPRESSED gives a copying codec.
Result<std::unique_ptr<Codec>> MakeCodec(Compression codec, int level = 0);

// CRC-32 (the gzip/zlib polynomial) as Parquet page headers carry it.
uint32_t PageCrc32(ByteView data);
uint32_t PageCrc32Extend(uint32_t crc, ByteView data);

}  // namespace featmerge::parquet

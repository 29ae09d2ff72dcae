// libFuzzer target: FileMetaData decoding must never crash, read out of bounds or blow up memory,
// and whatever decodes must survive encode -> decode unchanged in size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "parquet/format/thrift_codec.h"

using featmerge::ByteBuffer;
using featmerge::ByteView;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  // Whole files are welcome seeds: decode the footer they point to as well as the raw bytes.
  if (size >= 12) {
    const uint32_t length = featmerge::LoadLE<uint32_t>(data + size - 8);
    if (length <= size - 8) {
      (void)featmerge::parquet::DecodeFileMetaData(input.subspan(size - 8 - length, length));
    }
  }
  auto md = featmerge::parquet::DecodeFileMetaData(input);
  if (md.ok()) {
    ByteBuffer encoded;
    featmerge::parquet::EncodeFileMetaData(*md, &encoded);
    auto again = featmerge::parquet::DecodeFileMetaData(encoded);
    if (!again.ok() || again->schema.size() != md->schema.size() ||
        again->row_groups.size() != md->row_groups.size() || again->num_rows != md->num_rows) {
      std::abort();  // our own output must decode to the same shape
    }
  }
  (void)featmerge::parquet::DecodeRowGroup(input);
  (void)featmerge::parquet::DecodeColumnChunk(input);
  return 0;
}

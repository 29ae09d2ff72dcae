// libFuzzer target: page header and page index decoding must never crash or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "parquet/format/thrift_codec.h"

using featmerge::ByteBuffer;
using featmerge::ByteView;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  uint32_t header_size = 0;
  auto header = featmerge::parquet::DecodePageHeader(input, &header_size);
  if (header.ok()) {
    if (header_size == 0 || header_size > size) std::abort();
    ByteBuffer encoded;
    featmerge::parquet::EncodePageHeader(*header, &encoded);
    uint32_t again_size = 0;
    auto again = featmerge::parquet::DecodePageHeader(encoded, &again_size);
    if (!again.ok() || again_size != encoded.size() || again->type != header->type ||
        again->compressed_page_size != header->compressed_page_size) {
      std::abort();
    }
  }
  (void)featmerge::parquet::DecodeColumnIndex(input);
  (void)featmerge::parquet::DecodeOffsetIndex(input);
  return 0;
}

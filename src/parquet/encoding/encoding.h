// Value decoders and encoders for one Parquet encoding each, behind one interface.
// A decoder is created once per column and fed page after page (SetData); an encoder is fed
// values and emits one page's encoded bytes at a time. Both reuse their buffers.
// Thread-safety: none; one object per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/byte_view.h"
#include "base/status.h"
#include "parquet/byte_array.h"
#include "parquet/types.h"

namespace featmerge::parquet {

// Values in memory: fixed-width types as packed little-endian values of FixedWidth() bytes
// (BOOLEAN as one byte 0/1 per value, INT96 12 bytes, FLBA type_length bytes); BYTE_ARRAY as a
// ByteArrayVector.
class Decoder {
 public:
  virtual ~Decoder() = default;
  // Starts a new page: `data` holds exactly the encoded values of this page (after levels) and
  // must stay alive until the next SetData. `num_values` = count of encoded (non-null) values.
  // Validates the page's own headers (e.g. DELTA block headers) as far as possible here.
  virtual Status SetData(ByteView data, int64_t num_values) = 0;
  // Decodes the next `n` values (REQUIRES: n <= values left). Fixed-width types only: writes
  // n * width bytes to `out`. Corruption (with what is wrong) when the data runs out.
  virtual Status DecodeFixed(int64_t n, uint8_t* out) = 0;
  // BYTE_ARRAY only: appends n values to `out`.
  virtual Status DecodeByteArray(int64_t n, ByteArrayVector* out) = 0;
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  // Fixed-width types: n values of width bytes each.
  virtual void PutFixed(const uint8_t* values, int64_t n) = 0;
  // BYTE_ARRAY: values [begin, end) of `values`.
  virtual void PutByteArray(const ByteArrayVector& values, size_t begin, size_t end) = 0;
  // Bytes the encoded page would take if finished now (an estimate is fine).
  virtual int64_t EstimatedSize() const = 0;
  // Appends the encoded values put since the last Finish to `out` and resets.
  virtual void Finish(ByteBuffer* out) = 0;
};

// NotSupported for an encoding that does not apply to the type (e.g. DELTA_BINARY_PACKED on
// DOUBLE), with the encoding and type named. Dictionary encodings are handled by the column
// reader/writer (dictionary page + RLE indices), not here.
Result<std::unique_ptr<Decoder>> MakeDecoder(Encoding encoding, Type type, int type_length);
Result<std::unique_ptr<Encoder>> MakeEncoder(Encoding encoding, Type type, int type_length);

}  // namespace featmerge::parquet

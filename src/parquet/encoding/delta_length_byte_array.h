// DELTA_LENGTH_BYTE_ARRAY layout: all lengths DELTA_BINARY_PACKED (INT32), then all value bytes
// concatenated. Reader and writer are also the suffix half of DELTA_BYTE_ARRAY.
// Thread-safety: none; one object per thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/byte_view.h"
#include "base/status.h"
#include "parquet/encoding/delta_binary_packed.h"

namespace featmerge::parquet {

class DeltaLengthReader {
 public:
  // `what` and `lengths_what` prefix error messages; both must outlive the reader.
  DeltaLengthReader(const char* what, const char* lengths_what)
      : what_(what), lengths_(lengths_what) {}

  // Validates the lengths block and every length (none negative, their sum within the bytes
  // that follow), so that reading cannot fail afterwards. `data` must stay alive until the
  // next SetData. Bytes after the sum are ignored.
  Status SetData(ByteView data, int64_t num_values);
  void Rewind();
  // Forgets the page: no values left until the next SetData.
  void Clear();

  int64_t values_left() const { return lengths_.values_left(); }
  // Value bytes not yet taken.
  uint64_t bytes_left() const { return bytes_total_ - bytes_pos_; }

  // Writes the next n lengths. REQUIRES: n <= values_left().
  void NextLengths(int64_t n, int32_t* lengths) { lengths_.Decode(n, lengths); }
  // The next `bytes` value bytes. REQUIRES: bytes equals the sum of lengths read with
  // NextLengths and not yet taken (so it is within what SetData validated).
  const uint8_t* TakeBytes(uint64_t bytes);

 private:
  const char* what_;
  DeltaBitPackReader<int32_t> lengths_;
  const uint8_t* bytes_ = nullptr;
  uint64_t bytes_total_ = 0;  // sum of all lengths
  uint64_t bytes_pos_ = 0;
};

class DeltaLengthWriter {
 public:
  void Put(ByteView value);
  // Lengths block then value bytes for every value put since the last Finish; resets.
  void Finish(ByteBuffer* out);
  int64_t EstimatedSize() const;

 private:
  DeltaBitPackWriter<int32_t> lengths_;
  ByteBuffer bytes_;
};

}  // namespace featmerge::parquet

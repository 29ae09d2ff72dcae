// The RLE / bit-packing hybrid (definition and repetition levels, dictionary indices, RLE
// booleans) and the deprecated BIT_PACKED level layout. Data handed to these classes is the
// run sequence only: callers strip the 4-byte length prefix or the bit-width byte first.
// Thread-safety: none; one object per thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/byte_view.h"
#include "base/status.h"

namespace featmerge::parquet {

// Bit width needed for values in [0, max_value]: 0 for 0 (a required column's levels), 1 for 1,
// 10 for 1023 (dictionary indices of a 1024-entry dictionary).
int BitWidthFor(uint32_t max_value);

class RleBitPackedDecoder {
 public:
  // Starts decoding `data`, which must stay alive until the next Init. Corruption if bit_width
  // is outside 0..32. With bit_width 0 every value is 0 and `data` is not read.
  Status Init(ByteView data, int bit_width);

  // Writes the next n values to out. Corruption (naming the byte offset) when a run header is
  // malformed, an RLE value does not fit the bit width, or the data ends before n values. After
  // an error the decoder must be re-Init'ed.
  Status GetBatch(uint32_t* out, int64_t n);

  // Whether the next n values all come from one RLE run (a page's levels without nulls, for
  // one), with *value its value; reads the next run header when no run is open, and takes no
  // value, so GetBatch goes on from the same place. false for a bit-packed or shorter run, and
  // for a malformed header or value (the decoder must then be re-Init'ed; GetBatch reports it).
  bool NextValuesRepeat(int64_t n, uint32_t* value);

  int bit_width() const { return bit_width_; }
  // Values returned since Init.
  int64_t values_read() const { return values_read_; }
  // Bytes of run headers and run bodies started so far (a partly read run counts whole).
  size_t bytes_consumed() const { return pos_; }

 private:
  // Reads run headers until one holds values; runs of zero values are skipped (each header
  // consumes at least one byte, so this ends).
  Status NextRun();
  void TakePacked(uint32_t* out, int64_t n);

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;  // next run header
  int bit_width_ = 0;
  int value_bytes_ = 0;  // bytes of an RLE run's value: ceil(bit_width / 8)
  int64_t values_read_ = 0;

  bool run_is_packed_ = false;
  int64_t run_left_ = 0;    // values left in the current run
  uint32_t rle_value_ = 0;  // value of the current RLE run
  size_t packed_pos_ = 0;   // byte offset of the next unread group of the bit-packed run
  uint32_t group_[8] = {};  // a group of the bit-packed run that was read only partly
  int group_pos_ = 8;       // next value in group_; 8 = none buffered
};

class RleBitPackedEncoder {
 public:
  // REQUIRES: 0 <= bit_width <= 32.
  explicit RleBitPackedEncoder(int bit_width);

  // REQUIRES: value < 2^bit_width.
  void Put(uint32_t value);
  void PutRepeated(uint32_t value, int64_t count);
  // n values, the same runs as n Put calls; groups of 8 that are not one value are packed
  // straight from `values`. REQUIRES: every value < 2^bit_width.
  void PutBatch(const uint32_t* values, int64_t n);
  // Appends the runs for all values put since the last Finish (no length prefix) and resets.
  // Runs of 8 or more equal values that start on a group boundary become RLE runs, everything
  // else bit-packed groups of 8 (the last one zero-padded), as parquet-mr and Arrow write.
  void Finish(ByteBuffer* out);
  // Bytes Finish would append now (a close upper estimate).
  int64_t EstimatedSize() const;
  int bit_width() const { return bit_width_; }

 private:
  void FlushGroup();
  void FlushRepeatedRun();
  void CloseLiteralRun();

  int bit_width_;
  int value_bytes_;
  uint32_t buffered_[8] = {};
  int num_buffered_ = 0;
  uint32_t current_value_ = 0;
  int64_t repeat_count_ = 0;       // trailing equal values, counted from the current group start
  int64_t literal_groups_ = 0;     // groups in the open bit-packed run
  size_t literal_header_pos_ = 0;  // its reserved one-byte header in out_
  ByteBuffer out_;
};

// The deprecated BIT_PACKED (encoding 4) level layout of old writers: values packed MSB first,
// no header, no runs; the level section is EncodedSize(num_values, bit_width) bytes.
class BitPackedLevelDecoder {
 public:
  static int64_t EncodedSize(int64_t num_values, int bit_width);

  // `data` must stay alive until the next Init. Corruption if bit_width is outside 0..32.
  Status Init(ByteView data, int bit_width);
  // Corruption if `data` holds fewer than n more values.
  Status GetBatch(uint32_t* out, int64_t n);
  int64_t values_read() const { return values_read_; }

 private:
  ByteView data_;
  int bit_width_ = 0;
  int64_t values_read_ = 0;
};

}  // namespace featmerge::parquet

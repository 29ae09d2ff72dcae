// DELTA_BINARY_PACKED building blocks for INT32 and INT64: a reader that validates a whole page
// up front and then decodes without failing, and a writer (block 128, 4 miniblocks of 32).
// Also used for the lengths of DELTA_LENGTH_BYTE_ARRAY and the prefixes of DELTA_BYTE_ARRAY.
// Thread-safety: none; one object per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "base/byte_view.h"
#include "base/status.h"

namespace featmerge::parquet {

// T is int32_t or int64_t. All arithmetic is unsigned and wraps, as the spec requires (deltas
// of extreme values overflow legitimately).
template <typename T>
class DeltaBitPackReader {
 public:
  // `what` prefixes error messages ("DELTA_BINARY_PACKED", "DELTA_BYTE_ARRAY prefix lengths");
  // it must outlive the reader.
  explicit DeltaBitPackReader(const char* what) : what_(what) {}

  // Parses the header and walks every block and miniblock of `data` (which must stay alive until
  // the next SetData), so that decoding cannot fail afterwards. Corruption when the header is
  // not sane (block size not a positive multiple of 128, miniblock size not a multiple of 32),
  // the header's value count differs from num_values, a used miniblock's bit width exceeds the
  // type width, or the data ends early. Empty data is accepted for num_values == 0.
  Status SetData(ByteView data, int64_t num_values);
  // Back to the first value of the page set by the last successful SetData.
  void Rewind();
  // Forgets the page: no values left until the next SetData.
  void Clear();
  // Bytes of `data` the header and blocks occupy; what follows belongs to the caller.
  size_t encoded_size() const { return encoded_size_; }
  int64_t values_left() const { return values_left_; }
  // Writes n values (n * sizeof(T) bytes, unaligned is fine) to out. REQUIRES: a successful
  // SetData and n <= values_left().
  void Decode(int64_t n, void* out);

 private:
  using U = std::make_unsigned_t<T>;
  static constexpr int kChunk = 256;  // values unpacked per refill; a multiple of 8

  // Moves to the next miniblock holding deltas, reading a block header when the block is used
  // up. Returns false with *error set if the data is damaged. The SetData walk and decoding use
  // this same code, so a page that walked cleanly decodes cleanly.
  bool NextMiniblock(Status* error);
  void Refill();

  const char* what_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t blocks_pos_ = 0;  // first block header, after the page header
  size_t encoded_size_ = 0;
  uint64_t miniblocks_ = 0;
  uint64_t values_per_miniblock_ = 0;
  int64_t total_ = 0;
  U first_ = 0;

  // Cursor, reset by Rewind.
  size_t pos_ = 0;  // next block header or miniblock body
  int64_t block_idx_ = -1;
  uint64_t miniblock_idx_ = 0;       // within the block; == miniblocks_ forces a new block header
  const uint8_t* widths_ = nullptr;  // bit widths of the current block's miniblocks
  U min_delta_ = 0;
  int bit_width_ = 0;        // of the current miniblock
  size_t mini_pos_ = 0;      // next unread group of the current miniblock
  int64_t mini_left_ = 0;    // deltas of the current miniblock not yet unpacked
  int64_t deltas_left_ = 0;  // deltas of the page in miniblocks not yet entered
  int64_t values_left_ = 0;
  bool first_pending_ = false;
  U last_ = 0;
  U deltas_[kChunk] = {};
  U values_[kChunk] = {};
  int buffer_pos_ = 0;
  int buffer_len_ = 0;
};

template <typename T>
class DeltaBitPackWriter {
 public:
  void Put(const T* values, int64_t n);
  // Header and blocks for every value put since the last Finish; resets.
  void Finish(ByteBuffer* out);
  int64_t EstimatedSize() const;
  int64_t num_values() const { return total_; }

 private:
  using U = std::make_unsigned_t<T>;
  static constexpr int kBlockSize = 128;
  static constexpr int kMiniblocks = 4;
  static constexpr int kPerMiniblock = kBlockSize / kMiniblocks;

  void FlushBlock();

  int64_t total_ = 0;
  U first_ = 0;
  U last_ = 0;
  U deltas_[kBlockSize] = {};
  int num_deltas_ = 0;
  ByteBuffer blocks_;
};

extern template class DeltaBitPackReader<int32_t>;
extern template class DeltaBitPackReader<int64_t>;
extern template class DeltaBitPackWriter<int32_t>;
extern template class DeltaBitPackWriter<int64_t>;

}  // namespace featmerge::parquet

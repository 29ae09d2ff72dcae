// DELTA_BINARY_PACKED: <block size> <miniblocks per block> <value count> <zigzag first value>,
// then per block <zigzag min delta> <one bit-width byte per miniblock> <bit-packed miniblocks>.
#include "parquet/encoding/delta_binary_packed.h"

#include <algorithm>
#include <cstring>

#include "parquet/encoding/bit_packing.h"
#include "parquet/encoding/encoding_internal.h"

namespace featmerge::parquet {

using internal::StrCat;

namespace {

// The spec sets no upper bound; writers use 128 (parquet-mr, Arrow, parquet-rs) or a few
// thousand. 2^31 (parquet-mr keeps it in an int) keeps values_per_miniblock * 64 bits far from
// overflow.
constexpr uint64_t kMaxBlockSize = uint64_t{1} << 31;

template <typename T>
constexpr const char* TypeLabel() {
  return sizeof(T) == 4 ? "INT32" : "INT64";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// DeltaBitPackReader

template <typename T>
void DeltaBitPackReader<T>::Clear() {
  data_ = nullptr;
  size_ = 0;
  blocks_pos_ = 0;
  encoded_size_ = 0;
  miniblocks_ = 0;
  values_per_miniblock_ = 0;
  total_ = 0;
  first_ = 0;
  Rewind();
}

template <typename T>
Status DeltaBitPackReader<T>::SetData(ByteView data, int64_t num_values) {
  Clear();
  data_ = data.data();
  size_ = data.size();
  if (num_values < 0) {
    return Status::Corruption(StrCat(what_, ": negative value count ", num_values));
  }
  if (data.empty() && num_values == 0) return Status::OK();

  const uint8_t* p = data_;
  const uint8_t* end = data_ + size_;
  uint64_t block_size = 0;
  uint64_t miniblocks = 0;
  uint64_t total = 0;
  uint64_t first_zigzag = 0;
  if (!ReadUleb128(&p, end, &block_size) || !ReadUleb128(&p, end, &miniblocks) ||
      !ReadUleb128(&p, end, &total) || !ReadUleb128(&p, end, &first_zigzag)) {
    return Status::Corruption(
        StrCat(what_, ": page header truncated or malformed (", size_, " bytes)"));
  }
  if (block_size == 0 || block_size % 128 != 0 || block_size > kMaxBlockSize) {
    return Status::Corruption(StrCat(what_, ": block size ", block_size,
                                     " is not a positive multiple of 128 up to 2^31"));
  }
  if (miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Status::Corruption(StrCat(what_, ": ", miniblocks, " miniblocks per block of ",
                                     block_size,
                                     " values; miniblock size must be a multiple of 32"));
  }
  if (total != static_cast<uint64_t>(num_values)) {
    return Status::Corruption(
        StrCat(what_, ": header holds ", total, " values but the page has ", num_values));
  }
  miniblocks_ = miniblocks;
  values_per_miniblock_ = block_size / miniblocks;
  total_ = num_values;
  first_ = static_cast<U>(ZigZagDecode(first_zigzag));  // INT32 keeps the low 32 bits
  blocks_pos_ = static_cast<size_t>(p - data_);
  Rewind();

  // Walk every miniblock once; the total is bounded by the data, as each block consumes at
  // least its min delta and width bytes.
  Status error;
  while (deltas_left_ > 0) {
    if (!NextMiniblock(&error)) {
      Clear();  // a failed page yields no values
      return error;
    }
  }
  encoded_size_ = pos_;
  Rewind();
  return Status::OK();
}

template <typename T>
void DeltaBitPackReader<T>::Rewind() {
  pos_ = blocks_pos_;
  block_idx_ = -1;
  miniblock_idx_ = miniblocks_;
  widths_ = nullptr;
  min_delta_ = 0;
  bit_width_ = 0;
  mini_pos_ = 0;
  mini_left_ = 0;
  deltas_left_ = total_ > 0 ? total_ - 1 : 0;
  values_left_ = total_;
  first_pending_ = total_ > 0;
  last_ = first_;
  buffer_pos_ = 0;
  buffer_len_ = 0;
}

template <typename T>
bool DeltaBitPackReader<T>::NextMiniblock(Status* error) {
  if (miniblock_idx_ == miniblocks_) {
    ++block_idx_;
    const uint8_t* p = data_ + pos_;
    uint64_t min_delta_zigzag = 0;
    if (!ReadUleb128(&p, data_ + size_, &min_delta_zigzag)) {
      *error = Status::Corruption(StrCat(what_, ": min delta of block ", block_idx_,
                                         " truncated or malformed at byte ", pos_));
      return false;
    }
    pos_ = static_cast<size_t>(p - data_);
    if (size_ - pos_ < miniblocks_) {
      *error = Status::Corruption(StrCat(what_, ": block ", block_idx_, " needs ", miniblocks_,
                                         " bit-width bytes at byte ", pos_, " but ", size_ - pos_,
                                         " remain"));
      return false;
    }
    widths_ = data_ + pos_;
    pos_ += miniblocks_;
    min_delta_ = static_cast<U>(ZigZagDecode(min_delta_zigzag));
    miniblock_idx_ = 0;
  }
  // Widths of miniblocks past the last value are arbitrary by the spec and never looked at.
  const int bit_width = widths_[miniblock_idx_];
  constexpr int kTypeBits = static_cast<int>(sizeof(T) * 8);
  if (bit_width > kTypeBits) {
    *error = Status::Corruption(StrCat(what_, ": miniblock bit width ", bit_width, " exceeds ",
                                       kTypeBits, " for ", TypeLabel<T>(), " (block ", block_idx_,
                                       ", miniblock ", miniblock_idx_, ")"));
    return false;
  }
  bit_width_ = bit_width;
  mini_left_ = static_cast<int64_t>(
      std::min<uint64_t>(values_per_miniblock_, static_cast<uint64_t>(deltas_left_)));
  deltas_left_ -= mini_left_;
  const uint64_t needed = (static_cast<uint64_t>(mini_left_) * bit_width + 7) / 8;
  const uint64_t full = values_per_miniblock_ * bit_width / 8;
  const size_t avail = size_ - pos_;
  if (needed > avail) {
    *error = Status::Corruption(StrCat(what_, ": miniblock ", miniblock_idx_, " of block ",
                                       block_idx_, " needs ", needed, " bytes at byte ", pos_,
                                       " but ", avail, " remain"));
    return false;
  }
  mini_pos_ = pos_;
  // Miniblocks are padded to full size by the spec; a last one cut short after its final value
  // is tolerated, as Arrow's lazy reader does.
  pos_ += static_cast<size_t>(std::min<uint64_t>(full, avail));
  ++miniblock_idx_;
  return true;
}

template <typename T>
void DeltaBitPackReader<T>::Refill() {
  if (mini_left_ == 0) {
    Status error;
    const bool ok = NextMiniblock(&error);
    FM_DCHECK(ok);  // SetData walked these same miniblocks
  }
  const int64_t count = std::min<int64_t>(kChunk, mini_left_);
  const int64_t groups = (count + 7) / 8;
  const size_t offset = std::min(mini_pos_, size_);
  UnpackGroups(data_ + offset, size_ - offset, bit_width_, groups, deltas_);
  mini_pos_ += static_cast<size_t>(groups) * bit_width_;
  mini_left_ -= count;
  U value = last_;
  const U min_delta = min_delta_;
  for (int64_t value_idx = 0; value_idx < count; ++value_idx) {
    value += min_delta + deltas_[value_idx];
    values_[value_idx] = value;
  }
  last_ = value;
  buffer_pos_ = 0;
  buffer_len_ = static_cast<int>(count);
}

template <typename T>
void DeltaBitPackReader<T>::Decode(int64_t n, void* out) {
  FM_DCHECK(n <= values_left_);
  uint8_t* dst = static_cast<uint8_t*>(out);
  values_left_ -= n;
  if (n > 0 && first_pending_) {
    StoreLE<U>(dst, first_);
    dst += sizeof(U);
    --n;
    first_pending_ = false;
  }
  while (n > 0) {
    if (buffer_pos_ == buffer_len_) Refill();
    const int64_t take = std::min<int64_t>(n, buffer_len_ - buffer_pos_);
    std::memcpy(dst, values_ + buffer_pos_, static_cast<size_t>(take) * sizeof(U));
    dst += take * sizeof(U);
    buffer_pos_ += static_cast<int>(take);
    n -= take;
  }
}

// ---------------------------------------------------------------------------------------------
// DeltaBitPackWriter

template <typename T>
void DeltaBitPackWriter<T>::Put(const T* values, int64_t n) {
  for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
    const U value = static_cast<U>(values[value_idx]);
    if (total_ == 0) {
      first_ = value;
    } else {
      deltas_[num_deltas_++] = value - last_;  // wraps, as the spec asks
      if (num_deltas_ == kBlockSize) FlushBlock();
    }
    last_ = value;
    ++total_;
  }
}

template <typename T>
void DeltaBitPackWriter<T>::FlushBlock() {
  T min_delta = static_cast<T>(deltas_[0]);
  for (int delta_idx = 1; delta_idx < num_deltas_; ++delta_idx) {
    min_delta = std::min(min_delta, static_cast<T>(deltas_[delta_idx]));
  }
  AppendUleb128(&blocks_, ZigZagEncode(static_cast<int64_t>(min_delta)));
  // Subtracting the minimum leaves every delta non-negative as an unsigned value; the last
  // used miniblock is padded with zeros to full size, and unused ones get width 0 and no body.
  const int used = (num_deltas_ + kPerMiniblock - 1) / kPerMiniblock;
  U adjusted[kBlockSize];
  for (int delta_idx = 0; delta_idx < kBlockSize; ++delta_idx) {
    adjusted[delta_idx] =
        delta_idx < num_deltas_ ? deltas_[delta_idx] - static_cast<U>(min_delta) : U{0};
  }
  uint8_t widths[kMiniblocks] = {};
  for (int mini_idx = 0; mini_idx < used; ++mini_idx) {
    U bits = 0;
    for (int value_idx = 0; value_idx < kPerMiniblock; ++value_idx) {
      bits |= adjusted[mini_idx * kPerMiniblock + value_idx];
    }
    widths[mini_idx] = static_cast<uint8_t>(BitsNeeded(bits));
  }
  blocks_.insert(blocks_.end(), widths, widths + kMiniblocks);
  for (int mini_idx = 0; mini_idx < used; ++mini_idx) {
    PackValues(adjusted + mini_idx * kPerMiniblock, kPerMiniblock, widths[mini_idx], &blocks_);
  }
  num_deltas_ = 0;
}

template <typename T>
void DeltaBitPackWriter<T>::Finish(ByteBuffer* out) {
  if (num_deltas_ > 0) FlushBlock();
  AppendUleb128(out, kBlockSize);
  AppendUleb128(out, kMiniblocks);
  AppendUleb128(out, static_cast<uint64_t>(total_));
  AppendUleb128(out, ZigZagEncode(static_cast<int64_t>(static_cast<T>(first_))));
  AppendBytes(out, blocks_);
  blocks_.clear();
  total_ = 0;
  first_ = 0;
  last_ = 0;
}

template <typename T>
int64_t DeltaBitPackWriter<T>::EstimatedSize() const {
  // Header (at most 25 bytes) + finished blocks + the open block at full width.
  return 25 + static_cast<int64_t>(blocks_.size()) +
         (num_deltas_ > 0 ? 11 + kMiniblocks + num_deltas_ * static_cast<int64_t>(sizeof(T)) : 0);
}

template class DeltaBitPackReader<int32_t>;
template class DeltaBitPackReader<int64_t>;
template class DeltaBitPackWriter<int32_t>;
template class DeltaBitPackWriter<int64_t>;

// ---------------------------------------------------------------------------------------------
// Decoder / Encoder

namespace {

constexpr const char* kDelta = "DELTA_BINARY_PACKED";

template <typename T>
class DeltaBinaryPackedDecoder final : public Decoder {
 public:
  Status SetData(ByteView data, int64_t num_values) override {
    return reader_.SetData(data, num_values);
  }
  Status DecodeFixed(int64_t n, uint8_t* out) override {
    FM_RETURN_IF_ERROR(internal::CheckRequest(kDelta, n, reader_.values_left()));
    reader_.Decode(n, out);
    return Status::OK();
  }
  Status DecodeByteArray(int64_t, ByteArrayVector*) override {
    return internal::WrongKind(kDelta, sizeof(T) == 4 ? Type::kInt32 : Type::kInt64,
                               "DecodeByteArray");
  }

 private:
  DeltaBitPackReader<T> reader_{kDelta};
};

template <typename T>
class DeltaBinaryPackedEncoder final : public Encoder {
 public:
  void PutFixed(const uint8_t* values, int64_t n) override {
    // Values may be unaligned: copy through a small buffer.
    T chunk[256];
    for (int64_t done = 0; done < n;) {
      const int64_t take = std::min<int64_t>(n - done, 256);
      std::memcpy(chunk, values + done * sizeof(T), static_cast<size_t>(take) * sizeof(T));
      writer_.Put(chunk, take);
      done += take;
    }
  }
  void PutByteArray(const ByteArrayVector&, size_t, size_t) override {
    FM_DCHECK(!"PutByteArray on a DELTA_BINARY_PACKED encoder");
  }
  int64_t EstimatedSize() const override { return writer_.EstimatedSize(); }
  void Finish(ByteBuffer* out) override { writer_.Finish(out); }

 private:
  DeltaBitPackWriter<T> writer_;
};

}  // namespace

namespace internal {

std::unique_ptr<Decoder> MakeDeltaBinaryPackedDecoder(Type type) {
  if (type == Type::kInt32) return std::make_unique<DeltaBinaryPackedDecoder<int32_t>>();
  return std::make_unique<DeltaBinaryPackedDecoder<int64_t>>();
}

std::unique_ptr<Encoder> MakeDeltaBinaryPackedEncoder(Type type) {
  if (type == Type::kInt32) return std::make_unique<DeltaBinaryPackedEncoder<int32_t>>();
  return std::make_unique<DeltaBinaryPackedEncoder<int64_t>>();
}

}  // namespace internal
}  // namespace featmerge::parquet

#include "parquet/encoding/rle_bit_packed.h"

#include <algorithm>
#include <cstring>

#include "parquet/encoding/bit_packing.h"
#include "parquet/encoding/encoding_internal.h"

namespace featmerge::parquet {

using internal::StrCat;

namespace {

constexpr const char* kHybrid = "RLE/bit-packed hybrid";

// Run headers are read as 32-bit varints by parquet-mr and Arrow, so no writer emits more, and
// the cap keeps groups * bit_width and count arithmetic far from overflow.
constexpr uint64_t kMaxRunHeader = 0xFFFFFFFFull;

// Longest RLE run written in one header: (count << 1) must stay within kMaxRunHeader.
constexpr int64_t kMaxRepeatRun = static_cast<int64_t>(kMaxRunHeader >> 1);

// One open bit-packed run holds at most 63 groups so that its header fits the single byte
// reserved for it when the run was opened (63 << 1 | 1 = 127), as Arrow's encoder does.
constexpr int64_t kMaxLiteralGroups = 63;

Status CheckBitWidth(const char* what, int bit_width) {
  if (bit_width < 0 || bit_width > 32) {
    return Status::Corruption(StrCat(what, ": bit width ", bit_width, " is outside 0..32"));
  }
  return Status::OK();
}

}  // namespace

int BitWidthFor(uint32_t max_value) { return BitsNeeded(max_value); }

// ---------------------------------------------------------------------------------------------
// RleBitPackedDecoder

Status RleBitPackedDecoder::Init(ByteView data, int bit_width) {
  FM_RETURN_IF_ERROR(CheckBitWidth(kHybrid, bit_width));
  data_ = data.data();
  size_ = data.size();
  pos_ = 0;
  bit_width_ = bit_width;
  value_bytes_ = (bit_width + 7) / 8;
  values_read_ = 0;
  run_is_packed_ = false;
  run_left_ = 0;
  rle_value_ = 0;
  packed_pos_ = 0;
  group_pos_ = 8;
  return Status::OK();
}

Status RleBitPackedDecoder::NextRun() {
  group_pos_ = 8;
  while (true) {
    if (pos_ >= size_) {
      return Status::Corruption(StrCat(kHybrid, ": data ends at byte ", size_, " after ",
                                       values_read_, " values (bit width ", bit_width_, ")"));
    }
    const size_t header_pos = pos_;
    uint64_t header = data_[pos_];
    if (header < 0x80) {
      ++pos_;  // one-byte header: runs of up to 63 values / groups, the common case for levels
    } else {
      const uint8_t* p = data_ + pos_;
      if (!ReadUleb128(&p, data_ + size_, &header) || header > kMaxRunHeader) {
        return Status::Corruption(
            StrCat(kHybrid, ": malformed run header at byte ", header_pos, " of ", size_));
      }
      pos_ = static_cast<size_t>(p - data_);
    }
    if (header & 1) {
      // Bit-packed run of `groups` groups of 8 values. A run cut short by the end of the data
      // keeps the values whose bits are all present; the page's value count decides whether
      // those are enough.
      const uint64_t groups = header >> 1;
      const uint64_t run_bytes = groups * bit_width_;
      const uint64_t available = size_ - pos_;
      packed_pos_ = pos_;
      run_is_packed_ = true;
      if (run_bytes <= available) {
        pos_ += run_bytes;
        run_left_ = static_cast<int64_t>(groups * 8);
      } else {
        pos_ = size_;
        run_left_ = static_cast<int64_t>(available * 8 / bit_width_);
      }
    } else {
      if (size_ - pos_ < static_cast<size_t>(value_bytes_)) {
        return Status::Corruption(StrCat(kHybrid, ": RLE run at byte ", header_pos, " needs ",
                                         value_bytes_, " value bytes but ", size_ - pos_,
                                         " remain"));
      }
      uint32_t value = 0;
      for (int byte_idx = 0; byte_idx < value_bytes_; ++byte_idx) {
        value |= static_cast<uint32_t>(data_[pos_ + byte_idx]) << (8 * byte_idx);
      }
      pos_ += value_bytes_;
      if (bit_width_ < 32 && (value >> bit_width_) != 0) {
        return Status::Corruption(StrCat(kHybrid, ": RLE run at byte ", header_pos,
                                         " repeats value ", value, " wider than bit width ",
                                         bit_width_));
      }
      run_is_packed_ = false;
      rle_value_ = value;
      // A repeat count past the page's values is capped by the callers' n; a count of 0 is
      // skipped like any empty run.
      run_left_ = static_cast<int64_t>(header >> 1);
    }
    if (run_left_ > 0) return Status::OK();
  }
}

void RleBitPackedDecoder::TakePacked(uint32_t* out, int64_t n) {
  // REQUIRES: n <= run_left_, so every value taken has all its bits inside the data.
  const int64_t buffered = std::min<int64_t>(8 - group_pos_, n);
  if (buffered > 0) {
    std::memcpy(out, group_ + group_pos_, buffered * sizeof(uint32_t));
    group_pos_ += static_cast<int>(buffered);
    out += buffered;
    n -= buffered;
  }
  auto unpack = [&](int64_t groups, uint32_t* dst) {
    const size_t offset = std::min(packed_pos_, size_);
    UnpackGroups(data_ + offset, size_ - offset, bit_width_, groups, dst);
    packed_pos_ += static_cast<size_t>(groups) * bit_width_;
  };
  const int64_t groups = n / 8;
  if (groups > 0) {
    unpack(groups, out);
    out += groups * 8;
    n -= groups * 8;
  }
  if (n > 0) {
    unpack(1, group_);
    std::memcpy(out, group_, n * sizeof(uint32_t));
    group_pos_ = static_cast<int>(n);
  }
}

bool RleBitPackedDecoder::NextValuesRepeat(int64_t n, uint32_t* value) {
  if (bit_width_ == 0) {
    *value = 0;
    return true;
  }
  if (run_left_ == 0 && !NextRun().ok()) return false;
  if (run_is_packed_ || run_left_ < n) return false;
  *value = rle_value_;
  return true;
}

Status RleBitPackedDecoder::GetBatch(uint32_t* out, int64_t n) {
  if (n <= 0) return Status::OK();
  if (bit_width_ == 0) {
    std::fill_n(out, n, 0u);
    values_read_ += n;
    return Status::OK();
  }
  while (n > 0) {
    if (run_left_ == 0) FM_RETURN_IF_ERROR(NextRun());
    const int64_t take = std::min(n, run_left_);
    if (run_is_packed_) {
      TakePacked(out, take);
    } else {
      std::fill_n(out, take, rle_value_);
    }
    out += take;
    n -= take;
    run_left_ -= take;
    values_read_ += take;
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// RleBitPackedEncoder

RleBitPackedEncoder::RleBitPackedEncoder(int bit_width)
    : bit_width_(bit_width), value_bytes_((bit_width + 7) / 8) {}

void RleBitPackedEncoder::Put(uint32_t value) {
  if (repeat_count_ > 0 && value == current_value_) {
    ++repeat_count_;
    // Past 8 the value extends a run already committed to RLE: nothing to buffer.
    if (repeat_count_ > 8) return;
  } else {
    if (repeat_count_ >= 8) FlushRepeatedRun();
    current_value_ = value;
    repeat_count_ = 1;
  }
  buffered_[num_buffered_++] = value;
  if (num_buffered_ == 8) FlushGroup();
}

void RleBitPackedEncoder::PutRepeated(uint32_t value, int64_t count) {
  // At most 16 single Puts reach a group-aligned RLE run of `value`; the rest is a count.
  while (count > 0) {
    if (repeat_count_ >= 8 && value == current_value_) {
      repeat_count_ += count;
      return;
    }
    Put(value);
    --count;
  }
}

void RleBitPackedEncoder::PutBatch(const uint32_t* values, int64_t n) {
  auto one_value = [](const uint32_t* g) {
    return g[0] == g[1] && g[0] == g[2] && g[0] == g[3] && g[0] == g[4] && g[0] == g[5] &&
           g[0] == g[6] && g[0] == g[7];
  };
  int64_t i = 0;
  while (i < n) {
    // At a group boundary with no run open, groups that are not one value are what 8 Puts
    // each would pack (and they would leave repeat_count_ at 0 again): packed in one call.
    if (num_buffered_ == 0 && repeat_count_ == 0 && n - i >= 8 && !one_value(values + i)) {
      if (literal_groups_ == 0) {
        literal_header_pos_ = out_.size();
        out_.push_back(0);
      }
      int64_t groups = 1;
      while (literal_groups_ + groups < kMaxLiteralGroups && n - i - groups * 8 >= 8 &&
             !one_value(values + i + groups * 8)) {
        groups++;
      }
      PackValues(values + i, groups * 8, bit_width_, &out_);
      literal_groups_ += groups;
      if (literal_groups_ == kMaxLiteralGroups) CloseLiteralRun();
      i += groups * 8;
      continue;
    }
    Put(values[i++]);
  }
}

void RleBitPackedEncoder::FlushGroup() {
  // repeat_count_ restarts at every group boundary, so 8 here means the whole group is one
  // value: it starts an RLE run instead of being packed.
  if (repeat_count_ >= 8) {
    num_buffered_ = 0;
    if (literal_groups_ > 0) CloseLiteralRun();
    return;
  }
  if (literal_groups_ == 0) {
    literal_header_pos_ = out_.size();
    out_.push_back(0);
  }
  PackValues(buffered_, 8, bit_width_, &out_);
  num_buffered_ = 0;
  repeat_count_ = 0;
  if (++literal_groups_ == kMaxLiteralGroups) CloseLiteralRun();
}

void RleBitPackedEncoder::CloseLiteralRun() {
  out_[literal_header_pos_] = static_cast<uint8_t>((literal_groups_ << 1) | 1);
  literal_groups_ = 0;
}

void RleBitPackedEncoder::FlushRepeatedRun() {
  int64_t count = repeat_count_;
  while (count > 0) {
    const int64_t run = std::min(count, kMaxRepeatRun);
    AppendUleb128(&out_, static_cast<uint64_t>(run) << 1);
    for (int byte_idx = 0; byte_idx < value_bytes_; ++byte_idx) {
      out_.push_back(static_cast<uint8_t>(current_value_ >> (8 * byte_idx)));
    }
    count -= run;
  }
  repeat_count_ = 0;
}

void RleBitPackedEncoder::Finish(ByteBuffer* out) {
  if (repeat_count_ >= 8) {
    FlushRepeatedRun();  // nothing is buffered while a repeated run is open
  } else if (num_buffered_ > 0 || literal_groups_ > 0) {
    // repeat_count_ never reaches back before the buffer start, so equality means the buffer
    // holds one value: a short RLE run is smaller than a padded group.
    if (literal_groups_ == 0 && repeat_count_ == num_buffered_) {
      FlushRepeatedRun();
    } else {
      if (num_buffered_ > 0) {
        std::fill(buffered_ + num_buffered_, buffered_ + 8, 0u);
        if (literal_groups_ == 0) {
          literal_header_pos_ = out_.size();
          out_.push_back(0);
        }
        PackValues(buffered_, 8, bit_width_, &out_);
        ++literal_groups_;
      }
      CloseLiteralRun();
    }
  }
  num_buffered_ = 0;
  repeat_count_ = 0;
  current_value_ = 0;
  literal_groups_ = 0;
  AppendBytes(out, out_);
  out_.clear();
}

int64_t RleBitPackedEncoder::EstimatedSize() const {
  // A buffered partial group is flushed as a whole padded group (or a shorter RLE run).
  int64_t size = static_cast<int64_t>(out_.size()) + 1 + (num_buffered_ > 0 ? bit_width_ : 0);
  if (repeat_count_ >= 8) size += 5 + value_bytes_;
  return size;
}

// ---------------------------------------------------------------------------------------------
// BitPackedLevelDecoder

int64_t BitPackedLevelDecoder::EncodedSize(int64_t num_values, int bit_width) {
  // Split so that num_values * bit_width cannot overflow.
  return num_values / 8 * bit_width + (num_values % 8 * bit_width + 7) / 8;
}

Status BitPackedLevelDecoder::Init(ByteView data, int bit_width) {
  FM_RETURN_IF_ERROR(CheckBitWidth("BIT_PACKED", bit_width));
  data_ = data;
  bit_width_ = bit_width;
  values_read_ = 0;
  return Status::OK();
}

Status BitPackedLevelDecoder::GetBatch(uint32_t* out, int64_t n) {
  if (n <= 0) return Status::OK();
  if (bit_width_ == 0) {
    std::fill_n(out, n, 0u);
    values_read_ += n;
    return Status::OK();
  }
  const int64_t capacity = static_cast<int64_t>(data_.size() / bit_width_ * 8 +
                                                data_.size() % bit_width_ * 8 / bit_width_);
  if (n > capacity - values_read_) {
    return Status::Corruption(StrCat("BIT_PACKED: levels end after ", capacity, " values (",
                                     data_.size(), " bytes, bit width ", bit_width_, "); ",
                                     values_read_ + n, " needed"));
  }
  // Old parquet-mr packs levels MSB first: value k occupies bits [k * w, (k + 1) * w) counted
  // from the top bit of byte 0. A 5-byte big-endian window covers any value of <= 32 bits.
  const uint32_t mask = bit_width_ == 32 ? ~0u : (1u << bit_width_) - 1;
  const uint8_t* bytes = data_.data();
  const size_t size = data_.size();
  for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
    const uint64_t bit = static_cast<uint64_t>(values_read_ + value_idx) * bit_width_;
    const size_t byte = static_cast<size_t>(bit >> 3);
    uint64_t window = 0;
    for (size_t offset = 0; offset < 5; ++offset) {
      window = (window << 8) | (byte + offset < size ? bytes[byte + offset] : 0);
    }
    out[value_idx] = static_cast<uint32_t>(window >> (40 - (bit & 7) - bit_width_)) & mask;
  }
  values_read_ += n;
  return Status::OK();
}

}  // namespace featmerge::parquet

// PLAIN: fixed-width values back to back little endian, BOOLEAN bit-packed LSB first, BYTE_ARRAY
// as a 4-byte little-endian length followed by the bytes.
#include <algorithm>
#include <array>
#include <cstring>

#include "parquet/encoding/encoding_internal.h"

namespace featmerge::parquet::internal {
namespace {

constexpr const char* kPlain = "PLAIN";

// Byte k of entry b is bit k of b: expands 8 packed booleans to 8 bytes with one lookup.
constexpr std::array<uint64_t, 256> MakeBitExpandTable() {
  std::array<uint64_t, 256> table{};
  for (int byte = 0; byte < 256; ++byte) {
    uint64_t expanded = 0;
    for (int bit = 0; bit < 8; ++bit) {
      expanded |= static_cast<uint64_t>((byte >> bit) & 1) << (8 * bit);
    }
    table[byte] = expanded;
  }
  return table;
}
constexpr std::array<uint64_t, 256> kBitExpand = MakeBitExpandTable();

class PlainFixedDecoder final : public Decoder {
 public:
  PlainFixedDecoder(Type type, int width) : type_(type), width_(width) {}

  Status SetData(ByteView data, int64_t num_values) override {
    left_ = 0;  // a rejected page must not leave the previous page's values behind
    // Division, not multiplication: num_values comes from a page header and may be hostile.
    if (num_values < 0 || static_cast<uint64_t>(num_values) > data.size() / width_) {
      return Status::Corruption(StrCat(kPlain, ": page has ", data.size(), " bytes, too few for ",
                                       num_values, " ", TypeName(type_), " values of ", width_,
                                       " bytes"));
    }
    data_ = data.data();
    left_ = num_values;
    return Status::OK();
  }

  Status DecodeFixed(int64_t n, uint8_t* out) override {
    FM_RETURN_IF_ERROR(CheckRequest(kPlain, n, left_));
    const size_t bytes = static_cast<size_t>(n) * width_;
    if (bytes > 0) std::memcpy(out, data_, bytes);
    data_ += bytes;
    left_ -= n;
    return Status::OK();
  }

  Status DecodeByteArray(int64_t, ByteArrayVector*) override {
    return WrongKind(kPlain, type_, "DecodeByteArray");
  }

 private:
  Type type_;
  int width_;
  const uint8_t* data_ = nullptr;
  int64_t left_ = 0;
};

class PlainBooleanDecoder final : public Decoder {
 public:
  Status SetData(ByteView data, int64_t num_values) override {
    left_ = 0;
    if (num_values < 0 ||
        static_cast<uint64_t>(num_values) / 8 + (num_values % 8 != 0) > data.size()) {
      return Status::Corruption(StrCat(kPlain, ": page has ", data.size(), " bytes, too few for ",
                                       num_values, " BOOLEAN values"));
    }
    data_ = data.data();
    bit_pos_ = 0;
    left_ = num_values;
    return Status::OK();
  }

  Status DecodeFixed(int64_t n, uint8_t* out) override {
    FM_RETURN_IF_ERROR(CheckRequest(kPlain, n, left_));
    left_ -= n;
    int64_t value_idx = 0;
    // Single bits up to a byte boundary, whole bytes through the table, then the tail.
    for (; value_idx < n && (bit_pos_ & 7) != 0; ++value_idx, ++bit_pos_) {
      out[value_idx] = (data_[bit_pos_ >> 3] >> (bit_pos_ & 7)) & 1;
    }
    for (; value_idx + 8 <= n; value_idx += 8, bit_pos_ += 8) {
      StoreLE(out + value_idx, kBitExpand[data_[bit_pos_ >> 3]]);
    }
    for (; value_idx < n; ++value_idx, ++bit_pos_) {
      out[value_idx] = (data_[bit_pos_ >> 3] >> (bit_pos_ & 7)) & 1;
    }
    return Status::OK();
  }

  Status DecodeByteArray(int64_t, ByteArrayVector*) override {
    return WrongKind(kPlain, Type::kBoolean, "DecodeByteArray");
  }

 private:
  const uint8_t* data_ = nullptr;
  uint64_t bit_pos_ = 0;
  int64_t left_ = 0;
};

class PlainByteArrayDecoder final : public Decoder {
 public:
  // Walks every length prefix once so that DecodeByteArray copies without checks.
  Status SetData(ByteView data, int64_t num_values) override {
    left_ = 0;
    if (num_values < 0 || static_cast<uint64_t>(num_values) > data.size() / 4) {
      return Status::Corruption(StrCat(kPlain, ": page has ", data.size(), " bytes, too few for ",
                                       num_values, " BYTE_ARRAY length prefixes"));
    }
    size_t pos = 0;
    for (int64_t value_idx = 0; value_idx < num_values; ++value_idx) {
      if (data.size() - pos < 4) {
        return Status::Corruption(StrCat(kPlain, ": BYTE_ARRAY value ", value_idx,
                                         " length prefix truncated at byte ", pos, " of ",
                                         data.size()));
      }
      const uint32_t length = LoadLE<uint32_t>(data.data() + pos);
      pos += 4;
      if (length > data.size() - pos) {
        return Status::Corruption(StrCat(kPlain, ": BYTE_ARRAY value ", value_idx, " at byte ",
                                         pos - 4, " has length ", length, " but ",
                                         data.size() - pos, " bytes remain"));
      }
      pos += length;
    }
    data_ = data.data();
    pos_ = 0;
    left_ = num_values;
    return Status::OK();
  }

  Status DecodeFixed(int64_t, uint8_t*) override {
    return WrongKind(kPlain, Type::kByteArray, "DecodeFixed");
  }

  Status DecodeByteArray(int64_t n, ByteArrayVector* out) override {
    FM_RETURN_IF_ERROR(CheckRequest(kPlain, n, left_));
    // First pass sizes the copy (and checks the 4 GiB offset limit), second pass copies.
    size_t pos = pos_;
    uint64_t bytes = 0;
    for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
      const uint32_t length = LoadLE<uint32_t>(data_ + pos);
      bytes += length;
      pos += 4 + length;
    }
    if (out->data_size() + bytes > ByteArrayVector::kMaxDataBytes) {
      return Status::ResourceExhausted(StrCat(kPlain, ": BYTE_ARRAY batch would exceed ",
                                              ByteArrayVector::kMaxDataBytes, " bytes of values"));
    }
    std::vector<uint8_t>& dst = out->data();
    std::vector<uint32_t>& offsets = out->offsets();
    size_t write = dst.size();
    dst.resize(write + bytes);
    offsets.reserve(offsets.size() + n);
    for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
      const uint32_t length = LoadLE<uint32_t>(data_ + pos_);
      if (length > 0) std::memcpy(dst.data() + write, data_ + pos_ + 4, length);
      pos_ += 4 + length;
      write += length;
      offsets.push_back(static_cast<uint32_t>(write));
    }
    left_ -= n;
    return Status::OK();
  }

 private:
  const uint8_t* data_ = nullptr;
  size_t pos_ = 0;
  int64_t left_ = 0;
};

class PlainFixedEncoder final : public Encoder {
 public:
  explicit PlainFixedEncoder(int width) : width_(width) {}

  void PutFixed(const uint8_t* values, int64_t n) override {
    out_.insert(out_.end(), values, values + n * width_);
  }
  void PutByteArray(const ByteArrayVector&, size_t, size_t) override {
    FM_DCHECK(!"PutByteArray on a fixed-width PLAIN encoder");
  }
  int64_t EstimatedSize() const override { return static_cast<int64_t>(out_.size()); }
  void Finish(ByteBuffer* out) override {
    AppendBytes(out, out_);
    out_.clear();
  }

 private:
  int width_;
  ByteBuffer out_;
};

class PlainBooleanEncoder final : public Encoder {
 public:
  void PutFixed(const uint8_t* values, int64_t n) override {
    for (int64_t value_idx = 0; value_idx < n; ++value_idx, ++num_bits_) {
      if ((num_bits_ & 7) == 0) out_.push_back(0);
      out_.back() |= static_cast<uint8_t>((values[value_idx] != 0) << (num_bits_ & 7));
    }
  }
  void PutByteArray(const ByteArrayVector&, size_t, size_t) override {
    FM_DCHECK(!"PutByteArray on a fixed-width PLAIN encoder");
  }
  int64_t EstimatedSize() const override { return static_cast<int64_t>(out_.size()); }
  void Finish(ByteBuffer* out) override {
    AppendBytes(out, out_);
    out_.clear();
    num_bits_ = 0;
  }

 private:
  ByteBuffer out_;
  uint64_t num_bits_ = 0;
};

class PlainByteArrayEncoder final : public Encoder {
 public:
  void PutFixed(const uint8_t*, int64_t) override {
    FM_DCHECK(!"PutFixed on a BYTE_ARRAY PLAIN encoder");
  }
  void PutByteArray(const ByteArrayVector& values, size_t begin, size_t end) override {
    for (size_t value_idx = begin; value_idx < end; ++value_idx) {
      ByteView value = values[value_idx];
      AppendLE<uint32_t>(&out_, static_cast<uint32_t>(value.size()));
      AppendBytes(&out_, value);
    }
  }
  int64_t EstimatedSize() const override { return static_cast<int64_t>(out_.size()); }
  void Finish(ByteBuffer* out) override {
    AppendBytes(out, out_);
    out_.clear();
  }

 private:
  ByteBuffer out_;
};

}  // namespace

std::unique_ptr<Decoder> MakePlainDecoder(Type type, int type_length) {
  switch (type) {
    case Type::kBoolean:
      return std::make_unique<PlainBooleanDecoder>();
    case Type::kByteArray:
      return std::make_unique<PlainByteArrayDecoder>();
    default:
      return std::make_unique<PlainFixedDecoder>(type, FixedWidth(type, type_length));
  }
}

std::unique_ptr<Encoder> MakePlainEncoder(Type type, int type_length) {
  switch (type) {
    case Type::kBoolean:
      return std::make_unique<PlainBooleanEncoder>();
    case Type::kByteArray:
      return std::make_unique<PlainByteArrayEncoder>();
    default:
      return std::make_unique<PlainFixedEncoder>(FixedWidth(type, type_length));
  }
}

}  // namespace featmerge::parquet::internal

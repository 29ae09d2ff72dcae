// DELTA_BYTE_ARRAY (incremental / front coding): the prefix length each value shares with the
// previous one, DELTA_BINARY_PACKED, then the suffixes as DELTA_LENGTH_BYTE_ARRAY. Applies to
// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY.
#include <algorithm>
#include <cstring>

#include "parquet/encoding/delta_binary_packed.h"
#include "parquet/encoding/delta_length_byte_array.h"
#include "parquet/encoding/encoding_internal.h"

namespace featmerge::parquet::internal {
namespace {

constexpr const char* kDba = "DELTA_BYTE_ARRAY";
constexpr int kChunk = 256;  // values decoded per step

class DeltaByteArrayDecoder final : public Decoder {
 public:
  // width: type_length for FIXED_LEN_BYTE_ARRAY, 0 for BYTE_ARRAY.
  DeltaByteArrayDecoder(Type type, int width) : type_(type), width_(width) {}

  Status SetData(ByteView data, int64_t num_values) override {
    last_value_.clear();
    Clear();  // drop the previous page before any early return
    FM_RETURN_IF_ERROR(prefixes_.SetData(data, num_values));
    Status status = suffixes_.SetData(data.subspan(prefixes_.encoded_size()), num_values);
    if (!status.ok()) {
      Clear();
      return status;
    }
    // One pass over prefix and suffix lengths: afterwards every prefix fits the previous value
    // (and every FIXED_LEN_BYTE_ARRAY value has its width), so decoding copies without checks.
    int64_t prev_length = 0;
    int32_t prefixes[kChunk];
    int32_t suffixes[kChunk];
    for (int64_t done = 0; done < num_values;) {
      const int64_t take = std::min<int64_t>(num_values - done, kChunk);
      prefixes_.Decode(take, prefixes);
      suffixes_.NextLengths(take, suffixes);
      for (int64_t value_idx = 0; value_idx < take; ++value_idx) {
        const int64_t prefix = prefixes[value_idx];
        if (prefix < 0 || prefix > prev_length) {
          Clear();
          return Status::Corruption(StrCat(kDba, ": value ", done + value_idx,
                                           " has prefix length ", prefix,
                                           " but the previous value has ", prev_length, " bytes"));
        }
        prev_length = prefix + suffixes[value_idx];
        if (width_ > 0 && prev_length != width_) {
          Clear();
          return Status::Corruption(StrCat(kDba, ": value ", done + value_idx, " has ", prev_length,
                                           " bytes but FIXED_LEN_BYTE_ARRAY(", width_, ") needs ",
                                           width_));
        }
      }
      done += take;
    }
    prefixes_.Rewind();
    suffixes_.Rewind();
    return Status::OK();
  }

  Status DecodeFixed(int64_t n, uint8_t* out) override {
    if (width_ == 0) return WrongKind(kDba, type_, "DecodeFixed");
    FM_RETURN_IF_ERROR(CheckRequest(kDba, n, prefixes_.values_left()));
    const size_t width = static_cast<size_t>(width_);
    int32_t prefixes[kChunk];
    int32_t suffixes[kChunk];
    for (int64_t done = 0; done < n;) {
      const int64_t take = std::min<int64_t>(n - done, kChunk);
      prefixes_.Decode(take, prefixes);
      suffixes_.NextLengths(take, suffixes);
      uint64_t suffix_bytes = 0;
      for (int64_t value_idx = 0; value_idx < take; ++value_idx) {
        suffix_bytes += suffixes[value_idx];
      }
      const uint8_t* src = suffixes_.TakeBytes(suffix_bytes);
      for (int64_t value_idx = 0; value_idx < take; ++value_idx) {
        uint8_t* dst = out + (done + value_idx) * width;
        const size_t prefix = static_cast<size_t>(prefixes[value_idx]);
        const uint8_t* prev = done + value_idx == 0 ? last_value_.data() : dst - width;
        if (prefix > 0) std::memcpy(dst, prev, prefix);
        if (prefix < width) std::memcpy(dst + prefix, src, width - prefix);
        src += width - prefix;
      }
      done += take;
    }
    if (n > 0) last_value_.assign(out + (n - 1) * width, out + n * width);
    return Status::OK();
  }

  Status DecodeByteArray(int64_t n, ByteArrayVector* out) override {
    if (width_ > 0) return WrongKind(kDba, type_, "DecodeByteArray");
    FM_RETURN_IF_ERROR(CheckRequest(kDba, n, prefixes_.values_left()));
    std::vector<uint8_t>& data = out->data();
    std::vector<uint32_t>& offsets = out->offsets();
    offsets.reserve(offsets.size() + n);
    // The previous value of the first one is last_value_; later ones follow in `data`.
    bool prev_in_out = false;
    size_t prev_offset = 0;
    int32_t prefixes[kChunk];
    int32_t suffixes[kChunk];
    for (int64_t done = 0; done < n;) {
      const int64_t take = std::min<int64_t>(n - done, kChunk);
      prefixes_.Decode(take, prefixes);
      suffixes_.NextLengths(take, suffixes);
      uint64_t suffix_bytes = 0;
      uint64_t value_bytes = 0;
      for (int64_t value_idx = 0; value_idx < take; ++value_idx) {
        suffix_bytes += suffixes[value_idx];
        value_bytes += static_cast<uint64_t>(prefixes[value_idx]) + suffixes[value_idx];
      }
      // Shared prefixes let a small page expand a lot; the offsets must stay 32-bit.
      if (data.size() + value_bytes > ByteArrayVector::kMaxDataBytes) {
        return Status::ResourceExhausted(StrCat(
            kDba, ": batch would exceed ", ByteArrayVector::kMaxDataBytes, " bytes of values"));
      }
      const uint8_t* src = suffixes_.TakeBytes(suffix_bytes);
      size_t write = data.size();
      data.resize(write + value_bytes);
      for (int64_t value_idx = 0; value_idx < take; ++value_idx) {
        const size_t prefix = static_cast<size_t>(prefixes[value_idx]);
        const size_t suffix = static_cast<size_t>(suffixes[value_idx]);
        const uint8_t* prev = prev_in_out ? data.data() + prev_offset : last_value_.data();
        if (prefix > 0) std::memcpy(data.data() + write, prev, prefix);
        if (suffix > 0) std::memcpy(data.data() + write + prefix, src, suffix);
        src += suffix;
        prev_in_out = true;
        prev_offset = write;
        write += prefix + suffix;
        offsets.push_back(static_cast<uint32_t>(write));
      }
      done += take;
    }
    if (prev_in_out) {
      last_value_.assign(data.begin() + static_cast<std::ptrdiff_t>(prev_offset), data.end());
    }
    return Status::OK();
  }

 private:
  void Clear() {
    prefixes_.Clear();
    suffixes_.Clear();
  }

  Type type_;
  int width_;
  DeltaBitPackReader<int32_t> prefixes_{"DELTA_BYTE_ARRAY prefix lengths"};
  DeltaLengthReader suffixes_{kDba, "DELTA_BYTE_ARRAY suffix lengths"};
  ByteBuffer last_value_;  // the value before the next one to decode
};

class DeltaByteArrayEncoder final : public Encoder {
 public:
  explicit DeltaByteArrayEncoder(int width) : width_(width) {}

  void PutFixed(const uint8_t* values, int64_t n) override {
    FM_DCHECK(width_ > 0);
    for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
      Put(ByteView(values + value_idx * width_, static_cast<size_t>(width_)));
    }
  }
  void PutByteArray(const ByteArrayVector& values, size_t begin, size_t end) override {
    FM_DCHECK(width_ == 0);
    for (size_t value_idx = begin; value_idx < end; ++value_idx) Put(values[value_idx]);
  }
  int64_t EstimatedSize() const override {
    return prefixes_.EstimatedSize() + suffixes_.EstimatedSize();
  }
  void Finish(ByteBuffer* out) override {
    prefixes_.Finish(out);
    suffixes_.Finish(out);
    prev_.clear();
  }

 private:
  void Put(ByteView value) {
    const size_t limit = std::min(value.size(), prev_.size());
    const size_t prefix = static_cast<size_t>(
        std::mismatch(value.begin(), value.begin() + limit, prev_.begin()).first - value.begin());
    const int32_t prefix_length = static_cast<int32_t>(prefix);
    prefixes_.Put(&prefix_length, 1);
    suffixes_.Put(value.subspan(prefix));
    prev_.assign(value.begin(), value.end());
  }

  int width_;
  DeltaBitPackWriter<int32_t> prefixes_;
  DeltaLengthWriter suffixes_;
  ByteBuffer prev_;
};

}  // namespace

std::unique_ptr<Decoder> MakeDeltaByteArrayDecoder(Type type, int type_length) {
  return std::make_unique<DeltaByteArrayDecoder>(
      type, type == Type::kFixedLenByteArray ? type_length : 0);
}

std::unique_ptr<Encoder> MakeDeltaByteArrayEncoder(Type type, int type_length) {
  return std::make_unique<DeltaByteArrayEncoder>(type == Type::kFixedLenByteArray ? type_length
                                                                                  : 0);
}

}  // namespace featmerge::parquet::internal

// RLE on BOOLEAN data pages: a 4-byte little-endian length, then the RLE/bit-packing hybrid with
// bit width 1. The prefix is present in both data page versions (only v2 levels drop it).
#include <algorithm>
#include <cstring>

#include "parquet/encoding/encoding_internal.h"
#include "parquet/encoding/rle_bit_packed.h"

namespace featmerge::parquet::internal {
namespace {

constexpr const char* kRle = "RLE";

class RleBooleanDecoder final : public Decoder {
 public:
  Status SetData(ByteView data, int64_t num_values) override {
    // A rejected page must not leave the previous page's values behind.
    left_ = 0;
    FM_RETURN_IF_ERROR(decoder_.Init(ByteView(), 1));
    if (num_values < 0) {
      return Status::Corruption(StrCat(kRle, ": negative value count ", num_values));
    }
    // A page without values may omit even the length prefix.
    if (data.empty() && num_values == 0) return Status::OK();
    if (data.size() < 4) {
      return Status::Corruption(StrCat(kRle, ": BOOLEAN page of ", data.size(),
                                       " bytes is too short for its 4-byte length prefix"));
    }
    const uint32_t length = LoadLE<uint32_t>(data.data());
    if (length > data.size() - 4) {
      return Status::Corruption(StrCat(kRle, ": BOOLEAN length prefix says ", length, " bytes but ",
                                       data.size() - 4, " follow"));
    }
    FM_RETURN_IF_ERROR(decoder_.Init(data.subspan(4, length), 1));
    left_ = num_values;
    return Status::OK();
  }

  Status DecodeFixed(int64_t n, uint8_t* out) override {
    FM_RETURN_IF_ERROR(CheckRequest(kRle, n, left_));
    // Decoded through a small fixed buffer: the hybrid decoder writes 32-bit values.
    uint32_t chunk[256];
    for (int64_t done = 0; done < n;) {
      const int64_t take = std::min<int64_t>(n - done, 256);
      Status status = decoder_.GetBatch(chunk, take);
      if (!status.ok()) return status.WithContext("RLE BOOLEAN values");
      for (int64_t value_idx = 0; value_idx < take; ++value_idx) {
        out[done + value_idx] = static_cast<uint8_t>(chunk[value_idx]);
      }
      done += take;
    }
    left_ -= n;
    return Status::OK();
  }

  Status DecodeByteArray(int64_t, ByteArrayVector*) override {
    return WrongKind(kRle, Type::kBoolean, "DecodeByteArray");
  }

 private:
  RleBitPackedDecoder decoder_;
  int64_t left_ = 0;
};

class RleBooleanEncoder final : public Encoder {
 public:
  void PutFixed(const uint8_t* values, int64_t n) override {
    for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
      encoder_.Put(values[value_idx] != 0 ? 1 : 0);
    }
  }
  void PutByteArray(const ByteArrayVector&, size_t, size_t) override {
    FM_DCHECK(!"PutByteArray on a BOOLEAN RLE encoder");
  }
  int64_t EstimatedSize() const override { return 4 + encoder_.EstimatedSize(); }
  void Finish(ByteBuffer* out) override {
    const size_t prefix_pos = out->size();
    AppendLE<uint32_t>(out, 0);
    encoder_.Finish(out);
    StoreLE(out->data() + prefix_pos, static_cast<uint32_t>(out->size() - prefix_pos - 4));
  }

 private:
  RleBitPackedEncoder encoder_{1};
};

}  // namespace

std::unique_ptr<Decoder> MakeRleBooleanDecoder() { return std::make_unique<RleBooleanDecoder>(); }
std::unique_ptr<Encoder> MakeRleBooleanEncoder() { return std::make_unique<RleBooleanEncoder>(); }

}  // namespace featmerge::parquet::internal

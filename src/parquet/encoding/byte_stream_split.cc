// BYTE_STREAM_SPLIT: for values of W bytes, W streams of num_values bytes each; stream k holds
// byte k of every value. Applies to FLOAT, DOUBLE, INT32, INT64 and FIXED_LEN_BYTE_ARRAY.
#include <algorithm>
#include <cstring>

#include "parquet/encoding/encoding_internal.h"

namespace featmerge::parquet::internal {
namespace {

constexpr const char* kBss = "BYTE_STREAM_SPLIT";

// Gathers values [start, start + n) from the streams. A compile-time width lets the compiler
// keep the W stream pointers in registers and assemble each value with one store.
template <int kWidth>
void GatherFixed(const uint8_t* data, size_t stride, size_t start, int64_t n, uint8_t* out) {
  const uint8_t* streams[kWidth];
  for (int stream_idx = 0; stream_idx < kWidth; ++stream_idx) {
    streams[stream_idx] = data + stream_idx * stride + start;
  }
  for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
    uint8_t value[kWidth];
    for (int stream_idx = 0; stream_idx < kWidth; ++stream_idx) {
      value[stream_idx] = streams[stream_idx][value_idx];
    }
    std::memcpy(out + value_idx * kWidth, value, kWidth);
  }
}

void GatherAny(int width, const uint8_t* data, size_t stride, size_t start, int64_t n,
               uint8_t* out) {
  for (int stream_idx = 0; stream_idx < width; ++stream_idx) {
    const uint8_t* stream = data + stream_idx * stride + start;
    for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
      out[value_idx * width + stream_idx] = stream[value_idx];
    }
  }
}

template <int kWidth>
void ScatterFixed(const uint8_t* values, int64_t n, uint8_t* out) {
  uint8_t* streams[kWidth];
  for (int stream_idx = 0; stream_idx < kWidth; ++stream_idx) {
    streams[stream_idx] = out + stream_idx * n;
  }
  for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
    uint8_t value[kWidth];
    std::memcpy(value, values + value_idx * kWidth, kWidth);
    for (int stream_idx = 0; stream_idx < kWidth; ++stream_idx) {
      streams[stream_idx][value_idx] = value[stream_idx];
    }
  }
}

void ScatterAny(int width, const uint8_t* values, int64_t n, uint8_t* out) {
  for (int stream_idx = 0; stream_idx < width; ++stream_idx) {
    uint8_t* stream = out + stream_idx * n;
    for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
      stream[value_idx] = values[value_idx * width + stream_idx];
    }
  }
}

class ByteStreamSplitDecoder final : public Decoder {
 public:
  ByteStreamSplitDecoder(Type type, int width) : type_(type), width_(width) {}

  Status SetData(ByteView data, int64_t num_values) override {
    // The stream length is num_values, so the size must match exactly: any other size would
    // shift every stream after the first.
    if (num_values < 0 || data.size() % width_ != 0 ||
        data.size() / width_ != static_cast<uint64_t>(num_values)) {
      data_ = nullptr;
      left_ = 0;
      return Status::Corruption(StrCat(kBss, ": page has ", data.size(), " bytes but ", num_values,
                                       " ", TypeName(type_), " values of ", width_,
                                       " bytes need exactly their product"));
    }
    data_ = data.data();
    stride_ = static_cast<size_t>(num_values);
    pos_ = 0;
    left_ = num_values;
    return Status::OK();
  }

  Status DecodeFixed(int64_t n, uint8_t* out) override {
    FM_RETURN_IF_ERROR(CheckRequest(kBss, n, left_));
    switch (width_) {
      case 4:
        GatherFixed<4>(data_, stride_, pos_, n, out);
        break;
      case 8:
        GatherFixed<8>(data_, stride_, pos_, n, out);
        break;
      default:
        GatherAny(width_, data_, stride_, pos_, n, out);
        break;
    }
    pos_ += static_cast<size_t>(n);
    left_ -= n;
    return Status::OK();
  }

  Status DecodeByteArray(int64_t, ByteArrayVector*) override {
    return WrongKind(kBss, type_, "DecodeByteArray");
  }

 private:
  Type type_;
  int width_;
  const uint8_t* data_ = nullptr;
  size_t stride_ = 0;  // bytes per stream = values in the page
  size_t pos_ = 0;     // next value
  int64_t left_ = 0;
};

class ByteStreamSplitEncoder final : public Encoder {
 public:
  explicit ByteStreamSplitEncoder(int width) : width_(width) {}

  void PutFixed(const uint8_t* values, int64_t n) override {
    values_.insert(values_.end(), values, values + n * width_);
  }
  void PutByteArray(const ByteArrayVector&, size_t, size_t) override {
    FM_DCHECK(!"PutByteArray on a BYTE_STREAM_SPLIT encoder");
  }
  int64_t EstimatedSize() const override { return static_cast<int64_t>(values_.size()); }
  void Finish(ByteBuffer* out) override {
    const int64_t n = static_cast<int64_t>(values_.size()) / width_;
    const size_t start = out->size();
    out->resize(start + values_.size());
    uint8_t* dst = out->data() + start;
    switch (width_) {
      case 4:
        ScatterFixed<4>(values_.data(), n, dst);
        break;
      case 8:
        ScatterFixed<8>(values_.data(), n, dst);
        break;
      default:
        ScatterAny(width_, values_.data(), n, dst);
        break;
    }
    values_.clear();
  }

 private:
  int width_;
  ByteBuffer values_;  // values put since the last Finish, as given
};

}  // namespace

std::unique_ptr<Decoder> MakeByteStreamSplitDecoder(Type type, int type_length) {
  return std::make_unique<ByteStreamSplitDecoder>(type, FixedWidth(type, type_length));
}

std::unique_ptr<Encoder> MakeByteStreamSplitEncoder(Type type, int type_length) {
  return std::make_unique<ByteStreamSplitEncoder>(FixedWidth(type, type_length));
}

}  // namespace featmerge::parquet::internal

#include "parquet/encoding/delta_length_byte_array.h"

#include <algorithm>

#include "parquet/encoding/encoding_internal.h"

namespace featmerge::parquet {

using internal::StrCat;

namespace {
constexpr int kChunk = 256;  // lengths decoded per step
}  // namespace

void DeltaLengthReader::Clear() {
  lengths_.Clear();
  bytes_ = nullptr;
  bytes_total_ = 0;
  bytes_pos_ = 0;
}

Status DeltaLengthReader::SetData(ByteView data, int64_t num_values) {
  Clear();
  FM_RETURN_IF_ERROR(lengths_.SetData(data, num_values));
  const size_t lengths_size = lengths_.encoded_size();
  const uint64_t available = data.size() - lengths_size;
  // One pass over all lengths: afterwards every length is known to be >= 0 and every byte
  // range inside the data, so decoding copies without checks.
  uint64_t total = 0;
  int32_t lengths[kChunk];
  for (int64_t done = 0; done < num_values;) {
    const int64_t take = std::min<int64_t>(num_values - done, kChunk);
    lengths_.Decode(take, lengths);
    int32_t min_length = 0;
    for (int64_t value_idx = 0; value_idx < take; ++value_idx) {
      min_length = std::min(min_length, lengths[value_idx]);
      total += static_cast<uint32_t>(lengths[value_idx]);
    }
    if (min_length < 0) {
      const int32_t* bad = std::find_if(lengths, lengths + take, [](int32_t l) { return l < 0; });
      Clear();
      return Status::Corruption(
          StrCat(what_, ": value ", done + (bad - lengths), " has negative length ", *bad));
    }
    if (total > available) {
      Clear();
      return Status::Corruption(StrCat(what_, ": lengths of the first ", done + take,
                                       " values add up to ", total, " bytes but ", available,
                                       " follow the lengths"));
    }
    done += take;
  }
  lengths_.Rewind();
  bytes_ = data.data() + lengths_size;
  bytes_total_ = total;
  return Status::OK();
}

void DeltaLengthReader::Rewind() {
  lengths_.Rewind();
  bytes_pos_ = 0;
}

const uint8_t* DeltaLengthReader::TakeBytes(uint64_t bytes) {
  FM_DCHECK(bytes <= bytes_total_ - bytes_pos_);
  const uint8_t* p = bytes_ + bytes_pos_;
  bytes_pos_ += bytes;
  return p;
}

void DeltaLengthWriter::Put(ByteView value) {
  const int32_t length = static_cast<int32_t>(value.size());
  lengths_.Put(&length, 1);
  AppendBytes(&bytes_, value);
}

void DeltaLengthWriter::Finish(ByteBuffer* out) {
  lengths_.Finish(out);
  AppendBytes(out, bytes_);
  bytes_.clear();
}

int64_t DeltaLengthWriter::EstimatedSize() const {
  return lengths_.EstimatedSize() + static_cast<int64_t>(bytes_.size());
}

namespace {

constexpr const char* kDlba = "DELTA_LENGTH_BYTE_ARRAY";

class DeltaLengthByteArrayDecoder final : public Decoder {
 public:
  Status SetData(ByteView data, int64_t num_values) override {
    return reader_.SetData(data, num_values);
  }

  Status DecodeFixed(int64_t, uint8_t*) override {
    return internal::WrongKind(kDlba, Type::kFixedLenByteArray, "DecodeFixed");
  }

  Status DecodeByteArray(int64_t n, ByteArrayVector* out) override {
    FM_RETURN_IF_ERROR(internal::CheckRequest(kDlba, n, reader_.values_left()));
    std::vector<uint8_t>& data = out->data();
    std::vector<uint32_t>& offsets = out->offsets();
    offsets.reserve(offsets.size() + n);
    int32_t lengths[kChunk];
    for (int64_t done = 0; done < n;) {
      const int64_t take = std::min<int64_t>(n - done, kChunk);
      reader_.NextLengths(take, lengths);
      uint64_t bytes = 0;
      for (int64_t value_idx = 0; value_idx < take; ++value_idx) bytes += lengths[value_idx];
      if (data.size() + bytes > ByteArrayVector::kMaxDataBytes) {
        return Status::ResourceExhausted(StrCat(
            kDlba, ": batch would exceed ", ByteArrayVector::kMaxDataBytes, " bytes of values"));
      }
      // The values of a chunk are contiguous in the page: one copy, then the offsets.
      const uint8_t* src = reader_.TakeBytes(bytes);
      uint32_t offset = static_cast<uint32_t>(data.size());
      data.insert(data.end(), src, src + bytes);
      for (int64_t value_idx = 0; value_idx < take; ++value_idx) {
        offset += static_cast<uint32_t>(lengths[value_idx]);
        offsets.push_back(offset);
      }
      done += take;
    }
    return Status::OK();
  }

 private:
  DeltaLengthReader reader_{kDlba, "DELTA_LENGTH_BYTE_ARRAY lengths"};
};

class DeltaLengthByteArrayEncoder final : public Encoder {
 public:
  void PutFixed(const uint8_t*, int64_t) override {
    FM_DCHECK(!"PutFixed on a DELTA_LENGTH_BYTE_ARRAY encoder");
  }
  void PutByteArray(const ByteArrayVector& values, size_t begin, size_t end) override {
    for (size_t value_idx = begin; value_idx < end; ++value_idx) writer_.Put(values[value_idx]);
  }
  int64_t EstimatedSize() const override { return writer_.EstimatedSize(); }
  void Finish(ByteBuffer* out) override { writer_.Finish(out); }

 private:
  DeltaLengthWriter writer_;
};

}  // namespace

namespace internal {

std::unique_ptr<Decoder> MakeDeltaLengthByteArrayDecoder() {
  return std::make_unique<DeltaLengthByteArrayDecoder>();
}
std::unique_ptr<Encoder> MakeDeltaLengthByteArrayEncoder() {
  return std::make_unique<DeltaLengthByteArrayEncoder>();
}

}  // namespace internal
}  // namespace featmerge::parquet

// ByteArrayVector: variable-length values (BYTE_ARRAY) stored back to back with offsets.
// Value i is data[offsets[i], offsets[i+1]). Thread-safety: none (a value type).
#pragma once

#include <cstdint>
#include <vector>

#include "base/byte_view.h"

namespace featmerge::parquet {

class ByteArrayVector {
 public:
  ByteArrayVector() : offsets_{0} {}

  size_t size() const { return offsets_.size() - 1; }
  bool empty() const { return size() == 0; }
  ByteView operator[](size_t i) const {
    return ByteView(data_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  uint32_t length(size_t i) const { return offsets_[i + 1] - offsets_[i]; }
  uint64_t data_size() const { return data_.size(); }

  void Append(ByteView value) {
    data_.insert(data_.end(), value.begin(), value.end());
    offsets_.push_back(static_cast<uint32_t>(data_.size()));
  }
  void AppendEmpty() { offsets_.push_back(static_cast<uint32_t>(data_.size())); }
  void Clear() {
    offsets_.resize(1);
    data_.clear();
  }
  void Reserve(size_t values, size_t bytes) {
    offsets_.reserve(values + 1);
    data_.reserve(bytes);
  }

  // Values may total at most this many bytes (offsets are 32-bit, as Arrow's string arrays).
  static constexpr uint64_t kMaxDataBytes = 0xFFFFFFFFull;

  std::vector<uint32_t>& offsets() { return offsets_; }
  const std::vector<uint32_t>& offsets() const { return offsets_; }
  std::vector<uint8_t>& data() { return data_; }
  const std::vector<uint8_t>& data() const { return data_; }

 private:
  std::vector<uint32_t> offsets_;  // size() + 1 entries, offsets_[0] == 0
  std::vector<uint8_t> data_;
};

}  // namespace featmerge::parquet

// ColumnData: the decoded values of one column over a run of rows, "spaced": one slot per row
// (null slots hold zero bytes / an empty value) plus a validity byte per row. Spacing makes the
// merge's gather a plain indexed copy. Thread-safety: none (a value type).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "base/byte_view.h"
#include "parquet/byte_array.h"
#include "parquet/types.h"

namespace featmerge::parquet {

class ColumnData {
 public:
  ColumnData() = default;
  ColumnData(Type type, int type_length) { Reset(type, type_length); }

  // Empties the buffers (keeping their capacity) and sets the type.
  void Reset(Type type, int type_length) {
    type_ = type;
    type_length_ = type_length;
    width_ = FixedWidth(type, type_length);
    num_rows_ = 0;
    null_count_ = 0;
    validity_.clear();
    fixed_.clear();
    binary_.Clear();
  }
  void Reserve(int64_t rows) {
    validity_.reserve(static_cast<size_t>(rows));
    if (width_ > 0) fixed_.reserve(static_cast<size_t>(rows) * static_cast<size_t>(width_));
  }

  Type type() const { return type_; }
  int type_length() const { return type_length_; }
  int width() const { return width_; }  // 0 for BYTE_ARRAY
  bool is_binary() const { return width_ == 0; }
  int64_t num_rows() const { return num_rows_; }
  int64_t null_count() const { return null_count_; }
  bool IsValid(int64_t row) const { return validity_[static_cast<size_t>(row)] != 0; }

  const uint8_t* fixed_value(int64_t row) const {
    return fixed_.data() + static_cast<size_t>(row) * static_cast<size_t>(width_);
  }
  ByteView binary_value(int64_t row) const { return binary_[static_cast<size_t>(row)]; }
  template <typename T>
  T value(int64_t row) const {
    return LoadLE<T>(fixed_value(row));
  }

  const std::vector<uint8_t>& validity() const { return validity_; }
  const ByteBuffer& fixed() const { return fixed_; }
  const ByteArrayVector& binary() const { return binary_; }
  std::vector<uint8_t>& mutable_validity() { return validity_; }
  ByteBuffer& mutable_fixed() { return fixed_; }
  ByteArrayVector& mutable_binary() { return binary_; }
  // After filling the buffers directly: sets the row count and recounts nulls.
  void SetRowsFromBuffers(int64_t rows, int64_t nulls) {
    num_rows_ = rows;
    null_count_ = nulls;
  }

  void AppendNull() {
    validity_.push_back(0);
    if (width_ > 0) fixed_.resize(fixed_.size() + static_cast<size_t>(width_));
    else binary_.AppendEmpty();
    num_rows_++;
    null_count_++;
  }
  void AppendNulls(int64_t n) {
    validity_.resize(validity_.size() + static_cast<size_t>(n), 0);
    if (width_ > 0) fixed_.resize(fixed_.size() + static_cast<size_t>(n) * static_cast<size_t>(width_));
    else for (int64_t i = 0; i < n; i++) binary_.AppendEmpty();
    num_rows_ += n;
    null_count_ += n;
  }
  // Appends row `row` of `src` (same type).
  void AppendFrom(const ColumnData& src, int64_t row) {
    bool valid = src.IsValid(row);
    validity_.push_back(valid ? 1 : 0);
    if (width_ > 0) {
      const uint8_t* p = src.fixed_value(row);
      fixed_.insert(fixed_.end(), p, p + width_);
    } else {
      binary_.Append(src.binary_value(row));
    }
    num_rows_++;
    null_count_ += valid ? 0 : 1;
  }
  // Appends rows [begin, begin + n) of `src` (same type).
  void AppendRange(const ColumnData& src, int64_t begin, int64_t n) {
    const size_t b = static_cast<size_t>(begin), e = static_cast<size_t>(begin + n);
    validity_.insert(validity_.end(), src.validity_.begin() + static_cast<ptrdiff_t>(b),
                     src.validity_.begin() + static_cast<ptrdiff_t>(e));
    int64_t valid = 0;
    for (size_t i = b; i < e; i++) valid += src.validity_[i];
    if (width_ > 0) {
      const size_t w = static_cast<size_t>(width_);
      fixed_.insert(fixed_.end(), src.fixed_.begin() + static_cast<ptrdiff_t>(b * w),
                    src.fixed_.begin() + static_cast<ptrdiff_t>(e * w));
    } else {
      for (size_t i = b; i < e; i++) binary_.Append(src.binary_[i]);
    }
    num_rows_ += n;
    null_count_ += n - valid;
  }
  void AppendValue(ByteView bytes) {  // a non-null value (fixed: exactly width bytes)
    validity_.push_back(1);
    if (width_ > 0) fixed_.insert(fixed_.end(), bytes.begin(), bytes.end());
    else binary_.Append(bytes);
    num_rows_++;
  }
  template <typename T>
  void Append(T v) {
    validity_.push_back(1);
    AppendLE(&fixed_, v);
    num_rows_++;
  }

  // Bytes held (for memory accounting).
  uint64_t MemoryUsage() const {
    return validity_.capacity() + fixed_.capacity() + binary_.data().capacity() +
           binary_.offsets().capacity() * sizeof(uint32_t);
  }

 private:
  Type type_ = Type::kInt32;
  int type_length_ = 0;
  int width_ = 4;
  int64_t num_rows_ = 0;
  int64_t null_count_ = 0;
  std::vector<uint8_t> validity_;  // 1 = value present, 0 = null; one per row
  ByteBuffer fixed_;               // num_rows * width bytes (fixed-width types)
  ByteArrayVector binary_;         // num_rows values (BYTE_ARRAY)
};

}  // namespace featmerge::parquet

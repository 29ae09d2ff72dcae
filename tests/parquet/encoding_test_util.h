// Helpers for the encoding tests: random column values of any physical type, and drivers that
// encode them and decode them back through the Decoder/Encoder interface in uneven batches.
// Thread-safety: none (tests are single-threaded).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/byte_view.h"
#include "base/status.h"
#include "parquet/byte_array.h"
#include "parquet/encoding/encoding.h"
#include "parquet/types.h"

namespace featmerge::parquet::testing {

// A physical type as a type, for TYPED_TEST.
template <Type kT, int kLen = 0>
struct Physical {
  static constexpr Type kType = kT;
  static constexpr int kLength = kLen;
};
using BooleanType = Physical<Type::kBoolean>;
using Int32Type = Physical<Type::kInt32>;
using Int64Type = Physical<Type::kInt64>;
using Int96Type = Physical<Type::kInt96>;
using FloatType = Physical<Type::kFloat>;
using DoubleType = Physical<Type::kDouble>;
using ByteArrayType = Physical<Type::kByteArray>;
using Flba3Type = Physical<Type::kFixedLenByteArray, 3>;
using Flba16Type = Physical<Type::kFixedLenByteArray, 16>;

// Values of one column: `fixed` holds count * width bytes for fixed-width types, `arrays` the
// values of a BYTE_ARRAY column.
struct Values {
  Type type = Type::kInt32;
  int type_length = 0;
  int64_t count = 0;
  ByteBuffer fixed;
  ByteArrayVector arrays;

  int width() const { return FixedWidth(type, type_length); }
};

// How random values are shaped, to reach different code paths of each encoding.
enum class Shape {
  kRandom,      // uniformly random bits
  kSmallRange,  // small integers / short strings: small bit widths
  kRuns,        // long runs of repeated values: RLE runs, zero deltas, shared prefixes
  kSorted,      // increasing integers (timestamps), sorted strings
};

inline Values MakeValues(Type type, int type_length) {
  Values values;
  values.type = type;
  values.type_length = type_length;
  return values;
}

inline Values RandomValues(Type type, int type_length, int64_t n, Shape shape, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Values values = MakeValues(type, type_length);
  values.count = n;
  if (type == Type::kByteArray) {
    std::string prev;
    for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
      std::string value;
      if (shape == Shape::kRuns && value_idx > 0 && rng() % 4 != 0) {
        value = prev;
      } else {
        const size_t max_length = shape == Shape::kSmallRange ? 4 : 40;
        const size_t length = rng() % (max_length + 1);
        // kSorted: share a random prefix with the previous value, as sorted keys do.
        if (shape == Shape::kSorted && !prev.empty()) value = prev.substr(0, rng() % prev.size());
        for (size_t byte_idx = 0; byte_idx < length; ++byte_idx) {
          value.push_back(static_cast<char>(shape == Shape::kRandom ? rng() : 'a' + rng() % 26));
        }
      }
      values.arrays.Append(AsBytes(value));
      prev = value;
    }
    return values;
  }
  const int width = values.width();
  values.fixed.resize(static_cast<size_t>(n) * width);
  uint64_t run_value = rng();
  uint64_t sorted_value = rng() >> 8;
  for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
    uint8_t* dst = values.fixed.data() + value_idx * width;
    if (type == Type::kBoolean) {
      if (shape == Shape::kRuns) {
        if (rng() % 50 == 0) run_value ^= 1;
        *dst = run_value & 1;
      } else {
        *dst = rng() & 1;
      }
      continue;
    }
    for (int byte_idx = 0; byte_idx < width; byte_idx += 8) {
      uint64_t word = 0;
      switch (shape) {
        case Shape::kRandom:
          word = rng();
          break;
        case Shape::kSmallRange:
          word = byte_idx == 0 ? rng() % 1000 : 0;
          break;
        case Shape::kRuns:
          if (rng() % 20 == 0) run_value = rng();
          word = run_value;
          break;
        case Shape::kSorted:
          sorted_value += rng() % 5000;
          word = byte_idx == 0 ? sorted_value : 0;
          break;
      }
      std::memcpy(dst + byte_idx, &word, std::min(8, width - byte_idx));
    }
  }
  return values;
}

inline void PutValues(Encoder* encoder, const Values& values, int64_t begin, int64_t end) {
  if (values.type == Type::kByteArray) {
    encoder->PutByteArray(values.arrays, static_cast<size_t>(begin), static_cast<size_t>(end));
  } else {
    encoder->PutFixed(values.fixed.data() + begin * values.width(), end - begin);
  }
}

// Encodes all values, put in uneven chunks.
inline ByteBuffer EncodeValues(Encoding encoding, const Values& values) {
  auto encoder = MakeEncoder(encoding, values.type, values.type_length);
  EXPECT_TRUE(encoder.ok()) << encoder.status().ToString();
  if (!encoder.ok()) return {};
  std::mt19937_64 rng(values.count);
  for (int64_t begin = 0; begin < values.count;) {
    const int64_t end = std::min<int64_t>(values.count, begin + 1 + rng() % 300);
    PutValues(encoder->get(), values, begin, end);
    begin = end;
  }
  ByteBuffer out;
  (*encoder)->Finish(&out);
  return out;
}

// Decodes n values from one page through `decoder` in uneven batches.
inline Status DecodeWith(Decoder* decoder, Type type, int type_length, ByteView data, int64_t n,
                         Values* out, uint64_t seed = 1) {
  *out = MakeValues(type, type_length);
  FM_RETURN_IF_ERROR(decoder->SetData(data, n));
  std::mt19937_64 rng(seed);
  const int width = FixedWidth(type, type_length);
  out->fixed.resize(type == Type::kByteArray ? 0 : static_cast<size_t>(n) * width);
  for (int64_t begin = 0; begin < n;) {
    const int64_t take = std::min<int64_t>(n - begin, 1 + rng() % 333);
    if (type == Type::kByteArray) {
      FM_RETURN_IF_ERROR(decoder->DecodeByteArray(take, &out->arrays));
    } else {
      FM_RETURN_IF_ERROR(decoder->DecodeFixed(take, out->fixed.data() + begin * width));
    }
    begin += take;
  }
  out->count = n;
  return Status::OK();
}

inline Status DecodeValues(Encoding encoding, Type type, int type_length, ByteView data, int64_t n,
                           Values* out, uint64_t seed = 1) {
  auto decoder = MakeDecoder(encoding, type, type_length);
  if (!decoder.ok()) return decoder.status();
  return DecodeWith(decoder->get(), type, type_length, data, n, out, seed);
}

inline void ExpectSameValues(const Values& expected, const Values& actual) {
  ASSERT_EQ(expected.count, actual.count);
  if (expected.type == Type::kByteArray) {
    ASSERT_EQ(expected.arrays.size(), actual.arrays.size());
    EXPECT_EQ(expected.arrays.offsets(), actual.arrays.offsets());
    EXPECT_EQ(expected.arrays.data(), actual.arrays.data());
  } else {
    // Byte comparison: NaN payloads and -0.0 must survive bit for bit.
    EXPECT_EQ(expected.fixed, actual.fixed);
  }
}

// Encodes then decodes `values`, expecting them back unchanged.
inline void ExpectRoundTrip(Encoding encoding, const Values& values) {
  ByteBuffer encoded = EncodeValues(encoding, values);
  Values decoded;
  Status status =
      DecodeValues(encoding, values.type, values.type_length, encoded, values.count, &decoded);
  ASSERT_TRUE(status.ok()) << EncodingName(encoding) << " " << TypeName(values.type) << ": "
                           << status.ToString();
  ExpectSameValues(values, decoded);
}

// Every proper prefix of `encoded` must fail with Corruption (never crash, never succeed).
inline void ExpectEveryTruncationIsCorruption(Encoding encoding, const Values& values,
                                              const ByteBuffer& encoded) {
  for (size_t length = 0; length < encoded.size(); ++length) {
    // A heap copy of exactly `length` bytes, so AddressSanitizer flags any overread.
    std::vector<uint8_t> truncated(encoded.begin(), encoded.begin() + length);
    Values decoded;
    Status status =
        DecodeValues(encoding, values.type, values.type_length,
                     ByteView(truncated.data(), truncated.size()), values.count, &decoded);
    ASSERT_TRUE(status.IsCorruption())
        << EncodingName(encoding) << " " << TypeName(values.type) << " truncated to " << length
        << " of " << encoded.size() << " bytes: " << status.ToString();
  }
}

inline Values FixedFromBytes(Type type, int type_length, std::vector<uint8_t> bytes) {
  Values values = MakeValues(type, type_length);
  values.count = static_cast<int64_t>(bytes.size()) / values.width();
  values.fixed = std::move(bytes);
  return values;
}

inline Values StringsToValues(const std::vector<std::string>& strings) {
  Values values = MakeValues(Type::kByteArray, 0);
  for (const std::string& s : strings) values.arrays.Append(AsBytes(s));
  values.count = static_cast<int64_t>(strings.size());
  return values;
}

}  // namespace featmerge::parquet::testing

#include "parquet/encoding/delta_binary_packed.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include "parquet/encoding/bit_packing.h"
#include "parquet/encoding/encoding.h"
#include "parquet/encoding_test_util.h"

namespace featmerge::parquet {
namespace {

using namespace featmerge::parquet::testing;  // NOLINT: test helpers

template <typename T>
Values FromInts(const std::vector<T>& ints) {
  Values values = MakeValues(sizeof(T) == 4 ? Type::kInt32 : Type::kInt64, 0);
  values.count = static_cast<int64_t>(ints.size());
  values.fixed.resize(ints.size() * sizeof(T));
  if (!ints.empty()) std::memcpy(values.fixed.data(), ints.data(), values.fixed.size());
  return values;
}

template <typename T>
std::vector<T> ToInts(const Values& values) {
  std::vector<T> ints(values.fixed.size() / sizeof(T));
  if (!ints.empty()) std::memcpy(ints.data(), values.fixed.data(), values.fixed.size());
  return ints;
}

Status DecodeBytes(Type type, const ByteBuffer& data, int64_t n, Values* out) {
  return DecodeValues(Encoding::kDeltaBinaryPacked, type, 0, data, n, out);
}

// Bit widths of the first block's miniblocks, parsed from an encoded page.
std::vector<int> FirstBlockWidths(const ByteBuffer& encoded) {
  const uint8_t* p = encoded.data();
  const uint8_t* end = p + encoded.size();
  uint64_t field = 0;
  for (int field_idx = 0; field_idx < 5; ++field_idx) {  // 4 header fields + min delta
    EXPECT_TRUE(ReadUleb128(&p, end, &field));
  }
  return std::vector<int>(p, p + 4);
}

template <typename P>
class DeltaBinaryPacked : public ::testing::Test {
 protected:
  using T = std::conditional_t<P::kType == Type::kInt32, int32_t, int64_t>;
  using U = std::make_unsigned_t<T>;
  static constexpr int kBits = sizeof(T) * 8;
};
using IntTypes = ::testing::Types<Int32Type, Int64Type>;
TYPED_TEST_SUITE(DeltaBinaryPacked, IntTypes);

TYPED_TEST(DeltaBinaryPacked, RandomValuesRoundTrip) {
  for (Shape shape : {Shape::kRandom, Shape::kSmallRange, Shape::kRuns, Shape::kSorted}) {
    for (int64_t n : {1, 2, 31, 32, 33, 127, 128, 129, 130, 1000, 10007}) {
      ExpectRoundTrip(Encoding::kDeltaBinaryPacked,
                      RandomValues(TypeParam::kType, 0, n, shape, n * 31 + 7));
    }
  }
}

TYPED_TEST(DeltaBinaryPacked, EmptyPageRoundTrips) {
  using T = typename TestFixture::T;
  Values empty = FromInts<T>({});
  ByteBuffer encoded = EncodeValues(Encoding::kDeltaBinaryPacked, empty);
  EXPECT_EQ(encoded, (ByteBuffer{0x80, 0x01, 0x04, 0x00, 0x00}));
  ExpectRoundTrip(Encoding::kDeltaBinaryPacked, empty);
  Values decoded;
  EXPECT_TRUE(DecodeBytes(TypeParam::kType, ByteBuffer(), 0, &decoded).ok());
}

TYPED_TEST(DeltaBinaryPacked, ExtremesAndWrapAroundDeltasRoundTrip) {
  using T = typename TestFixture::T;
  constexpr T kMin = std::numeric_limits<T>::min();
  constexpr T kMax = std::numeric_limits<T>::max();
  std::vector<T> ints = {kMin, kMax, kMin, kMax, 0, -1, 1, kMax, kMax, kMin, kMin, 0};
  for (int idx = 0; idx < 500; ++idx) ints.push_back(idx % 2 ? kMin : kMax);
  for (int idx = 0; idx < 300; ++idx) ints.push_back(kMax - idx);  // constant negative delta
  ExpectRoundTrip(Encoding::kDeltaBinaryPacked, FromInts(ints));
  ByteBuffer encoded = EncodeValues(Encoding::kDeltaBinaryPacked, FromInts(ints));
  EXPECT_EQ(FirstBlockWidths(encoded)[0], TestFixture::kBits);
}

TYPED_TEST(DeltaBinaryPacked, EveryBitWidthRoundTrips) {
  using T = typename TestFixture::T;
  using U = typename TestFixture::U;
  for (int bit_width = 0; bit_width <= TestFixture::kBits; ++bit_width) {
    // Deltas alternating between two values whose difference needs exactly bit_width bits.
    U low = 0;
    U high = bit_width == 0 ? 0 : static_cast<U>(~U{0} >> (TestFixture::kBits - bit_width));
    if (bit_width == TestFixture::kBits) {
      low = static_cast<U>(std::numeric_limits<T>::min());
      high = static_cast<U>(std::numeric_limits<T>::max());
    }
    std::vector<T> ints = {static_cast<T>(12345)};
    for (int idx = 1; idx < 300; ++idx) {
      ints.push_back(static_cast<T>(static_cast<U>(ints.back()) + (idx % 2 ? high : low)));
    }
    Values values = FromInts(ints);
    ByteBuffer encoded = EncodeValues(Encoding::kDeltaBinaryPacked, values);
    EXPECT_EQ(FirstBlockWidths(encoded), std::vector<int>(4, bit_width));
    Values decoded;
    ASSERT_TRUE(DecodeBytes(TypeParam::kType, encoded, 300, &decoded).ok()) << bit_width;
    EXPECT_EQ(ToInts<T>(decoded), ints) << bit_width;
  }
}

// Encodings.md example 1: 1, 2, 3, 4, 5.
TYPED_TEST(DeltaBinaryPacked, SpecExampleIncreasingKnownBytes) {
  using T = typename TestFixture::T;
  ByteBuffer expected = {0x80, 0x01, 0x04, 0x05, 0x02,  // block 128, 4 miniblocks, 5 values, 1
                         0x02,                          // min delta 1
                         0x00, 0x00, 0x00, 0x00};       // widths; width 0 has no body
  Values values = FromInts<T>({1, 2, 3, 4, 5});
  EXPECT_EQ(EncodeValues(Encoding::kDeltaBinaryPacked, values), expected);
  Values decoded;
  ASSERT_TRUE(DecodeBytes(TypeParam::kType, expected, 5, &decoded).ok());
  ExpectSameValues(values, decoded);
}

// Encodings.md example 2: 7, 5, 3, 1, 2, 3, 4, 5: deltas -2 -2 -2 1 1 1 1, min delta -2,
// adjusted 0 0 0 3 3 3 3 in 2 bits.
TYPED_TEST(DeltaBinaryPacked, SpecExampleMixedKnownBytes) {
  using T = typename TestFixture::T;
  ByteBuffer expected = {0x80, 0x01, 0x04, 0x08, 0x0E,  // ..., 8 values, first 7
                         0x03,                          // min delta -2
                         0x02, 0x00, 0x00, 0x00,        // miniblock 0 has width 2
                         0xC0, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};  // 32 x 2 bits
  Values values = FromInts<T>({7, 5, 3, 1, 2, 3, 4, 5});
  EXPECT_EQ(EncodeValues(Encoding::kDeltaBinaryPacked, values), expected);
  Values decoded;
  ASSERT_TRUE(DecodeBytes(TypeParam::kType, expected, 8, &decoded).ok());
  ExpectSameValues(values, decoded);
}

TYPED_TEST(DeltaBinaryPacked, OtherBlockLayoutDecodes) {
  using T = typename TestFixture::T;
  // Block 256 of 2 miniblocks of 128 (as some writers use); 3 values: 10, 11, 11.
  ByteBuffer data = {0x80, 0x02, 0x02, 0x03, 0x14,  // block 256, 2 miniblocks, 3 values, 10
                     0x00,                          // min delta 0
                     0x01, 0x00};                   // widths 1, 0
  data.push_back(0x01);                             // deltas 1, 0 ...
  data.resize(data.size() + 15, 0);                 // ... padded to 128 bits
  Values decoded;
  ASSERT_TRUE(DecodeBytes(TypeParam::kType, data, 3, &decoded).ok());
  EXPECT_EQ(ToInts<T>(decoded), (std::vector<T>{10, 11, 11}));
}

TYPED_TEST(DeltaBinaryPacked, UnusedMiniblockWidthsAreIgnored) {
  using T = typename TestFixture::T;
  // Spec: widths of miniblocks past the last value may hold anything.
  ByteBuffer data = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0xFF, 0xFF, 0xFF};
  Values decoded;
  ASSERT_TRUE(DecodeBytes(TypeParam::kType, data, 5, &decoded).ok());
  EXPECT_EQ(ToInts<T>(decoded), (std::vector<T>{1, 2, 3, 4, 5}));
}

TYPED_TEST(DeltaBinaryPacked, BitWidthAboveTypeWidthIsCorruption) {
  const int too_wide = TestFixture::kBits + 1;
  ByteBuffer data = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, static_cast<uint8_t>(too_wide), 0, 0, 0};
  data.resize(data.size() + 32 * 9, 0);
  Values decoded;
  Status status = DecodeBytes(TypeParam::kType, data, 5, &decoded);
  ASSERT_TRUE(status.IsCorruption());
  EXPECT_EQ(status.message(), std::string("DELTA_BINARY_PACKED: miniblock bit width ") +
                                  std::to_string(too_wide) + " exceeds " +
                                  std::to_string(TestFixture::kBits) + " for " +
                                  TypeName(TypeParam::kType) + " (block 0, miniblock 0)");
  data[6] = 200;
  EXPECT_TRUE(DecodeBytes(TypeParam::kType, data, 5, &decoded).IsCorruption());
}

TYPED_TEST(DeltaBinaryPacked, InsaneHeadersAreCorruption) {
  struct Case {
    ByteBuffer data;
    int64_t num_values;
    const char* expected;
  };
  const Case cases[] = {
      {{0x64, 0x04, 0x05, 0x02}, 5, "block size 100 is not a positive multiple of 128"},
      {{0x00, 0x04, 0x05, 0x02}, 5, "block size 0"},
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x04, 0x05, 0x02}, 5, "block size"},
      {{0x80, 0x01, 0x00, 0x05, 0x02}, 5, "0 miniblocks per block"},
      {{0x80, 0x01, 0x08, 0x05, 0x02}, 5, "miniblock size must be a multiple of 32"},
      {{0x80, 0x01, 0x03, 0x05, 0x02}, 5, "miniblock size must be a multiple of 32"},
      {{0x80, 0x01, 0x04, 0x05, 0x02}, 6, "header holds 5 values but the page has 6"},
      {{0x80, 0x01, 0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x02},
       int64_t{1} << 42,
       "min delta of block 0"},
      {{0x80, 0x01, 0x04, 0x05}, 5, "page header truncated"},
      {{0x80, 0x01, 0x04, 0x05, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x01},
       5,
       "min delta of block 0 truncated or malformed"},
      {{0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00}, 5, "needs 4 bit-width bytes"},
      {{0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x08, 0x00, 0x00, 0x00, 0x01},
       5,
       "miniblock 0 of block 0 needs 4 bytes"},
  };
  for (const Case& c : cases) {
    Values decoded;
    Status status = DecodeBytes(TypeParam::kType, c.data, c.num_values, &decoded);
    ASSERT_TRUE(status.IsCorruption()) << c.expected;
    EXPECT_NE(status.message().find(c.expected), std::string::npos) << status.message();
  }
}

TYPED_TEST(DeltaBinaryPacked, TruncatedAtEveryLengthIsCorruption) {
  // 1 + 32k values fill their last miniblock, so every byte holds needed bits.
  for (int64_t n : {1, 33, 97, 129, 257}) {
    for (Shape shape : {Shape::kRandom, Shape::kSorted}) {
      Values values = RandomValues(TypeParam::kType, 0, n, shape, n);
      ExpectEveryTruncationIsCorruption(Encoding::kDeltaBinaryPacked, values,
                                        EncodeValues(Encoding::kDeltaBinaryPacked, values));
    }
  }
}

TYPED_TEST(DeltaBinaryPacked, TruncatedPaddingOfLastMiniblockIsTolerated) {
  // 50 values: the second miniblock holds 17 deltas and 15 padding values.
  Values values = RandomValues(TypeParam::kType, 0, 50, Shape::kRandom, 3);
  ByteBuffer encoded = EncodeValues(Encoding::kDeltaBinaryPacked, values);
  const int bit_width = FirstBlockWidths(encoded)[1];
  ASSERT_GT(bit_width, 0);
  const size_t padding = static_cast<size_t>(32 * bit_width / 8 - (17 * bit_width + 7) / 8);
  ByteBuffer cut(encoded.begin(), encoded.end() - padding);
  Values decoded;
  ASSERT_TRUE(DecodeBytes(TypeParam::kType, cut, 50, &decoded).ok());
  ExpectSameValues(values, decoded);
  cut.pop_back();
  EXPECT_TRUE(DecodeBytes(TypeParam::kType, cut, 50, &decoded).IsCorruption());
}

TYPED_TEST(DeltaBinaryPacked, EncodedSizeStopsAtLastMiniblock) {
  using T = typename TestFixture::T;
  Values values = RandomValues(TypeParam::kType, 0, 300, Shape::kRandom, 4);
  ByteBuffer encoded = EncodeValues(Encoding::kDeltaBinaryPacked, values);
  const size_t size = encoded.size();
  encoded.insert(encoded.end(), {1, 2, 3});  // what a caller keeps after the values
  DeltaBitPackReader<T> reader("test");
  ASSERT_TRUE(reader.SetData(encoded, 300).ok());
  EXPECT_EQ(reader.encoded_size(), size);
  std::vector<T> first(300);
  reader.Decode(300, first.data());
  reader.Rewind();
  std::vector<T> second(300);
  reader.Decode(300, second.data());
  EXPECT_EQ(first, second);
  EXPECT_EQ(first, ToInts<T>(values));
}

TYPED_TEST(DeltaBinaryPacked, RequestBeyondPageIsCorruption) {
  Values values = RandomValues(TypeParam::kType, 0, 10, Shape::kRandom, 4);
  ByteBuffer encoded = EncodeValues(Encoding::kDeltaBinaryPacked, values);
  auto decoder = MakeDecoder(Encoding::kDeltaBinaryPacked, TypeParam::kType, 0);
  ASSERT_TRUE((*decoder)->SetData(encoded, 10).ok());
  ByteBuffer out(8 * 11);
  EXPECT_TRUE((*decoder)->DecodeFixed(11, out.data()).IsCorruption());
  ByteArrayVector arrays;
  EXPECT_TRUE((*decoder)->DecodeByteArray(1, &arrays).IsInvalidArgument());
}

TYPED_TEST(DeltaBinaryPacked, FailedPageLeavesNoValues) {
  Values values = RandomValues(TypeParam::kType, 0, 33, Shape::kRandom, 4);
  ByteBuffer encoded = EncodeValues(Encoding::kDeltaBinaryPacked, values);
  auto decoder = MakeDecoder(Encoding::kDeltaBinaryPacked, TypeParam::kType, 0);
  ASSERT_TRUE((*decoder)->SetData(encoded, 33).ok());
  ByteBuffer cut(encoded.begin(), encoded.end() - 1);
  ASSERT_TRUE((*decoder)->SetData(cut, 33).IsCorruption());
  ByteBuffer out(8);
  EXPECT_TRUE((*decoder)->DecodeFixed(1, out.data()).IsCorruption());
}

TEST(DeltaBinaryPackedInt32, FirstValueKeepsLow32Bits) {
  // First value zigzag(2^32 + 5): an INT32 reader keeps the low 32 bits (wrap-around).
  ByteBuffer data = {0x80, 0x01, 0x04, 0x01};
  AppendUleb128(&data, ZigZagEncode((int64_t{1} << 32) + 5));
  Values decoded;
  ASSERT_TRUE(DecodeBytes(Type::kInt32, data, 1, &decoded).ok());
  EXPECT_EQ(ToInts<int32_t>(decoded), std::vector<int32_t>{5});
}

}  // namespace
}  // namespace featmerge::parquet

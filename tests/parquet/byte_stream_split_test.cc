#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "parquet/encoding/encoding.h"
#include "parquet/encoding_test_util.h"

namespace featmerge::parquet {
namespace {

using namespace featmerge::parquet::testing;  // NOLINT: test helpers

constexpr Encoding kBss = Encoding::kByteStreamSplit;

template <typename P>
class ByteStreamSplit : public ::testing::Test {};
using SplitTypes =
    ::testing::Types<FloatType, DoubleType, Int32Type, Int64Type, Flba3Type, Flba16Type>;
TYPED_TEST_SUITE(ByteStreamSplit, SplitTypes);

TYPED_TEST(ByteStreamSplit, RandomValuesRoundTrip) {
  for (Shape shape : {Shape::kRandom, Shape::kSmallRange, Shape::kRuns}) {
    for (int64_t n : {1, 2, 7, 8, 1000, 4097}) {
      ExpectRoundTrip(kBss, RandomValues(TypeParam::kType, TypeParam::kLength, n, shape, n));
    }
  }
}

TYPED_TEST(ByteStreamSplit, EmptyPageRoundTrips) {
  Values empty = RandomValues(TypeParam::kType, TypeParam::kLength, 0, Shape::kRandom, 1);
  EXPECT_TRUE(EncodeValues(kBss, empty).empty());
  ExpectRoundTrip(kBss, empty);
}

TYPED_TEST(ByteStreamSplit, TruncatedAtEveryLengthIsCorruption) {
  Values values = RandomValues(TypeParam::kType, TypeParam::kLength, 40, Shape::kRandom, 2);
  ExpectEveryTruncationIsCorruption(kBss, values, EncodeValues(kBss, values));
}

TYPED_TEST(ByteStreamSplit, SizeOtherThanCountTimesWidthIsCorruption) {
  Values values = RandomValues(TypeParam::kType, TypeParam::kLength, 40, Shape::kRandom, 2);
  ByteBuffer encoded = EncodeValues(kBss, values);
  encoded.push_back(0);  // one extra byte would shift every stream
  Values decoded;
  EXPECT_TRUE(DecodeValues(kBss, TypeParam::kType, TypeParam::kLength, encoded, 40, &decoded)
                  .IsCorruption());
  encoded.pop_back();
  EXPECT_TRUE(DecodeValues(kBss, TypeParam::kType, TypeParam::kLength, encoded, 39, &decoded)
                  .IsCorruption());
  EXPECT_TRUE(
      DecodeValues(kBss, TypeParam::kType, TypeParam::kLength, encoded, int64_t{1} << 62, &decoded)
          .IsCorruption());
}

TYPED_TEST(ByteStreamSplit, DecoderIsReusedAcrossPages) {
  auto decoder = MakeDecoder(kBss, TypeParam::kType, TypeParam::kLength);
  ASSERT_TRUE(decoder.ok());
  for (uint64_t page = 0; page < 3; ++page) {
    Values values =
        RandomValues(TypeParam::kType, TypeParam::kLength, 500 + page, Shape::kRandom, page);
    ByteBuffer encoded = EncodeValues(kBss, values);
    Values decoded;
    ASSERT_TRUE(DecodeWith(decoder->get(), values.type, values.type_length, encoded, values.count,
                           &decoded, page)
                    .ok());
    ExpectSameValues(values, decoded);
  }
}

// Encodings.md: FLOAT values with bytes [00 01 02 03] and [10 11 12 13] become the streams
// 00 10 | 01 11 | 02 12 | 03 13.
TEST(ByteStreamSplitKnownBytes, FloatSpecLayout) {
  Values values = FixedFromBytes(Type::kFloat, 0, {0x00, 0x01, 0x02, 0x03, 0x10, 0x11, 0x12, 0x13});
  ByteBuffer expected = {0x00, 0x10, 0x01, 0x11, 0x02, 0x12, 0x03, 0x13};
  EXPECT_EQ(EncodeValues(kBss, values), expected);
  Values decoded;
  ASSERT_TRUE(DecodeValues(kBss, Type::kFloat, 0, expected, 2, &decoded).ok());
  ExpectSameValues(values, decoded);
}

TEST(ByteStreamSplitKnownBytes, FixedLenThreeBytes) {
  Values values = FixedFromBytes(Type::kFixedLenByteArray, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(EncodeValues(kBss, values), (ByteBuffer{1, 4, 7, 2, 5, 8, 3, 6, 9}));
}

TEST(ByteStreamSplitEdgeCases, NanAndNegativeZeroAreBitExact) {
  const uint64_t doubles[] = {0x8000000000000000ull, 0x7FF8000000000000ull, 0x7FF0000000000001ull,
                              0xFFF8DEADBEEF0001ull, 0xFFF0000000000000ull};
  Values d = MakeValues(Type::kDouble, 0);
  d.count = 5;
  d.fixed.resize(sizeof(doubles));
  std::memcpy(d.fixed.data(), doubles, sizeof(doubles));
  ExpectRoundTrip(kBss, d);
  const uint32_t floats[] = {0x80000000u, 0x7FC00000u, 0x7F800001u, 0xFFC12345u};
  Values f = MakeValues(Type::kFloat, 0);
  f.count = 4;
  f.fixed.resize(sizeof(floats));
  std::memcpy(f.fixed.data(), floats, sizeof(floats));
  ExpectRoundTrip(kBss, f);
}

TEST(ByteStreamSplitEdgeCases, MessageNamesSizes) {
  auto decoder = MakeDecoder(kBss, Type::kDouble, 0);
  ByteBuffer data(20);
  Status status = (*decoder)->SetData(data, 3);
  ASSERT_TRUE(status.IsCorruption());
  EXPECT_EQ(status.message(),
            "BYTE_STREAM_SPLIT: page has 20 bytes but 3 DOUBLE values of 8 bytes need exactly "
            "their product");
}

TEST(ByteStreamSplitEdgeCases, WrongDecodeMethodIsInvalidArgument) {
  auto decoder = MakeDecoder(kBss, Type::kFloat, 0);
  ByteArrayVector out;
  EXPECT_TRUE((*decoder)->DecodeByteArray(1, &out).IsInvalidArgument());
}

}  // namespace
}  // namespace featmerge::parquet

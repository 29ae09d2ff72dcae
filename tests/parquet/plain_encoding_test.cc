#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "parquet/encoding/encoding.h"
#include "parquet/encoding_test_util.h"

namespace featmerge::parquet {
namespace {

using namespace featmerge::parquet::testing;  // NOLINT: test helpers

template <typename P>
class PlainEncoding : public ::testing::Test {};
using AllTypes = ::testing::Types<BooleanType, Int32Type, Int64Type, Int96Type, FloatType,
                                  DoubleType, ByteArrayType, Flba3Type, Flba16Type>;
TYPED_TEST_SUITE(PlainEncoding, AllTypes);

TYPED_TEST(PlainEncoding, RandomValuesRoundTrip) {
  for (Shape shape : {Shape::kRandom, Shape::kSmallRange, Shape::kRuns, Shape::kSorted}) {
    for (int64_t n : {1, 7, 8, 9, 1000, 4099}) {
      ExpectRoundTrip(Encoding::kPlain,
                      RandomValues(TypeParam::kType, TypeParam::kLength, n, shape, n));
    }
  }
}

TYPED_TEST(PlainEncoding, EmptyPageRoundTrips) {
  Values values = RandomValues(TypeParam::kType, TypeParam::kLength, 0, Shape::kRandom, 1);
  EXPECT_TRUE(EncodeValues(Encoding::kPlain, values).empty());
  ExpectRoundTrip(Encoding::kPlain, values);
}

TYPED_TEST(PlainEncoding, TruncatedAtEveryLengthIsCorruption) {
  Values values = RandomValues(TypeParam::kType, TypeParam::kLength, 70, Shape::kRandom, 5);
  ExpectEveryTruncationIsCorruption(Encoding::kPlain, values,
                                    EncodeValues(Encoding::kPlain, values));
}

TYPED_TEST(PlainEncoding, HugeValueCountIsCorruption) {
  ByteBuffer data(64, 0);
  auto decoder = MakeDecoder(Encoding::kPlain, TypeParam::kType, TypeParam::kLength);
  ASSERT_TRUE(decoder.ok());
  EXPECT_TRUE((*decoder)->SetData(data, int64_t{1} << 62).IsCorruption());
  EXPECT_TRUE((*decoder)->SetData(data, -1).IsCorruption());
}

TYPED_TEST(PlainEncoding, RequestBeyondPageIsCorruption) {
  Values values = RandomValues(TypeParam::kType, TypeParam::kLength, 10, Shape::kRandom, 5);
  ByteBuffer encoded = EncodeValues(Encoding::kPlain, values);
  auto decoder = MakeDecoder(Encoding::kPlain, TypeParam::kType, TypeParam::kLength);
  ASSERT_TRUE((*decoder)->SetData(encoded, 10).ok());
  ByteBuffer out(16 * 11);
  ByteArrayVector arrays;
  Status status = TypeParam::kType == Type::kByteArray ? (*decoder)->DecodeByteArray(11, &arrays)
                                                       : (*decoder)->DecodeFixed(11, out.data());
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
}

TYPED_TEST(PlainEncoding, DecoderIsReusedAcrossPages) {
  auto decoder = MakeDecoder(Encoding::kPlain, TypeParam::kType, TypeParam::kLength);
  ASSERT_TRUE(decoder.ok());
  for (uint64_t page = 0; page < 3; ++page) {
    Values values =
        RandomValues(TypeParam::kType, TypeParam::kLength, 100 + page, Shape::kRandom, page);
    ByteBuffer encoded = EncodeValues(Encoding::kPlain, values);
    Values decoded;
    ASSERT_TRUE(
        DecodeWith(decoder->get(), values.type, values.type_length, encoded, values.count, &decoded)
            .ok());
    ExpectSameValues(values, decoded);
  }
}

TEST(PlainEncodingKnownBytes, Int32IsLittleEndian) {
  Values values = FixedFromBytes(Type::kInt32, 0, {0x01, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF});
  EXPECT_EQ(EncodeValues(Encoding::kPlain, values), values.fixed);
  int32_t decoded[2];
  auto decoder = MakeDecoder(Encoding::kPlain, Type::kInt32, 0);
  ASSERT_TRUE((*decoder)->SetData(values.fixed, 2).ok());
  ASSERT_TRUE((*decoder)->DecodeFixed(2, reinterpret_cast<uint8_t*>(decoded)).ok());
  EXPECT_EQ(decoded[0], 1);
  EXPECT_EQ(decoded[1], -1);
}

TEST(PlainEncodingKnownBytes, BooleanIsBitPackedLsbFirst) {
  Values values = FixedFromBytes(Type::kBoolean, 0, {1, 0, 1, 1, 0, 0, 0, 0, 1});
  EXPECT_EQ(EncodeValues(Encoding::kPlain, values), (ByteBuffer{0x0D, 0x01}));
  Values decoded;
  ASSERT_TRUE(
      DecodeValues(Encoding::kPlain, Type::kBoolean, 0, ByteBuffer{0x0D, 0x01}, 9, &decoded).ok());
  ExpectSameValues(values, decoded);
}

TEST(PlainEncodingKnownBytes, ByteArrayHasLengthPrefix) {
  Values values = StringsToValues({"ab", ""});
  ByteBuffer expected = {2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0};
  EXPECT_EQ(EncodeValues(Encoding::kPlain, values), expected);
  Values decoded;
  ASSERT_TRUE(DecodeValues(Encoding::kPlain, Type::kByteArray, 0, expected, 2, &decoded).ok());
  ExpectSameValues(values, decoded);
}

TEST(PlainEncodingEdgeCases, BooleanUnalignedBatchesDecode) {
  Values values = RandomValues(Type::kBoolean, 0, 1000, Shape::kRandom, 9);
  ByteBuffer encoded = EncodeValues(Encoding::kPlain, values);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Values decoded;
    ASSERT_TRUE(
        DecodeValues(Encoding::kPlain, Type::kBoolean, 0, encoded, 1000, &decoded, seed).ok());
    ExpectSameValues(values, decoded);
  }
}

TEST(PlainEncodingEdgeCases, NanAndNegativeZeroAreBitExact) {
  const uint64_t doubles[] = {0x8000000000000000ull,   // -0.0
                              0x7FF8000000000000ull,   // quiet NaN
                              0x7FF0000000000001ull,   // signaling NaN with payload
                              0xFFF8DEADBEEF0001ull,   // negative NaN with payload
                              0x7FF0000000000000ull,   // +inf
                              0x0000000000000001ull};  // smallest subnormal
  Values d = MakeValues(Type::kDouble, 0);
  d.count = 6;
  d.fixed.resize(sizeof(doubles));
  std::memcpy(d.fixed.data(), doubles, sizeof(doubles));
  ExpectRoundTrip(Encoding::kPlain, d);
  EXPECT_EQ(EncodeValues(Encoding::kPlain, d), d.fixed);

  const uint32_t floats[] = {0x80000000u, 0x7FC00000u, 0x7F800001u, 0xFFC12345u};
  Values f = MakeValues(Type::kFloat, 0);
  f.count = 4;
  f.fixed.resize(sizeof(floats));
  std::memcpy(f.fixed.data(), floats, sizeof(floats));
  ExpectRoundTrip(Encoding::kPlain, f);
}

TEST(PlainEncodingEdgeCases, EmptyAndLongStringsRoundTrip) {
  ExpectRoundTrip(Encoding::kPlain, StringsToValues({"", std::string(10000, 'x'), "", "",
                                                     std::string(10000, '\0'), "tail"}));
}

TEST(PlainEncodingEdgeCases, ByteArrayLengthPastEndIsCorruption) {
  ByteBuffer data = {5, 0, 0, 0, 'a', 'b'};
  Values decoded;
  Status status = DecodeValues(Encoding::kPlain, Type::kByteArray, 0, data, 1, &decoded);
  ASSERT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("has length 5 but 2 bytes remain"), std::string::npos)
      << status.message();
  // A negative int32 length is a huge uint32 one.
  ByteBuffer negative = {0xFF, 0xFF, 0xFF, 0xFF, 'a'};
  EXPECT_TRUE(
      DecodeValues(Encoding::kPlain, Type::kByteArray, 0, negative, 1, &decoded).IsCorruption());
}

TEST(PlainEncodingEdgeCases, WrongDecodeMethodIsInvalidArgument) {
  auto fixed = MakeDecoder(Encoding::kPlain, Type::kInt32, 0);
  ByteArrayVector arrays;
  EXPECT_TRUE((*fixed)->DecodeByteArray(1, &arrays).IsInvalidArgument());
  auto arrays_decoder = MakeDecoder(Encoding::kPlain, Type::kByteArray, 0);
  uint8_t out[8];
  EXPECT_TRUE((*arrays_decoder)->DecodeFixed(1, out).IsInvalidArgument());
}

TEST(PlainEncodingEdgeCases, ShortPageMessageNamesTypeAndSizes) {
  auto decoder = MakeDecoder(Encoding::kPlain, Type::kDouble, 0);
  ByteBuffer data(20);
  Status status = (*decoder)->SetData(data, 3);
  ASSERT_TRUE(status.IsCorruption());
  EXPECT_EQ(status.message(), "PLAIN: page has 20 bytes, too few for 3 DOUBLE values of 8 bytes");
}

TEST(PlainEncodingEdgeCases, EncoderFinishResetsAndAppends) {
  auto encoder = MakeEncoder(Encoding::kPlain, Type::kBoolean, 0);
  uint8_t bits[3] = {1, 1, 0};
  (*encoder)->PutFixed(bits, 3);
  ByteBuffer out = {0xAA};
  (*encoder)->Finish(&out);
  (*encoder)->PutFixed(bits + 2, 1);
  (*encoder)->Finish(&out);
  EXPECT_EQ(out, (ByteBuffer{0xAA, 0x03, 0x00}));
}

}  // namespace
}  // namespace featmerge::parquet

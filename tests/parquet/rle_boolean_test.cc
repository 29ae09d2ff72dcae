// RLE encoding of BOOLEAN data page values (4-byte length prefix + hybrid, bit width 1).
#include <gtest/gtest.h>

#include "parquet/encoding/encoding.h"
#include "parquet/encoding_test_util.h"

namespace featmerge::parquet {
namespace {

using namespace featmerge::parquet::testing;  // NOLINT: test helpers

TEST(RleBooleanEncoding, RandomValuesRoundTrip) {
  for (Shape shape : {Shape::kRandom, Shape::kRuns}) {
    for (int64_t n : {1, 7, 8, 9, 100, 1000, 65537}) {
      ExpectRoundTrip(Encoding::kRle, RandomValues(Type::kBoolean, 0, n, shape, n));
    }
  }
}

TEST(RleBooleanEncoding, KnownBytes) {
  Values ones = FixedFromBytes(Type::kBoolean, 0, std::vector<uint8_t>(10, 1));
  ByteBuffer expected_ones = {0x02, 0, 0, 0, 0x14, 0x01};
  EXPECT_EQ(EncodeValues(Encoding::kRle, ones), expected_ones);
  Values alternating = FixedFromBytes(Type::kBoolean, 0, {1, 0, 1, 0, 1, 0, 1, 0});
  ByteBuffer expected_alternating = {0x02, 0, 0, 0, 0x03, 0x55};
  EXPECT_EQ(EncodeValues(Encoding::kRle, alternating), expected_alternating);
  Values decoded;
  ASSERT_TRUE(
      DecodeValues(Encoding::kRle, Type::kBoolean, 0, expected_alternating, 8, &decoded).ok());
  ExpectSameValues(alternating, decoded);
}

TEST(RleBooleanEncoding, EmptyPageRoundTrips) {
  Values empty = RandomValues(Type::kBoolean, 0, 0, Shape::kRandom, 1);
  EXPECT_EQ(EncodeValues(Encoding::kRle, empty), (ByteBuffer{0, 0, 0, 0}));
  ExpectRoundTrip(Encoding::kRle, empty);
  Values decoded;
  EXPECT_TRUE(DecodeValues(Encoding::kRle, Type::kBoolean, 0, ByteView(), 0, &decoded).ok());
}

TEST(RleBooleanEncoding, TruncatedAtEveryLengthIsCorruption) {
  for (Shape shape : {Shape::kRandom, Shape::kRuns}) {
    Values values = RandomValues(Type::kBoolean, 0, 300, shape, 2);
    ExpectEveryTruncationIsCorruption(Encoding::kRle, values, EncodeValues(Encoding::kRle, values));
  }
}

TEST(RleBooleanEncoding, LengthPrefixPastEndIsCorruption) {
  ByteBuffer data = {0x10, 0, 0, 0, 0x14, 0x01};
  Values decoded;
  Status status = DecodeValues(Encoding::kRle, Type::kBoolean, 0, data, 10, &decoded);
  ASSERT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("length prefix says 16 bytes but 2 follow"), std::string::npos)
      << status.message();
}

TEST(RleBooleanEncoding, FewerValuesThanPageCountIsCorruption) {
  ByteBuffer data = {0x02, 0, 0, 0, 0x14, 0x01};  // 10 values
  Values decoded;
  Status status = DecodeValues(Encoding::kRle, Type::kBoolean, 0, data, 11, &decoded);
  ASSERT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("RLE BOOLEAN values"), std::string::npos) << status.message();
}

TEST(RleBooleanEncoding, HugeRepeatCountDecodesOnlyPageValues) {
  // One RLE run claiming 2^31 - 1 values; the page has 5.
  ByteBuffer data = {0x06, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01};
  Values decoded;
  ASSERT_TRUE(DecodeValues(Encoding::kRle, Type::kBoolean, 0, data, 5, &decoded).ok());
  EXPECT_EQ(decoded.fixed, std::vector<uint8_t>(5, 1));
}

TEST(RleBooleanEncoding, ValueAboveOneIsCorruption) {
  ByteBuffer data = {0x02, 0, 0, 0, 0x14, 0x02};  // RLE run of value 2 at bit width 1
  Values decoded;
  EXPECT_TRUE(DecodeValues(Encoding::kRle, Type::kBoolean, 0, data, 10, &decoded).IsCorruption());
}

}  // namespace
}  // namespace featmerge::parquet

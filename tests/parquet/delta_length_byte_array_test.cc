#include "parquet/encoding/delta_length_byte_array.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parquet/encoding/delta_binary_packed.h"
#include "parquet/encoding/encoding.h"
#include "parquet/encoding_test_util.h"

namespace featmerge::parquet {
namespace {

using namespace featmerge::parquet::testing;  // NOLINT: test helpers

constexpr Encoding kDlba = Encoding::kDeltaLengthByteArray;

// A page with the given lengths (any values, even negative) followed by `bytes`.
ByteBuffer PageWithLengths(const std::vector<int32_t>& lengths, const std::string& bytes) {
  DeltaBitPackWriter<int32_t> writer;
  writer.Put(lengths.data(), static_cast<int64_t>(lengths.size()));
  ByteBuffer out;
  writer.Finish(&out);
  AppendBytes(&out, AsBytes(bytes));
  return out;
}

TEST(DeltaLengthByteArray, RandomValuesRoundTrip) {
  for (Shape shape : {Shape::kRandom, Shape::kSmallRange, Shape::kRuns, Shape::kSorted}) {
    for (int64_t n : {1, 2, 33, 128, 129, 1000, 5000}) {
      ExpectRoundTrip(kDlba, RandomValues(Type::kByteArray, 0, n, shape, n));
    }
  }
}

// Encodings.md example: "Hello", "World", "Foobar", "ABCDEF" are the lengths 5 5 6 6
// DELTA_BINARY_PACKED (first 5, deltas 0 1 0 in 1 bit) then "HelloWorldFoobarABCDEF".
TEST(DeltaLengthByteArray, SpecExampleKnownBytes) {
  ByteBuffer expected = {0x80, 0x01, 0x04, 0x04, 0x0A,  // block 128, 4 miniblocks, 4 values, 5
                         0x00,                          // min delta 0
                         0x01, 0x00, 0x00, 0x00,        // widths
                         0x02, 0x00, 0x00, 0x00};       // deltas 0 1 0, padded to 32 bits
  AppendBytes(&expected, AsBytes("HelloWorldFoobarABCDEF"));
  Values values = StringsToValues({"Hello", "World", "Foobar", "ABCDEF"});
  EXPECT_EQ(EncodeValues(kDlba, values), expected);
  Values decoded;
  ASSERT_TRUE(DecodeValues(kDlba, Type::kByteArray, 0, expected, 4, &decoded).ok());
  ExpectSameValues(values, decoded);
}

TEST(DeltaLengthByteArray, EmptyAndLongStringsRoundTrip) {
  ExpectRoundTrip(kDlba, StringsToValues({"", "", std::string(10000, 'q'), "", "x",
                                          std::string(10000, '\xFF'), ""}));
  ExpectRoundTrip(kDlba, StringsToValues(std::vector<std::string>(1000, "")));
}

TEST(DeltaLengthByteArray, EmptyPageRoundTrips) {
  ExpectRoundTrip(kDlba, StringsToValues({}));
  Values decoded;
  EXPECT_TRUE(DecodeValues(kDlba, Type::kByteArray, 0, ByteView(), 0, &decoded).ok());
}

TEST(DeltaLengthByteArray, NegativeLengthIsCorruption) {
  ByteBuffer page = PageWithLengths({3, -1, 2}, "abcde");
  Values decoded;
  Status status = DecodeValues(kDlba, Type::kByteArray, 0, page, 3, &decoded);
  ASSERT_TRUE(status.IsCorruption());
  EXPECT_EQ(status.message(), "DELTA_LENGTH_BYTE_ARRAY: value 1 has negative length -1");
}

TEST(DeltaLengthByteArray, LengthsPastEndAreCorruption) {
  ByteBuffer page = PageWithLengths({3, 4}, "abcdef");
  Values decoded;
  Status status = DecodeValues(kDlba, Type::kByteArray, 0, page, 2, &decoded);
  ASSERT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("add up to 7 bytes but 6 follow"), std::string::npos)
      << status.message();
  // Lengths near INT32_MAX must not wrap the sum.
  ByteBuffer huge = PageWithLengths({0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF}, "abc");
  EXPECT_TRUE(DecodeValues(kDlba, Type::kByteArray, 0, huge, 3, &decoded).IsCorruption());
}

TEST(DeltaLengthByteArray, TrailingBytesAreIgnored) {
  ByteBuffer page = PageWithLengths({1, 2}, "abcXYZ");
  Values decoded;
  ASSERT_TRUE(DecodeValues(kDlba, Type::kByteArray, 0, page, 2, &decoded).ok());
  ExpectSameValues(StringsToValues({"a", "bc"}), decoded);
}

TEST(DeltaLengthByteArray, TruncatedAtEveryLengthIsCorruption) {
  // Non-empty strings at the end: cutting anywhere loses bytes some value needs.
  Values values = RandomValues(Type::kByteArray, 0, 150, Shape::kRandom, 9);
  values.arrays.Append(AsBytes("end"));
  ++values.count;
  ExpectEveryTruncationIsCorruption(kDlba, values, EncodeValues(kDlba, values));
}

TEST(DeltaLengthByteArray, HostileCountIsCorruption) {
  ByteBuffer page = PageWithLengths({1, 2}, "abc");
  Values decoded;
  EXPECT_TRUE(
      DecodeValues(kDlba, Type::kByteArray, 0, page, int64_t{1} << 40, &decoded).IsCorruption());
}

TEST(DeltaLengthByteArray, WrongDecodeMethodIsInvalidArgument) {
  auto decoder = MakeDecoder(kDlba, Type::kByteArray, 0);
  uint8_t out[4];
  EXPECT_TRUE((*decoder)->DecodeFixed(1, out).IsInvalidArgument());
}

TEST(DeltaLengthByteArray, DecoderIsReusedAcrossPages) {
  auto decoder = MakeDecoder(kDlba, Type::kByteArray, 0);
  for (uint64_t page = 0; page < 3; ++page) {
    Values values = RandomValues(Type::kByteArray, 0, 200 + page, Shape::kRandom, page);
    ByteBuffer encoded = EncodeValues(kDlba, values);
    Values decoded;
    ASSERT_TRUE(
        DecodeWith(decoder->get(), Type::kByteArray, 0, encoded, values.count, &decoded).ok());
    ExpectSameValues(values, decoded);
  }
}

}  // namespace
}  // namespace featmerge::parquet

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parquet/encoding/delta_binary_packed.h"
#include "parquet/encoding/delta_length_byte_array.h"
#include "parquet/encoding/encoding.h"
#include "parquet/encoding_test_util.h"

namespace featmerge::parquet {
namespace {

using namespace featmerge::parquet::testing;  // NOLINT: test helpers

constexpr Encoding kDba = Encoding::kDeltaByteArray;

// A page from explicit prefix lengths and suffixes (which need not be consistent).
ByteBuffer PageWith(const std::vector<int32_t>& prefixes,
                    const std::vector<std::string>& suffixes) {
  DeltaBitPackWriter<int32_t> prefix_writer;
  prefix_writer.Put(prefixes.data(), static_cast<int64_t>(prefixes.size()));
  DeltaLengthWriter suffix_writer;
  for (const std::string& suffix : suffixes) suffix_writer.Put(AsBytes(suffix));
  ByteBuffer out;
  prefix_writer.Finish(&out);
  suffix_writer.Finish(&out);
  return out;
}

template <typename P>
class DeltaByteArray : public ::testing::Test {};
using ArrayTypes = ::testing::Types<ByteArrayType, Flba3Type, Flba16Type>;
TYPED_TEST_SUITE(DeltaByteArray, ArrayTypes);

TYPED_TEST(DeltaByteArray, RandomValuesRoundTrip) {
  for (Shape shape : {Shape::kRandom, Shape::kSmallRange, Shape::kRuns, Shape::kSorted}) {
    for (int64_t n : {1, 2, 33, 129, 1000, 4000}) {
      ExpectRoundTrip(kDba, RandomValues(TypeParam::kType, TypeParam::kLength, n, shape, n));
    }
  }
}

TYPED_TEST(DeltaByteArray, EmptyPageRoundTrips) {
  ExpectRoundTrip(kDba, RandomValues(TypeParam::kType, TypeParam::kLength, 0, Shape::kRandom, 1));
  Values decoded;
  EXPECT_TRUE(
      DecodeValues(kDba, TypeParam::kType, TypeParam::kLength, ByteView(), 0, &decoded).ok());
}

TYPED_TEST(DeltaByteArray, TruncatedAtEveryLengthIsCorruption) {
  for (Shape shape : {Shape::kRandom, Shape::kRuns}) {
    Values values = RandomValues(TypeParam::kType, TypeParam::kLength, 100, shape, 3);
    // A last value with a suffix: every cut then loses bytes some value needs.
    if (TypeParam::kType == Type::kByteArray) {
      values.arrays.Append(AsBytes("a completely new suffix"));
    } else {
      values.fixed.insert(values.fixed.end(), TypeParam::kLength, 0xEE);
    }
    ++values.count;
    ExpectEveryTruncationIsCorruption(kDba, values, EncodeValues(kDba, values));
  }
}

TYPED_TEST(DeltaByteArray, DecoderIsReusedAcrossPages) {
  auto decoder = MakeDecoder(kDba, TypeParam::kType, TypeParam::kLength);
  ASSERT_TRUE(decoder.ok());
  for (uint64_t page = 0; page < 4; ++page) {
    Values values =
        RandomValues(TypeParam::kType, TypeParam::kLength, 300 + page, Shape::kSorted, page);
    ByteBuffer encoded = EncodeValues(kDba, values);
    Values decoded;
    ASSERT_TRUE(DecodeWith(decoder->get(), values.type, values.type_length, encoded, values.count,
                           &decoded, page)
                    .ok());
    ExpectSameValues(values, decoded);
  }
}

// Encodings.md example: "axis", "axle", "babble", "babyhood" are the prefix lengths 0 2 0 3
// and the suffixes "axis", "le", "babble", "yhood".
TEST(DeltaByteArrayKnownBytes, SpecExample) {
  ByteBuffer expected = {
      // prefix lengths: block 128, 4 miniblocks, 4 values, first 0; min delta -2; width 3;
      // adjusted deltas 4 0 5 in 3 bits each, padded to 32 values.
      0x80, 0x01, 0x04, 0x04, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00,  //
      0x44, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      // suffix lengths 4 2 6 5: first 4; min delta -2; width 3; adjusted 0 6 1.
      0x80, 0x01, 0x04, 0x04, 0x08, 0x03, 0x03, 0x00, 0x00, 0x00,  //
      0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  AppendBytes(&expected, AsBytes("axislebabbleyhood"));
  Values values = StringsToValues({"axis", "axle", "babble", "babyhood"});
  EXPECT_EQ(EncodeValues(kDba, values), expected);
  Values decoded;
  ASSERT_TRUE(DecodeValues(kDba, Type::kByteArray, 0, expected, 4, &decoded).ok());
  ExpectSameValues(values, decoded);
}

TEST(DeltaByteArrayEdgeCases, EmptyAndLongStringsRoundTrip) {
  std::vector<std::string> strings = {"",
                                      "",
                                      std::string(10000, 'a'),
                                      std::string(10000, 'a') + "b",
                                      std::string(9999, 'a'),
                                      "",
                                      std::string(10000, 'z'),
                                      ""};
  ExpectRoundTrip(kDba, StringsToValues(strings));
}

TEST(DeltaByteArrayEdgeCases, PrefixLongerThanPreviousIsCorruption) {
  ByteBuffer page = PageWith({0, 5}, {"ab", "c"});
  Values decoded;
  Status status = DecodeValues(kDba, Type::kByteArray, 0, page, 2, &decoded);
  ASSERT_TRUE(status.IsCorruption());
  EXPECT_EQ(status.message(),
            "DELTA_BYTE_ARRAY: value 1 has prefix length 5 but the previous value has 2 bytes");
}

TEST(DeltaByteArrayEdgeCases, FirstValueWithPrefixIsCorruption) {
  Values decoded;
  EXPECT_TRUE(
      DecodeValues(kDba, Type::kByteArray, 0, PageWith({1}, {"x"}), 1, &decoded).IsCorruption());
}

TEST(DeltaByteArrayEdgeCases, NegativePrefixIsCorruption) {
  Values decoded;
  EXPECT_TRUE(DecodeValues(kDba, Type::kByteArray, 0, PageWith({0, -1}, {"ab", "c"}), 2, &decoded)
                  .IsCorruption());
}

TEST(DeltaByteArrayEdgeCases, FixedLenValueOfWrongLengthIsCorruption) {
  ByteBuffer page = PageWith({0, 2}, {"abc", "de"});  // second value is 4 bytes
  Values decoded;
  Status status = DecodeValues(kDba, Type::kFixedLenByteArray, 3, page, 2, &decoded);
  ASSERT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("value 1 has 4 bytes but FIXED_LEN_BYTE_ARRAY(3) needs 3"),
            std::string::npos)
      << status.message();
}

TEST(DeltaByteArrayEdgeCases, SuffixCountMismatchIsCorruptionAndLeavesNoValues) {
  // Three prefix lengths, two suffixes.
  DeltaBitPackWriter<int32_t> prefix_writer;
  const int32_t prefixes[] = {0, 1, 1};
  prefix_writer.Put(prefixes, 3);
  DeltaLengthWriter suffix_writer;
  suffix_writer.Put(AsBytes("ab"));
  suffix_writer.Put(AsBytes("c"));
  ByteBuffer page;
  prefix_writer.Finish(&page);
  suffix_writer.Finish(&page);
  auto decoder = MakeDecoder(kDba, Type::kByteArray, 0);
  EXPECT_TRUE((*decoder)->SetData(page, 3).IsCorruption());
  ByteArrayVector out;
  EXPECT_TRUE((*decoder)->DecodeByteArray(1, &out).IsCorruption());
}

TEST(DeltaByteArrayEdgeCases, WrongDecodeMethodIsInvalidArgument) {
  auto arrays = MakeDecoder(kDba, Type::kByteArray, 0);
  uint8_t out[4];
  EXPECT_TRUE((*arrays)->DecodeFixed(1, out).IsInvalidArgument());
  auto fixed = MakeDecoder(kDba, Type::kFixedLenByteArray, 4);
  ByteArrayVector vector;
  EXPECT_TRUE((*fixed)->DecodeByteArray(1, &vector).IsInvalidArgument());
}

}  // namespace
}  // namespace featmerge::parquet

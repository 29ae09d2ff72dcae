// MakeDecoder / MakeEncoder: which encodings apply to which types, and every applicable pair
// through the common interface (round trip, truncation, garbage).
#include "parquet/encoding/encoding.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "parquet/encoding_test_util.h"

namespace featmerge::parquet {
namespace {

using namespace featmerge::parquet::testing;  // NOLINT: test helpers

const Encoding kAllEncodings[] = {
    Encoding::kPlain,          Encoding::kPlainDictionary,   Encoding::kRle,
    Encoding::kBitPacked,      Encoding::kDeltaBinaryPacked, Encoding::kDeltaLengthByteArray,
    Encoding::kDeltaByteArray, Encoding::kRleDictionary,     Encoding::kByteStreamSplit};
const Type kAllTypes[] = {
    Type::kBoolean, Type::kInt32,  Type::kInt64,     Type::kInt96,
    Type::kFloat,   Type::kDouble, Type::kByteArray, Type::kFixedLenByteArray};

bool ExpectedToApply(Encoding encoding, Type type) {
  switch (encoding) {
    case Encoding::kPlain:
      return true;
    case Encoding::kRle:
      return type == Type::kBoolean;
    case Encoding::kDeltaBinaryPacked:
      return type == Type::kInt32 || type == Type::kInt64;
    case Encoding::kDeltaLengthByteArray:
      return type == Type::kByteArray;
    case Encoding::kDeltaByteArray:
      return type == Type::kByteArray || type == Type::kFixedLenByteArray;
    case Encoding::kByteStreamSplit:
      return type != Type::kBoolean && type != Type::kInt96 && type != Type::kByteArray;
    default:
      return false;
  }
}

TEST(MakeDecoder, ApplicabilityMatrix) {
  for (Encoding encoding : kAllEncodings) {
    for (Type type : kAllTypes) {
      auto decoder = MakeDecoder(encoding, type, 5);
      auto encoder = MakeEncoder(encoding, type, 5);
      const bool applies = ExpectedToApply(encoding, type);
      EXPECT_EQ(decoder.ok(), applies) << EncodingName(encoding) << " " << TypeName(type);
      EXPECT_EQ(encoder.ok(), applies) << EncodingName(encoding) << " " << TypeName(type);
      if (!applies) {
        EXPECT_TRUE(decoder.status().IsNotSupported());
        EXPECT_NE(decoder.status().message().find(EncodingName(encoding)), std::string::npos)
            << decoder.status().message();
      }
    }
  }
}

TEST(MakeDecoder, InapplicableMessageNamesEncodingAndType) {
  auto decoder = MakeDecoder(Encoding::kDeltaBinaryPacked, Type::kDouble, 0);
  EXPECT_EQ(decoder.status().message(), "DELTA_BINARY_PACKED does not apply to DOUBLE values");
}

TEST(MakeDecoder, NonPositiveFixedLengthIsCorruption) {
  EXPECT_TRUE(MakeDecoder(Encoding::kPlain, Type::kFixedLenByteArray, 0).status().IsCorruption());
  EXPECT_TRUE(MakeEncoder(Encoding::kByteStreamSplit, Type::kFixedLenByteArray, -3)
                  .status()
                  .IsCorruption());
}

TEST(MakeDecoder, UnknownEncodingOrTypeIsNotSupported) {
  EXPECT_TRUE(MakeDecoder(static_cast<Encoding>(1), Type::kInt32, 0).status().IsNotSupported());
  EXPECT_TRUE(MakeDecoder(static_cast<Encoding>(42), Type::kInt32, 0).status().IsNotSupported());
  EXPECT_TRUE(MakeDecoder(Encoding::kPlain, static_cast<Type>(9), 0).status().IsNotSupported());
}

struct Pair {
  Encoding encoding;
  Type type;
  int type_length;
};

std::vector<Pair> ApplicablePairs() {
  std::vector<Pair> pairs;
  for (Encoding encoding : kAllEncodings) {
    for (Type type : kAllTypes) {
      if (!ExpectedToApply(encoding, type)) continue;
      pairs.push_back({encoding, type, type == Type::kFixedLenByteArray ? 5 : 0});
    }
  }
  return pairs;
}

class EveryEncoding : public ::testing::TestWithParam<Pair> {};

INSTANTIATE_TEST_SUITE_P(Pairs, EveryEncoding, ::testing::ValuesIn(ApplicablePairs()),
                         [](const ::testing::TestParamInfo<Pair>& info) {
                           return std::string(EncodingName(info.param.encoding)) + "_" +
                                  TypeName(info.param.type);
                         });

TEST_P(EveryEncoding, RandomValuesRoundTrip) {
  const Pair pair = GetParam();
  for (Shape shape : {Shape::kRandom, Shape::kSmallRange, Shape::kRuns, Shape::kSorted}) {
    for (int64_t n : {0, 1, 9, 200, 3001}) {
      ExpectRoundTrip(pair.encoding,
                      RandomValues(pair.type, pair.type_length, n, shape, n * 13 + 1));
    }
  }
}

TEST_P(EveryEncoding, TruncatedAtEveryLengthIsCorruptionOrExact) {
  // Some layouts tolerate a cut into padding (the last DELTA miniblock); a cut must then still
  // yield exactly the original values. Anything else is Corruption.
  const Pair pair = GetParam();
  Values values = RandomValues(pair.type, pair.type_length, 150, Shape::kRandom, 77);
  ByteBuffer encoded = EncodeValues(pair.encoding, values);
  for (size_t length = 0; length < encoded.size(); ++length) {
    std::vector<uint8_t> truncated(encoded.begin(), encoded.begin() + length);
    Values decoded;
    Status status =
        DecodeValues(pair.encoding, pair.type, pair.type_length,
                     ByteView(truncated.data(), truncated.size()), values.count, &decoded);
    if (status.ok()) {
      ExpectSameValues(values, decoded);
    } else {
      ASSERT_TRUE(status.IsCorruption()) << length << ": " << status.ToString();
    }
  }
}

TEST_P(EveryEncoding, RandomGarbageNeverCrashes) {
  // Decoded under AddressSanitizer/UBSan: any outcome but a crash, an overread or a
  // non-Corruption error is a bug.
  const Pair pair = GetParam();
  std::mt19937_64 rng(static_cast<uint64_t>(pair.encoding) * 100 +
                      static_cast<uint64_t>(pair.type));
  for (int iteration = 0; iteration < 2000; ++iteration) {
    std::vector<uint8_t> garbage(rng() % 64);
    for (uint8_t& byte : garbage) byte = static_cast<uint8_t>(rng());
    if (!garbage.empty() && rng() % 2) garbage[0] = 0x80;  // plausible DELTA block size 128
    if (garbage.size() > 1 && rng() % 2) garbage[1] = 0x01;
    const int64_t n = static_cast<int64_t>(rng() % 40);
    Values decoded;
    Status status = DecodeValues(pair.encoding, pair.type, pair.type_length,
                                 ByteView(garbage.data(), garbage.size()), n, &decoded, rng());
    ASSERT_TRUE(status.ok() || status.IsCorruption()) << status.ToString();
  }
}

TEST_P(EveryEncoding, RejectedPageLeavesNoValues) {
  // After a failed SetData the previous page's buffer may be gone: nothing of it may be read.
  const Pair pair = GetParam();
  auto decoder = MakeDecoder(pair.encoding, pair.type, pair.type_length);
  ASSERT_TRUE(decoder.ok());
  Values values = RandomValues(pair.type, pair.type_length, 100, Shape::kRandom, 5);
  ByteBuffer good = EncodeValues(pair.encoding, values);
  ASSERT_TRUE((*decoder)->SetData(good, 100).ok());
  const ByteBuffer bad = {0x80};
  ASSERT_TRUE((*decoder)->SetData(bad, 100).IsCorruption());
  ByteBuffer out(64);
  ByteArrayVector arrays;
  Status status = pair.type == Type::kByteArray ? (*decoder)->DecodeByteArray(1, &arrays)
                                                : (*decoder)->DecodeFixed(1, out.data());
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
}

TEST_P(EveryEncoding, EncoderReusedAcrossPagesMatchesFreshEncoder) {
  const Pair pair = GetParam();
  auto reused = MakeEncoder(pair.encoding, pair.type, pair.type_length);
  ASSERT_TRUE(reused.ok());
  for (uint64_t page = 0; page < 3; ++page) {
    Values values = RandomValues(pair.type, pair.type_length, 100 + page, Shape::kRuns, page);
    PutValues(reused->get(), values, 0, values.count);
    EXPECT_GT((*reused)->EstimatedSize(), 0);
    ByteBuffer out;
    (*reused)->Finish(&out);
    EXPECT_EQ(out, EncodeValues(pair.encoding, values)) << page;
  }
}

}  // namespace
}  // namespace featmerge::parquet

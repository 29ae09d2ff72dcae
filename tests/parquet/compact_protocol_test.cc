#include "parquet/format/compact_protocol.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace featmerge::parquet::format {
namespace {

ByteBuffer Bytes(std::initializer_list<int> values) {
  ByteBuffer out;
  for (int v : values) out.push_back(static_cast<uint8_t>(v));
  return out;
}

void AppendVarint(ByteBuffer* out, uint64_t value) {
  CompactWriter w(out);
  w.WriteVarint(value);
}

// Reads a whole struct at the start of `bytes` skipping every field; returns the reader's status
// and sets *consumed.
Status SkipStruct(const ByteBuffer& bytes, size_t* consumed = nullptr) {
  CompactReader r(bytes, "Test");
  r.Skip(CType::kStruct);
  if (consumed != nullptr) *consumed = r.position();
  return r.status();
}

TEST(ZigZag, KnownValuesMatchTheSpec) {
  EXPECT_EQ(ZigZagEncode(0), 0u);
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  EXPECT_EQ(ZigZagEncode(-2), 3u);
  EXPECT_EQ(ZigZagEncode(std::numeric_limits<int64_t>::max()), UINT64_MAX - 1);
  EXPECT_EQ(ZigZagEncode(std::numeric_limits<int64_t>::min()), UINT64_MAX);
  EXPECT_EQ(ZigZagDecode(UINT64_MAX), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ZigZagDecode(UINT64_MAX - 1), std::numeric_limits<int64_t>::max());
}

TEST(CompactWriter, VarintMatchesSpecExample) {
  ByteBuffer out;
  AppendVarint(&out, 50399);
  EXPECT_EQ(out, Bytes({0xdf, 0x89, 0x03}));
}

TEST(CompactReader, I64EdgeValuesRoundTrip) {
  const std::vector<int64_t> values = {0,
                                       1,
                                       -1,
                                       63,
                                       -64,
                                       64,
                                       -65,
                                       std::numeric_limits<int32_t>::max(),
                                       std::numeric_limits<int32_t>::min(),
                                       int64_t{1} << 62,
                                       std::numeric_limits<int64_t>::max(),
                                       std::numeric_limits<int64_t>::min()};
  ByteBuffer out;
  CompactWriter w(&out);
  for (int64_t v : values) w.WriteI64(v);
  CompactReader r(out, "Test");
  for (int64_t v : values) EXPECT_EQ(r.ReadI64(), v);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CompactReader, Int64MinAndMaxUseTenBytes) {
  ByteBuffer out;
  CompactWriter w(&out);
  w.WriteI64(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(out.size(), 10u);
  EXPECT_EQ(out.back(), 0x01);
}

TEST(CompactReader, I32AndI16EdgeValuesRoundTrip) {
  ByteBuffer out;
  CompactWriter w(&out);
  w.WriteI32(std::numeric_limits<int32_t>::min());
  w.WriteI32(std::numeric_limits<int32_t>::max());
  w.WriteI32(-1);
  w.WriteI16(std::numeric_limits<int16_t>::min());
  w.WriteI16(std::numeric_limits<int16_t>::max());
  w.WriteI8(-128);
  w.WriteDouble(-0.5);
  CompactReader r(out, "Test");
  EXPECT_EQ(r.ReadI32(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(r.ReadI32(), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(r.ReadI32(), -1);
  EXPECT_EQ(r.ReadI16(), std::numeric_limits<int16_t>::min());
  EXPECT_EQ(r.ReadI16(), std::numeric_limits<int16_t>::max());
  EXPECT_EQ(r.ReadI8(), -128);
  EXPECT_EQ(r.ReadDouble(), -0.5);
  EXPECT_TRUE(r.ok());
}

TEST(CompactReader, I32VarintWiderThan32BitsIsCorruption) {
  ByteBuffer in;
  AppendVarint(&in, uint64_t{1} << 32);
  CompactReader r(in, "Test");
  EXPECT_EQ(r.ReadI32(), 0);
  EXPECT_TRUE(r.status().IsCorruption());
  EXPECT_NE(r.status().message().find("32 bits"), std::string::npos) << r.status().ToString();
}

TEST(CompactReader, I16VarintOutOfRangeIsCorruption) {
  ByteBuffer in;
  AppendVarint(&in, 0x10000);
  CompactReader r(in, "Test");
  EXPECT_EQ(r.ReadI16(), 0);
  EXPECT_TRUE(r.status().IsCorruption());
}

TEST(CompactReader, VarintOverflowingTenthByteIsCorruption) {
  ByteBuffer in(9, 0xff);
  in.push_back(0x02);  // would set bit 64
  CompactReader r(in, "Test");
  r.ReadI64();
  EXPECT_TRUE(r.status().IsCorruption());
  EXPECT_NE(r.status().message().find("varint at byte 0 overflows 64 bits"), std::string::npos)
      << r.status().ToString();
}

TEST(CompactReader, VarintLongerThanTenBytesIsCorruption) {
  ByteBuffer in(11, 0x80);
  in.push_back(0x00);
  CompactReader r(in, "Test");
  r.ReadI64();
  EXPECT_TRUE(r.status().IsCorruption());
}

TEST(CompactReader, NonCanonicalVarintIsAccepted) {
  // 0x80 0x00 is a redundant two-byte zero; Thrift readers accept it.
  ByteBuffer in = Bytes({0x80, 0x00});
  CompactReader r(in, "Test");
  EXPECT_EQ(r.ReadI32(), 0);
  EXPECT_TRUE(r.ok());
}

TEST(CompactReader, TruncatedVarintIsCorruption) {
  ByteBuffer in = Bytes({0xff, 0xff});
  CompactReader r(in, "Test");
  r.ReadI64();
  EXPECT_TRUE(r.status().IsCorruption());
  EXPECT_NE(r.status().message().find("inside the varint at byte 0"), std::string::npos);
}

TEST(CompactReader, ErrorIsStickyAndLaterReadsReturnZeros) {
  ByteBuffer in = Bytes({0xff});  // truncated varint, then nothing
  CompactReader r(in, "Thing");
  r.ReadI64();
  ASSERT_FALSE(r.ok());
  const std::string first = r.status().message();
  EXPECT_EQ(r.ReadI32(), 0);
  EXPECT_EQ(r.ReadBinary(), "");
  EXPECT_EQ(r.ReadDouble(), 0.0);
  EXPECT_FALSE(r.ReadBool());
  EXPECT_EQ(r.ReadListBegin(CType::kI32), 0u);
  FieldHeader f;
  EXPECT_FALSE(r.ReadFieldBegin(&f));
  EXPECT_EQ(r.status().message(), first);
  EXPECT_EQ(first.rfind("invalid Thrift in Thing: ", 0), 0u) << first;
}

TEST(CompactReader, FieldHeadersShortAndLongFormRoundTrip) {
  ByteBuffer out;
  CompactWriter w(&out);
  w.StructBegin();
  w.I32Field(1, 7);       // delta 1
  w.I32Field(16, 8);      // delta 15: still short
  w.I32Field(40, 9);      // delta 24: long form
  w.I64Field(32767, 10);  // largest id
  w.StructEnd();
  EXPECT_EQ(out[0], 0x15);
  EXPECT_EQ(out[2], 0xf5);
  EXPECT_EQ(out[4], 0x05);  // long form: type only, id follows

  CompactReader r(out, "Test");
  r.ReadStructBegin();
  std::vector<std::pair<int16_t, int32_t>> got;
  FieldHeader f;
  while (r.ReadFieldBegin(&f)) got.emplace_back(f.id, static_cast<int32_t>(r.ReadI64()));
  r.ReadStructEnd();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::pair<int16_t, int32_t>> want = {{1, 7}, {16, 8}, {40, 9}, {32767, 10}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CompactReader, NegativeLongFormFieldIdIsReadAndSkippable) {
  ByteBuffer in = Bytes({0x05, 0x05 /* zigzag(-3) */, 0x02, 0x00});
  CompactReader r(in, "Test");
  r.ReadStructBegin();
  FieldHeader f;
  ASSERT_TRUE(r.ReadFieldBegin(&f));
  EXPECT_EQ(f.id, -3);
  EXPECT_EQ(f.type, CType::kI32);
  r.Skip(f.type);
  EXPECT_FALSE(r.ReadFieldBegin(&f));
  EXPECT_TRUE(r.ok());
}

TEST(CompactReader, FieldIdPastI16IsCorruption) {
  ByteBuffer out;
  CompactWriter w(&out);
  w.StructBegin();
  w.BoolField(32767, true);
  out.push_back(0x11);  // delta 1 from 32767
  EXPECT_TRUE(SkipStruct(out).IsCorruption());
}

TEST(CompactReader, BoolFieldsLiveInTheTypeNibble) {
  ByteBuffer out;
  CompactWriter w(&out);
  w.StructBegin();
  w.BoolField(1, true);
  w.BoolField(2, false);
  w.StructEnd();
  EXPECT_EQ(out, Bytes({0x11, 0x12, 0x00}));
  CompactReader r(out, "Test");
  r.ReadStructBegin();
  FieldHeader f;
  ASSERT_TRUE(r.ReadFieldBegin(&f));
  EXPECT_TRUE(r.ReadBool());
  ASSERT_TRUE(r.ReadFieldBegin(&f));
  EXPECT_FALSE(r.ReadBool());
  EXPECT_FALSE(r.ReadFieldBegin(&f));
  EXPECT_TRUE(r.ok());
}

TEST(CompactReader, BoolListElementsAcceptOneTwoAndZero) {
  ByteBuffer in = Bytes({0x41, 0x01, 0x02, 0x00, 0x01});
  CompactReader r(in, "Test");
  ASSERT_EQ(r.ReadListBegin(CType::kBoolTrue), 4u);
  EXPECT_TRUE(r.ReadBool());
  EXPECT_FALSE(r.ReadBool());
  EXPECT_FALSE(r.ReadBool());
  EXPECT_TRUE(r.ReadBool());
  EXPECT_TRUE(r.ok());
}

TEST(CompactReader, BoolListWithSpecElementTypeTwoIsAccepted) {
  ByteBuffer in = Bytes({0x12, 0x01});
  CompactReader r(in, "Test");
  ASSERT_EQ(r.ReadListBegin(CType::kBoolTrue), 1u);
  EXPECT_TRUE(r.ReadBool());
}

TEST(CompactReader, BoolElementOutsideZeroToTwoIsCorruption) {
  ByteBuffer in = Bytes({0x11, 0x07});
  CompactReader r(in, "Test");
  ASSERT_EQ(r.ReadListBegin(CType::kBoolTrue), 1u);
  r.ReadBool();
  EXPECT_TRUE(r.status().IsCorruption());
}

TEST(CompactWriter, BoolListUsesTypeOneAndValuesOneTwo) {
  ByteBuffer out;
  CompactWriter w(&out);
  w.ListBegin(CType::kBoolTrue, 2);
  w.WriteBool(true);
  w.WriteBool(false);
  EXPECT_EQ(out, Bytes({0x21, 0x01, 0x02}));
}

TEST(CompactReader, ListSizesShortAndLongFormRoundTrip) {
  for (uint32_t size : {0u, 1u, 14u, 15u, 16u, 1000u}) {
    ByteBuffer out;
    CompactWriter w(&out);
    w.ListBegin(CType::kI32, size);
    for (uint32_t i = 0; i < size; ++i) w.WriteI32(static_cast<int32_t>(i) - 5);
    EXPECT_EQ(out[0] >> 4, size < 15 ? size : 15u);
    CompactReader r(out, "Test");
    ASSERT_EQ(r.ReadListBegin(CType::kI32), size);
    for (uint32_t i = 0; i < size; ++i) EXPECT_EQ(r.ReadI32(), static_cast<int32_t>(i) - 5);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.remaining(), 0u);
  }
}

TEST(CompactReader, ListLongerThanInputIsCorruption) {
  ByteBuffer in = Bytes({0xfc});  // long-form list of structs
  AppendVarint(&in, 0x7fffffff);
  in.resize(100, 0);
  CompactReader r(in, "FileMetaData");
  EXPECT_EQ(r.ReadListBegin(CType::kStruct), 0u);
  EXPECT_EQ(r.status().message(),
            "invalid Thrift in FileMetaData: list of 2147483647 elements at byte 0 exceeds the 94 "
            "bytes left");
}

TEST(CompactReader, ListSizeAboveInt32MaxIsCorruption) {
  ByteBuffer in = Bytes({0xf5});
  AppendVarint(&in, 4000000000u);
  CompactReader r(in, "Test");
  EXPECT_EQ(r.ReadListBegin(CType::kI32), 0u);
  EXPECT_TRUE(r.status().IsCorruption());
}

TEST(CompactReader, ListOfDoublesNeedsEightBytesPerElement) {
  ByteBuffer in = Bytes({0x27});
  in.resize(1 + 15, 0);  // 15 bytes for 2 doubles
  CompactReader r(in, "Test");
  EXPECT_EQ(r.ReadListBegin(CType::kDouble), 0u);
  EXPECT_TRUE(r.status().IsCorruption());
}

TEST(CompactReader, ListOfWrongElementTypeIsCorruption) {
  ByteBuffer in = Bytes({0x18, 0x00});
  CompactReader r(in, "Test");
  EXPECT_EQ(r.ReadListBegin(CType::kI32), 0u);
  EXPECT_TRUE(r.status().IsCorruption());
}

TEST(CompactReader, EmptyListWithTypeZeroIsAccepted) {
  ByteBuffer in = Bytes({0x00});
  CompactReader r(in, "Test");
  EXPECT_EQ(r.ReadListBegin(CType::kStruct), 0u);
  EXPECT_TRUE(r.ok());
}

TEST(CompactReader, BinaryLongerThanInputIsCorruption) {
  ByteBuffer in;
  AppendVarint(&in, 1000);
  in.push_back('x');
  CompactReader r(in, "Test");
  EXPECT_EQ(r.ReadBinary(), "");
  EXPECT_EQ(r.status().message(),
            "invalid Thrift in Test: binary of 1000 bytes at byte 0 exceeds the 1 bytes left");
}

TEST(CompactReader, BinaryRoundTripsEmbeddedZeros) {
  const std::string value("a\0b\xff", 4);
  ByteBuffer out;
  CompactWriter w(&out);
  w.WriteBinary(value);
  w.WriteBinary("");
  CompactReader r(out, "Test");
  EXPECT_EQ(r.ReadBinary(), value);
  EXPECT_EQ(r.ReadBinary(), "");
  EXPECT_TRUE(r.ok());
}

TEST(CompactReader, InvalidFieldTypeIsCorruption) {
  EXPECT_TRUE(SkipStruct(Bytes({0x1e, 0x00})).IsCorruption());
  EXPECT_TRUE(SkipStruct(Bytes({0x10})).IsCorruption());  // type 0 with a delta is not stop
}

TEST(CompactReader, TruncatedStructIsCorruption) {
  Status status = SkipStruct(Bytes({0x15, 0x02}));
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("input ends at byte 2"), std::string::npos) << status.ToString();
}

// A struct holding one field of every wire type, nested containers included.
ByteBuffer EveryTypeStruct() {
  ByteBuffer out;
  CompactWriter w(&out);
  w.StructBegin();
  w.BoolField(1, true);
  w.BoolField(2, false);
  w.I8Field(3, -7);
  w.I16Field(4, -300);
  w.I32Field(5, 1 << 30);
  w.I64Field(6, std::numeric_limits<int64_t>::min());
  w.FieldBegin(7, CType::kDouble);
  w.WriteDouble(3.25);
  w.BinaryField(8, "hello");
  w.ListField(9, CType::kBoolTrue, 3);  // list<bool>
  w.WriteBool(true);
  w.WriteBool(false);
  w.WriteBool(true);
  w.FieldBegin(10, CType::kSet);  // set<binary>
  w.ListBegin(CType::kBinary, 2);
  w.WriteBinary("a");
  w.WriteBinary("bc");
  w.FieldBegin(11, CType::kMap);  // map<binary, list<i32>>
  w.WriteVarint(2);
  out.push_back(0x89);
  w.WriteBinary("k1");
  w.ListBegin(CType::kI32, 1);
  w.WriteI32(5);
  w.WriteBinary("k2");
  w.ListBegin(CType::kI32, 0);
  w.FieldBegin(12, CType::kMap);  // empty map
  w.WriteVarint(0);
  w.StructField(13);  // struct { struct { list<struct{i32}> } }
  w.StructField(1);
  w.ListField(1, CType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.StructBegin();
    w.I32Field(1, i);
    w.StructEnd();
  }
  w.StructEnd();
  w.StructEnd();
  w.FieldBegin(14, CType::kUuid);
  out.insert(out.end(), 16, 0xab);
  w.ListField(15, CType::kList, 2);  // list<list<double>>
  w.ListBegin(CType::kDouble, 1);
  w.WriteDouble(1.0);
  w.ListBegin(CType::kDouble, 0);
  w.StructEnd();
  return out;
}

TEST(CompactReader, SkipsFieldsOfEveryType) {
  const ByteBuffer bytes = EveryTypeStruct();
  size_t consumed = 0;
  Status status = SkipStruct(bytes, &consumed);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(consumed, bytes.size());
}

TEST(CompactReader, SkippingEveryTypeFailsCleanlyAtEveryTruncation) {
  const ByteBuffer bytes = EveryTypeStruct();
  for (size_t size = 0; size < bytes.size(); ++size) {
    ByteBuffer prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(size));
    EXPECT_TRUE(SkipStruct(prefix).IsCorruption()) << "prefix of " << size << " bytes";
  }
}

TEST(CompactReader, ExpectWithWrongTypeSkipsTheValue) {
  ByteBuffer out;
  CompactWriter w(&out);
  w.StructBegin();
  w.BinaryField(1, "not an int");
  w.I32Field(2, 42);
  w.StructEnd();
  CompactReader r(out, "Test");
  r.ReadStructBegin();
  FieldHeader f;
  ASSERT_TRUE(r.ReadFieldBegin(&f));
  EXPECT_FALSE(r.Expect(f, CType::kI32));
  ASSERT_TRUE(r.ReadFieldBegin(&f));
  ASSERT_TRUE(r.Expect(f, CType::kI32));
  EXPECT_EQ(r.ReadI32(), 42);
  EXPECT_FALSE(r.ReadFieldBegin(&f));
  r.RequireField(2, "Test.answer");
  EXPECT_TRUE(r.ok());
  r.RequireField(1, "Test.name");  // present with the wrong type: counts as missing
  EXPECT_EQ(r.status().message(),
            "invalid Thrift in Test: required field Test.name (id 1) is missing from the struct "
            "at byte 0");
}

TEST(CompactReader, DeeplyNestedStructsAreCorruption) {
  ByteBuffer in;
  for (int i = 0; i < 100000; ++i) in.push_back(0x1c);  // field 1: struct, forever
  Status status = SkipStruct(in);
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("nested more than 64 deep"), std::string::npos)
      << status.ToString();
}

TEST(CompactReader, DeeplyNestedListsAreCorruption) {
  ByteBuffer in = Bytes({0x19});                        // field 1: list
  for (int i = 0; i < 100000; ++i) in.push_back(0x19);  // one element: a list of one list...
  Status status = SkipStruct(in);
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("nested more than 64 deep"), std::string::npos)
      << status.ToString();
}

TEST(CompactReader, NestingUpToTheLimitIsAccepted) {
  ByteBuffer in;
  for (int i = 1; i < CompactReader::kMaxDepth; ++i) in.push_back(0x1c);
  in.insert(in.end(), CompactReader::kMaxDepth, 0x00);
  size_t consumed = 0;
  Status status = SkipStruct(in, &consumed);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(consumed, in.size());
}

TEST(CompactReader, MapLongerThanInputIsCorruption) {
  ByteBuffer in = Bytes({0x1b});  // field 1: map
  AppendVarint(&in, 1000000);
  in.push_back(0x55);
  in.resize(50, 0);
  Status status = SkipStruct(in);
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("map of 1000000 entries at byte 1"), std::string::npos)
      << status.ToString();
}

TEST(CompactReader, MapWithInvalidElementTypeIsCorruption) {
  ByteBuffer in = Bytes({0x1b, 0x01, 0xe5, 0x00, 0x00, 0x00});
  EXPECT_TRUE(SkipStruct(in).IsCorruption());
}

TEST(CompactReader, HugeListOfBoolsInUnknownFieldIsBoundedByInput) {
  ByteBuffer in = Bytes({0x19, 0xf1});
  AppendVarint(&in, 0x7fffffff);
  in.resize(64, 1);
  EXPECT_TRUE(SkipStruct(in).IsCorruption());
}

}  // namespace
}  // namespace featmerge::parquet::format

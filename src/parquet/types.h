// Parquet enums (values as in the Parquet format's Thrift definitions) and names for them.
// Thread-safety: constants and pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace featmerge::parquet {

enum class Type : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class ConvertedType : int32_t {
  kUtf8 = 0, kMap = 1, kMapKeyValue = 2, kList = 3, kEnum = 4, kDecimal = 5, kDate = 6,
  kTimeMillis = 7, kTimeMicros = 8, kTimestampMillis = 9, kTimestampMicros = 10, kUint8 = 11,
  kUint16 = 12, kUint32 = 13, kUint64 = 14, kInt8 = 15, kInt16 = 16, kInt32 = 17, kInt64 = 18,
  kJson = 19, kBson = 20, kInterval = 21,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class Compression : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,  // deprecated: Hadoop framing or a raw block, by writer
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3,
};

enum class TimeUnit : uint8_t { kMillis, kMicros, kNanos };

enum class BoundaryOrder : int32_t { kUnordered = 0, kAscending = 1, kDescending = 2 };

// Byte width of a fixed-width physical type's value in memory (BOOLEAN: 1 byte per value,
// INT96: 12, FIXED_LEN_BYTE_ARRAY: type_length); 0 for BYTE_ARRAY.
int FixedWidth(Type type, int type_length);

const char* TypeName(Type type);
const char* ConvertedTypeName(ConvertedType type);
const char* EncodingName(Encoding encoding);
const char* CompressionName(Compression codec);
const char* PageTypeName(PageType type);
const char* TimeUnitName(TimeUnit unit);

bool IsKnownEncoding(int32_t value);
bool IsKnownCompression(int32_t value);

}  // namespace featmerge::parquet

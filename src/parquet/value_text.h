// Text forms of column values: the JSON representation of the interop corpus (one value kind
// per column: integer, decimal_unscaled, float64_text, timestamp_since_epoch, string, hex...),
// used by `featmerge cat --jsonl` and for messages. Thread-safety: pure functions.
#pragma once

#include <string>

#include "parquet/column_data.h"
#include "parquet/schema.h"

namespace featmerge::parquet {

enum class ValueKind : uint8_t {
  kBoolean,
  kInteger,          // signed or unsigned per the column's logical type
  kDecimalUnscaled,  // the unscaled integer as a JSON string
  kFloat32Text,
  kFloat64Text,
  kDaysSinceEpoch,
  kTimeSinceMidnight,
  kTimestampSinceEpoch,  // count of the column's unit, as stored; INT96 as nanoseconds
  kString,
  kHex,
};

ValueKind ValueKindOf(const ColumnDescriptor& column);
const char* ValueKindName(ValueKind kind);  // the corpus' names: "float64_text", ...

// Appends the JSON text of row `row` of `data` (null -> `null`).
void AppendJsonValue(const ColumnDescriptor& column, ValueKind kind, const ColumnData& data,
                     int64_t row, std::string* out);

// Shortest text that parses back to exactly `v`, in JavaScript's number-to-string style
// ("0.1", "1e+21", "5e-324"), with "NaN", "Infinity", "-Infinity", "-0.0".
std::string DoubleText(double v);
std::string FloatText(float v);
// Two's complement big-endian bytes (any length) as a decimal integer string.
std::string BigEndianSignedToDecimal(ByteView bytes);
// INT96 legacy timestamp (8 bytes nanos of day + 4 bytes Julian day) -> ns since epoch.
int64_t Int96ToNanos(const uint8_t* p);
void AppendJsonString(ByteView bytes, std::string* out);

}  // namespace featmerge::parquet

// Join keys: reading a table's key column and normalizing it to int64 so that keys of
// different timestamp units compare as the same instants. String keys are mapped to their
// rank among the spine's keys (keys absent from the spine never match, so they need no rank).
// Thread-safety: KeyDomain and the functions are pure; KeyColumn is a value.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "parquet/column_reader.h"
#include "parquet/file_reader.h"

namespace featmerge::merge {

enum class KeyKind { kTimestamp, kDate, kInteger, kString };

struct KeyType {
  KeyKind kind = KeyKind::kInteger;
  int64_t to_nanos = 1;  // timestamps: multiplier from the stored unit to nanoseconds
  std::string description;  // "TIMESTAMP(NANOS,utc) INT64", for messages
};

// The key type of `column` in `file`, or InvalidArgument when it cannot be a join key.
Result<KeyType> KeyTypeOf(const parquet::ColumnDescriptor& column, const std::string& file);
bool KeyTypesCompatible(const KeyType& a, const KeyType& b);

// A key column read in full: normalized values with a validity flag per row.
struct KeyColumn {
  std::vector<int64_t> values;
  std::vector<uint8_t> valid;  // empty when every row has a key
  int64_t null_count = 0;
  bool sorted = true;          // non-decreasing over the non-null keys
  bool IsValid(size_t row) const { return valid.empty() || valid[row] != 0; }
};

// Sorted, unique string keys of the spine; tables' string keys map to their rank here.
struct StringKeyDictionary {
  std::vector<std::string> keys;
};

// Rows [begin, end) of one row group.
struct RowRange {
  int64_t begin;
  int64_t end;
};
// For a row group, the rows whose keys can matter (sorted, disjoint, within the row group);
// the other rows are read as null keys (they never match) without being decoded.
using KeyRowFilter = std::function<Result<std::vector<RowRange>>(int row_group)>;

// Reads the key column `column` of `file` in row order. For string keys `dict` must be given
// (for the spine, pass an empty dictionary and `build_dict` = true to fill it). With a
// `filter`, only its rows are decoded; page counts are added to *page_stats when given.
Result<KeyColumn> ReadKeyColumn(const parquet::ParquetFileReader& file, int column,
                                const KeyType& type, StringKeyDictionary* dict, bool build_dict,
                                const KeyRowFilter& filter = nullptr,
                                parquet::ChunkReadStats* page_stats = nullptr);

// Human text of a normalized key for messages ("2024-01-01T00:03:00Z", "42", "'abc'").
std::string KeyText(const KeyType& type, int64_t value, const StringKeyDictionary* dict);

}  // namespace featmerge::merge

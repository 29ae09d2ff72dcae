// The flat schema of a Parquet file: one ColumnDescriptor per leaf column, derived from the
// footer's schema elements (nested schemas are refused), and the reverse for writing.
// Thread-safety: immutable after construction.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "parquet/format/metadata.h"

namespace featmerge::parquet {

struct ColumnDescriptor {
  std::string name;
  Type type = Type::kInt32;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY only
  bool nullable = true;     // OPTIONAL (max definition level 1) vs REQUIRED (0)
  std::optional<ConvertedType> converted_type;
  LogicalType logical_type;  // filled from converted_type when the file has only that
  int32_t scale = 0;         // DECIMAL
  int32_t precision = 0;     // DECIMAL
  std::optional<int32_t> field_id;

  int max_definition_level() const { return nullable ? 1 : 0; }
  // "TIMESTAMP(NANOS,utc)", "STRING", "DECIMAL(9,2)", "INT(8,unsigned)", "" when none.
  std::string LogicalTypeString() const;
  // Byte width in memory (see FixedWidth), 0 for BYTE_ARRAY.
  int width() const { return FixedWidth(type, type_length); }
  // True when values of this column compare as unsigned integers (UINT_*, unsigned INTEGER).
  bool IsUnsignedInteger() const;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<ColumnDescriptor> columns) : columns_(std::move(columns)) {}

  // Builds the flat schema; NotSupported naming the column for nested (group, repeated) fields.
  static Result<Schema> FromElements(const std::vector<SchemaElement>& elements);
  // The footer's schema elements: a root named "schema" then one element per column.
  std::vector<SchemaElement> ToElements() const;

  int num_columns() const { return static_cast<int>(columns_.size()); }
  const ColumnDescriptor& column(int i) const { return columns_[static_cast<size_t>(i)]; }
  const std::vector<ColumnDescriptor>& columns() const { return columns_; }
  // Index of the column named `name`, or -1.
  int FindColumn(const std::string& name) const;

 private:
  std::vector<ColumnDescriptor> columns_;
};

}  // namespace featmerge::parquet

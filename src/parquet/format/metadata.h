// Our own structs for Parquet footer and page metadata. The Thrift compact encoding of them
// lives only in format/ (thrift_codec.h); the rest of featmerge uses these structs.
// Field numbers and meanings follow the Parquet format's parquet.thrift.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parquet/types.h"

namespace featmerge::parquet {

struct LogicalType {
  enum class Kind : uint8_t {
    kNone = 0,  // absent
    kString, kMap, kList, kEnum, kDecimal, kDate, kTime, kTimestamp, kInteger, kUnknown /*NULL*/,
    kJson, kBson, kUuid, kFloat16, kVariant, kGeometry, kGeography,
    kUnrecognized,  // a union member this version does not know
  };
  Kind kind = Kind::kNone;
  int32_t scale = 0;      // DECIMAL
  int32_t precision = 0;  // DECIMAL
  bool is_adjusted_to_utc = false;  // TIME, TIMESTAMP
  TimeUnit unit = TimeUnit::kMillis;  // TIME, TIMESTAMP
  int8_t bit_width = 0;   // INTEGER: 8, 16, 32, 64
  bool is_signed = true;  // INTEGER
  // Kept so re-encoding does not change a column's meaning (a lost CRS would default to CRS84).
  std::optional<int8_t> variant_version;  // VARIANT specification_version
  std::optional<std::string> crs;         // GEOMETRY, GEOGRAPHY
  std::optional<int32_t> edge_algorithm;  // GEOGRAPHY EdgeInterpolationAlgorithm

  bool operator==(const LogicalType&) const = default;
};

struct SchemaElement {
  std::optional<Type> type;  // absent for group nodes
  int32_t type_length = 0;   // FIXED_LEN_BYTE_ARRAY
  std::optional<Repetition> repetition;  // absent only for the root
  std::string name;
  int32_t num_children = 0;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  LogicalType logical_type;  // kind == kNone when absent
};

struct Statistics {
  std::optional<std::string> max;  // legacy (field 1), signed order
  std::optional<std::string> min;  // legacy (field 2)
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;

  bool empty() const {
    return !max && !min && !null_count && !distinct_count && !max_value && !min_value;
  }
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;
};

struct ColumnMetaData {
  Type type = Type::kInt32;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  Compression codec = Compression::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  std::vector<KeyValue> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::vector<PageEncodingStats> encoding_stats;
  std::optional<int64_t> bloom_filter_offset;
  std::optional<int32_t> bloom_filter_length;
};

struct ColumnChunk {
  std::optional<std::string> file_path;  // set only by writers of external chunks (unsupported)
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
  std::optional<int64_t> offset_index_offset;
  std::optional<int32_t> offset_index_length;
  std::optional<int64_t> column_index_offset;
  std::optional<int32_t> column_index_length;
  bool encrypted = false;  // crypto_metadata or encrypted_column_metadata present
};

struct SortingColumn {
  int32_t column_idx = 0;
  bool descending = false;
  bool nulls_first = false;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::vector<SortingColumn> sorting_columns;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;  // depth-first, root first
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  // One per leaf when present: true = TypeDefinedOrder. Other orders are kept as false.
  std::vector<bool> column_orders;
  bool encrypted = false;  // encryption_algorithm present (plaintext footer of an encrypted file)
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  std::optional<bool> is_sorted;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;  // default true when absent
  std::optional<Statistics> statistics;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<int32_t> crc;
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;
};

struct PageLocation {
  int64_t offset = 0;
  int32_t compressed_page_size = 0;  // includes the page header
  int64_t first_row_index = 0;
};

struct OffsetIndex {
  std::vector<PageLocation> page_locations;
};

struct ColumnIndex {
  std::vector<bool> null_pages;
  std::vector<std::string> min_values;
  std::vector<std::string> max_values;
  BoundaryOrder boundary_order = BoundaryOrder::kUnordered;
  std::vector<int64_t> null_counts;  // empty when absent
};

}  // namespace featmerge::parquet

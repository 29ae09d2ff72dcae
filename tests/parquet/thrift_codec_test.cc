#include "parquet/format/thrift_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "parquet/format/compact_protocol.h"
#include "testing/temp_dir.h"

namespace featmerge::parquet {
namespace {

using format::CompactReader;
using format::CompactWriter;
using format::CType;
using Kind = LogicalType::Kind;

// ---------------------------------------------------------------- field-by-field equality

template <typename T>
void ExpectSameList(const std::vector<T>& a, const std::vector<T>& b, const char* what);

void ExpectSame(const Statistics& a, const Statistics& b) {
  EXPECT_EQ(a.max, b.max);
  EXPECT_EQ(a.min, b.min);
  EXPECT_EQ(a.null_count, b.null_count);
  EXPECT_EQ(a.distinct_count, b.distinct_count);
  EXPECT_EQ(a.max_value, b.max_value);
  EXPECT_EQ(a.min_value, b.min_value);
  EXPECT_EQ(a.is_max_value_exact, b.is_max_value_exact);
  EXPECT_EQ(a.is_min_value_exact, b.is_min_value_exact);
}

void ExpectSame(const std::optional<Statistics>& a, const std::optional<Statistics>& b) {
  ASSERT_EQ(a.has_value(), b.has_value());
  if (a) ExpectSame(*a, *b);
}

void ExpectSame(const KeyValue& a, const KeyValue& b) {
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.value, b.value);
}

void ExpectSame(const SchemaElement& a, const SchemaElement& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.type_length, b.type_length);
  EXPECT_EQ(a.repetition, b.repetition);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.num_children, b.num_children);
  EXPECT_EQ(a.converted_type, b.converted_type);
  EXPECT_EQ(a.scale, b.scale);
  EXPECT_EQ(a.precision, b.precision);
  EXPECT_EQ(a.field_id, b.field_id);
  EXPECT_TRUE(a.logical_type == b.logical_type) << "logical type of " << a.name;
}

void ExpectSame(const PageEncodingStats& a, const PageEncodingStats& b) {
  EXPECT_EQ(a.page_type, b.page_type);
  EXPECT_EQ(a.encoding, b.encoding);
  EXPECT_EQ(a.count, b.count);
}

void ExpectSame(const ColumnMetaData& a, const ColumnMetaData& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.encodings, b.encodings);
  EXPECT_EQ(a.path_in_schema, b.path_in_schema);
  EXPECT_EQ(a.codec, b.codec);
  EXPECT_EQ(a.num_values, b.num_values);
  EXPECT_EQ(a.total_uncompressed_size, b.total_uncompressed_size);
  EXPECT_EQ(a.total_compressed_size, b.total_compressed_size);
  ExpectSameList(a.key_value_metadata, b.key_value_metadata, "key_value_metadata");
  EXPECT_EQ(a.data_page_offset, b.data_page_offset);
  EXPECT_EQ(a.index_page_offset, b.index_page_offset);
  EXPECT_EQ(a.dictionary_page_offset, b.dictionary_page_offset);
  ExpectSame(a.statistics, b.statistics);
  ExpectSameList(a.encoding_stats, b.encoding_stats, "encoding_stats");
  EXPECT_EQ(a.bloom_filter_offset, b.bloom_filter_offset);
  EXPECT_EQ(a.bloom_filter_length, b.bloom_filter_length);
}

void ExpectSame(const ColumnChunk& a, const ColumnChunk& b) {
  EXPECT_EQ(a.file_path, b.file_path);
  EXPECT_EQ(a.file_offset, b.file_offset);
  ASSERT_EQ(a.meta_data.has_value(), b.meta_data.has_value());
  if (a.meta_data) ExpectSame(*a.meta_data, *b.meta_data);
  EXPECT_EQ(a.offset_index_offset, b.offset_index_offset);
  EXPECT_EQ(a.offset_index_length, b.offset_index_length);
  EXPECT_EQ(a.column_index_offset, b.column_index_offset);
  EXPECT_EQ(a.column_index_length, b.column_index_length);
  EXPECT_EQ(a.encrypted, b.encrypted);
}

void ExpectSame(const SortingColumn& a, const SortingColumn& b) {
  EXPECT_EQ(a.column_idx, b.column_idx);
  EXPECT_EQ(a.descending, b.descending);
  EXPECT_EQ(a.nulls_first, b.nulls_first);
}

void ExpectSame(const RowGroup& a, const RowGroup& b) {
  ExpectSameList(a.columns, b.columns, "columns");
  EXPECT_EQ(a.total_byte_size, b.total_byte_size);
  EXPECT_EQ(a.num_rows, b.num_rows);
  ExpectSameList(a.sorting_columns, b.sorting_columns, "sorting_columns");
  EXPECT_EQ(a.file_offset, b.file_offset);
  EXPECT_EQ(a.total_compressed_size, b.total_compressed_size);
  EXPECT_EQ(a.ordinal, b.ordinal);
}

void ExpectSame(const FileMetaData& a, const FileMetaData& b) {
  EXPECT_EQ(a.version, b.version);
  ExpectSameList(a.schema, b.schema, "schema");
  EXPECT_EQ(a.num_rows, b.num_rows);
  ExpectSameList(a.row_groups, b.row_groups, "row_groups");
  ExpectSameList(a.key_value_metadata, b.key_value_metadata, "key_value_metadata");
  EXPECT_EQ(a.created_by, b.created_by);
  EXPECT_EQ(a.column_orders, b.column_orders);
  EXPECT_EQ(a.encrypted, b.encrypted);
}

void ExpectSame(const PageHeader& a, const PageHeader& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.uncompressed_page_size, b.uncompressed_page_size);
  EXPECT_EQ(a.compressed_page_size, b.compressed_page_size);
  EXPECT_EQ(a.crc, b.crc);
  ASSERT_EQ(a.data_page_header.has_value(), b.data_page_header.has_value());
  if (a.data_page_header) {
    const DataPageHeader& x = *a.data_page_header;
    const DataPageHeader& y = *b.data_page_header;
    EXPECT_EQ(x.num_values, y.num_values);
    EXPECT_EQ(x.encoding, y.encoding);
    EXPECT_EQ(x.definition_level_encoding, y.definition_level_encoding);
    EXPECT_EQ(x.repetition_level_encoding, y.repetition_level_encoding);
    ExpectSame(x.statistics, y.statistics);
  }
  ASSERT_EQ(a.dictionary_page_header.has_value(), b.dictionary_page_header.has_value());
  if (a.dictionary_page_header) {
    EXPECT_EQ(a.dictionary_page_header->num_values, b.dictionary_page_header->num_values);
    EXPECT_EQ(a.dictionary_page_header->encoding, b.dictionary_page_header->encoding);
    EXPECT_EQ(a.dictionary_page_header->is_sorted, b.dictionary_page_header->is_sorted);
  }
  ASSERT_EQ(a.data_page_header_v2.has_value(), b.data_page_header_v2.has_value());
  if (a.data_page_header_v2) {
    const DataPageHeaderV2& x = *a.data_page_header_v2;
    const DataPageHeaderV2& y = *b.data_page_header_v2;
    EXPECT_EQ(x.num_values, y.num_values);
    EXPECT_EQ(x.num_nulls, y.num_nulls);
    EXPECT_EQ(x.num_rows, y.num_rows);
    EXPECT_EQ(x.encoding, y.encoding);
    EXPECT_EQ(x.definition_levels_byte_length, y.definition_levels_byte_length);
    EXPECT_EQ(x.repetition_levels_byte_length, y.repetition_levels_byte_length);
    EXPECT_EQ(x.is_compressed, y.is_compressed);
    ExpectSame(x.statistics, y.statistics);
  }
}

void ExpectSame(const PageLocation& a, const PageLocation& b) {
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.compressed_page_size, b.compressed_page_size);
  EXPECT_EQ(a.first_row_index, b.first_row_index);
}

void ExpectSame(const OffsetIndex& a, const OffsetIndex& b) {
  ExpectSameList(a.page_locations, b.page_locations, "page_locations");
}

void ExpectSame(const ColumnIndex& a, const ColumnIndex& b) {
  EXPECT_EQ(a.null_pages, b.null_pages);
  EXPECT_EQ(a.min_values, b.min_values);
  EXPECT_EQ(a.max_values, b.max_values);
  EXPECT_EQ(a.boundary_order, b.boundary_order);
  EXPECT_EQ(a.null_counts, b.null_counts);
}

template <typename T>
void ExpectSameList(const std::vector<T>& a, const std::vector<T>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(std::string(what) + "[" + std::to_string(i) + "]");
    ExpectSame(a[i], b[i]);
  }
}

// ---------------------------------------------------------------- sample values

Statistics FullStatistics() {
  Statistics s;
  s.max = std::string("\xff\x00z", 3);
  s.min = "";
  s.null_count = 0;
  s.distinct_count = 17;
  s.max_value = "zz";
  s.min_value = "aa";
  s.is_max_value_exact = true;
  s.is_min_value_exact = false;
  return s;
}

std::vector<LogicalType> AllLogicalTypes() {
  std::vector<LogicalType> types;
  for (Kind kind : {Kind::kString, Kind::kMap, Kind::kList, Kind::kEnum, Kind::kDate,
                    Kind::kUnknown, Kind::kJson, Kind::kBson, Kind::kUuid, Kind::kFloat16,
                    Kind::kVariant, Kind::kGeometry, Kind::kGeography}) {
    LogicalType t;
    t.kind = kind;
    types.push_back(t);
  }
  LogicalType decimal;
  decimal.kind = Kind::kDecimal;
  decimal.scale = 3;
  decimal.precision = 38;
  types.push_back(decimal);
  for (Kind kind : {Kind::kTime, Kind::kTimestamp}) {
    for (TimeUnit unit : {TimeUnit::kMillis, TimeUnit::kMicros, TimeUnit::kNanos}) {
      for (bool utc : {false, true}) {
        LogicalType t;
        t.kind = kind;
        t.unit = unit;
        t.is_adjusted_to_utc = utc;
        types.push_back(t);
      }
    }
  }
  for (int8_t width : {8, 16, 32, 64}) {
    for (bool is_signed : {false, true}) {
      LogicalType t;
      t.kind = Kind::kInteger;
      t.bit_width = width;
      t.is_signed = is_signed;
      types.push_back(t);
    }
  }
  LogicalType variant;
  variant.kind = Kind::kVariant;
  variant.variant_version = 1;
  types.push_back(variant);
  LogicalType geometry;
  geometry.kind = Kind::kGeometry;
  geometry.crs = "EPSG:4326";
  types.push_back(geometry);
  LogicalType geography;
  geography.kind = Kind::kGeography;
  geography.crs = "OGC:CRS83";
  geography.edge_algorithm = 4;
  types.push_back(geography);
  return types;
}

ColumnMetaData FullColumnMetaData() {
  ColumnMetaData md;
  md.type = Type::kByteArray;
  md.encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary};
  md.path_in_schema = {"group", "leaf"};
  md.codec = Compression::kZstd;
  md.num_values = 1000;
  md.total_uncompressed_size = std::numeric_limits<int64_t>::max();
  md.total_compressed_size = 12345;
  md.key_value_metadata = {{"k", "v"}, {"only_key", std::nullopt}};
  md.data_page_offset = 4;
  md.index_page_offset = 5;
  md.dictionary_page_offset = 6;
  md.statistics = FullStatistics();
  md.encoding_stats = {{PageType::kDictionaryPage, Encoding::kPlain, 1},
                       {PageType::kDataPage, Encoding::kRleDictionary, 3}};
  md.bloom_filter_offset = 7;
  md.bloom_filter_length = 8;
  return md;
}

ColumnChunk FullColumnChunk() {
  ColumnChunk chunk;
  chunk.file_path = "other.parquet";
  chunk.file_offset = 99;
  chunk.meta_data = FullColumnMetaData();
  chunk.offset_index_offset = 1000;
  chunk.offset_index_length = 20;
  chunk.column_index_offset = 2000;
  chunk.column_index_length = 30;
  return chunk;
}

RowGroup FullRowGroup() {
  RowGroup rg;
  rg.columns = {FullColumnChunk(), ColumnChunk{}};
  rg.total_byte_size = 1 << 20;
  rg.num_rows = 1000;
  rg.sorting_columns = {{0, true, false}, {1, false, true}};
  rg.file_offset = 4;
  rg.total_compressed_size = 9999;
  rg.ordinal = -2;
  return rg;
}

FileMetaData FullFileMetaData() {
  FileMetaData md;
  md.version = 2;
  SchemaElement root;
  root.name = "schema";
  md.schema.push_back(root);
  for (const LogicalType& logical : AllLogicalTypes()) {
    SchemaElement leaf;
    leaf.type = Type::kFixedLenByteArray;
    leaf.type_length = 16;
    leaf.repetition = Repetition::kOptional;
    leaf.name = "c" + std::to_string(md.schema.size());
    leaf.converted_type = ConvertedType::kDecimal;
    leaf.scale = 2;
    leaf.precision = 9;
    leaf.field_id = static_cast<int32_t>(md.schema.size());
    leaf.logical_type = logical;
    md.schema.push_back(leaf);
  }
  md.schema[0].num_children = static_cast<int32_t>(md.schema.size() - 1);
  md.num_rows = 2000;
  md.row_groups = {FullRowGroup(), FullRowGroup()};
  md.key_value_metadata = {{"ARROW:schema", std::string(300, '\x01')}, {"empty", ""}};
  md.created_by = "featmerge version 0.1.0";
  md.column_orders.assign(md.schema.size() - 1, true);
  return md;
}

FileMetaData MinimalFileMetaData() {
  FileMetaData md;
  SchemaElement root;
  root.name = "root";
  md.schema.push_back(root);
  return md;
}

template <typename T, typename Encode, typename Decode>
T RoundTrip(const T& value, Encode encode, Decode decode) {
  ByteBuffer bytes;
  encode(value, &bytes);
  auto decoded = decode(ByteView(bytes));
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? std::move(decoded).value() : T{};
}

FileMetaData RoundTripFile(const FileMetaData& md) {
  return RoundTrip(md, EncodeFileMetaData, DecodeFileMetaData);
}

PageHeader RoundTripPage(const PageHeader& h) {
  ByteBuffer bytes;
  EncodePageHeader(h, &bytes);
  uint32_t header_size = 0;
  Result<PageHeader> decoded = DecodePageHeader(bytes, &header_size);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(header_size, bytes.size());
  return decoded.ok() ? std::move(decoded).value() : PageHeader{};
}

// ---------------------------------------------------------------- round trips

TEST(ThriftCodec, FileMetaDataWithEveryOptionalFieldRoundTrips) {
  const FileMetaData md = FullFileMetaData();
  ExpectSame(RoundTripFile(md), md);
}

TEST(ThriftCodec, FileMetaDataWithNoOptionalFieldRoundTrips) {
  const FileMetaData md = MinimalFileMetaData();
  ExpectSame(RoundTripFile(md), md);
}

// The streaming footer encoder (used by the writer for wide files) gives the same bytes as
// EncodeFileMetaData, also when its buffer is drained between calls.
TEST(ThriftCodec, FooterEncoderMatchesEncodeFileMetaData) {
  for (const FileMetaData& md : {FullFileMetaData(), MinimalFileMetaData()}) {
    FileMetaData many = md;
    for (int i = 0; i < 3; i++) many.row_groups.push_back(FullRowGroup());
    ByteBuffer expected;
    EncodeFileMetaData(many, &expected);
    ByteBuffer drained, buf;
    FooterEncoder enc(&buf);
    auto drain = [&] {
      drained.insert(drained.end(), buf.begin(), buf.end());
      buf.clear();
    };
    enc.Begin(many, many.row_groups.size());
    drain();
    for (const RowGroup& rg : many.row_groups) {
      enc.BeginRowGroup(rg.columns.size());
      for (const ColumnChunk& cc : rg.columns) {
        enc.AddColumnChunk(cc);
        drain();
      }
      enc.EndRowGroup(rg);
    }
    enc.End(many);
    drain();
    EXPECT_EQ(drained, expected);
  }
}

TEST(ThriftCodec, EveryLogicalTypeRoundTrips) {
  for (const LogicalType& logical : AllLogicalTypes()) {
    FileMetaData md = MinimalFileMetaData();
    md.schema[0].logical_type = logical;
    const FileMetaData decoded = RoundTripFile(md);
    ASSERT_EQ(decoded.schema.size(), 1u);
    EXPECT_TRUE(decoded.schema[0].logical_type == logical)
        << "kind " << static_cast<int>(logical.kind);
  }
}

TEST(ThriftCodec, RowGroupRoundTrips) {
  const RowGroup full = FullRowGroup();
  ExpectSame(RoundTrip(full, EncodeRowGroup, DecodeRowGroup), full);
  const RowGroup empty;
  ExpectSame(RoundTrip(empty, EncodeRowGroup, DecodeRowGroup), empty);
}

TEST(ThriftCodec, ColumnChunkRoundTrips) {
  const ColumnChunk full = FullColumnChunk();
  ExpectSame(RoundTrip(full, EncodeColumnChunk, DecodeColumnChunk), full);
  ColumnChunk minimal;
  minimal.meta_data.emplace();
  ExpectSame(RoundTrip(minimal, EncodeColumnChunk, DecodeColumnChunk), minimal);
  const ColumnChunk bare;
  ExpectSame(RoundTrip(bare, EncodeColumnChunk, DecodeColumnChunk), bare);
}

TEST(ThriftCodec, PageHeadersOfEveryKindRoundTrip) {
  PageHeader v1;
  v1.type = PageType::kDataPage;
  v1.uncompressed_page_size = 100;
  v1.compressed_page_size = 50;
  v1.crc = -12345;
  v1.data_page_header = DataPageHeader{1000, Encoding::kRleDictionary, Encoding::kRle,
                                       Encoding::kBitPacked, FullStatistics()};
  ExpectSame(RoundTripPage(v1), v1);
  v1.crc.reset();
  v1.data_page_header->statistics.reset();
  ExpectSame(RoundTripPage(v1), v1);

  PageHeader dict;
  dict.type = PageType::kDictionaryPage;
  dict.dictionary_page_header = DictionaryPageHeader{7, Encoding::kPlainDictionary, true};
  ExpectSame(RoundTripPage(dict), dict);
  dict.dictionary_page_header->is_sorted.reset();
  ExpectSame(RoundTripPage(dict), dict);

  PageHeader v2;
  v2.type = PageType::kDataPageV2;
  v2.data_page_header_v2 =
      DataPageHeaderV2{10, 2, 9, Encoding::kDeltaBinaryPacked, 3, 4, false, Statistics{}};
  ExpectSame(RoundTripPage(v2), v2);
  v2.data_page_header_v2->is_compressed = true;
  v2.data_page_header_v2->statistics.reset();
  ExpectSame(RoundTripPage(v2), v2);

  const PageHeader bare;
  ExpectSame(RoundTripPage(bare), bare);
}

TEST(ThriftCodec, OffsetIndexRoundTrips) {
  OffsetIndex index;
  for (int64_t page = 0; page < 20; ++page) {
    index.page_locations.push_back({4 + page * 1000, 1000, page * 50});
  }
  ExpectSame(RoundTrip(index, EncodeOffsetIndex, DecodeOffsetIndex), index);
  const OffsetIndex empty;
  ExpectSame(RoundTrip(empty, EncodeOffsetIndex, DecodeOffsetIndex), empty);
}

TEST(ThriftCodec, ColumnIndexRoundTrips) {
  ColumnIndex index;
  index.null_pages = {false, true, false};
  index.min_values = {"a", "", std::string(1, '\0')};
  index.max_values = {"m", "", "zz"};
  index.boundary_order = BoundaryOrder::kAscending;
  index.null_counts = {0, 12, std::numeric_limits<int64_t>::max()};
  ExpectSame(RoundTrip(index, EncodeColumnIndex, DecodeColumnIndex), index);
  index.null_counts.clear();
  ExpectSame(RoundTrip(index, EncodeColumnIndex, DecodeColumnIndex), index);
}

TEST(ThriftCodec, EncodingIsDeterministic) {
  ByteBuffer first;
  ByteBuffer second;
  EncodeFileMetaData(FullFileMetaData(), &first);
  EncodeFileMetaData(FullFileMetaData(), &second);
  EXPECT_EQ(first, second);
  Result<FileMetaData> decoded = DecodeFileMetaData(first);
  ASSERT_TRUE(decoded.ok());
  ByteBuffer third;
  EncodeFileMetaData(*decoded, &third);
  EXPECT_EQ(first, third);
}

TEST(ThriftCodec, EncodeAppendsToExistingBytes) {
  ByteBuffer out = {'P', 'A', 'R', '1'};
  EncodeFileMetaData(MinimalFileMetaData(), &out);
  ASSERT_GT(out.size(), 4u);
  EXPECT_EQ(out[0], 'P');
  EXPECT_TRUE(DecodeFileMetaData(ByteView(out).subspan(4)).ok());
}

// Walks a value, counting structs whose field ids do not strictly increase.
void CountOrderViolations(CompactReader* r, const ByteBuffer& bytes, CType type, int* violations) {
  if (type == CType::kStruct) {
    r->ReadStructBegin();
    format::FieldHeader f;
    int last = INT_MIN;
    while (r->ReadFieldBegin(&f)) {
      if (f.id <= last) ++*violations;
      last = f.id;
      CountOrderViolations(r, bytes, f.type, violations);
    }
    r->ReadStructEnd();
  } else if (type == CType::kList && r->ok() && r->remaining() > 0) {
    const CType element = static_cast<CType>(bytes[r->position()] & 0x0f);
    const uint32_t size = r->ReadListBegin(element);
    for (uint32_t i = 0; i < size; ++i) CountOrderViolations(r, bytes, element, violations);
  } else {
    r->Skip(type);
  }
}

TEST(ThriftCodec, EncodedFieldIdsIncreaseInEveryStruct) {
  ByteBuffer bytes;
  EncodeFileMetaData(FullFileMetaData(), &bytes);
  CompactReader r(bytes, "FileMetaData");
  int violations = 0;
  CountOrderViolations(&r, bytes, CType::kStruct, &violations);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.position(), bytes.size());
  EXPECT_EQ(violations, 0);
}

// ---------------------------------------------------------------- forward compatibility

// Writes fields first_id, first_id+1, ... holding one value of every wire type.
void WriteUnknownFields(CompactWriter* w, ByteBuffer* out, int16_t first_id) {
  int16_t id = first_id;
  w->BoolField(id++, true);
  w->BoolField(id++, false);
  w->I8Field(id++, -1);
  w->I16Field(id++, 300);
  w->I32Field(id++, -70000);
  w->I64Field(id++, std::numeric_limits<int64_t>::min());
  w->FieldBegin(id++, CType::kDouble);
  w->WriteDouble(2.5);
  w->BinaryField(id++, "unknown");
  w->ListField(id++, CType::kI32, 3);
  for (int32_t v : {1, -2, 3}) w->WriteI32(v);
  w->ListField(id++, CType::kBoolTrue, 2);
  w->WriteBool(true);
  w->WriteBool(false);
  w->FieldBegin(id++, CType::kSet);
  w->ListBegin(CType::kBinary, 1);
  w->WriteBinary("s");
  w->FieldBegin(id++, CType::kMap);  // map<binary, struct>
  w->WriteVarint(1);
  out->push_back(0x8c);
  w->WriteBinary("key");
  w->StructBegin();
  w->BoolField(1, true);
  w->StructEnd();
  w->StructField(id++);  // nested struct holding a list of structs holding a struct
  w->I32Field(1, 5);
  w->ListField(2, CType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w->StructBegin();
    w->StructField(1);
    w->BinaryField(1, "deep");
    w->StructEnd();
    w->StructEnd();
  }
  w->StructEnd();
  w->ListField(id++, CType::kStruct, 1);  // list of structs
  w->StructBegin();
  w->I64Field(3, 1);
  w->StructEnd();
  w->FieldBegin(id++, CType::kUuid);
  out->insert(out->end(), 16, 0x5a);
}

TEST(ThriftCodec, UnknownFieldsOfEveryTypeAreSkippedAtEveryLevel) {
  ByteBuffer bytes;
  CompactWriter w(&bytes);
  w.StructBegin();  // FileMetaData
  w.I32Field(1, 1);
  w.ListField(2, CType::kStruct, 2);
  w.StructBegin();  // root
  w.BinaryField(4, "root");
  w.I32Field(5, 1);
  WriteUnknownFields(&w, &bytes, 40);
  w.StructEnd();
  w.StructBegin();  // leaf
  w.I32Field(1, static_cast<int32_t>(Type::kInt64));
  w.I32Field(3, static_cast<int32_t>(Repetition::kOptional));
  w.BinaryField(4, "ts");
  w.StructField(10);  // LogicalType
  w.StructField(8);   // TimestampType
  w.BoolField(1, true);
  w.StructField(2);  // TimeUnit
  w.StructField(2);  // MicroSeconds, with a field a later version might add
  WriteUnknownFields(&w, &bytes, 1);
  w.StructEnd();
  w.StructEnd();
  WriteUnknownFields(&w, &bytes, 3);
  w.StructEnd();
  w.StructEnd();
  w.I32Field(11, 7);  // SchemaElement.vector_length: known upstream, not modelled
  WriteUnknownFields(&w, &bytes, 12);
  w.StructEnd();
  w.I64Field(3, 10);
  w.ListField(4, CType::kStruct, 1);
  w.StructBegin();  // RowGroup
  w.ListField(1, CType::kStruct, 1);
  w.StructBegin();  // ColumnChunk
  w.I64Field(2, 4);
  w.StructField(3);  // ColumnMetaData
  w.I32Field(1, static_cast<int32_t>(Type::kInt64));
  w.ListField(2, CType::kI32, 1);
  w.WriteI32(0);
  w.ListField(3, CType::kBinary, 1);
  w.WriteBinary("ts");
  w.I32Field(4, 0);
  w.I64Field(5, 10);
  w.I64Field(6, 80);
  w.I64Field(7, 80);
  w.I64Field(9, 4);
  w.StructField(12);  // Statistics
  w.I64Field(3, 0);
  w.I64Field(9, 0);  // nan_count
  WriteUnknownFields(&w, &bytes, 20);
  w.StructEnd();
  w.StructField(16);  // size_statistics
  w.I64Field(1, 5);
  w.StructEnd();
  WriteUnknownFields(&w, &bytes, 30);
  w.StructEnd();
  WriteUnknownFields(&w, &bytes, 10);
  w.StructEnd();
  w.I64Field(2, 80);
  w.I64Field(3, 10);
  WriteUnknownFields(&w, &bytes, 8);
  w.StructEnd();
  w.BinaryField(6, "writer");
  WriteUnknownFields(&w, &bytes, 10);
  w.StructEnd();

  Result<FileMetaData> md = DecodeFileMetaData(bytes);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  ASSERT_EQ(md->schema.size(), 2u);
  EXPECT_EQ(md->schema[0].num_children, 1);
  EXPECT_EQ(md->schema[1].name, "ts");
  EXPECT_EQ(md->schema[1].logical_type.kind, Kind::kTimestamp);
  EXPECT_EQ(md->schema[1].logical_type.unit, TimeUnit::kMicros);
  EXPECT_TRUE(md->schema[1].logical_type.is_adjusted_to_utc);
  EXPECT_EQ(md->num_rows, 10);
  ASSERT_EQ(md->row_groups.size(), 1u);
  ASSERT_EQ(md->row_groups[0].columns.size(), 1u);
  const ColumnChunk& chunk = md->row_groups[0].columns[0];
  ASSERT_TRUE(chunk.meta_data.has_value());
  EXPECT_EQ(chunk.meta_data->path_in_schema, std::vector<std::string>{"ts"});
  EXPECT_EQ(chunk.meta_data->data_page_offset, 4);
  ASSERT_TRUE(chunk.meta_data->statistics.has_value());
  EXPECT_EQ(chunk.meta_data->statistics->null_count, 0);
  EXPECT_EQ(md->row_groups[0].num_rows, 10);
  EXPECT_EQ(md->created_by, "writer");
}

TEST(ThriftCodec, UnknownFieldsInPageHeaderAreSkipped) {
  ByteBuffer bytes;
  CompactWriter w(&bytes);
  w.StructBegin();
  w.I32Field(1, static_cast<int32_t>(PageType::kDataPage));
  w.I32Field(2, 10);
  w.I32Field(3, 8);
  w.StructField(5);
  w.I32Field(1, 3);
  w.I32Field(2, 0);
  w.I32Field(3, 3);
  w.I32Field(4, 3);
  WriteUnknownFields(&w, &bytes, 6);
  w.StructEnd();
  w.StructField(6);  // index_page_header
  w.StructEnd();
  WriteUnknownFields(&w, &bytes, 9);
  w.StructEnd();
  const size_t header_bytes = bytes.size();
  bytes.insert(bytes.end(), 8, 0xee);  // page data follows the header

  uint32_t header_size = 0;
  Result<PageHeader> h = DecodePageHeader(bytes, &header_size);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(header_size, header_bytes);
  ASSERT_TRUE(h->data_page_header.has_value());
  EXPECT_EQ(h->data_page_header->num_values, 3);
  EXPECT_EQ(h->compressed_page_size, 8);
}

TEST(ThriftCodec, FieldsInAnyOrderAreAccepted) {
  // PageHeader fields 3, 2, 1 in long form: Thrift does not require increasing ids.
  ByteBuffer bytes = {0x05, 0x06, 0x10, 0x05, 0x04, 0x14, 0x05, 0x02, 0x04, 0x00};
  uint32_t header_size = 0;
  Result<PageHeader> h = DecodePageHeader(bytes, &header_size);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->compressed_page_size, 8);
  EXPECT_EQ(h->uncompressed_page_size, 10);
  EXPECT_EQ(h->type, PageType::kDictionaryPage);
}

TEST(ThriftCodec, UnknownEnumValuesAreKept) {
  FileMetaData md = MinimalFileMetaData();
  SchemaElement leaf;
  leaf.type = static_cast<Type>(99);
  leaf.repetition = static_cast<Repetition>(3);  // VECTOR, newer than us
  leaf.converted_type = static_cast<ConvertedType>(-5);
  leaf.name = "x";
  md.schema.push_back(leaf);
  md.schema[0].num_children = 1;
  RowGroup rg;
  ColumnChunk chunk;
  chunk.meta_data.emplace();
  chunk.meta_data->codec = static_cast<Compression>(42);
  chunk.meta_data->encodings = {static_cast<Encoding>(1 << 30)};
  rg.columns.push_back(chunk);
  md.row_groups.push_back(rg);
  const FileMetaData decoded = RoundTripFile(md);
  ExpectSame(decoded, md);
  EXPECT_EQ(static_cast<int32_t>(*decoded.schema[1].type), 99);

  PageHeader h;
  h.type = static_cast<PageType>(17);
  EXPECT_EQ(static_cast<int32_t>(RoundTripPage(h).type), 17);
}

TEST(ThriftCodec, UnknownLogicalTypeMemberIsUnrecognizedAndNotWritten) {
  ByteBuffer bytes;
  CompactWriter w(&bytes);
  w.StructBegin();
  w.I32Field(1, 1);
  w.ListField(2, CType::kStruct, 1);
  w.StructBegin();
  w.BinaryField(4, "root");
  w.StructField(10);
  w.StructField(19);  // VECTOR: newer than us
  w.I32Field(1, 4);
  w.StructEnd();
  w.StructEnd();
  w.StructEnd();
  w.I64Field(3, 0);
  w.ListField(4, CType::kStruct, 0);
  w.StructEnd();
  Result<FileMetaData> md = DecodeFileMetaData(bytes);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->schema[0].logical_type.kind, Kind::kUnrecognized);
  EXPECT_EQ(RoundTripFile(*md).schema[0].logical_type.kind, Kind::kNone);
}

TEST(ThriftCodec, UnknownTimeUnitMakesTheLogicalTypeUnrecognized) {
  ByteBuffer bytes;
  CompactWriter w(&bytes);
  w.StructBegin();
  w.BinaryField(4, "t");
  w.StructField(10);
  w.StructField(7);  // TimeType
  w.BoolField(1, false);
  w.StructField(2);
  w.StructField(4);  // a fourth unit
  w.StructEnd();
  w.StructEnd();
  w.StructEnd();
  w.StructEnd();
  w.StructEnd();
  ByteBuffer file;
  CompactWriter fw(&file);
  fw.StructBegin();
  fw.I32Field(1, 1);
  fw.ListField(2, CType::kStruct, 1);
  file.insert(file.end(), bytes.begin(), bytes.end());
  fw.I64Field(3, 0);
  fw.ListField(4, CType::kStruct, 0);
  fw.StructEnd();
  Result<FileMetaData> md = DecodeFileMetaData(file);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->schema[0].logical_type.kind, Kind::kUnrecognized);
}

TEST(ThriftCodec, EncryptionFieldsSetTheEncryptedFlags) {
  ByteBuffer bytes;
  CompactWriter w(&bytes);
  w.StructBegin();
  w.I32Field(1, 1);
  w.ListField(2, CType::kStruct, 1);
  w.StructBegin();
  w.BinaryField(4, "root");
  w.StructEnd();
  w.I64Field(3, 0);
  w.ListField(4, CType::kStruct, 1);
  w.StructBegin();  // RowGroup
  w.ListField(1, CType::kStruct, 1);
  w.StructBegin();  // ColumnChunk
  w.I64Field(2, 0);
  w.StructField(8);  // crypto_metadata: ENCRYPTION_WITH_COLUMN_KEY
  w.StructField(2);
  w.ListField(1, CType::kBinary, 1);
  w.WriteBinary("a");
  w.BinaryField(2, "key");
  w.StructEnd();
  w.StructEnd();
  w.BinaryField(9, "ciphertext");
  w.StructEnd();
  w.I64Field(2, 0);
  w.I64Field(3, 0);
  w.StructEnd();
  w.StructField(8);  // encryption_algorithm: AES_GCM_V1
  w.StructField(1);
  w.BinaryField(1, "aad");
  w.StructEnd();
  w.StructEnd();
  w.BinaryField(9, "signing key");
  w.StructEnd();
  Result<FileMetaData> md = DecodeFileMetaData(bytes);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_TRUE(md->encrypted);
  EXPECT_TRUE(md->row_groups[0].columns[0].encrypted);
  EXPECT_FALSE(md->row_groups[0].columns[0].meta_data.has_value());
}

// ---------------------------------------------------------------- damaged input

TEST(ThriftCodec, TruncationAtEveryOffsetIsCorruption) {
  ByteBuffer bytes;
  EncodeFileMetaData(FullFileMetaData(), &bytes);
  for (size_t size = 0; size < bytes.size(); ++size) {
    Result<FileMetaData> md = DecodeFileMetaData(ByteView(bytes.data(), size));
    ASSERT_FALSE(md.ok()) << "prefix of " << size << " bytes decoded";
    ASSERT_TRUE(md.status().IsCorruption()) << md.status().ToString();
  }
}

TEST(ThriftCodec, PageHeaderTruncationAtEveryOffsetIsCorruption) {
  PageHeader h;
  h.type = PageType::kDataPageV2;
  h.crc = 77;
  h.data_page_header_v2 =
      DataPageHeaderV2{10, 2, 9, Encoding::kPlain, 3, 4, true, FullStatistics()};
  ByteBuffer bytes;
  EncodePageHeader(h, &bytes);
  for (size_t size = 0; size < bytes.size(); ++size) {
    uint32_t header_size = 0;
    Result<PageHeader> decoded = DecodePageHeader(ByteView(bytes.data(), size), &header_size);
    ASSERT_FALSE(decoded.ok()) << "prefix of " << size << " bytes decoded";
  }
}

TEST(ThriftCodec, HugeSchemaListIsCorruptionBeforeAllocating) {
  ByteBuffer bytes = {0x15, 0x02, 0x19, 0xfc};  // version 1; schema: long-form list<struct>
  CompactWriter(&bytes).WriteVarint(0x7fffffff);
  bytes.resize(100, 0);
  Result<FileMetaData> md = DecodeFileMetaData(bytes);
  ASSERT_FALSE(md.ok());
  EXPECT_EQ(md.status().message(),
            "invalid Thrift in FileMetaData: list of 2147483647 elements at byte 3 exceeds the 91 "
            "bytes left");
}

TEST(ThriftCodec, HugeListsInPageIndexAreCorruption) {
  ByteBuffer column_index = {0x19, 0xf1};  // null_pages: list<bool> of 2^31-1
  CompactWriter(&column_index).WriteVarint(0x7fffffff);
  column_index.resize(64, 1);
  EXPECT_TRUE(DecodeColumnIndex(column_index).status().IsCorruption());
  ByteBuffer offset_index = {0x19, 0xfc};
  CompactWriter(&offset_index).WriteVarint(1u << 30);
  EXPECT_TRUE(DecodeOffsetIndex(offset_index).status().IsCorruption());
}

TEST(ThriftCodec, DeeplyNestedUnknownStructIsCorruption) {
  ByteBuffer bytes = {0x15, 0x02, 0x0c, 0x28};  // version; field 20: struct, long form
  bytes.insert(bytes.end(), 100000, 0x1c);      // each holds field 1: struct
  Result<FileMetaData> md = DecodeFileMetaData(bytes);
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("nested more than 64 deep"), std::string::npos)
      << md.status().ToString();
}

TEST(ThriftCodec, MissingRequiredFieldsAreNamed) {
  ByteBuffer no_schema;
  CompactWriter w(&no_schema);
  w.StructBegin();
  w.I32Field(1, 1);
  w.I64Field(3, 0);
  w.ListField(4, CType::kStruct, 0);
  w.StructEnd();
  Result<FileMetaData> md = DecodeFileMetaData(no_schema);
  ASSERT_TRUE(md.status().IsCorruption());
  EXPECT_EQ(md.status().message(),
            "invalid Thrift in FileMetaData: required field FileMetaData.schema (id 2) is missing "
            "from the struct at byte 0");

  ByteBuffer no_type;
  CompactWriter pw(&no_type);
  pw.StructBegin();
  pw.I32Field(2, 10);
  pw.I32Field(3, 10);
  pw.StructEnd();
  uint32_t header_size = 0;
  Result<PageHeader> h = DecodePageHeader(no_type, &header_size);
  ASSERT_TRUE(h.status().IsCorruption());
  EXPECT_NE(h.status().message().find("PageHeader.type (id 1)"), std::string::npos);

  ByteBuffer decimal;
  CompactWriter dw(&decimal);
  dw.StructBegin();
  dw.I32Field(1, 1);
  dw.ListField(2, CType::kStruct, 1);
  dw.StructBegin();
  dw.BinaryField(4, "d");
  dw.StructField(10);
  dw.StructField(5);
  dw.I32Field(1, 2);  // scale without precision
  dw.StructEnd();
  dw.StructEnd();
  dw.StructEnd();
  dw.I64Field(3, 0);
  dw.ListField(4, CType::kStruct, 0);
  dw.StructEnd();
  md = DecodeFileMetaData(decimal);
  ASSERT_TRUE(md.status().IsCorruption());
  EXPECT_NE(md.status().message().find("DecimalType.precision"), std::string::npos);
}

TEST(ThriftCodec, EmptyInputIsCorruption) {
  EXPECT_TRUE(DecodeFileMetaData(ByteView()).status().IsCorruption());
  uint32_t header_size = 0;
  EXPECT_TRUE(DecodePageHeader(ByteView(), &header_size).status().IsCorruption());
  EXPECT_TRUE(DecodeOffsetIndex(ByteView()).status().IsCorruption());
  EXPECT_TRUE(DecodeColumnIndex(ByteView()).status().IsCorruption());
  EXPECT_TRUE(DecodeRowGroup(ByteView()).status().IsCorruption());
  EXPECT_TRUE(DecodeColumnChunk(ByteView()).status().IsCorruption());
}

// ---------------------------------------------------------------- real files

struct ManifestRow {
  std::string file;
  std::string expected;
  int64_t rows = 0;
  int64_t columns = 0;
};

std::vector<ManifestRow> ReadManifest(const std::string& dir) {
  std::vector<ManifestRow> rows;
  std::ifstream in(dir + "/MANIFEST.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream stream(line);
    std::string cell;
    while (std::getline(stream, cell, '\t')) cells.push_back(cell);
    if (cells.size() < 7) continue;
    ManifestRow row{cells[0], cells[4]};
    if (row.expected == "ok") {
      row.rows = std::stoll(cells[5]);
      row.columns = std::stoll(cells[6]);
    }
    rows.push_back(row);
  }
  return rows;
}

ByteBuffer ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return ByteBuffer((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The footer: the Thrift FileMetaData before the trailing 4-byte length and "PAR1".
ByteView Footer(const ByteBuffer& file) {
  if (file.size() < 12) return {};
  const uint32_t length = LoadLE<uint32_t>(file.data() + file.size() - 8);
  if (length > file.size() - 8) return {};
  return ByteView(file.data() + file.size() - 8 - length, length);
}

ByteView Slice(const ByteBuffer& file, int64_t offset, int64_t length) {
  if (offset < 0 || length < 0 || static_cast<uint64_t>(offset) > file.size() ||
      static_cast<uint64_t>(length) > file.size() - static_cast<uint64_t>(offset)) {
    ADD_FAILURE() << "range " << offset << "+" << length << " outside the file";
    return {};
  }
  return ByteView(file.data() + offset, static_cast<size_t>(length));
}

// Walks every page of `chunk`, checking headers decode, sum up, and survive a round trip.
void CheckPages(const ByteBuffer& file, const ColumnChunk& chunk) {
  ASSERT_TRUE(chunk.meta_data.has_value());
  const ColumnMetaData& md = *chunk.meta_data;
  int64_t start = md.data_page_offset;
  if (md.dictionary_page_offset && *md.dictionary_page_offset > 0) {
    start = std::min(start, *md.dictionary_page_offset);
  }
  const int64_t end = start + md.total_compressed_size;
  int64_t values = 0;
  int data_pages = 0;
  for (int64_t offset = start; offset < end;) {
    SCOPED_TRACE("page at " + std::to_string(offset));
    uint32_t header_size = 0;
    Result<PageHeader> h = DecodePageHeader(Slice(file, offset, end - offset), &header_size);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    ExpectSame(RoundTripPage(*h), *h);
    if (h->data_page_header) values += h->data_page_header->num_values;
    if (h->data_page_header_v2) values += h->data_page_header_v2->num_values;
    data_pages += h->type == PageType::kDataPage || h->type == PageType::kDataPageV2;
    ASSERT_GE(h->compressed_page_size, 0);
    offset += header_size + h->compressed_page_size;
    ASSERT_LE(offset, end);
  }
  EXPECT_EQ(values, md.num_values);
  if (chunk.offset_index_offset && chunk.offset_index_length) {
    Result<OffsetIndex> index =
        DecodeOffsetIndex(Slice(file, *chunk.offset_index_offset, *chunk.offset_index_length));
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    EXPECT_EQ(index->page_locations.size(), static_cast<size_t>(data_pages));
    ExpectSame(RoundTrip(*index, EncodeOffsetIndex, DecodeOffsetIndex), *index);
  }
  if (chunk.column_index_offset && chunk.column_index_length) {
    Result<ColumnIndex> index =
        DecodeColumnIndex(Slice(file, *chunk.column_index_offset, *chunk.column_index_length));
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    EXPECT_EQ(index->null_pages.size(), static_cast<size_t>(data_pages));
    EXPECT_EQ(index->min_values.size(), index->null_pages.size());
    ExpectSame(RoundTrip(*index, EncodeColumnIndex, DecodeColumnIndex), *index);
  }
}

TEST(ThriftCodecInterop, RealFootersDecodeAndRoundTrip) {
  const std::string dir = featmerge::testing::InteropDir();
  const std::vector<ManifestRow> manifest = ReadManifest(dir);
  ASSERT_FALSE(manifest.empty()) << "no MANIFEST.tsv in " << dir;
  int checked = 0;
  for (const ManifestRow& row : manifest) {
    SCOPED_TRACE(row.file);
    const ByteBuffer file = ReadWholeFile(dir + "/" + row.file);
    const ByteView footer = Footer(file);
    if (row.expected != "ok") {
      (void)DecodeFileMetaData(footer);  // damaged files: any outcome but a crash
      continue;
    }
    ASSERT_FALSE(footer.empty());
    Result<FileMetaData> md = DecodeFileMetaData(footer);
    ASSERT_TRUE(md.ok()) << md.status().ToString();
    EXPECT_EQ(md->num_rows, row.rows);
    int64_t leaves = 0;
    for (size_t i = 1; i < md->schema.size(); ++i) leaves += md->schema[i].num_children == 0;
    EXPECT_EQ(leaves, row.columns);
    ExpectSame(RoundTripFile(*md), *md);
    for (const RowGroup& rg : md->row_groups) {
      ExpectSame(RoundTrip(rg, EncodeRowGroup, DecodeRowGroup), rg);
      for (const ColumnChunk& chunk : rg.columns) CheckPages(file, chunk);
    }
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

TEST(ThriftCodecInterop, RealFooterTruncatedAtEveryOffsetIsCorruption) {
  const ByteBuffer file =
      ReadWholeFile(featmerge::testing::InteropDir() + "/parquetrs__exotic.parquet");
  const ByteView footer = Footer(file);
  ASSERT_FALSE(footer.empty());
  ASSERT_TRUE(DecodeFileMetaData(footer).ok());
  for (size_t size = 0; size < footer.size(); ++size) {
    ASSERT_TRUE(DecodeFileMetaData(footer.first(size)).status().IsCorruption()) << size;
  }
}

}  // namespace
}  // namespace featmerge::parquet

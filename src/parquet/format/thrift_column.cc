// Thrift encoding of RowGroup, ColumnChunk, ColumnMetaData, Statistics and their small members.

#include "parquet/format/thrift_codec.h"
#include "parquet/format/thrift_internal.h"

namespace featmerge::parquet {
namespace format {
namespace {

void ReadPageEncodingStats(CompactReader* r, PageEncodingStats* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI32)) out->page_type = static_cast<PageType>(r->ReadI32());
        break;
      case 2:
        if (r->Expect(f, CType::kI32)) out->encoding = static_cast<Encoding>(r->ReadI32());
        break;
      case 3:
        if (r->Expect(f, CType::kI32)) out->count = r->ReadI32();
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "PageEncodingStats.page_type");
  r->RequireField(2, "PageEncodingStats.encoding");
  r->RequireField(3, "PageEncodingStats.count");
  r->ReadStructEnd();
}

void WritePageEncodingStats(const PageEncodingStats& stats, CompactWriter* w) {
  w->StructBegin();
  w->I32Field(1, static_cast<int32_t>(stats.page_type));
  w->I32Field(2, static_cast<int32_t>(stats.encoding));
  w->I32Field(3, stats.count);
  w->StructEnd();
}

void ReadSortingColumn(CompactReader* r, SortingColumn* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI32)) out->column_idx = r->ReadI32();
        break;
      case 2:
        if (r->Expect(f, CType::kBoolTrue)) out->descending = r->ReadBool();
        break;
      case 3:
        if (r->Expect(f, CType::kBoolTrue)) out->nulls_first = r->ReadBool();
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "SortingColumn.column_idx");
  r->RequireField(2, "SortingColumn.descending");
  r->RequireField(3, "SortingColumn.nulls_first");
  r->ReadStructEnd();
}

void WriteSortingColumn(const SortingColumn& column, CompactWriter* w) {
  w->StructBegin();
  w->I32Field(1, column.column_idx);
  w->BoolField(2, column.descending);
  w->BoolField(3, column.nulls_first);
  w->StructEnd();
}

void ReadColumnMetaData(CompactReader* r, ColumnMetaData* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI32)) out->type = static_cast<Type>(r->ReadI32());
        break;
      case 2:
        if (r->Expect(f, CType::kList)) {
          ReadList(r, CType::kI32, &out->encodings,
                   [](CompactReader* in) { return static_cast<Encoding>(in->ReadI32()); });
        }
        break;
      case 3:
        if (r->Expect(f, CType::kList)) {
          ReadList(r, CType::kBinary, &out->path_in_schema,
                   [](CompactReader* in) { return in->ReadBinary(); });
        }
        break;
      case 4:
        if (r->Expect(f, CType::kI32)) out->codec = static_cast<Compression>(r->ReadI32());
        break;
      case 5:
        if (r->Expect(f, CType::kI64)) out->num_values = r->ReadI64();
        break;
      case 6:
        if (r->Expect(f, CType::kI64)) out->total_uncompressed_size = r->ReadI64();
        break;
      case 7:
        if (r->Expect(f, CType::kI64)) out->total_compressed_size = r->ReadI64();
        break;
      case 8:
        if (r->Expect(f, CType::kList)) ReadStructList(r, &out->key_value_metadata, ReadKeyValue);
        break;
      case 9:
        if (r->Expect(f, CType::kI64)) out->data_page_offset = r->ReadI64();
        break;
      case 10:
        if (r->Expect(f, CType::kI64)) out->index_page_offset = r->ReadI64();
        break;
      case 11:
        if (r->Expect(f, CType::kI64)) out->dictionary_page_offset = r->ReadI64();
        break;
      case 12:
        if (r->Expect(f, CType::kStruct)) ReadStatistics(r, &out->statistics.emplace());
        break;
      case 13:
        if (r->Expect(f, CType::kList)) {
          ReadStructList(r, &out->encoding_stats, ReadPageEncodingStats);
        }
        break;
      case 14:
        if (r->Expect(f, CType::kI64)) out->bloom_filter_offset = r->ReadI64();
        break;
      case 15:
        if (r->Expect(f, CType::kI32)) out->bloom_filter_length = r->ReadI32();
        break;
      default:  // 16 size_statistics, 17 geospatial_statistics: optional, not modelled
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "ColumnMetaData.type");
  r->RequireField(2, "ColumnMetaData.encodings");
  r->RequireField(3, "ColumnMetaData.path_in_schema");
  r->RequireField(4, "ColumnMetaData.codec");
  r->RequireField(5, "ColumnMetaData.num_values");
  r->RequireField(6, "ColumnMetaData.total_uncompressed_size");
  r->RequireField(7, "ColumnMetaData.total_compressed_size");
  r->RequireField(9, "ColumnMetaData.data_page_offset");
  r->ReadStructEnd();
}

void WriteColumnMetaData(const ColumnMetaData& md, CompactWriter* w) {
  w->StructBegin();
  w->I32Field(1, static_cast<int32_t>(md.type));
  w->ListField(2, CType::kI32, md.encodings.size());
  for (Encoding encoding : md.encodings) w->WriteI32(static_cast<int32_t>(encoding));
  w->ListField(3, CType::kBinary, md.path_in_schema.size());
  for (const std::string& name : md.path_in_schema) w->WriteBinary(name);
  w->I32Field(4, static_cast<int32_t>(md.codec));
  w->I64Field(5, md.num_values);
  w->I64Field(6, md.total_uncompressed_size);
  w->I64Field(7, md.total_compressed_size);
  if (!md.key_value_metadata.empty()) {
    WriteStructList(8, md.key_value_metadata, w, WriteKeyValue);
  }
  w->I64Field(9, md.data_page_offset);
  if (md.index_page_offset) w->I64Field(10, *md.index_page_offset);
  if (md.dictionary_page_offset) w->I64Field(11, *md.dictionary_page_offset);
  if (md.statistics) {
    w->FieldBegin(12, CType::kStruct);
    WriteStatistics(*md.statistics, w);
  }
  if (!md.encoding_stats.empty()) WriteStructList(13, md.encoding_stats, w, WritePageEncodingStats);
  if (md.bloom_filter_offset) w->I64Field(14, *md.bloom_filter_offset);
  if (md.bloom_filter_length) w->I32Field(15, *md.bloom_filter_length);
  w->StructEnd();
}

}  // namespace

void ReadStatistics(CompactReader* r, Statistics* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kBinary)) out->max = r->ReadBinary();
        break;
      case 2:
        if (r->Expect(f, CType::kBinary)) out->min = r->ReadBinary();
        break;
      case 3:
        if (r->Expect(f, CType::kI64)) out->null_count = r->ReadI64();
        break;
      case 4:
        if (r->Expect(f, CType::kI64)) out->distinct_count = r->ReadI64();
        break;
      case 5:
        if (r->Expect(f, CType::kBinary)) out->max_value = r->ReadBinary();
        break;
      case 6:
        if (r->Expect(f, CType::kBinary)) out->min_value = r->ReadBinary();
        break;
      case 7:
        if (r->Expect(f, CType::kBoolTrue)) out->is_max_value_exact = r->ReadBool();
        break;
      case 8:
        if (r->Expect(f, CType::kBoolTrue)) out->is_min_value_exact = r->ReadBool();
        break;
      default:  // 9 nan_count: optional, not modelled
        r->Skip(f.type);
    }
  }
  r->ReadStructEnd();
}

void WriteStatistics(const Statistics& stats, CompactWriter* w) {
  w->StructBegin();
  if (stats.max) w->BinaryField(1, *stats.max);
  if (stats.min) w->BinaryField(2, *stats.min);
  if (stats.null_count) w->I64Field(3, *stats.null_count);
  if (stats.distinct_count) w->I64Field(4, *stats.distinct_count);
  if (stats.max_value) w->BinaryField(5, *stats.max_value);
  if (stats.min_value) w->BinaryField(6, *stats.min_value);
  if (stats.is_max_value_exact) w->BoolField(7, *stats.is_max_value_exact);
  if (stats.is_min_value_exact) w->BoolField(8, *stats.is_min_value_exact);
  w->StructEnd();
}

void ReadKeyValue(CompactReader* r, KeyValue* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kBinary)) out->key = r->ReadBinary();
        break;
      case 2:
        if (r->Expect(f, CType::kBinary)) out->value = r->ReadBinary();
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "KeyValue.key");
  r->ReadStructEnd();
}

void WriteKeyValue(const KeyValue& kv, CompactWriter* w) {
  w->StructBegin();
  w->BinaryField(1, kv.key);
  if (kv.value) w->BinaryField(2, *kv.value);
  w->StructEnd();
}

void ReadColumnChunk(CompactReader* r, ColumnChunk* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kBinary)) out->file_path = r->ReadBinary();
        break;
      case 2:
        if (r->Expect(f, CType::kI64)) out->file_offset = r->ReadI64();
        break;
      case 3:
        if (r->Expect(f, CType::kStruct)) ReadColumnMetaData(r, &out->meta_data.emplace());
        break;
      case 4:
        if (r->Expect(f, CType::kI64)) out->offset_index_offset = r->ReadI64();
        break;
      case 5:
        if (r->Expect(f, CType::kI32)) out->offset_index_length = r->ReadI32();
        break;
      case 6:
        if (r->Expect(f, CType::kI64)) out->column_index_offset = r->ReadI64();
        break;
      case 7:
        if (r->Expect(f, CType::kI32)) out->column_index_length = r->ReadI32();
        break;
      case 8:  // crypto_metadata (union)
      case 9:  // encrypted_column_metadata (binary)
        out->encrypted = true;
        r->Skip(f.type);
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(2, "ColumnChunk.file_offset");
  r->ReadStructEnd();
}

void WriteColumnChunk(const ColumnChunk& chunk, CompactWriter* w) {
  w->StructBegin();
  if (chunk.file_path) w->BinaryField(1, *chunk.file_path);
  w->I64Field(2, chunk.file_offset);
  if (chunk.meta_data) {
    w->FieldBegin(3, CType::kStruct);
    WriteColumnMetaData(*chunk.meta_data, w);
  }
  if (chunk.offset_index_offset) w->I64Field(4, *chunk.offset_index_offset);
  if (chunk.offset_index_length) w->I32Field(5, *chunk.offset_index_length);
  if (chunk.column_index_offset) w->I64Field(6, *chunk.column_index_offset);
  if (chunk.column_index_length) w->I32Field(7, *chunk.column_index_length);
  w->StructEnd();
}

void ReadRowGroup(CompactReader* r, RowGroup* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kList)) ReadStructList(r, &out->columns, ReadColumnChunk);
        break;
      case 2:
        if (r->Expect(f, CType::kI64)) out->total_byte_size = r->ReadI64();
        break;
      case 3:
        if (r->Expect(f, CType::kI64)) out->num_rows = r->ReadI64();
        break;
      case 4:
        if (r->Expect(f, CType::kList)) {
          ReadStructList(r, &out->sorting_columns, ReadSortingColumn);
        }
        break;
      case 5:
        if (r->Expect(f, CType::kI64)) out->file_offset = r->ReadI64();
        break;
      case 6:
        if (r->Expect(f, CType::kI64)) out->total_compressed_size = r->ReadI64();
        break;
      case 7:
        if (r->Expect(f, CType::kI16)) out->ordinal = r->ReadI16();
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "RowGroup.columns");
  r->RequireField(2, "RowGroup.total_byte_size");
  r->RequireField(3, "RowGroup.num_rows");
  r->ReadStructEnd();
}

void WriteRowGroup(const RowGroup& row_group, CompactWriter* w) {
  w->StructBegin();
  WriteStructList(1, row_group.columns, w, WriteColumnChunk);
  WriteRowGroupTail(row_group, w);
}

void WriteRowGroupTail(const RowGroup& row_group, CompactWriter* w) {
  w->I64Field(2, row_group.total_byte_size);
  w->I64Field(3, row_group.num_rows);
  if (!row_group.sorting_columns.empty()) {
    WriteStructList(4, row_group.sorting_columns, w, WriteSortingColumn);
  }
  if (row_group.file_offset) w->I64Field(5, *row_group.file_offset);
  if (row_group.total_compressed_size) w->I64Field(6, *row_group.total_compressed_size);
  if (row_group.ordinal) w->I16Field(7, *row_group.ordinal);
  w->StructEnd();
}

}  // namespace format

Result<RowGroup> DecodeRowGroup(ByteView bytes) {
  return format::DecodeStruct(bytes, "RowGroup", format::ReadRowGroup);
}

void EncodeRowGroup(const RowGroup& row_group, ByteBuffer* out) {
  format::EncodeStruct(row_group, format::WriteRowGroup, out);
}

Result<ColumnChunk> DecodeColumnChunk(ByteView bytes) {
  return format::DecodeStruct(bytes, "ColumnChunk", format::ReadColumnChunk);
}

void EncodeColumnChunk(const ColumnChunk& chunk, ByteBuffer* out) {
  format::EncodeStruct(chunk, format::WriteColumnChunk, out);
}

}  // namespace featmerge::parquet

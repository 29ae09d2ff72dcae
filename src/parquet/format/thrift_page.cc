// Thrift encoding of PageHeader (with its data/dictionary/v2 headers) and the page index
// (OffsetIndex, ColumnIndex).

#include <limits>

#include "parquet/format/thrift_codec.h"
#include "parquet/format/thrift_internal.h"

namespace featmerge::parquet {
namespace format {
namespace {

void ReadDataPageHeader(CompactReader* r, DataPageHeader* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI32)) out->num_values = r->ReadI32();
        break;
      case 2:
        if (r->Expect(f, CType::kI32)) out->encoding = static_cast<Encoding>(r->ReadI32());
        break;
      case 3:
        if (r->Expect(f, CType::kI32)) {
          out->definition_level_encoding = static_cast<Encoding>(r->ReadI32());
        }
        break;
      case 4:
        if (r->Expect(f, CType::kI32)) {
          out->repetition_level_encoding = static_cast<Encoding>(r->ReadI32());
        }
        break;
      case 5:
        if (r->Expect(f, CType::kStruct)) ReadStatistics(r, &out->statistics.emplace());
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "DataPageHeader.num_values");
  r->RequireField(2, "DataPageHeader.encoding");
  r->RequireField(3, "DataPageHeader.definition_level_encoding");
  r->RequireField(4, "DataPageHeader.repetition_level_encoding");
  r->ReadStructEnd();
}

void WriteDataPageHeader(const DataPageHeader& h, CompactWriter* w) {
  w->StructBegin();
  w->I32Field(1, h.num_values);
  w->I32Field(2, static_cast<int32_t>(h.encoding));
  w->I32Field(3, static_cast<int32_t>(h.definition_level_encoding));
  w->I32Field(4, static_cast<int32_t>(h.repetition_level_encoding));
  if (h.statistics) {
    w->FieldBegin(5, CType::kStruct);
    WriteStatistics(*h.statistics, w);
  }
  w->StructEnd();
}

void ReadDictionaryPageHeader(CompactReader* r, DictionaryPageHeader* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI32)) out->num_values = r->ReadI32();
        break;
      case 2:
        if (r->Expect(f, CType::kI32)) out->encoding = static_cast<Encoding>(r->ReadI32());
        break;
      case 3:
        if (r->Expect(f, CType::kBoolTrue)) out->is_sorted = r->ReadBool();
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "DictionaryPageHeader.num_values");
  r->RequireField(2, "DictionaryPageHeader.encoding");
  r->ReadStructEnd();
}

void WriteDictionaryPageHeader(const DictionaryPageHeader& h, CompactWriter* w) {
  w->StructBegin();
  w->I32Field(1, h.num_values);
  w->I32Field(2, static_cast<int32_t>(h.encoding));
  if (h.is_sorted) w->BoolField(3, *h.is_sorted);
  w->StructEnd();
}

void ReadDataPageHeaderV2(CompactReader* r, DataPageHeaderV2* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI32)) out->num_values = r->ReadI32();
        break;
      case 2:
        if (r->Expect(f, CType::kI32)) out->num_nulls = r->ReadI32();
        break;
      case 3:
        if (r->Expect(f, CType::kI32)) out->num_rows = r->ReadI32();
        break;
      case 4:
        if (r->Expect(f, CType::kI32)) out->encoding = static_cast<Encoding>(r->ReadI32());
        break;
      case 5:
        if (r->Expect(f, CType::kI32)) out->definition_levels_byte_length = r->ReadI32();
        break;
      case 6:
        if (r->Expect(f, CType::kI32)) out->repetition_levels_byte_length = r->ReadI32();
        break;
      case 7:
        if (r->Expect(f, CType::kBoolTrue)) out->is_compressed = r->ReadBool();
        break;
      case 8:
        if (r->Expect(f, CType::kStruct)) ReadStatistics(r, &out->statistics.emplace());
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "DataPageHeaderV2.num_values");
  r->RequireField(2, "DataPageHeaderV2.num_nulls");
  r->RequireField(3, "DataPageHeaderV2.num_rows");
  r->RequireField(4, "DataPageHeaderV2.encoding");
  r->RequireField(5, "DataPageHeaderV2.definition_levels_byte_length");
  r->RequireField(6, "DataPageHeaderV2.repetition_levels_byte_length");
  r->ReadStructEnd();
}

void WriteDataPageHeaderV2(const DataPageHeaderV2& h, CompactWriter* w) {
  w->StructBegin();
  w->I32Field(1, h.num_values);
  w->I32Field(2, h.num_nulls);
  w->I32Field(3, h.num_rows);
  w->I32Field(4, static_cast<int32_t>(h.encoding));
  w->I32Field(5, h.definition_levels_byte_length);
  w->I32Field(6, h.repetition_levels_byte_length);
  // Optional with default true; written always so no reader has to know the default.
  w->BoolField(7, h.is_compressed);
  if (h.statistics) {
    w->FieldBegin(8, CType::kStruct);
    WriteStatistics(*h.statistics, w);
  }
  w->StructEnd();
}

void ReadPageHeader(CompactReader* r, PageHeader* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI32)) out->type = static_cast<PageType>(r->ReadI32());
        break;
      case 2:
        if (r->Expect(f, CType::kI32)) out->uncompressed_page_size = r->ReadI32();
        break;
      case 3:
        if (r->Expect(f, CType::kI32)) out->compressed_page_size = r->ReadI32();
        break;
      case 4:
        if (r->Expect(f, CType::kI32)) out->crc = r->ReadI32();
        break;
      case 5:
        if (r->Expect(f, CType::kStruct)) ReadDataPageHeader(r, &out->data_page_header.emplace());
        break;
      case 7:
        if (r->Expect(f, CType::kStruct)) {
          ReadDictionaryPageHeader(r, &out->dictionary_page_header.emplace());
        }
        break;
      case 8:
        if (r->Expect(f, CType::kStruct)) {
          ReadDataPageHeaderV2(r, &out->data_page_header_v2.emplace());
        }
        break;
      default:  // 6 index_page_header: an empty struct nobody writes
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "PageHeader.type");
  r->RequireField(2, "PageHeader.uncompressed_page_size");
  r->RequireField(3, "PageHeader.compressed_page_size");
  r->ReadStructEnd();
}

void WritePageHeader(const PageHeader& h, CompactWriter* w) {
  w->StructBegin();
  w->I32Field(1, static_cast<int32_t>(h.type));
  w->I32Field(2, h.uncompressed_page_size);
  w->I32Field(3, h.compressed_page_size);
  if (h.crc) w->I32Field(4, *h.crc);
  if (h.data_page_header) {
    w->FieldBegin(5, CType::kStruct);
    WriteDataPageHeader(*h.data_page_header, w);
  }
  if (h.dictionary_page_header) {
    w->FieldBegin(7, CType::kStruct);
    WriteDictionaryPageHeader(*h.dictionary_page_header, w);
  }
  if (h.data_page_header_v2) {
    w->FieldBegin(8, CType::kStruct);
    WriteDataPageHeaderV2(*h.data_page_header_v2, w);
  }
  w->StructEnd();
}

void ReadPageLocation(CompactReader* r, PageLocation* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI64)) out->offset = r->ReadI64();
        break;
      case 2:
        if (r->Expect(f, CType::kI32)) out->compressed_page_size = r->ReadI32();
        break;
      case 3:
        if (r->Expect(f, CType::kI64)) out->first_row_index = r->ReadI64();
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "PageLocation.offset");
  r->RequireField(2, "PageLocation.compressed_page_size");
  r->RequireField(3, "PageLocation.first_row_index");
  r->ReadStructEnd();
}

void WritePageLocation(const PageLocation& location, CompactWriter* w) {
  w->StructBegin();
  w->I64Field(1, location.offset);
  w->I32Field(2, location.compressed_page_size);
  w->I64Field(3, location.first_row_index);
  w->StructEnd();
}

void ReadOffsetIndex(CompactReader* r, OffsetIndex* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    if (f.id == 1) {
      if (r->Expect(f, CType::kList)) ReadStructList(r, &out->page_locations, ReadPageLocation);
    } else {
      r->Skip(f.type);  // 2 unencoded_byte_array_data_bytes: optional, not modelled
    }
  }
  r->RequireField(1, "OffsetIndex.page_locations");
  r->ReadStructEnd();
}

void WriteOffsetIndex(const OffsetIndex& index, CompactWriter* w) {
  w->StructBegin();
  WriteStructList(1, index.page_locations, w, WritePageLocation);
  w->StructEnd();
}

void ReadColumnIndex(CompactReader* r, ColumnIndex* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kList)) {
          ReadList(r, CType::kBoolTrue, &out->null_pages,
                   [](CompactReader* in) { return in->ReadBool(); });
        }
        break;
      case 2:
        if (r->Expect(f, CType::kList)) {
          ReadList(r, CType::kBinary, &out->min_values,
                   [](CompactReader* in) { return in->ReadBinary(); });
        }
        break;
      case 3:
        if (r->Expect(f, CType::kList)) {
          ReadList(r, CType::kBinary, &out->max_values,
                   [](CompactReader* in) { return in->ReadBinary(); });
        }
        break;
      case 4:
        if (r->Expect(f, CType::kI32)) {
          out->boundary_order = static_cast<BoundaryOrder>(r->ReadI32());
        }
        break;
      case 5:
        if (r->Expect(f, CType::kList)) {
          ReadList(r, CType::kI64, &out->null_counts,
                   [](CompactReader* in) { return in->ReadI64(); });
        }
        break;
      default:  // 6, 7 level histograms, 8 nan_counts: optional, not modelled
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "ColumnIndex.null_pages");
  r->RequireField(2, "ColumnIndex.min_values");
  r->RequireField(3, "ColumnIndex.max_values");
  r->RequireField(4, "ColumnIndex.boundary_order");
  r->ReadStructEnd();
}

void WriteColumnIndex(const ColumnIndex& index, CompactWriter* w) {
  w->StructBegin();
  w->ListField(1, CType::kBoolTrue, index.null_pages.size());
  for (bool null_page : index.null_pages) w->WriteBool(null_page);
  w->ListField(2, CType::kBinary, index.min_values.size());
  for (const std::string& value : index.min_values) w->WriteBinary(value);
  w->ListField(3, CType::kBinary, index.max_values.size());
  for (const std::string& value : index.max_values) w->WriteBinary(value);
  w->I32Field(4, static_cast<int32_t>(index.boundary_order));
  if (!index.null_counts.empty()) {
    w->ListField(5, CType::kI64, index.null_counts.size());
    for (int64_t count : index.null_counts) w->WriteI64(count);
  }
  w->StructEnd();
}

}  // namespace
}  // namespace format

Result<PageHeader> DecodePageHeader(ByteView bytes, uint32_t* header_size) {
  size_t consumed = 0;
  Result<PageHeader> header =
      format::DecodeStruct(bytes, "PageHeader", format::ReadPageHeader, &consumed);
  if (!header.ok()) return header;
  if (consumed > std::numeric_limits<uint32_t>::max()) {
    return Status::Corruption("invalid Thrift in PageHeader: header of " +
                              std::to_string(consumed) + " bytes exceeds 4 GiB");
  }
  *header_size = static_cast<uint32_t>(consumed);
  return header;
}

void EncodePageHeader(const PageHeader& header, ByteBuffer* out) {
  format::EncodeStruct(header, format::WritePageHeader, out);
}

Result<OffsetIndex> DecodeOffsetIndex(ByteView bytes) {
  return format::DecodeStruct(bytes, "OffsetIndex", format::ReadOffsetIndex);
}

void EncodeOffsetIndex(const OffsetIndex& index, ByteBuffer* out) {
  format::EncodeStruct(index, format::WriteOffsetIndex, out);
}

Result<ColumnIndex> DecodeColumnIndex(ByteView bytes) {
  return format::DecodeStruct(bytes, "ColumnIndex", format::ReadColumnIndex);
}

void EncodeColumnIndex(const ColumnIndex& index, ByteBuffer* out) {
  format::EncodeStruct(index, format::WriteColumnIndex, out);
}

}  // namespace featmerge::parquet

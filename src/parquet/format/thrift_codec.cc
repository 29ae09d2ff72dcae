// Thrift encoding of FileMetaData, SchemaElement, LogicalType and ColumnOrder (the footer).

#include "parquet/format/thrift_codec.h"

#include <algorithm>

#include "parquet/format/thrift_internal.h"

namespace featmerge::parquet {
namespace format {
namespace {

using Kind = LogicalType::Kind;

// LogicalType union member ids (parquet.thrift); 0 for kinds we cannot write.
int16_t LogicalTypeFieldId(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return 1;
    case Kind::kMap:
      return 2;
    case Kind::kList:
      return 3;
    case Kind::kEnum:
      return 4;
    case Kind::kDecimal:
      return 5;
    case Kind::kDate:
      return 6;
    case Kind::kTime:
      return 7;
    case Kind::kTimestamp:
      return 8;
    case Kind::kInteger:
      return 10;
    case Kind::kUnknown:
      return 11;
    case Kind::kJson:
      return 12;
    case Kind::kBson:
      return 13;
    case Kind::kUuid:
      return 14;
    case Kind::kFloat16:
      return 15;
    case Kind::kVariant:
      return 16;
    case Kind::kGeometry:
      return 17;
    case Kind::kGeography:
      return 18;
    case Kind::kNone:
    case Kind::kUnrecognized:
      return 0;
  }
  return 0;
}

Kind KindOfFieldId(int16_t id) {
  static constexpr Kind kByFieldId[] = {
      Kind::kUnrecognized, Kind::kString,  Kind::kMap,      Kind::kList,      Kind::kEnum,
      Kind::kDecimal,      Kind::kDate,    Kind::kTime,     Kind::kTimestamp, Kind::kUnrecognized,
      Kind::kInteger,      Kind::kUnknown, Kind::kJson,     Kind::kBson,      Kind::kUuid,
      Kind::kFloat16,      Kind::kVariant, Kind::kGeometry, Kind::kGeography};
  constexpr int16_t kCount = static_cast<int16_t>(std::size(kByFieldId));
  return id >= 0 && id < kCount ? kByFieldId[id] : Kind::kUnrecognized;
}

// Reads the TimeUnit union; false for a unit this version does not know (or none).
bool ReadTimeUnit(CompactReader* r, TimeUnit* unit) {
  bool known = false;
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    known = f.type == CType::kStruct && f.id >= 1 && f.id <= 3;
    if (known) *unit = static_cast<TimeUnit>(f.id - 1);  // MILLIS=1, MICROS=2, NANOS=3
    r->Skip(f.type);  // the member structs are empty; skipping tolerates fields added later
  }
  r->ReadStructEnd();
  return known;
}

int16_t TimeUnitFieldId(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillis:
      return 1;
    case TimeUnit::kMicros:
      return 2;
    case TimeUnit::kNanos:
      return 3;
  }
  return 1;  // unreachable for values we decoded
}

// TimeType and TimestampType share their layout.
void ReadTimeLike(CompactReader* r, LogicalType* out, const char* utc_name, const char* unit_name) {
  bool unit_known = false;
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kBoolTrue)) out->is_adjusted_to_utc = r->ReadBool();
        break;
      case 2:
        if (r->Expect(f, CType::kStruct)) unit_known = ReadTimeUnit(r, &out->unit);
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, utc_name);
  r->RequireField(2, unit_name);
  r->ReadStructEnd();
  if (!unit_known) out->kind = Kind::kUnrecognized;
}

void ReadDecimalType(CompactReader* r, LogicalType* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI32)) out->scale = r->ReadI32();
        break;
      case 2:
        if (r->Expect(f, CType::kI32)) out->precision = r->ReadI32();
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "DecimalType.scale");
  r->RequireField(2, "DecimalType.precision");
  r->ReadStructEnd();
}

void ReadIntType(CompactReader* r, LogicalType* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI8)) out->bit_width = r->ReadI8();
        break;
      case 2:
        if (r->Expect(f, CType::kBoolTrue)) out->is_signed = r->ReadBool();
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "IntType.bitWidth");
  r->RequireField(2, "IntType.isSigned");
  r->ReadStructEnd();
}

void ReadVariantType(CompactReader* r, LogicalType* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    if (f.id == 1) {
      if (r->Expect(f, CType::kI8)) out->variant_version = r->ReadI8();
    } else {
      r->Skip(f.type);
    }
  }
  r->ReadStructEnd();
}

// GeometryType {1: crs} and GeographyType {1: crs, 2: algorithm}.
void ReadGeoType(CompactReader* r, LogicalType* out) {
  const bool geography = out->kind == Kind::kGeography;
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    if (f.id == 1) {
      if (r->Expect(f, CType::kBinary)) out->crs = r->ReadBinary();
    } else if (f.id == 2 && geography) {
      if (r->Expect(f, CType::kI32)) out->edge_algorithm = r->ReadI32();
    } else {
      r->Skip(f.type);
    }
  }
  r->ReadStructEnd();
}

void ReadLogicalType(CompactReader* r, LogicalType* out) {
  *out = LogicalType{};
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    // A union has one member; should a writer send more, the last one wins.
    *out = LogicalType{};
    out->kind = f.type == CType::kStruct ? KindOfFieldId(f.id) : Kind::kUnrecognized;
    if (out->kind == Kind::kTime) {
      ReadTimeLike(r, out, "TimeType.isAdjustedToUTC", "TimeType.unit");
    } else if (out->kind == Kind::kTimestamp) {
      ReadTimeLike(r, out, "TimestampType.isAdjustedToUTC", "TimestampType.unit");
    } else if (out->kind == Kind::kDecimal) {
      ReadDecimalType(r, out);
    } else if (out->kind == Kind::kInteger) {
      ReadIntType(r, out);
    } else if (out->kind == Kind::kVariant) {
      ReadVariantType(r, out);
    } else if (out->kind == Kind::kGeometry || out->kind == Kind::kGeography) {
      ReadGeoType(r, out);
    } else {
      r->Skip(f.type);  // an empty member struct, or one we do not know
    }
  }
  r->ReadStructEnd();
  // An empty union names no type; Arrow rejects it. Leave the decision to the schema layer.
  if (out->kind == Kind::kNone) out->kind = Kind::kUnrecognized;
}

void WriteLogicalType(const LogicalType& type, CompactWriter* w) {
  w->StructBegin();
  w->StructField(LogicalTypeFieldId(type.kind));
  switch (type.kind) {
    case Kind::kDecimal:
      w->I32Field(1, type.scale);
      w->I32Field(2, type.precision);
      break;
    case Kind::kTime:
    case Kind::kTimestamp:
      w->BoolField(1, type.is_adjusted_to_utc);
      w->StructField(2);
      w->StructField(TimeUnitFieldId(type.unit));
      w->StructEnd();
      w->StructEnd();
      break;
    case Kind::kInteger:
      w->I8Field(1, type.bit_width);
      w->BoolField(2, type.is_signed);
      break;
    case Kind::kVariant:
      if (type.variant_version) w->I8Field(1, *type.variant_version);
      break;
    case Kind::kGeometry:
    case Kind::kGeography:
      if (type.crs) w->BinaryField(1, *type.crs);
      if (type.kind == Kind::kGeography && type.edge_algorithm) {
        w->I32Field(2, *type.edge_algorithm);
      }
      break;
    default:  // empty member struct
      break;
  }
  w->StructEnd();  // member
  w->StructEnd();  // union
}

void ReadSchemaElement(CompactReader* r, SchemaElement* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI32)) out->type = static_cast<Type>(r->ReadI32());
        break;
      case 2:
        if (r->Expect(f, CType::kI32)) out->type_length = r->ReadI32();
        break;
      case 3:
        if (r->Expect(f, CType::kI32)) out->repetition = static_cast<Repetition>(r->ReadI32());
        break;
      case 4:
        if (r->Expect(f, CType::kBinary)) out->name = r->ReadBinary();
        break;
      case 5:
        if (r->Expect(f, CType::kI32)) out->num_children = r->ReadI32();
        break;
      case 6:
        if (r->Expect(f, CType::kI32)) {
          out->converted_type = static_cast<ConvertedType>(r->ReadI32());
        }
        break;
      case 7:
        if (r->Expect(f, CType::kI32)) out->scale = r->ReadI32();
        break;
      case 8:
        if (r->Expect(f, CType::kI32)) out->precision = r->ReadI32();
        break;
      case 9:
        if (r->Expect(f, CType::kI32)) out->field_id = r->ReadI32();
        break;
      case 10:
        if (r->Expect(f, CType::kStruct)) ReadLogicalType(r, &out->logical_type);
        break;
      default:  // 11 vector_length: only with repetition VECTOR, which callers reject
        r->Skip(f.type);
    }
  }
  r->RequireField(4, "SchemaElement.name");
  r->ReadStructEnd();
}

void WriteSchemaElement(const SchemaElement& element, CompactWriter* w) {
  w->StructBegin();
  if (element.type) w->I32Field(1, static_cast<int32_t>(*element.type));
  // type_length has no "absent" in our struct: write it when it carries information.
  if (element.type_length != 0 || element.type == Type::kFixedLenByteArray) {
    w->I32Field(2, element.type_length);
  }
  if (element.repetition) w->I32Field(3, static_cast<int32_t>(*element.repetition));
  w->BinaryField(4, element.name);
  // Readers tell groups from leaves by num_children being set, so groups always carry it.
  if (element.num_children != 0 || !element.type) w->I32Field(5, element.num_children);
  if (element.converted_type) w->I32Field(6, static_cast<int32_t>(*element.converted_type));
  if (element.scale) w->I32Field(7, *element.scale);
  if (element.precision) w->I32Field(8, *element.precision);
  if (element.field_id) w->I32Field(9, *element.field_id);
  if (LogicalTypeFieldId(element.logical_type.kind) != 0) {
    w->FieldBegin(10, CType::kStruct);
    WriteLogicalType(element.logical_type, w);
  }
  w->StructEnd();
}

// ColumnOrder union: TYPE_ORDER (1) is true; IEEE_754_TOTAL_ORDER and unknown orders are false.
void ReadColumnOrder(CompactReader* r, bool* type_defined) {
  *type_defined = false;
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    *type_defined = f.id == 1 && f.type == CType::kStruct;
    r->Skip(f.type);
  }
  r->ReadStructEnd();
}

void ReadFileMetaData(CompactReader* r, FileMetaData* out) {
  r->ReadStructBegin();
  FieldHeader f;
  while (r->ReadFieldBegin(&f)) {
    switch (f.id) {
      case 1:
        if (r->Expect(f, CType::kI32)) out->version = r->ReadI32();
        break;
      case 2:
        if (r->Expect(f, CType::kList)) ReadStructList(r, &out->schema, ReadSchemaElement);
        break;
      case 3:
        if (r->Expect(f, CType::kI64)) out->num_rows = r->ReadI64();
        break;
      case 4:
        if (r->Expect(f, CType::kList)) ReadStructList(r, &out->row_groups, ReadRowGroup);
        break;
      case 5:
        if (r->Expect(f, CType::kList)) ReadStructList(r, &out->key_value_metadata, ReadKeyValue);
        break;
      case 6:
        if (r->Expect(f, CType::kBinary)) out->created_by = r->ReadBinary();
        break;
      case 7:
        if (r->Expect(f, CType::kList)) ReadStructList(r, &out->column_orders, ReadColumnOrder);
        break;
      case 8:  // encryption_algorithm: a plaintext footer of an encrypted file
      case 9:  // footer_signing_key_metadata
        out->encrypted = true;
        r->Skip(f.type);
        break;
      default:
        r->Skip(f.type);
    }
  }
  r->RequireField(1, "FileMetaData.version");
  r->RequireField(2, "FileMetaData.schema");
  r->RequireField(3, "FileMetaData.num_rows");
  r->RequireField(4, "FileMetaData.row_groups");
  r->ReadStructEnd();
}

void WriteFileMetaDataHead(const FileMetaData& md, size_t num_row_groups, CompactWriter* w) {
  w->StructBegin();
  w->I32Field(1, md.version);
  WriteStructList(2, md.schema, w, WriteSchemaElement);
  w->I64Field(3, md.num_rows);
  w->ListField(4, CType::kStruct, num_row_groups);
}

void WriteFileMetaDataTail(const FileMetaData& md, CompactWriter* w) {
  if (!md.key_value_metadata.empty()) WriteStructList(5, md.key_value_metadata, w, WriteKeyValue);
  if (md.created_by) w->BinaryField(6, *md.created_by);
  const bool all_type_defined =
      std::all_of(md.column_orders.begin(), md.column_orders.end(), [](bool b) { return b; });
  if (!md.column_orders.empty() && all_type_defined) {
    w->ListField(7, CType::kStruct, md.column_orders.size());
    for (size_t column_idx = 0; column_idx < md.column_orders.size(); ++column_idx) {
      w->StructBegin();
      w->StructField(1);  // TYPE_ORDER: TypeDefinedOrder {}
      w->StructEnd();
      w->StructEnd();
    }
  }
  w->StructEnd();
}

void WriteFileMetaData(const FileMetaData& md, CompactWriter* w) {
  WriteFileMetaDataHead(md, md.row_groups.size(), w);
  for (const RowGroup& rg : md.row_groups) WriteRowGroup(rg, w);
  WriteFileMetaDataTail(md, w);
}

}  // namespace
}  // namespace format

Result<FileMetaData> DecodeFileMetaData(ByteView bytes) {
  return format::DecodeStruct(bytes, "FileMetaData", format::ReadFileMetaData);
}

void EncodeFileMetaData(const FileMetaData& md, ByteBuffer* out) {
  format::EncodeStruct(md, format::WriteFileMetaData, out);
}

void FooterEncoder::Begin(const FileMetaData& head, size_t num_row_groups) {
  format::WriteFileMetaDataHead(head, num_row_groups, &w_);
}

void FooterEncoder::BeginRowGroup(size_t num_columns) {
  w_.StructBegin();
  w_.ListField(1, format::CType::kStruct, num_columns);
}

void FooterEncoder::AddColumnChunk(const ColumnChunk& chunk) { format::WriteColumnChunk(chunk, &w_); }

void FooterEncoder::EndRowGroup(const RowGroup& row_group) {
  format::WriteRowGroupTail(row_group, &w_);
}

void FooterEncoder::End(const FileMetaData& tail) { format::WriteFileMetaDataTail(tail, &w_); }

}  // namespace featmerge::parquet

#include "parquet/schema.h"

namespace featmerge::parquet {
namespace {

// Files written with only the legacy ConvertedType (DuckDB's INT_8.., old parquet-mr) get the
// equivalent LogicalType so the rest of the code looks at one field.
LogicalType FromConverted(ConvertedType ct, const SchemaElement& e) {
  LogicalType lt;
  using K = LogicalType::Kind;
  auto integer = [&](int bits, bool is_signed) {
    lt.kind = K::kInteger;
    lt.bit_width = static_cast<int8_t>(bits);
    lt.is_signed = is_signed;
  };
  switch (ct) {
    case ConvertedType::kUtf8: lt.kind = K::kString; break;
    case ConvertedType::kEnum: lt.kind = K::kEnum; break;
    case ConvertedType::kJson: lt.kind = K::kJson; break;
    case ConvertedType::kBson: lt.kind = K::kBson; break;
    case ConvertedType::kDate: lt.kind = K::kDate; break;
    case ConvertedType::kDecimal:
      lt.kind = K::kDecimal;
      lt.scale = e.scale.value_or(0);
      lt.precision = e.precision.value_or(0);
      break;
    case ConvertedType::kTimeMillis:
      lt.kind = K::kTime, lt.unit = TimeUnit::kMillis, lt.is_adjusted_to_utc = true;
      break;
    case ConvertedType::kTimeMicros:
      lt.kind = K::kTime, lt.unit = TimeUnit::kMicros, lt.is_adjusted_to_utc = true;
      break;
    case ConvertedType::kTimestampMillis:
      lt.kind = K::kTimestamp, lt.unit = TimeUnit::kMillis, lt.is_adjusted_to_utc = true;
      break;
    case ConvertedType::kTimestampMicros:
      lt.kind = K::kTimestamp, lt.unit = TimeUnit::kMicros, lt.is_adjusted_to_utc = true;
      break;
    case ConvertedType::kUint8: integer(8, false); break;
    case ConvertedType::kUint16: integer(16, false); break;
    case ConvertedType::kUint32: integer(32, false); break;
    case ConvertedType::kUint64: integer(64, false); break;
    case ConvertedType::kInt8: integer(8, true); break;
    case ConvertedType::kInt16: integer(16, true); break;
    case ConvertedType::kInt32: integer(32, true); break;
    case ConvertedType::kInt64: integer(64, true); break;
    default: break;  // MAP, LIST, INTERVAL...: no logical equivalent for a flat column
  }
  return lt;
}

// The legacy ConvertedType equivalent of a LogicalType, written beside it because several
// readers (DuckDB among them) type strings, dates, decimals and integers by ConvertedType.
// Local (not UTC-adjusted) times and timestamps have no equivalent (the format spec).
std::optional<ConvertedType> ToConverted(const LogicalType& lt) {
  using K = LogicalType::Kind;
  switch (lt.kind) {
    case K::kString: return ConvertedType::kUtf8;
    case K::kEnum: return ConvertedType::kEnum;
    case K::kJson: return ConvertedType::kJson;
    case K::kBson: return ConvertedType::kBson;
    case K::kDecimal: return ConvertedType::kDecimal;
    case K::kDate: return ConvertedType::kDate;
    case K::kTime:
      if (!lt.is_adjusted_to_utc) return std::nullopt;
      if (lt.unit == TimeUnit::kMillis) return ConvertedType::kTimeMillis;
      if (lt.unit == TimeUnit::kMicros) return ConvertedType::kTimeMicros;
      return std::nullopt;
    case K::kTimestamp:
      if (!lt.is_adjusted_to_utc) return std::nullopt;
      if (lt.unit == TimeUnit::kMillis) return ConvertedType::kTimestampMillis;
      if (lt.unit == TimeUnit::kMicros) return ConvertedType::kTimestampMicros;
      return std::nullopt;
    case K::kInteger:
      switch (lt.bit_width) {
        case 8: return lt.is_signed ? ConvertedType::kInt8 : ConvertedType::kUint8;
        case 16: return lt.is_signed ? ConvertedType::kInt16 : ConvertedType::kUint16;
        case 32: return lt.is_signed ? ConvertedType::kInt32 : ConvertedType::kUint32;
        case 64: return lt.is_signed ? ConvertedType::kInt64 : ConvertedType::kUint64;
        default: return std::nullopt;
      }
    default:
      return std::nullopt;
  }
}

}  // namespace

bool ColumnDescriptor::IsUnsignedInteger() const {
  return logical_type.kind == LogicalType::Kind::kInteger && !logical_type.is_signed;
}

std::string ColumnDescriptor::LogicalTypeString() const {
  using K = LogicalType::Kind;
  const LogicalType& lt = logical_type;
  switch (lt.kind) {
    case K::kNone:
      if (converted_type) return ConvertedTypeName(*converted_type);
      return "";
    case K::kString: return "STRING";
    case K::kMap: return "MAP";
    case K::kList: return "LIST";
    case K::kEnum: return "ENUM";
    case K::kDecimal:
      return "DECIMAL(" + std::to_string(lt.precision) + "," + std::to_string(lt.scale) + ")";
    case K::kDate: return "DATE";
    case K::kTime:
      return std::string("TIME(") + TimeUnitName(lt.unit) + (lt.is_adjusted_to_utc ? ",utc)" : ",local)");
    case K::kTimestamp:
      return std::string("TIMESTAMP(") + TimeUnitName(lt.unit) +
             (lt.is_adjusted_to_utc ? ",utc)" : ",local)");
    case K::kInteger:
      return std::string(lt.is_signed ? "INT(" : "UINT(") + std::to_string(lt.bit_width) + ")";
    case K::kUnknown: return "NULL";
    case K::kJson: return "JSON";
    case K::kBson: return "BSON";
    case K::kUuid: return "UUID";
    case K::kFloat16: return "FLOAT16";
    case K::kVariant: return "VARIANT";
    case K::kGeometry: return "GEOMETRY";
    case K::kGeography: return "GEOGRAPHY";
    case K::kUnrecognized: return "UNRECOGNIZED";
  }
  return "";
}

Result<Schema> Schema::FromElements(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return Status::Corruption("the footer's schema has no root element");
  const SchemaElement& root = elements[0];
  if (root.num_children < 0 || static_cast<size_t>(root.num_children) > elements.size() - 1) {
    return Status::Corruption("the schema root claims " + std::to_string(root.num_children) +
                              " children but the footer lists " +
                              std::to_string(elements.size() - 1) + " elements");
  }
  std::vector<ColumnDescriptor> columns;
  columns.reserve(elements.size() - 1);
  size_t idx = 1;
  for (int child = 0; child < root.num_children; child++) {
    if (idx >= elements.size()) {
      return Status::Corruption("the schema ends after " + std::to_string(idx - 1) +
                                " elements, root expects " + std::to_string(root.num_children));
    }
    const SchemaElement& e = elements[idx];
    if (e.num_children > 0 || !e.type.has_value()) {
      const char* what = "a group";
      if (e.logical_type.kind == LogicalType::Kind::kList ||
          e.converted_type == ConvertedType::kList) what = "a list";
      else if (e.logical_type.kind == LogicalType::Kind::kMap ||
               e.converted_type == ConvertedType::kMap ||
               e.converted_type == ConvertedType::kMapKeyValue) what = "a map";
      else if (e.num_children > 0) what = "a struct";
      return Status::NotSupported("column '" + e.name + "' is " + what +
                                  " (nested column); featmerge reads flat columns only");
    }
    if (e.repetition == Repetition::kRepeated) {
      return Status::NotSupported("column '" + e.name +
                                  "' is repeated (a nested list); featmerge reads flat columns only");
    }
    ColumnDescriptor col;
    col.name = e.name;
    col.type = *e.type;
    if (static_cast<int32_t>(col.type) < 0 || static_cast<int32_t>(col.type) > 7) {
      return Status::Corruption("column '" + e.name + "' has unknown physical type " +
                                std::to_string(static_cast<int32_t>(col.type)));
    }
    col.type_length = e.type_length;
    if (col.type == Type::kFixedLenByteArray && (e.type_length <= 0 || e.type_length > (1 << 20))) {
      return Status::Corruption("column '" + e.name + "' is FIXED_LEN_BYTE_ARRAY with invalid length " +
                                std::to_string(e.type_length));
    }
    col.nullable = e.repetition.value_or(Repetition::kOptional) != Repetition::kRequired;
    col.converted_type = e.converted_type;
    col.logical_type = e.logical_type;
    if (col.logical_type.kind == LogicalType::Kind::kNone && e.converted_type) {
      col.logical_type = FromConverted(*e.converted_type, e);
    }
    if (col.logical_type.kind == LogicalType::Kind::kDecimal) {
      if (col.logical_type.precision == 0 && e.precision) col.logical_type.precision = *e.precision;
      if (col.logical_type.scale == 0 && e.scale) col.logical_type.scale = *e.scale;
      col.scale = col.logical_type.scale;
      col.precision = col.logical_type.precision;
    }
    col.field_id = e.field_id;
    columns.push_back(std::move(col));
    idx++;
  }
  if (idx != elements.size()) {
    return Status::Corruption("the schema lists " + std::to_string(elements.size() - idx) +
                              " elements beyond the root's " + std::to_string(root.num_children) +
                              " children");
  }
  return Schema(std::move(columns));
}

std::vector<SchemaElement> Schema::ToElements() const {
  std::vector<SchemaElement> out;
  out.reserve(columns_.size() + 1);
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(columns_.size());
  out.push_back(root);
  for (const ColumnDescriptor& c : columns_) {
    SchemaElement e;
    e.type = c.type;
    e.type_length = c.type_length;
    e.repetition = c.nullable ? Repetition::kOptional : Repetition::kRequired;
    e.name = c.name;
    e.converted_type = c.converted_type ? c.converted_type : ToConverted(c.logical_type);
    e.logical_type = c.logical_type;
    if (c.logical_type.kind == LogicalType::Kind::kDecimal) {
      e.scale = c.scale;
      e.precision = c.precision;
    }
    e.field_id = c.field_id;
    out.push_back(std::move(e));
  }
  return out;
}

int Schema::FindColumn(const std::string& name) const {
  for (size_t i = 0; i < columns_.size(); i++) {
    if (columns_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace featmerge::parquet

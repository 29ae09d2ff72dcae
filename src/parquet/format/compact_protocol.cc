#include "parquet/format/compact_protocol.h"

#include <cstring>
#include <limits>

#include "base/logging.h"

namespace featmerge::parquet::format {
namespace {

std::string At(size_t pos) { return " at byte " + std::to_string(pos); }

// Field types 1..13 (0 is the stop marker and never a value type).
bool IsValueType(uint8_t type) { return type >= 1 && type <= 13; }

// Fewest bytes one element of `type` occupies on the wire: a bool element, an i8, a varint, an
// empty binary, an empty collection and an empty struct (its stop byte) all take one byte.
// Bounding list sizes by this keeps a forged size from driving allocation or loop counts.
size_t MinEncodedSize(CType type) {
  switch (type) {
    case CType::kDouble:
      return 8;
    case CType::kUuid:
      return 16;
    default:
      return 1;
  }
}

bool SameType(CType actual, CType expected) {
  // list<bool> headers carry 1 in Java/C++ Thrift and 2 in the written spec; accept both.
  auto is_bool = [](CType t) { return t == CType::kBoolTrue || t == CType::kBoolFalse; };
  return actual == expected || (is_bool(actual) && is_bool(expected));
}

}  // namespace

// ---------------------------------------------------------------- CompactReader

void CompactReader::Fail(std::string message) {
  if (error_.empty()) error_ = message.empty() ? std::string("error") : std::move(message);
}

Status CompactReader::status() const {
  if (ok()) return Status::OK();
  return Status::Corruption(std::string("invalid Thrift in ") + what_ + ": " + error_);
}

uint8_t CompactReader::ReadByte() {
  if (!ok()) return 0;
  if (pos_ >= bytes_.size()) {
    Fail("input ends" + At(pos_) + " where a value was expected");
    return 0;
  }
  return bytes_[pos_++];
}

uint64_t CompactReader::ReadVarint() {
  if (!ok()) return 0;
  const size_t start = pos_;
  uint64_t result = 0;
  // A 64-bit varint has at most 10 groups of 7 bits; the 10th may only hold the top bit.
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= bytes_.size()) {
      Fail("input ends inside the varint" + At(start));
      return 0;
    }
    const uint8_t byte = bytes_[pos_++];
    if (shift == 63 && byte > 1) {
      Fail("varint" + At(start) + " overflows 64 bits");
      return 0;
    }
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return result;
  }
  return result;  // unreachable: the 10th byte either ends the varint or fails above
}

uint32_t CompactReader::ReadVarint32(const char* what) {
  const size_t start = pos_;
  const uint64_t v = ReadVarint();
  if (v > std::numeric_limits<uint32_t>::max()) {
    Fail(std::string(what) + At(start) + " does not fit in 32 bits");
    return 0;
  }
  return static_cast<uint32_t>(v);
}

void CompactReader::SkipBytes(size_t n, const char* what) {
  if (!ok()) return;
  if (n > remaining()) {
    Fail(std::string(what) + " of " + std::to_string(n) + " bytes" + At(pos_) + " exceeds the " +
         std::to_string(remaining()) + " bytes left");
    return;
  }
  pos_ += n;
}

bool CompactReader::EnterNesting() {
  ++depth_;  // always counted, so LeaveNesting() stays balanced after an error
  if (depth_ > kMaxDepth && ok()) {
    Fail("values nested more than " + std::to_string(kMaxDepth) + " deep" + At(pos_));
  }
  return ok();
}

void CompactReader::LeaveNesting() {
  if (depth_ > 0) --depth_;
}

void CompactReader::ReadStructBegin() {
  const size_t start = pos_;
  if (!EnterNesting()) return;
  frame() = Frame{0, 0, start};
}

void CompactReader::ReadStructEnd() { LeaveNesting(); }

bool CompactReader::ReadFieldBegin(FieldHeader* field) {
  pending_bool_ = -1;
  if (!ok()) return false;
  const size_t start = pos_;
  const uint8_t byte = ReadByte();
  if (!ok() || byte == 0) return false;  // error or stop field
  const uint8_t type = byte & 0x0f;
  const uint8_t delta = byte >> 4;
  if (!IsValueType(type)) {
    Fail("invalid field type " + std::to_string(type) + At(start));
    return false;
  }
  // Short form: the id is a delta (1..15) from the previous field of this struct; long form
  // (delta 0): a zigzag i16 follows.
  const int32_t id = delta != 0 ? frame().last_field_id + delta : ReadI16();
  if (!ok()) return false;
  if (id > std::numeric_limits<int16_t>::max()) {
    Fail("field id " + std::to_string(id) + At(start) + " overflows i16");
    return false;
  }
  frame().last_field_id = static_cast<int16_t>(id);
  field->id = static_cast<int16_t>(id);
  field->type = static_cast<CType>(type);
  // A bool field has no payload: its value is the type nibble.
  if (field->type == CType::kBoolTrue) pending_bool_ = 1;
  if (field->type == CType::kBoolFalse) pending_bool_ = 0;
  return true;
}

bool CompactReader::Expect(const FieldHeader& field, CType type) {
  if (!SameType(field.type, type)) {
    Skip(field.type);
    return false;
  }
  if (field.id >= 0 && field.id < 64) frame().seen |= uint64_t{1} << field.id;
  return ok();
}

void CompactReader::RequireField(int id, const char* name) {
  if (!ok() || id < 0 || id >= 64) return;
  if ((frame().seen & (uint64_t{1} << id)) == 0) {
    Fail(std::string("required field ") + name + " (id " + std::to_string(id) +
         ") is missing from the struct" + At(frame().start));
  }
}

bool CompactReader::ReadBool() {
  if (pending_bool_ >= 0) {
    const bool value = pending_bool_ == 1;
    pending_bool_ = -1;
    return value;
  }
  const size_t start = pos_;
  const uint8_t byte = ReadByte();
  // Collection elements: Java and C++ Thrift write 1/2; the written spec and Go Thrift use 1/0.
  if (byte == 1) return true;
  if (byte != 0 && byte != 2) Fail("invalid bool value " + std::to_string(byte) + At(start));
  return false;
}

int8_t CompactReader::ReadI8() { return static_cast<int8_t>(ReadByte()); }

int16_t CompactReader::ReadI16() {
  const size_t start = pos_;
  const uint64_t v = ReadVarint();
  if (v > 0xffff) {  // zigzag of the int16 range is 0..65535
    Fail("i16" + At(start) + " out of range");
    return 0;
  }
  return static_cast<int16_t>(ZigZagDecode(v));
}

int32_t CompactReader::ReadI32() {
  const uint32_t v = ReadVarint32("i32");
  return static_cast<int32_t>(ZigZagDecode(v));
}

int64_t CompactReader::ReadI64() { return ZigZagDecode(ReadVarint()); }

double CompactReader::ReadDouble() {
  if (!ok()) return 0;
  if (remaining() < 8) {
    SkipBytes(8, "double");
    return 0;
  }
  double value;
  std::memcpy(&value, bytes_.data() + pos_, 8);  // little-endian on the wire, as on our targets
  pos_ += 8;
  return value;
}

std::string CompactReader::ReadBinary() {
  const size_t start = pos_;
  const uint32_t size = ReadVarint32("binary length");
  if (!ok()) return {};
  if (size > remaining()) {
    Fail("binary of " + std::to_string(size) + " bytes" + At(start) + " exceeds the " +
         std::to_string(remaining()) + " bytes left");
    return {};
  }
  std::string value(reinterpret_cast<const char*>(bytes_.data() + pos_), size);
  pos_ += size;
  return value;
}

CompactReader::CollectionHeader CompactReader::ReadCollectionHeader() {
  const size_t start = pos_;
  const uint8_t byte = ReadByte();
  uint32_t size = byte >> 4;
  const uint8_t type = byte & 0x0f;
  if (size == 15) size = ReadVarint32("list size");  // long form
  if (!ok()) return {};
  if (size > static_cast<uint32_t>(std::numeric_limits<int32_t>::max())) {
    Fail("list size " + std::to_string(size) + At(start) + " is negative as i32");
    return {};
  }
  if (size == 0) return {};
  if (!IsValueType(type)) {
    Fail("invalid list element type " + std::to_string(type) + At(start));
    return {};
  }
  const CType element_type = static_cast<CType>(type);
  if (size > remaining() / MinEncodedSize(element_type)) {
    Fail("list of " + std::to_string(size) + " elements" + At(start) + " exceeds the " +
         std::to_string(remaining()) + " bytes left");
    return {};
  }
  return {size, element_type};
}

uint32_t CompactReader::ReadListBegin(CType element_type) {
  const size_t start = pos_;
  const CollectionHeader header = ReadCollectionHeader();
  if (!ok()) return 0;
  if (header.size > 0 && !SameType(header.element_type, element_type)) {
    Fail("list element type " + std::to_string(static_cast<int>(header.element_type)) + At(start) +
         ", expected " + std::to_string(static_cast<int>(element_type)));
    return 0;
  }
  return header.size;
}

void CompactReader::Skip(CType type) {
  if (!ok()) return;
  const size_t start = pos_;
  switch (type) {
    case CType::kBoolTrue:
    case CType::kBoolFalse:
      ReadBool();  // a field's bool was in its header; an element's is one byte
      return;
    case CType::kI8:
      SkipBytes(1, "i8");
      return;
    case CType::kI16:
    case CType::kI32:
    case CType::kI64:
      ReadVarint();
      return;
    case CType::kDouble:
      SkipBytes(8, "double");
      return;
    case CType::kUuid:
      SkipBytes(16, "uuid");
      return;
    case CType::kBinary:
      SkipBytes(ReadVarint32("binary length"), "binary");
      return;
    case CType::kList:
    case CType::kSet: {
      const CollectionHeader header = ReadCollectionHeader();
      if (EnterNesting()) {
        for (uint32_t i = 0; i < header.size && ok(); ++i) Skip(header.element_type);
      }
      LeaveNesting();
      return;
    }
    case CType::kMap: {
      const uint32_t size = ReadVarint32("map size");
      if (!ok() || size == 0) return;
      const uint8_t types = ReadByte();
      const uint8_t key = types >> 4;
      const uint8_t value = types & 0x0f;
      if (!ok()) return;
      if (!IsValueType(key) || !IsValueType(value)) {
        Fail("invalid map key/value types " + std::to_string(key) + "/" + std::to_string(value) +
             At(start));
        return;
      }
      const CType key_type = static_cast<CType>(key);
      const CType value_type = static_cast<CType>(value);
      if (size > remaining() / (MinEncodedSize(key_type) + MinEncodedSize(value_type))) {
        Fail("map of " + std::to_string(size) + " entries" + At(start) + " exceeds the " +
             std::to_string(remaining()) + " bytes left");
        return;
      }
      if (EnterNesting()) {
        for (uint32_t i = 0; i < size && ok(); ++i) {
          Skip(key_type);
          Skip(value_type);
        }
      }
      LeaveNesting();
      return;
    }
    case CType::kStruct: {
      ReadStructBegin();
      FieldHeader field;
      while (ReadFieldBegin(&field)) Skip(field.type);
      ReadStructEnd();
      return;
    }
    case CType::kStop:
      break;
  }
  Fail("cannot skip a value of type " + std::to_string(static_cast<int>(type)) + At(start));
}

// ---------------------------------------------------------------- CompactWriter

void CompactWriter::StructBegin() {
  FM_DCHECK(depth_ < kMaxDepth);
  ++depth_;
  last_field_id_[depth_] = 0;
}

void CompactWriter::StructEnd() {
  FM_DCHECK(depth_ > 0);
  out_->push_back(0);  // stop field
  --depth_;
}

void CompactWriter::FieldBegin(int16_t id, CType type) {
  int16_t& last = last_field_id_[depth_];
  FM_DCHECK(id > last);
  const int delta = id - last;
  if (delta >= 1 && delta <= 15) {
    out_->push_back(static_cast<uint8_t>(delta << 4 | static_cast<uint8_t>(type)));
  } else {
    out_->push_back(static_cast<uint8_t>(type));
    WriteI16(id);
  }
  last = id;
}

void CompactWriter::BoolField(int16_t id, bool value) {
  FieldBegin(id, value ? CType::kBoolTrue : CType::kBoolFalse);
}

void CompactWriter::I8Field(int16_t id, int8_t value) {
  FieldBegin(id, CType::kI8);
  WriteI8(value);
}

void CompactWriter::I16Field(int16_t id, int16_t value) {
  FieldBegin(id, CType::kI16);
  WriteI16(value);
}

void CompactWriter::I32Field(int16_t id, int32_t value) {
  FieldBegin(id, CType::kI32);
  WriteI32(value);
}

void CompactWriter::I64Field(int16_t id, int64_t value) {
  FieldBegin(id, CType::kI64);
  WriteI64(value);
}

void CompactWriter::BinaryField(int16_t id, std::string_view value) {
  FieldBegin(id, CType::kBinary);
  WriteBinary(value);
}

void CompactWriter::ListField(int16_t id, CType element_type, size_t size) {
  FieldBegin(id, CType::kList);
  ListBegin(element_type, size);
}

void CompactWriter::StructField(int16_t id) {
  FieldBegin(id, CType::kStruct);
  StructBegin();
}

void CompactWriter::ListBegin(CType element_type, size_t size) {
  FM_DCHECK(size <= static_cast<size_t>(std::numeric_limits<int32_t>::max()));
  // list<bool> is announced with type 1, as Java and C++ Thrift do (parquet-mr, Arrow).
  const uint8_t type = element_type == CType::kBoolFalse ? static_cast<uint8_t>(CType::kBoolTrue)
                                                         : static_cast<uint8_t>(element_type);
  if (size < 15) {
    out_->push_back(static_cast<uint8_t>(size << 4 | type));
  } else {
    out_->push_back(static_cast<uint8_t>(0xf0 | type));
    WriteVarint(size);
  }
}

// 1 for true and 2 for false, as Java and C++ Thrift write; parquet-rs releases that use the Rust
// thrift crate reject 0.
void CompactWriter::WriteBool(bool value) { out_->push_back(value ? 1 : 2); }

void CompactWriter::WriteI8(int8_t value) { out_->push_back(static_cast<uint8_t>(value)); }

void CompactWriter::WriteI16(int16_t value) { WriteVarint(ZigZagEncode(value)); }

void CompactWriter::WriteI32(int32_t value) { WriteVarint(ZigZagEncode(value)); }

void CompactWriter::WriteI64(int64_t value) { WriteVarint(ZigZagEncode(value)); }

void CompactWriter::WriteDouble(double value) { AppendLE(out_, value); }

void CompactWriter::WriteBinary(std::string_view value) {
  WriteVarint(value.size());
  AppendBytes(out_, AsBytes(value));
}

void CompactWriter::WriteVarint(uint64_t value) {
  while (value >= 0x80) {
    out_->push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out_->push_back(static_cast<uint8_t>(value));
}

}  // namespace featmerge::parquet::format

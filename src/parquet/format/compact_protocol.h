// Thrift compact protocol, hand-written and bounded: CompactReader decodes from a ByteView without
// ever reading past it or allocating more than a constant times its size; CompactWriter appends
// to a ByteBuffer. Only parquet/format/ uses these. Thread-safety: one object per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/byte_view.h"
#include "base/status.h"

namespace featmerge::parquet::format {

// Wire type ids of the compact protocol (field headers and collection element types).
enum class CType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,  // also the element type of list<bool>
  kBoolFalse = 2,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
  kUuid = 13,
};

struct FieldHeader {
  int16_t id = 0;
  CType type = CType::kStop;
};

// Reads one Thrift value tree. Errors are sticky: the first one is kept, every later read
// returns 0 / empty / false, so decoding code can run straight through and check status() once.
class CompactReader {
 public:
  // Structs and collections nested deeper than this are Corruption. Parquet's own structs nest
  // at most 6 deep; the limit only bounds recursion (stack) when skipping unknown fields.
  static constexpr int kMaxDepth = 64;

  // `what` names the value being decoded in error messages ("FileMetaData"); it must outlive the
  // reader (a string literal). `bytes` must outlive the reader.
  CompactReader(ByteView bytes, const char* what) : bytes_(bytes), what_(what) {}

  void ReadStructBegin();
  void ReadStructEnd();
  // Reads the next field header of the current struct. Returns false at the stop field or once
  // an error is set.
  bool ReadFieldBegin(FieldHeader* field);
  // True if `field` carries a value of `type` (kBoolTrue matches both bool types); marks the id
  // as seen for RequireField(). Otherwise skips the value and returns false, as Thrift-generated
  // code does for a field whose type does not match the IDL.
  bool Expect(const FieldHeader& field, CType type);
  // Before ReadStructEnd(): sets an error naming `name` unless field `id` (< 64) was read.
  void RequireField(int id, const char* name);

  bool ReadBool();  // a bool field's value (from its header) or a list<bool> element
  int8_t ReadI8();
  int16_t ReadI16();
  int32_t ReadI32();
  int64_t ReadI64();
  double ReadDouble();
  std::string ReadBinary();

  // Reads a list/set header whose elements must be of `element_type`; returns the element count,
  // already checked against the bytes left (0 on error). Element types are not checked for
  // empty lists, which some writers emit with type 0.
  uint32_t ReadListBegin(CType element_type);
  // Skips one value of wire type `type`, including nested structs and collections.
  void Skip(CType type);

  // Sets the error (if none yet). `message` should say where ("... at byte 12").
  void Fail(std::string message);

  bool ok() const { return error_.empty(); }
  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  // OK, or Corruption("invalid Thrift in <what>: <first error>").
  Status status() const;

 private:
  struct Frame {
    int16_t last_field_id = 0;
    uint64_t seen = 0;  // bit i: field id i was read with the expected type
    size_t start = 0;   // byte offset of the struct, for messages
  };
  struct CollectionHeader {
    uint32_t size = 0;
    CType element_type = CType::kStop;
  };

  uint8_t ReadByte();
  uint64_t ReadVarint();
  uint32_t ReadVarint32(const char* what);
  void SkipBytes(size_t n, const char* what);
  CollectionHeader ReadCollectionHeader();
  bool EnterNesting();
  void LeaveNesting();
  Frame& frame() { return frames_[depth_ <= kMaxDepth ? depth_ : kMaxDepth]; }

  ByteView bytes_;
  size_t pos_ = 0;
  const char* what_;
  std::string error_;
  int depth_ = 0;          // structs and (while skipping) collections currently open
  int pending_bool_ = -1;  // value of the last bool field header: -1 none, 0 false, 1 true
  Frame frames_[kMaxDepth + 1];
};

// Appends one Thrift value tree to *out. REQUIRES: fields of a struct are written in increasing
// id order, and every StructBegin() is matched by a StructEnd().
class CompactWriter {
 public:
  // *out must outlive the writer; bytes are appended.
  explicit CompactWriter(ByteBuffer* out) : out_(out) {}

  void StructBegin();
  void StructEnd();  // writes the stop field
  void FieldBegin(int16_t id, CType type);

  void BoolField(int16_t id, bool value);
  void I8Field(int16_t id, int8_t value);
  void I16Field(int16_t id, int16_t value);
  void I32Field(int16_t id, int32_t value);
  void I64Field(int16_t id, int64_t value);
  void BinaryField(int16_t id, std::string_view value);
  // Field header and list header in one; elements follow.
  void ListField(int16_t id, CType element_type, size_t size);
  // Field header of a struct-valued field plus StructBegin(); close with StructEnd().
  void StructField(int16_t id);

  void ListBegin(CType element_type, size_t size);
  void WriteBool(bool value);  // a list<bool> element
  void WriteI8(int8_t value);
  void WriteI16(int16_t value);
  void WriteI32(int32_t value);
  void WriteI64(int64_t value);
  void WriteDouble(double value);
  void WriteBinary(std::string_view value);
  void WriteVarint(uint64_t value);

 private:
  static constexpr int kMaxDepth = 16;  // our structs nest at most 6 deep

  ByteBuffer* out_;
  int depth_ = 0;
  int16_t last_field_id_[kMaxDepth + 1] = {};
};

// ZigZag mapping of signed to unsigned integers, as the compact protocol uses for i16/i32/i64.
inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

}  // namespace featmerge::parquet::format

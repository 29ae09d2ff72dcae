// Per-struct Thrift readers/writers shared by the thrift_*.cc files, and the list helpers they
// use. Internal to parquet/format/. Thread-safety: pure functions.
//
// Convention: ReadFoo(r, out) reads one whole Foo struct value (struct begin to stop field);
// WriteFoo(value, w) writes one whole struct value. The caller writes/reads the field header.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/byte_view.h"
#include "base/status.h"
#include "parquet/format/compact_protocol.h"
#include "parquet/format/metadata.h"

namespace featmerge::parquet::format {

void ReadStatistics(CompactReader* r, Statistics* out);
void WriteStatistics(const Statistics& stats, CompactWriter* w);
void ReadKeyValue(CompactReader* r, KeyValue* out);
void WriteKeyValue(const KeyValue& kv, CompactWriter* w);
void ReadRowGroup(CompactReader* r, RowGroup* out);
void WriteRowGroup(const RowGroup& row_group, CompactWriter* w);
// The fields after `columns`, and the struct's end (for streaming footers).
void WriteRowGroupTail(const RowGroup& row_group, CompactWriter* w);
void ReadColumnChunk(CompactReader* r, ColumnChunk* out);
void WriteColumnChunk(const ColumnChunk& chunk, CompactWriter* w);

// Reads a list<struct> value into *out (replacing it) with read_element(r, T*).
template <typename T, typename ReadElement>
void ReadStructList(CompactReader* r, std::vector<T>* out, ReadElement read_element) {
  const uint32_t size = r->ReadListBegin(CType::kStruct);
  out->clear();
  // No reserve(size): an element can take 3 bytes on the wire and hundreds in memory, so the
  // vector grows with the elements actually decoded rather than with the claimed size.
  for (uint32_t i = 0; i < size && r->ok(); ++i) {
    T element{};
    read_element(r, &element);
    if (!r->ok()) return;
    out->push_back(std::move(element));
  }
}

// Reads a list of a primitive wire type into *out (replacing it) with read_element(r) -> T.
template <typename T, typename ReadElement>
void ReadList(CompactReader* r, CType element_type, std::vector<T>* out, ReadElement read_element) {
  const uint32_t size = r->ReadListBegin(element_type);
  out->clear();
  out->reserve(size);  // size <= bytes left, and these elements are at most 32 bytes in memory
  for (uint32_t i = 0; i < size && r->ok(); ++i) out->push_back(read_element(r));
}

// Writes field `id` as a list<struct> with write_element(element, w) per element.
template <typename T, typename WriteElement>
void WriteStructList(int16_t id, const std::vector<T>& list, CompactWriter* w,
                     WriteElement write_element) {
  w->ListField(id, CType::kStruct, list.size());
  for (const T& element : list) write_element(element, w);
}

// Decodes one top-level struct with read(r, T*); *consumed (optional) = bytes used.
template <typename T>
Result<T> DecodeStruct(ByteView bytes, const char* what, void (*read)(CompactReader*, T*),
                       size_t* consumed = nullptr) {
  CompactReader r(bytes, what);
  T value{};
  read(&r, &value);
  FM_RETURN_IF_ERROR(r.status());
  if (consumed != nullptr) *consumed = r.position();
  return value;
}

template <typename T>
void EncodeStruct(const T& value, void (*write)(const T&, CompactWriter*), ByteBuffer* out) {
  CompactWriter w(out);
  write(value, &w);
}

}  // namespace featmerge::parquet::format

// Thrift compact encoding of the Parquet metadata structs in metadata.h: the footer
// (FileMetaData), page headers, page indexes, and RowGroup/ColumnChunk (used by the merge
// journal). Field ids follow parquet.thrift. Thread-safety: pure functions.
//
// Decoding contract (all Decode* functions):
// - Never reads outside `bytes`, never throws on bad input, and allocates at most a constant times
//   bytes.size(). Damaged input returns Corruption naming what was decoded and the byte offset,
//   e.g. "invalid Thrift in FileMetaData: list of 4000000000 elements at byte 1234 exceeds the
//   812 bytes left". A missing required field is Corruption naming the field.
// - Unknown fields are skipped (newer writers); nesting deeper than 64 is Corruption.
// - Enum values are kept as read (possibly not a named enumerator); callers validate them.
// - Fields we do not model are dropped: Statistics.nan_count, ColumnMetaData size/geospatial
//   statistics, SchemaElement.vector_length, OffsetIndex unencoded sizes, ColumnIndex histograms
//   and nan_counts. Encryption fields only set FileMetaData::encrypted / ColumnChunk::encrypted.
// - Bytes after the top-level struct are ignored (as Arrow and parquet-rs do).
//
// Encoding contract (all Encode* functions): appends to *out; deterministic; fields in increasing
// id order; absent optionals and empty optional lists omitted; required fields always written.
// Decode(Encode(x)) == x for the fields we model, except: the encrypted flags are never written
// (we do not write encrypted files), LogicalType kUnrecognized is omitted, and column_orders is
// written only when every entry is TypeDefinedOrder (a wrong order is worse than none: readers
// then ignore min_value/max_value).
#pragma once

#include <cstdint>

#include "base/byte_view.h"
#include "base/status.h"
#include "parquet/format/compact_protocol.h"
#include "parquet/format/metadata.h"

namespace featmerge::parquet {

Result<FileMetaData> DecodeFileMetaData(ByteView bytes);
void EncodeFileMetaData(const FileMetaData& md, ByteBuffer* out);

// Encodes a FileMetaData piece by piece, so that the footer of a file with millions of column
// chunks never exists as structs in memory: the bytes are those of EncodeFileMetaData for the
// same values. *out only grows; the caller may drain (write out and clear) it between calls.
// Call order: Begin, then per row group BeginRowGroup, AddColumnChunk per column, EndRowGroup,
// then End.
class FooterEncoder {
 public:
  explicit FooterEncoder(ByteBuffer* out) : w_(out) {}
  // Fields before row_groups (version, schema, num_rows) of `head`; its row_groups are ignored.
  void Begin(const FileMetaData& head, size_t num_row_groups);
  void BeginRowGroup(size_t num_columns);
  void AddColumnChunk(const ColumnChunk& chunk);
  // The row group's fields after its columns (which are ignored here).
  void EndRowGroup(const RowGroup& row_group);
  // Fields after row_groups (key_value_metadata, created_by, column_orders) of `tail`.
  void End(const FileMetaData& tail);

 private:
  format::CompactWriter w_;
};

// Decodes a page header at the start of `bytes` (which may continue with the page data);
// *header_size = bytes consumed by the header.
Result<PageHeader> DecodePageHeader(ByteView bytes, uint32_t* header_size);
void EncodePageHeader(const PageHeader& header, ByteBuffer* out);

Result<OffsetIndex> DecodeOffsetIndex(ByteView bytes);
void EncodeOffsetIndex(const OffsetIndex& index, ByteBuffer* out);

Result<ColumnIndex> DecodeColumnIndex(ByteView bytes);
void EncodeColumnIndex(const ColumnIndex& index, ByteBuffer* out);

Result<RowGroup> DecodeRowGroup(ByteView bytes);
void EncodeRowGroup(const RowGroup& row_group, ByteBuffer* out);

Result<ColumnChunk> DecodeColumnChunk(ByteView bytes);
void EncodeColumnChunk(const ColumnChunk& chunk, ByteBuffer* out);

}  // namespace featmerge::parquet

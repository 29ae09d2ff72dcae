// CopyColumnChunk: reuses a column chunk of an existing file, pages as stored, as a chunk of a
// file being written. No value is decoded and nothing is recompressed: when a source row group
// maps one to one onto an output row group, this is the cheapest correct way to write it.
//
// The chunk is copied only when the bytes mean the same thing in the output: same physical
// and logical type, same nullability (definition levels), same codec, a flat column, no
// encryption. Every page header is parsed and checked against the chunk and page CRCs are
// verified; a page without a CRC is decompressed once (into scratch), so a damaged source page
// is an error here, never a damaged page in the output. Pages that no check short of decoding
// covers (stored uncompressed, without CRC) and empty pages make the chunk not copyable: the
// merge then re-encodes it. The offset index is rebuilt from the page headers (the source's is
// not trusted); no statistics or column index are written.
// Thread-safety: none beyond the reader's (one call per thread with its own scratch).
#pragma once

#include "parquet/column_reader.h"
#include "parquet/column_writer.h"
#include "parquet/file_reader.h"

namespace featmerge::parquet {

// Why a chunk cannot be copied, kNone when it can.
enum class CopyRefusal {
  kNone,
  kType,         // physical/logical type or type length differ
  kNullability,  // REQUIRED source into an OPTIONAL output column (or the reverse)
  kCodec,        // stored with another codec than the output's
  kLayout,       // encrypted, external file, index pages, row count mismatch
};

// Checks whether chunk (row_group, column) of `file` can become a chunk of `target` written
// with `codec`, without reading any page.
CopyRefusal CanCopyColumnChunk(const ParquetFileReader& file, int row_group, int column,
                               const ColumnDescriptor& target, Compression codec);

// Copies the chunk into *out (bytes, metadata with offsets relative to the chunk's start,
// offset index). Returns false, leaving *out unspecified, when the chunk turns out not to be
// copyable (see CopyRefusal; also index pages, empty or unverifiable pages, pages holding
// another row count than the row group); a Status error when it is damaged. `scratch` holds one decompressed page at a time.
Result<bool> CopyColumnChunk(const ParquetFileReader& file, int row_group, int column,
                             const ColumnDescriptor& target, Compression codec,
                             ByteBuffer* scratch, EncodedChunk* out, ChunkReadStats* stats);

}  // namespace featmerge::parquet

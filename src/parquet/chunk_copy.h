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
//
// MergeColumnChunks does the same for several consecutive row groups that together make one
// output row group: a column chunk has at most one dictionary, so where the sources are
// dictionary-encoded their dictionaries are united (the first kept as it is, values the others
// add appended) and the pages of the others get their indices remapped (decompressed, indices
// re-packed, recompressed; levels and values untouched). Pages of sources without any
// dictionary are copied as stored. Either way no value is decoded into memory, and the output
// has one dictionary per chunk where copying row groups one to one would repeat it in each.
#pragma once

#include <memory>
#include <vector>

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

// What merged chunks are written with, and the buffers reused from call to call.
struct ChunkMergeOptions {
  Compression codec = Compression::kZstd;  // the output's (sources must use it too)
  int compression_level = 1;               // for rewritten pages and the united dictionary
  bool write_crc = true;                   // on rewritten pages and the dictionary
  // A united dictionary larger than this (PLAIN bytes) and than every source's is not built:
  // the chunk is re-encoded (which may fall back to PLAIN). The merge passes its writer's
  // dictionary page size.
  int64_t max_dictionary_bytes = 1 << 20;
};

// At most this many row groups are joined into one chunk (sources written in tiny row groups
// are re-encoded instead: one read and one page reader per source chunk would cost more).
inline constexpr int kMaxJoinedRowGroups = 64;

struct ChunkMergeScratch {
  std::vector<ByteBuffer> chunks;        // the sources' chunk bytes
  std::vector<ByteBuffer> dictionaries;  // their decompressed dictionary pages
  ByteBuffer page;                       // one decompressed page
  ByteBuffer body;                       // one rewritten page, uncompressed
  ByteBuffer compressed;
  ByteBuffer header;
  std::vector<uint32_t> values;          // levels, then indices, of one page
  std::unique_ptr<Codec> codec;          // compresses rewritten pages
  int codec_level = 0;
  std::unique_ptr<Codec> decompressor;   // shared by the sources' page readers
  // The united dictionary (PLAIN bytes), each source's entries' places in it, and the table
  // that finds them.
  ByteBuffer united;
  std::vector<std::vector<uint32_t>> remap;
  std::vector<char> identity;
  struct Slot {
    uint64_t key;
    int32_t id;
    uint32_t generation;  // in use when it is the current call's
  };
  std::vector<Slot> slots;
  uint32_t generation = 0;
};

// Copies chunk `column` of row groups [rg_begin, rg_end) of `file` as ONE chunk into *out
// (rg_end - rg_begin >= 1; with one row group this is CopyColumnChunk). Returns false, leaving
// *out unspecified, when the chunks cannot be joined this way: CopyRefusal for any of them,
// dictionary-encoded and plain pages mixed (a writer's fallback), a source dictionary or
// definition levels in a layout other than PLAIN / RLE, a united dictionary over the limit,
// more than kMaxJoinedRowGroups row groups, or what CopyColumnChunk refuses. Pages copied as
// stored without a verified CRC have their indices checked against their own dictionary. A Status error when a page is damaged (CRC, decompression,
// index outside its dictionary).
Result<bool> MergeColumnChunks(const ParquetFileReader& file, int rg_begin, int rg_end,
                               int column, const ColumnDescriptor& target,
                               const ChunkMergeOptions& options, ChunkMergeScratch* scratch,
                               EncodedChunk* out, ChunkReadStats* stats);

}  // namespace featmerge::parquet

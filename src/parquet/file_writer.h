// ParquetFileWriter: appends encoded column chunks to a file in schema order, closes row
// groups, and writes the page indexes and the footer. Its whole state (what is committed) is
// a WriterState value so that a journal can persist it and a later process can resume.
// Thread-safety: none; one committer thread.
#pragma once

#include <memory>
#include <vector>

#include "io/file.h"
#include "parquet/column_writer.h"
#include "parquet/schema.h"

namespace featmerge::parquet {

// Everything needed to continue writing a file after the bytes [0, length) already on disk.
struct WriterState {
  uint64_t length = 0;                 // bytes written so far (magic + committed chunks)
  std::vector<RowGroup> row_groups;    // closed row groups, chunks with absolute offsets
  std::vector<ColumnChunk> open_chunks;  // chunks of the row group being written
  // Serialized page indexes per chunk, row group by row group (closed groups, then open).
  std::vector<ByteBuffer> column_indexes;  // empty buffer = no column index for that chunk
  std::vector<ByteBuffer> offset_indexes;
};

// Moves the open chunks of `state` into a closed row group of `num_rows` rows (shared by the
// writer and by journal replay, so both build identical footers).
void CloseOpenRowGroup(WriterState* state, int64_t num_rows);

class ParquetFileWriter {
 public:
  // Starts a new file on `file` (borrowed; must outlive the writer), writing the magic.
  static Result<std::unique_ptr<ParquetFileWriter>> Create(io::AppendFile* file, Schema schema,
                                                           WriterOptions options);
  // Continues a file whose first state.length bytes are already in `file`.
  static Result<std::unique_ptr<ParquetFileWriter>> Resume(io::AppendFile* file, Schema schema,
                                                           WriterOptions options,
                                                           WriterState state);

  // Appends the next column chunk of the open row group (columns in schema order).
  Status AppendChunk(const EncodedChunk& chunk);
  // Closes the open row group. REQUIRES: one chunk per column was appended.
  Status CloseRowGroup(int64_t num_rows);
  // Writes page indexes and the footer (with `key_value` metadata). The caller syncs/closes.
  Status Finish(const std::vector<KeyValue>& key_value);

  const WriterState& state() const { return state_; }
  int open_chunk_count() const { return static_cast<int>(state_.open_chunks.size()); }
  const Schema& schema() const { return schema_; }
  uint64_t footer_bytes() const { return footer_bytes_; }

 private:
  ParquetFileWriter(io::AppendFile* file, Schema schema, WriterOptions options)
      : file_(file), schema_(std::move(schema)), options_(std::move(options)) {}

  io::AppendFile* file_;
  Schema schema_;
  WriterOptions options_;
  WriterState state_;
  uint64_t footer_bytes_ = 0;
  Status status_;  // sticky: the first error; later calls return it
};

}  // namespace featmerge::parquet

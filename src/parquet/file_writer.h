// ParquetFileWriter: appends encoded column chunks to a file in schema order, closes row
// groups, and writes the page indexes and the footer. Its whole state (what is committed) is
// a WriterState value so that a journal can persist it and a later process can resume.
// Thread-safety: none; one committer thread.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "io/file.h"
#include "parquet/column_writer.h"
#include "parquet/schema.h"

namespace featmerge::parquet {

// Everything needed to continue writing a file after the bytes [0, length) already on disk.
// Committed chunks are kept serialized (about 100-300 bytes each, not ~1.5 KiB of structs), so
// a 17,000-column file with many row groups stays far below the memory budget until the
// footer, which Finish() streams row group by row group.
struct WriterState {
  struct Group {  // a closed row group
    int64_t num_rows = 0;
    int64_t total_byte_size = 0;
    int64_t total_compressed_size = 0;
    int64_t file_offset = 0;
  };
  uint64_t length = 0;  // bytes written so far (magic + committed chunks)
  // Every committed chunk in file order, as a chunk record: three u32-length-prefixed blobs
  // (ColumnChunk Thrift with absolute offsets, column index, offset index; an empty blob =
  // no index). The merge journal stores the same records. When keep_records is false they
  // are not kept here (memory stays flat however many chunks are written) and Finish() reads
  // them back from a ChunkRecordSource (the journal).
  bool keep_records = true;
  ByteBuffer records;
  std::vector<Group> groups;
  int64_t open_chunks = 0;  // chunks of the row group being written
  Group open;               // its running totals (num_rows unset)
  int64_t num_chunks = 0;   // committed chunks, all row groups

  int num_row_groups() const { return static_cast<int>(groups.size()); }
};

// Calls `fn` with every chunk record of a file in order, stopping at the first error.
using ChunkRecordSource =
    std::function<Status(const std::function<Status(ByteView record)>& fn)>;

// Appends a chunk record (see WriterState::records) to the open row group. `meta` is the
// record's decoded ColumnChunk (its sizes feed the row group totals).
void AddChunkRecord(WriterState* state, const ColumnChunk& meta, ByteView record);
// Splits a chunk record into its three blobs; false if it is malformed.
bool SplitChunkRecord(ByteView record, ByteView* chunk, ByteView* column_index,
                      ByteView* offset_index);
// Builds a chunk record from its parts.
void MakeChunkRecord(ByteView chunk, ByteView column_index, ByteView offset_index,
                     ByteBuffer* out);

// Closes the open row group with `num_rows` rows (shared by the writer and by journal replay,
// so both build identical footers).
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
  // Memory: the footer is streamed to the file; `check` (optional) is called every few
  // thousand chunks and a non-OK status from it aborts (the memory watchdog, an interrupt).
  // `source` supplies the chunk records when the state does not keep them.
  Status Finish(const std::vector<KeyValue>& key_value,
                const std::function<Status()>& check = nullptr,
                const ChunkRecordSource& source = nullptr);

  // Stops keeping chunk records in memory (see WriterState::keep_records).
  void DropChunkRecords() {
    state_.keep_records = false;
    state_.records = ByteBuffer();
  }
  // The record of the chunk appended last (valid until the next AppendChunk).
  ByteView last_chunk_record() const { return scratch_; }

  const WriterState& state() const { return state_; }
  int open_chunk_count() const { return static_cast<int>(state_.open_chunks); }
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
  ByteBuffer scratch_;  // reused per chunk
  Status status_;  // sticky: the first error; later calls return it
};

}  // namespace featmerge::parquet

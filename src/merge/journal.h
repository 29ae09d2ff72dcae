// The merge journal: an append-only, fsync'd log of what the output file holds, so that a run
// killed at any moment resumes from the last committed column chunk and still produces a file
// byte-identical to an uninterrupted run. Format: docs/journal_format.md.
// Thread-safety: none; used by the committer thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "io/file.h"
#include "parquet/file_writer.h"

namespace featmerge::merge {

struct JournalContents {
  std::string fingerprint;
  parquet::WriterState state;
  bool finished = false;
  uint64_t finished_length = 0;
  int64_t records = 0;
};

class JournalWriter {
 public:
  // Creates a new journal for a run with `fingerprint` (truncating any old one), synced.
  static Result<std::unique_ptr<JournalWriter>> Create(io::FileSystem* fs, const std::string& path,
                                                       const std::string& fingerprint);
  // Continues an existing journal after its last valid record (`valid_length` bytes).
  static Result<std::unique_ptr<JournalWriter>> Reopen(io::FileSystem* fs, const std::string& path,
                                                       uint64_t valid_length);

  // Buffer records; Commit() makes them durable. REQUIRES: the data they describe is synced.
  // `chunk_record` as in parquet::WriterState::records; `file_length` = the file's length
  // after the chunk.
  Status AddChunk(uint64_t file_length, ByteView chunk_record);
  Status AddRowGroupEnd(int64_t num_rows);
  Status AddFinished(uint64_t file_length);
  Status Commit();  // append + fsync
  Status Close();

 private:
  explicit JournalWriter(std::unique_ptr<io::AppendFile> file) : file_(std::move(file)) {}
  void AddRecord(const ByteBuffer& payload);

  std::unique_ptr<io::AppendFile> file_;
  ByteBuffer pending_;
};

// Reads a journal. A damaged or truncated tail (a crash mid-append) ends the replay quietly at
// the last whole record; *valid_length says where. A damaged header is Corruption.
// The file is read in blocks: memory does not grow with the journal. With keep_records false
// the state's chunk records are not kept (see parquet::WriterState::keep_records).
Result<JournalContents> ReadJournal(io::FileSystem* fs, const std::string& path,
                                    uint64_t* valid_length, bool keep_records = true);

// Calls `fn` with every chunk record of the journal at `path`, in order (the records Finish()
// of a writer without kept records needs). REQUIRES: the journal's records are committed.
Status ForEachJournalChunk(io::FileSystem* fs, const std::string& path,
                           const std::function<Status(ByteView record)>& fn);

}  // namespace featmerge::merge

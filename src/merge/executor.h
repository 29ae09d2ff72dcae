// The column-streaming executor: produces the output one column chunk at a time, in file
// order (row group by row group, column by column). Workers gather and encode chunks with no
// file access; the committer appends them in order, so the bytes do not depend on the thread
// count, and journals them so a killed run resumes. Peak memory is about the in-flight chunks.
// Thread-safety: Run() is called once, from one thread; it starts and joins its workers.
#pragma once

#include <atomic>
#include <functional>

#include "base/status.h"
#include "merge/journal.h"
#include "merge/plan.h"
#include "parquet/file_writer.h"

namespace featmerge::merge {

struct ExecutorStats {
  std::atomic<int64_t> chunks_done{0};
  std::atomic<int64_t> chunks_total{0};
  std::atomic<uint64_t> bytes_read{0};     // compressed source bytes
  std::atomic<uint64_t> bytes_written{0};  // output bytes committed
  std::atomic<int64_t> pages_read{0};
  std::atomic<int64_t> pages_skipped{0};
  std::atomic<int64_t> chunks_copied{0};   // source chunks copied as stored (no re-encoding)
  std::atomic<int> tables_done{0};
};

struct ExecutorContext {
  const MergePlan* plan = nullptr;
  const std::vector<OutputColumn>* columns = nullptr;  // this file's columns (a split part's)
  const SpillFile* spill = nullptr;
  parquet::ParquetFileWriter* writer = nullptr;
  io::AppendFile* file = nullptr;       // the output file under `writer` (for syncs)
  JournalWriter* journal = nullptr;     // null: no journal (tests)
  parquet::WriterOptions writer_options;
  ExecutorStats* stats = nullptr;
  // Only row groups [first_row_group, end_row_group) of the plan (a shard); -1: up to the last.
  // The writer's state then counts from first_row_group.
  int64_t first_row_group = 0;
  int64_t end_row_group = -1;
  // Polled by the committer: true when the run must stop (signal, memory watchdog); then
  // cancel_status says why.
  std::function<bool()> should_stop;
  std::function<Status()> cancel_status;
  std::function<void(const char*)> test_hook;
  // Journal commit cadence: sync after this many bytes or seconds of committed chunks.
  uint64_t sync_bytes = 256ull << 20;
  double sync_seconds = 5.0;
};

// Writes every chunk not yet in the writer's state (resume continues where the state ends),
// closing row groups as they complete. Does not write the footer.
Status RunExecutor(const ExecutorContext& ctx);

}  // namespace featmerge::merge

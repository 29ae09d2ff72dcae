#include "merge/executor.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "parquet/chunk_copy.h"
#include "parquet/column_reader.h"
#include "parquet/column_writer.h"

namespace featmerge::merge {
namespace {

using parquet::ColumnData;
using parquet::EncodedChunk;

// Per-worker buffers, reused from chunk to chunk (no allocation churn per column).
struct Worker {
  explicit Worker(const parquet::WriterOptions& options)
      : writer(parquet::ColumnDescriptor(), options) {}
  parquet::ColumnChunkWriter writer;
  ColumnData source;
  ColumnData gathered;
  std::vector<MatchRun> runs;
  parquet::ChunkMergeScratch copy_scratch;  // buffers for chunks copied as stored
};

// Appends rows [begin, end) of column `column` of table `t` (file row numbers) to *dest.
Status ReadSourceRows(const MergePlan& plan, const SourceTable& t, int column, int64_t begin,
                      int64_t end, ColumnData* dest, ExecutorStats* stats) {
  FM_ASSIGN_OR_RETURN(auto reader, plan.readers->Get(t));
  const parquet::ParquetFileReader& r = *reader;
  for (int rg = 0; rg < r.num_row_groups() && begin < end; rg++) {
    const int64_t first = r.row_group_first_row(rg);
    const int64_t last = first + r.row_group(rg).num_rows;
    if (last <= begin || first >= end) continue;
    parquet::ColumnChunkReader reader(&r, rg, column);
    reader.set_single_pass(true);  // one range per reader: partly used pages decode only it
    FM_RETURN_IF_ERROR(reader.ReadRows(std::max(begin, first) - first, std::min(end, last) - first, dest));
    stats->bytes_read += reader.stats().bytes_read;
    stats->pages_read += reader.stats().pages_read;
    stats->pages_skipped += reader.stats().pages_skipped;
  }
  return Status::OK();
}

// When output rows [a, b) are exactly the rows of one or more consecutive row groups of the
// table, in order, copies their chunks of the column as stored (several row groups: as one
// chunk with their dictionaries united). *copied is false when they cannot be copied.
Status TryCopyChunk(const ExecutorContext& ctx, const OutputColumn& oc, const SourceTable& t,
                    int64_t src_begin, int64_t rows, Worker* w, EncodedChunk* out, bool* copied) {
  *copied = false;
  const MergePlan& plan = *ctx.plan;
  FM_ASSIGN_OR_RETURN(auto reader, plan.readers->Get(t));
  const parquet::ParquetFileReader& r = *reader;
  // The row group starting at src_begin (first rows increase with the row group number).
  int lo = 0, hi = r.num_row_groups();
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (r.row_group_first_row(mid) < src_begin) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= r.num_row_groups() || r.row_group_first_row(lo) != src_begin) return Status::OK();
  // Consecutive row groups from there that hold exactly the rows.
  int end = lo;
  int64_t covered = 0;
  while (end < r.num_row_groups() && covered < rows) covered += r.row_group(end++).num_rows;
  if (covered != rows) return Status::OK();
  parquet::ChunkMergeOptions options;
  options.codec = ctx.writer_options.compression;
  options.compression_level = ctx.writer_options.compression_level;
  options.write_crc = ctx.writer_options.write_crc;
  options.max_dictionary_bytes = ctx.writer_options.dictionary_page_size;
  parquet::ChunkReadStats stats;
  FM_ASSIGN_OR_RETURN(*copied, parquet::MergeColumnChunks(r, lo, end, oc.source_column, oc.descr,
                                                          options, &w->copy_scratch, out, &stats));
  ctx.stats->bytes_read += stats.bytes_read;
  ctx.stats->pages_read += stats.pages_read;
  if (*copied) ctx.stats->chunks_copied++;
  return Status::OK();
}

Status EncodeTask(const ExecutorContext& ctx, int64_t task, Worker* w, EncodedChunk* out) {
  const MergePlan& plan = *ctx.plan;
  const std::vector<OutputColumn>& columns = *ctx.columns;
  const int64_t ncols = static_cast<int64_t>(columns.size());
  const int64_t rg = task / ncols;
  const OutputColumn& oc = columns[static_cast<size_t>(task % ncols)];
  const SourceTable& t = plan.tables[static_cast<size_t>(oc.table)];
  const int64_t a = rg * plan.row_group_rows;
  const int64_t b = std::min(plan.rows, a + plan.row_group_rows);
  const bool spine_in_order = oc.table == 0 && !plan.range.active;
  if (!spine_in_order) FM_RETURN_IF_ERROR(t.alignment.RunsFor(a, b, ctx.spill, &w->runs));
  const std::vector<MatchRun>& runs = w->runs;
  const StatisticsScope scope = plan.options.statistics;
  const bool is_key = oc.table == 0 && oc.source_column == plan.tables[0].key_column;
  const bool statistics = scope == StatisticsScope::kAll || (scope == StatisticsScope::kKey && is_key);
  if (plan.options.copy_chunks && !statistics && b > a) {
    // A chunk without statistics whose rows are whole source row groups': copy them as stored.
    int64_t src_begin = -1;
    if (spine_in_order) {
      src_begin = a;
    } else if (runs.size() == 1 && runs[0].spine_begin == 0 && runs[0].length == b - a) {
      src_begin = runs[0].src_begin;
    }
    bool copied = false;
    if (src_begin >= 0) FM_RETURN_IF_ERROR(TryCopyChunk(ctx, oc, t, src_begin, b - a, w, out, &copied));
    if (copied) return Status::OK();
  }
  ColumnData& out_data = w->gathered;
  out_data.Reset(oc.descr.type, oc.descr.type_length);
  if (spine_in_order) {
    // Spine columns: the spine's order is the output's order. (With --from/--to, the spine's
    // alignment maps output rows to the spine rows in the range: gathered as a table's.)
    FM_RETURN_IF_ERROR(ReadSourceRows(plan, t, oc.source_column, a, b, &out_data, ctx.stats));
  } else {
    if (runs.empty()) {
      out_data.AppendNulls(b - a);
    } else if (runs.size() == 1 && runs[0].spine_begin == 0 && runs[0].length == b - a) {
      // Every row matches one contiguous source range: decode straight into the output.
      FM_RETURN_IF_ERROR(ReadSourceRows(plan, t, oc.source_column, runs[0].src_begin,
                                        runs[0].src_begin + runs[0].length, &out_data, ctx.stats));
    } else {
      int64_t lo = runs[0].src_begin, hi = runs[0].src_begin + runs[0].length;
      for (const MatchRun& run : runs) {
        lo = std::min(lo, run.src_begin);
        hi = std::max(hi, run.src_begin + run.length);
      }
      ColumnData& src = w->source;
      src.Reset(oc.descr.type, oc.descr.type_length);
      FM_RETURN_IF_ERROR(ReadSourceRows(plan, t, oc.source_column, lo, hi, &src, ctx.stats));
      out_data.Reserve(b - a);
      int64_t cursor = 0;
      for (const MatchRun& run : runs) {
        if (run.spine_begin > cursor) out_data.AppendNulls(run.spine_begin - cursor);
        if (run.length == 1) out_data.AppendFrom(src, run.src_begin - lo);
        else out_data.AppendRange(src, run.src_begin - lo, run.length);
        cursor = run.spine_begin + run.length;
      }
      if (cursor < b - a) out_data.AppendNulls(b - a - cursor);
    }
  }
  if (out_data.num_rows() != b - a) {
    return Status::Corruption("'" + t.path + "': column '" +
                              t.schema.column(oc.source_column).name + "' yielded " +
                              std::to_string(out_data.num_rows()) + " rows for " +
                              std::to_string(b - a) + " output rows");
  }
  w->writer.SetColumn(oc.descr, statistics);
  return w->writer.Write(out_data, 0, out_data.num_rows(), out);
}

}  // namespace

Status RunExecutor(const ExecutorContext& ctx) {
  const MergePlan& plan = *ctx.plan;
  const int64_t ncols = static_cast<int64_t>(ctx.columns->size());
  // A shard writes the tasks of its row groups only; task numbers stay global (row group =
  // task / ncols), so every chunk is encoded exactly as in a whole run.
  const int64_t first_task = ctx.first_row_group * ncols;
  const int64_t total =
      (ctx.end_row_group >= 0 ? ctx.end_row_group : plan.num_row_groups()) * ncols;
  const parquet::WriterState& state = ctx.writer->state();
  const int64_t start =
      first_task + static_cast<int64_t>(state.num_row_groups()) * ncols + state.open_chunks;
  ctx.stats->chunks_total = total - first_task;
  ctx.stats->chunks_done = start - first_task;
  if (start >= total) return Status::OK();

  const int64_t window = std::max(2, plan.max_in_flight);
  // More workers than chunks in flight would only wait.
  const int threads = std::max(1, std::min<int>({plan.threads, static_cast<int>(window),
                                                 static_cast<int>(total - start)}));
  struct Slot {
    bool ready = false;
    Status status;
    EncodedChunk chunk;
  };
  std::vector<Slot> slots(static_cast<size_t>(window));
  std::mutex mu;
  // Workers wait on work_cv for room in the window, the committing thread on done_cv for its
  // next chunk. Each side is woken only when the other waits and has something to do: a
  // wake-up per chunk would cost more than many small chunks take to encode.
  std::condition_variable work_cv;
  std::condition_variable done_cv;
  int64_t next_task = start;
  int64_t committed = start;
  int64_t ready_count = 0;  // encoded chunks awaiting commit
  int idle_workers = 0;
  bool committer_waiting = false;
  bool stop = false;
  // The committing thread, once its next chunk is ready, sleeps on until a few chunks are
  // ready (it then commits them in one go), the workers would have to wait for it, or that
  // chunk failed.
  const int64_t batch = std::clamp<int64_t>(window / 2, 1, 16);
  auto commit_can_proceed = [&] {
    const Slot& next = slots[static_cast<size_t>(committed % window)];
    return next.ready && (ready_count >= batch || next_task >= committed + window ||
                          next_task >= total || !next.status.ok());  // a failure at once
  };

  auto worker_main = [&] {
    Worker w(ctx.writer_options);
    EncodedChunk chunk;
    for (;;) {
      int64_t task;
      {
        std::unique_lock<std::mutex> lock(mu);
        while (!(stop || next_task >= total || next_task < committed + window)) {
          idle_workers++;
          work_cv.wait(lock);
          idle_workers--;
        }
        if (stop || next_task >= total) return;
        task = next_task++;
        // Claiming may fill the window or take the last task: the committer, if it waits for
        // more chunks than will come before it commits, must go on now.
        if (committer_waiting && commit_can_proceed()) done_cv.notify_one();
      }
      Status s = EncodeTask(ctx, task, &w, &chunk);
      std::lock_guard<std::mutex> lock(mu);
      Slot& slot = slots[static_cast<size_t>(task % window)];
      slot.status = std::move(s);
      std::swap(slot.chunk, chunk);
      slot.ready = true;
      ready_count++;
      if (committer_waiting && commit_can_proceed()) done_cv.notify_one();
    }
  };
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; i++) pool.emplace_back(worker_main);

  auto stop_all = [&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    work_cv.notify_all();
    for (std::thread& t : pool) t.join();
  };
  auto sync = [&]() -> Status {
    FM_RETURN_IF_ERROR(ctx.file->Sync());
    if (ctx.journal != nullptr) FM_RETURN_IF_ERROR(ctx.journal->Commit());
    if (ctx.test_hook) ctx.test_hook("journal-synced");
    return Status::OK();
  };

  using Clock = std::chrono::steady_clock;
  auto last_sync = Clock::now();
  uint64_t unsynced = 0;
  uint64_t unkicked = 0;  // appended since the last StartWriteback
  constexpr uint64_t kWritebackBytes = 16ull << 20;
  Status result;
  EncodedChunk chunk;
  for (int64_t task = start; task < total; task++) {
    if (ctx.should_stop && ctx.should_stop()) {
      result = ctx.cancel_status ? ctx.cancel_status() : Status::Cancelled("cancelled");
      break;
    }
    {
      std::unique_lock<std::mutex> lock(mu);
      Slot& slot = slots[static_cast<size_t>(task % window)];
      // Wake up now and then to notice a cancel request while a worker is busy.
      if (!slot.ready) {
        committer_waiting = true;
        while (!commit_can_proceed()) {
          done_cv.wait_for(lock, std::chrono::milliseconds(200));
          if (ctx.should_stop && ctx.should_stop()) break;
        }
        committer_waiting = false;
      }
      if (!slot.ready) {
        result = ctx.cancel_status ? ctx.cancel_status() : Status::Cancelled("cancelled");
        break;
      }
      slot.ready = false;
      ready_count--;
      result = std::move(slot.status);
      slot.status = Status::OK();
      std::swap(chunk, slot.chunk);
    }
    if (!result.ok()) break;
    result = ctx.writer->AppendChunk(chunk);
    if (!result.ok()) break;
    const parquet::WriterState& st = ctx.writer->state();
    if (ctx.journal != nullptr) {
      result = ctx.journal->AddChunk(st.length, ctx.writer->last_chunk_record());
      if (!result.ok()) break;
    }
    unsynced += chunk.bytes.size();
    unkicked += chunk.bytes.size();
    if (unkicked >= kWritebackBytes) {
      // The device starts on these bytes now; the journal's next sync then waits for little.
      ctx.file->StartWriteback();
      unkicked = 0;
    }
    ctx.stats->bytes_written = st.length;
    ctx.stats->chunks_done = task + 1 - first_task;
    if (ctx.test_hook) ctx.test_hook("chunk-committed");
    if ((task + 1) % ncols == 0) {
      const int64_t rg = task / ncols;
      const int64_t rows = std::min(plan.rows - rg * plan.row_group_rows, plan.row_group_rows);
      result = ctx.writer->CloseRowGroup(std::max<int64_t>(rows, 0));
      if (result.ok() && ctx.journal != nullptr) result = ctx.journal->AddRowGroupEnd(std::max<int64_t>(rows, 0));
      if (!result.ok()) break;
      if (ctx.test_hook) ctx.test_hook("row-group-closed");
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      committed = task + 1;
      if (idle_workers > 0) work_cv.notify_one();
    }
    double since = std::chrono::duration<double>(Clock::now() - last_sync).count();
    if (unsynced >= ctx.sync_bytes || since >= ctx.sync_seconds) {
      result = sync();
      if (!result.ok()) break;
      unsynced = 0;
      last_sync = Clock::now();
    }
  }
  stop_all();
  // Make what was committed durable, so a cancelled or failed run resumes from here. A write
  // error keeps its own message; the sync is then best effort.
  Status synced = sync();
  if (!result.ok()) return result;
  return synced;
}

}  // namespace featmerge::merge

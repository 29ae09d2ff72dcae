#include "merge/merge.h"
#include "merge/split.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/hash.h"
#include "base/logging.h"
#include "base/units.h"
#include "io/probes.h"
#include "merge/executor.h"
#include "merge/input_check.h"
#include "merge/journal.h"
#include "merge/manifest.h"
#include "merge/shard.h"

namespace featmerge::merge {
namespace {

using Clock = std::chrono::steady_clock;

std::string PartPath(const std::string& output, size_t part, size_t parts) {
  if (parts <= 1) return output;
  std::string stem = output;
  const std::string ext = ".parquet";
  if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0) {
    stem.resize(stem.size() - ext.size());
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), ".cols-%03zu", part);
  return stem + buf + ".parquet";
}

// Samples RSS, reports progress, and stops the run when RSS passes the budget.
class Monitor {
 public:
  Monitor(const MergeOptions& o, MergeObserver* observer, const std::atomic<bool>* interrupt)
      : options_(o), observer_(observer), interrupt_(interrupt), start_(Clock::now()) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Monitor() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void SetPhase(const std::string& phase) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      phase_ = phase;
    }
    Report();
  }
  void Watch(ExecutorStats* stats, int tables, int64_t columns) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_ = stats;
    tables_ = tables;
    columns_ = columns;
  }
  // True when the run must stop; checks the interrupt flag itself so that a signal is seen at
  // once, not at the next sample.
  bool ShouldStop() {
    if (cancel_.load()) return true;
    if (interrupt_ != nullptr && interrupt_->load()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!cancel_.load()) {
        cancel_status_ = InterruptedStatus();
        cancel_.store(true);
      }
      return true;
    }
    return false;
  }
  static Status InterruptedStatus() {
    return Status::Cancelled("interrupted; the run stopped cleanly and will resume where it "
                             "stopped when the same command runs again");
  }
  Status CancelStatus() const {
    std::lock_guard<std::mutex> lock(mu_);
    return cancel_status_;
  }
  uint64_t peak_rss() const { return peak_rss_.load(); }
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    int tick = 0;
    while (!done_) {
      cv_.wait_for(lock, std::chrono::milliseconds(100));
      if (done_) break;
      lock.unlock();
      Sample();
      if (++tick % 5 == 0) Report();
      lock.lock();
    }
  }
  void Sample() {
    uint64_t rss = io::CurrentRssBytes();
    rss_.store(rss);
    if (rss > peak_rss_.load()) peak_rss_.store(rss);
    std::lock_guard<std::mutex> lock(mu_);
    if (cancel_.load()) return;
    if (options_.memory_budget > 0 && rss > options_.memory_budget) {
      cancel_status_ = Status::ResourceExhausted(
          "resident memory " + FormatBytes(rss) + " exceeded --memory-budget " +
          FormatBytes(options_.memory_budget) + "; stopped cleanly, the run can be resumed " +
          "(with a larger budget, or --row-group-rows lower)");
      cancel_.store(true);
    } else if (interrupt_ != nullptr && interrupt_->load()) {
      cancel_status_ = InterruptedStatus();
      cancel_.store(true);
    }
  }
  void Report() {
    if (observer_ == nullptr) return;
    ProgressSnapshot snap;
    {
      std::lock_guard<std::mutex> lock(mu_);
      snap.phase = phase_;
      if (stats_ != nullptr) {
        snap.chunks_done = stats_->chunks_done.load();
        snap.chunks_total = stats_->chunks_total.load();
        snap.bytes_read = stats_->bytes_read.load();
        snap.bytes_written = stats_->bytes_written.load();
      }
      snap.tables_total = tables_;
      snap.columns_total = columns_;
    }
    snap.rss = rss_.load();
    snap.peak_rss = peak_rss_.load();
    snap.elapsed_seconds = elapsed();
    observer_->OnProgress(snap);
  }

  const MergeOptions& options_;
  MergeObserver* observer_;
  const std::atomic<bool>* interrupt_;
  const Clock::time_point start_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::string phase_ = "preflight";
  ExecutorStats* stats_ = nullptr;
  int tables_ = 0;
  int64_t columns_ = 0;
  std::atomic<bool> cancel_{false};
  Status cancel_status_;
  std::atomic<uint64_t> rss_{0};
  std::atomic<uint64_t> peak_rss_{0};
  std::thread thread_;
};

parquet::WriterOptions WriterOptionsFor(const MergeOptions& o) {
  parquet::WriterOptions w;
  w.compression = o.compression;
  w.compression_level = o.compression_level;
  w.write_crc = o.write_crc;
  w.write_page_index = o.page_index;
  w.write_statistics = o.statistics != StatisticsScope::kNone;
  w.created_by = std::string("featmerge version ") + FEATMERGE_VERSION;
  return w;
}

std::vector<parquet::KeyValue> OutputMetadata(const MergePlan& plan, size_t part, size_t parts) {
  // Deterministic: nothing here may depend on time, host or thread count (byte identity).
  std::string info = "{\"key\":\"" + plan.options.key + "\",\"spine\":\"" + plan.options.spine +
                     "\",\"tables\":" + std::to_string(plan.tables.size() - 1) +
                     ",\"part\":" + std::to_string(part) + ",\"parts\":" + std::to_string(parts) +
                     ",\"fingerprint\":\"" + plan.fingerprint + "\"}";
  return {parquet::KeyValue{"featmerge", info}};
}

// The row groups and rows of shard options.shard of the plan's output.
Result<ShardInfo> PlanShard(const MergePlan& p) {
  const MergeOptions& o = p.options;
  if (o.split_columns > 0) {
    return Status::InvalidArgument("--shard cannot be combined with --split-columns");
  }
  const int64_t total = p.num_row_groups();
  if (o.shard.count > total) {
    return Status::InvalidArgument("--shard " + o.shard.Text() + ": the output has only " +
                                   std::to_string(total) + " row group" + (total > 1 ? "s" : "") +
                                   " (of " + std::to_string(p.row_group_rows) +
                                   " rows); use at most " + std::to_string(total) +
                                   " shards, or smaller row groups");
  }
  ShardInfo s;
  s.spec = o.shard;
  int64_t end = 0;
  ShardRowGroups(total, o.shard, &s.first_row_group, &end);
  s.row_groups = end - s.first_row_group;
  s.total_row_groups = total;
  s.first_row = std::min(p.rows, s.first_row_group * p.row_group_rows);
  s.rows = std::min(p.rows, end * p.row_group_rows) - s.first_row;
  s.total_rows = p.rows;
  s.fingerprint = p.fingerprint;
  return s;
}

struct PartResult {
  bool resumed = false;
  int64_t resumed_chunks = 0;
  uint64_t bytes = 0;
  uint64_t footer_bytes = 0;
};

// Writes one output file (all columns, or one split part): journal, resume, executor, footer,
// fsync, rename.
Status WritePart(const MergePlan& plan, const std::vector<OutputColumn>& columns,
                 const std::string& out_path, const std::string& fingerprint, size_t part,
                 size_t parts, io::FileSystem* fs, const SpillFile* spill, Monitor* monitor,
                 ExecutorStats* stats, const ShardInfo* shard, PartResult* result) {
  const MergeOptions& o = plan.options;
  const std::string partial = PartialPath(out_path);
  const std::string journal_path = JournalPath(out_path);
  std::vector<parquet::ColumnDescriptor> descrs;
  for (const OutputColumn& c : columns) descrs.push_back(c.descr);
  parquet::Schema schema(std::move(descrs));
  const parquet::WriterOptions wopts = WriterOptionsFor(o);

  std::unique_ptr<io::AppendFile> file;
  std::unique_ptr<parquet::ParquetFileWriter> writer;
  std::unique_ptr<JournalWriter> journal;
  bool finished_before = false;
  if (fs->Exists(journal_path) && !o.restart) {
    uint64_t valid = 0;
    // Chunk records stay in the journal (Finish reads them back): memory stays flat.
    auto contents = ReadJournal(fs, journal_path, &valid, /*keep_records=*/false);
    if (contents.ok() && contents->fingerprint != fingerprint) {
      return Status::InvalidArgument(
          "'" + out_path + "' has an interrupted run whose inputs or options differ from this " +
          "one (a table changed, or another --memory-budget/--row-group-rows/--compression); " +
          "run again with --restart to discard it and start over");
    }
    auto partial_info = fs->Stat(partial);
    auto out_info = fs->Stat(out_path);
    if (contents.ok() && contents->finished && !partial_info.ok() && out_info.ok() &&
        out_info->size == contents->finished_length) {
      // Killed after the rename, before the manifest: the output is complete.
      result->resumed = true;
      result->bytes = out_info->size;
      return Status::OK();
    }
    if (contents.ok() && contents->finished && partial_info.ok() &&
        partial_info->size == contents->finished_length) {
      finished_before = true;  // killed between footer and rename: just rename
      result->resumed = true;
    } else if (contents.ok() && partial_info.ok() && partial_info->size >= contents->state.length &&
               !contents->finished) {
      FM_ASSIGN_OR_RETURN(file, fs->ReopenForAppend(partial, contents->state.length));
      result->resumed = true;
      result->resumed_chunks =
          static_cast<int64_t>(contents->state.num_row_groups()) *
              static_cast<int64_t>(columns.size()) + contents->state.open_chunks;
      FM_ASSIGN_OR_RETURN(writer, parquet::ParquetFileWriter::Resume(file.get(), schema, wopts,
                                                                     std::move(contents->state)));
      FM_ASSIGN_OR_RETURN(journal, JournalWriter::Reopen(fs, journal_path, valid));
      Log(LogLevel::kInfo, "resuming '" + out_path + "' after " +
                               std::to_string(result->resumed_chunks) + " committed column chunks");
    } else if (!contents.ok()) {
      Log(LogLevel::kWarning, "ignoring unreadable journal '" + journal_path + "': " +
                                  contents.status().ToString() + "; starting over");
    }
  }
  if (finished_before) {
    monitor->SetPhase("finishing");
    FM_RETURN_IF_ERROR(fs->RenameDurable(partial, out_path));
    FM_ASSIGN_OR_RETURN(auto info, fs->Stat(out_path));
    result->bytes = info.size;
    return Status::OK();
  }
  if (!writer) {
    FM_ASSIGN_OR_RETURN(file, fs->CreateForAppend(partial));
    FM_ASSIGN_OR_RETURN(writer, parquet::ParquetFileWriter::Create(file.get(), schema, wopts));
    writer->DropChunkRecords();  // the journal keeps them; Finish reads them back
    FM_ASSIGN_OR_RETURN(journal, JournalWriter::Create(fs, journal_path, fingerprint));
    if (o.test_hook) o.test_hook("journal-created");
  }

  monitor->SetPhase(parts > 1 ? "writing part " + std::to_string(part + 1) + "/" + std::to_string(parts)
                              : "writing");
  ExecutorContext ctx;
  ctx.plan = &plan;
  ctx.columns = &columns;
  ctx.spill = spill;
  ctx.writer = writer.get();
  ctx.file = file.get();
  ctx.journal = journal.get();
  ctx.writer_options = wopts;
  ctx.stats = stats;
  ctx.should_stop = [monitor] { return monitor->ShouldStop(); };
  ctx.cancel_status = [monitor] { return monitor->CancelStatus(); };
  ctx.test_hook = o.test_hook;
  if (shard != nullptr) {
    ctx.first_row_group = shard->first_row_group;
    ctx.end_row_group = shard->first_row_group + shard->row_groups;
  }
  Status executed = RunExecutor(ctx);
  // An input that changed while chunks were being read makes every committed chunk suspect:
  // the partial state is removed rather than kept for a resume (see merge/input_check.h).
  if (Status inputs = CheckInputsUnchanged(plan, fs); !inputs.ok()) {
    (void)fs->Remove(journal_path);
    (void)fs->Remove(partial);
    return inputs;
  }
  FM_RETURN_IF_ERROR(executed);

  monitor->SetPhase("finishing");
  // The footer of a wide file with many row groups takes a while: keep honouring the watchdog
  // and interrupts while it is written.
  // A fragment's footer has the whole output's entry and its own shard entry (concat drops it).
  std::vector<parquet::KeyValue> key_value = OutputMetadata(plan, part, parts);
  if (shard != nullptr) key_value.push_back({kShardMetadataKey, ShardInfoJson(*shard)});
  FM_RETURN_IF_ERROR(journal->Commit());  // Finish reads the chunk records from the journal
  FM_RETURN_IF_ERROR(writer->Finish(
      key_value,
      [monitor]() -> Status { return monitor->ShouldStop() ? monitor->CancelStatus() : Status::OK(); },
      [fs, &journal_path](const std::function<Status(ByteView)>& fn) {
        return ForEachJournalChunk(fs, journal_path, fn);
      }));
  if (o.test_hook) o.test_hook("footer-written");
  FM_RETURN_IF_ERROR(file->Sync());
  FM_RETURN_IF_ERROR(file->Close());
  FM_RETURN_IF_ERROR(journal->AddFinished(writer->state().length));
  FM_RETURN_IF_ERROR(journal->Commit());
  if (o.test_hook) o.test_hook("before-rename");
  FM_RETURN_IF_ERROR(fs->RenameDurable(partial, out_path));
  if (o.test_hook) o.test_hook("after-rename");
  result->bytes = writer->state().length;
  result->footer_bytes = writer->footer_bytes();
  return Status::OK();
}

}  // namespace

std::string PartialPath(const std::string& output) { return output + ".partial"; }
std::string JournalPath(const std::string& output) { return output + ".journal"; }
std::string LockPath(const std::string& output) { return output + ".lock"; }
std::string ManifestPath(const std::string& output) { return output + ".manifest.json"; }

const char* DuplicatePolicyName(DuplicatePolicy p) {
  switch (p) {
    case DuplicatePolicy::kError: return "error";
    case DuplicatePolicy::kFirst: return "first";
    case DuplicatePolicy::kLast: return "last";
  }
  return "error";
}

const char* StatisticsScopeName(StatisticsScope s) {
  switch (s) {
    case StatisticsScope::kNone: return "none";
    case StatisticsScope::kKey: return "key";
    case StatisticsScope::kAll: return "all";
  }
  return "key";
}

Result<StatisticsScope> ParseStatisticsScope(const std::string& name) {
  if (name == "none") return StatisticsScope::kNone;
  if (name == "key") return StatisticsScope::kKey;
  if (name == "all") return StatisticsScope::kAll;
  return Status::InvalidArgument("unknown statistics scope '" + name + "' (use key, all or none)");
}

const char* ClashPolicyName(ClashPolicy p) {
  return p == ClashPolicy::kError ? "error" : "prefix";
}

Result<MergeSummary> RunMerge(const MergeOptions& o, const MergeEnv& env) {
  io::FileSystem* fs = env.fs != nullptr ? env.fs : io::DefaultFileSystem();
  if (o.output.empty()) return Status::InvalidArgument("no output path given (-o OUT.parquet)");
  if (o.split_rows > 0 || o.split_by != SplitBy::kNone) return RunSplitMerge(o, env);
  Monitor monitor(o, env.observer, env.interrupt);
  if (o.test_hook) o.test_hook("preflight");
  FM_ASSIGN_OR_RETURN(std::unique_ptr<MergePlan> plan, BuildPlan(o, fs));
  MergePlan& p = *plan;

  // The lock is part of preflight: a second run on the same output refuses at once.
  FM_ASSIGN_OR_RETURN(auto lock, io::FileLock::Acquire(LockPath(o.output)));
  p.checks.push_back({"output lock", LockPath(o.output)});
  if (env.observer != nullptr) env.observer->OnPlan(p);

  MergeSummary summary;
  summary.output = o.output;
  summary.rows = p.rows;
  summary.columns = static_cast<int64_t>(p.columns.size());
  summary.tables = static_cast<int>(p.tables.size()) - 1;
  summary.row_groups = p.num_row_groups();
  summary.input_bytes = p.input_bytes;
  summary.fingerprint = p.fingerprint;
  ShardInfo shard;
  if (o.shard.active()) {
    FM_ASSIGN_OR_RETURN(shard, PlanShard(p));
    summary.rows = shard.rows;
    summary.row_groups = static_cast<int>(shard.row_groups);
    // A fragment's journal and manifest must not match another shard's, nor the whole output's.
    summary.fingerprint = Fnv64().Add(p.fingerprint).Add("shard").AddInt(o.shard.index)
                              .AddInt(o.shard.count).hex();
    summary.shard_info = ShardInfoJson(shard);
  }
  if (o.dry_run) return summary;

  // Split into parts of at most split_columns columns, each with the key first.
  std::vector<std::vector<OutputColumn>> parts;
  if (o.split_columns > 0 && static_cast<int64_t>(p.columns.size()) > o.split_columns) {
    if (o.split_columns < 2) {
      return Status::InvalidArgument("--split-columns must be at least 2 (the key and one column)");
    }
    const size_t per_part = static_cast<size_t>(o.split_columns - 1);
    for (size_t c = 1; c < p.columns.size(); c += per_part) {
      std::vector<OutputColumn> cols{p.columns[0]};
      for (size_t k = c; k < std::min(p.columns.size(), c + per_part); k++) cols.push_back(p.columns[k]);
      parts.push_back(std::move(cols));
    }
  } else {
    parts.push_back(p.columns);
  }
  for (size_t i = 0; i < parts.size(); i++) summary.outputs.push_back(PartPath(o.output, i, parts.size()));

  // Up to date: every output exists and the manifest records this very plan.
  if (!o.force && !fs->Exists(JournalPath(summary.outputs[0]))) {
    uint64_t recorded_bytes = 0;
    auto fp = ReadManifestFingerprint(fs, ManifestPath(o.output), &recorded_bytes);
    bool all_there = true;
    for (const std::string& out : summary.outputs) all_there = all_there && fs->Exists(out);
    if (fp.ok() && *fp == summary.fingerprint && all_there) {
      auto info = fs->Stat(summary.outputs[0]);
      if (info.ok() && (parts.size() > 1 || info->size == recorded_bytes)) {
        summary.up_to_date = true;
        summary.output_bytes = info->size;
        return summary;
      }
    }
  }

  monitor.SetPhase("aligning keys");
  if (o.test_hook) o.test_hook("aligning");
  SpillFile spill(fs, o.output + ".align.tmp");
  FM_RETURN_IF_ERROR(AlignTables(&p, &spill));

  ExecutorStats stats;
  monitor.Watch(&stats, summary.tables, summary.columns);
  for (size_t i = 0; i < parts.size(); i++) {
    std::string fingerprint = summary.fingerprint;
    if (parts.size() > 1) {
      fingerprint = Fnv64().Add(p.fingerprint).AddInt(static_cast<int64_t>(i)).AddInt(o.split_columns).hex();
    }
    PartResult part;
    FM_RETURN_IF_ERROR(WritePart(p, parts[i], summary.outputs[i], fingerprint, i, parts.size(), fs,
                                 &spill, &monitor, &stats,
                                 o.shard.active() ? &shard : nullptr, &part));
    summary.resumed = summary.resumed || part.resumed;
    summary.resumed_chunks += part.resumed_chunks;
    summary.output_bytes += part.bytes;
    summary.footer_bytes = std::max(summary.footer_bytes, part.footer_bytes);
  }
  summary.pages_read = stats.pages_read.load();
  summary.pages_skipped = stats.pages_skipped.load();
  summary.chunks_copied = stats.chunks_copied.load();
  summary.bytes_read = stats.bytes_read.load();
  summary.key_row_groups_read = p.key_stats.row_groups_read;
  summary.key_row_groups_skipped = p.key_stats.row_groups_skipped;
  summary.key_pages_read = p.key_stats.pages_read;
  summary.key_pages_skipped = p.key_stats.pages_skipped;
  summary.seconds = monitor.elapsed();
  summary.peak_rss = std::max(monitor.peak_rss(), io::PeakRssBytes());
  FM_RETURN_IF_ERROR(WriteManifest(fs, ManifestPath(o.output), ManifestJson(p, summary)));
  if (o.test_hook) o.test_hook("manifest-written");
  for (const std::string& out : summary.outputs) FM_RETURN_IF_ERROR(fs->Remove(JournalPath(out)));
  monitor.SetPhase("done");
  return summary;
}

}  // namespace featmerge::merge

// One instrument's merge, end to end: preflight and plan, lock, key alignment, the
// column-streaming executor with its journal (resume after a crash), footer, fsync, atomic
// rename, manifest. Thread-safety: RunMerge may run concurrently for different outputs.
#pragma once

#include <atomic>
#include <string>

#include "base/status.h"
#include "io/file.h"
#include "merge/options.h"
#include "merge/plan.h"

namespace featmerge::merge {

struct ProgressSnapshot {
  std::string phase;  // "preflight", "aligning keys", "writing", "finishing", "done"
  int64_t chunks_done = 0;
  int64_t chunks_total = 0;
  int tables_total = 0;
  int64_t columns_total = 0;
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  uint64_t rss = 0;
  uint64_t peak_rss = 0;
  double elapsed_seconds = 0;
};

class MergeObserver {
 public:
  virtual ~MergeObserver() = default;
  virtual void OnPlan(const MergePlan& /*plan*/) {}
  // Called every ~0.5 s from a reporter thread, and once at each phase change.
  virtual void OnProgress(const ProgressSnapshot& /*snapshot*/) {}
};

struct MergeSummary {
  std::string output;
  std::vector<std::string> outputs;  // with --split-columns: every part
  bool up_to_date = false;  // the output existed with a matching manifest: nothing done
  bool resumed = false;     // continued an interrupted run
  int64_t resumed_chunks = 0;
  int64_t rows = 0;
  int64_t columns = 0;
  int tables = 0;
  int row_groups = 0;
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
  uint64_t footer_bytes = 0;
  double seconds = 0;
  uint64_t peak_rss = 0;
  int64_t pages_read = 0;
  int64_t pages_skipped = 0;
  int64_t chunks_copied = 0;
  uint64_t bytes_read = 0;    // compressed source bytes the writing phase read  // source chunks copied as stored (MergeOptions::copy_chunks)
  // Key-column reads of the alignment; with --from/--to, row groups and pages whose key
  // statistics exclude the range are skipped (merge/time_range.h).
  int64_t key_row_groups_read = 0;
  int64_t key_row_groups_skipped = 0;
  int64_t key_pages_read = 0;
  int64_t key_pages_skipped = 0;
  int split_parts = 0;      // --split-rows/--split-by: the number of part files (row slices)
  std::string fingerprint;  // of this output (a fragment's: the plan's and its shard)
  std::string shard_info;   // a fragment's "featmerge.shard" entry (merge/shard.h), or ""
};

struct MergeEnv {
  io::FileSystem* fs = nullptr;                 // null: the default
  MergeObserver* observer = nullptr;            // may be null
  const std::atomic<bool>* interrupt = nullptr; // set by SIGINT/SIGTERM handlers
};

// Runs the merge. With options.dry_run, returns after preflight and planning (the plan is
// given to the observer) without writing anything.
Result<MergeSummary> RunMerge(const MergeOptions& options, const MergeEnv& env);

// Paths beside the output.
std::string PartialPath(const std::string& output);
std::string JournalPath(const std::string& output);
std::string LockPath(const std::string& output);
std::string ManifestPath(const std::string& output);

}  // namespace featmerge::merge

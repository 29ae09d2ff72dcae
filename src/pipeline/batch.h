// The batch job of `featmerge run`: every pair of a RunConfig merged by a child process
// (`featmerge merge ... --json`, the same binary), up to `jobs` at once, each child given an
// equal share of the run's memory budget, so the sum of the concurrent merges' budgets never
// exceeds the run's; then `featmerge check` on each output written, and a schema comparison of
// all outputs. A child's memory is isolated and measured exactly (wait4: its peak RSS), its
// crash cannot take the run down, and its stderr is the pair's log file.
// Shares: each child gets --memory-budget = budget / jobs and --threads = max(1, cores / jobs),
// fixed when it starts (a running merge cannot be given more threads, so the last pair of a
// run keeps its share; with jobs = 1, the default, every merge has all cores). The shares
// follow the configured jobs, not the pairs left, so a rerun passes the same options and finds
// its outputs up to date or its journals resumable (merge's fingerprint includes the row-group
// size, derived from budget and threads unless row_group_rows is set).
// Thread-safety: RunBatch is called from one thread (it forks); the observer is called from it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "merge/shard.h"
#include "pipeline/config.h"
#include "pipeline/schema_check.h"

namespace featmerge::pipeline {

enum class PairStatus {
  kNotRun,       // not started: the run was interrupted or stopped by --fail-fast first
  kDone,         // written (maybe resumed) and, unless disabled, checked valid
  kSkipped,      // already up to date: its manifest matches the inputs and the options
  kNotReady,     // inputs not ready: no completion marker, missing tables, no spine, no dir
  kFailed,       // the merge failed (its message and log say why) or crashed
  kCheckFailed,  // written, but `featmerge check` found it invalid (or could not run)
  kInterrupted,  // stopped by SIGINT/SIGTERM; its journal makes the next run resume it
};
const char* PairStatusName(PairStatus status);  // "done", "not ready", ...
bool IsFailure(PairStatus status);              // not ready, failed, check failed

enum class CheckState { kNotRun, kValid, kInvalid, kError, kUnavailable };
const char* CheckStateName(CheckState state);  // "not run", "valid", ...

struct CheckResult {
  CheckState state = CheckState::kNotRun;
  int64_t problem_count = 0;
  std::vector<std::string> problems;  // the first few, as `check` words them
  std::string error;                  // kError: why the check could not run
  double seconds = 0;
  uint64_t peak_rss = 0;
};

struct PairResult {
  std::string pair;
  std::string input;
  std::string output;
  std::vector<std::string> outputs;  // every part with split_columns, else {output}
  std::string log;                   // the pair's log file
  PairStatus status = PairStatus::kNotRun;
  bool resumed = false;  // continued an interrupted run's journal
  int exit_code = -1;    // of the merge child; -1: not run; 128+N: killed by N
  std::string error;     // the child's error line, or what happened to it
  int64_t rows = 0;
  int64_t columns = 0;
  uint64_t output_bytes = 0;
  double seconds = 0;          // wall time of the merge child
  uint64_t peak_rss = 0;       // the merge child's peak RSS (wait4 ru_maxrss)
  uint64_t memory_budget = 0;  // the child's share of the run's budget
  int threads = 0;
  CheckResult check;
  SchemaDiff schema;  // differences from the reference schema
};

struct BatchOptions {
  RunConfig config;                    // pairs: the ones to run, in order
  std::string exe = "/proc/self/exe";  // the featmerge binary the children run
  bool force = false;                  // pass --force to merge: rebuild up-to-date outputs
  bool restart = false;                // pass --restart to merge: discard interrupted runs
  const std::atomic<bool>* interrupt = nullptr;  // SIGINT/SIGTERM flag (may be null)
  // Active: every pair writes only this shard of its output, as the fragment
  // PairOutputPath(config, pair, shard), logging to PairLogPath(config, pair, shard).
  merge::ShardSpec shard;
  std::string report_path;  // "" = <run directory>/run-report.json
};

// The state shown by a live display.
struct RunningPair {
  std::string pair;
  std::string phase;  // merge's phase, or "checking"
  int64_t chunks_done = 0;
  int64_t chunks_total = 0;
  uint64_t rss = 0;
  double elapsed = 0;
};
struct BatchProgress {
  int total = 0;
  int done = 0;  // written (done, check failed)
  int skipped = 0;
  int failed = 0;  // failed and not ready
  std::vector<RunningPair> running;
  double elapsed = 0;
  double eta = -1;        // seconds until the run ends; -1 while unknown
  bool stopping = false;  // interrupted or --fail-fast: waiting for children to stop
};

class BatchObserver {
 public:
  virtual ~BatchObserver() = default;
  virtual void OnPairStarted(const std::string& /*pair*/, const BatchProgress& /*progress*/) {}
  // A child's progress event (its JSON line), tagged with the pair.
  virtual void OnPairEvent(const std::string& /*pair*/, const std::string& /*json_line*/) {}
  // About twice a second while pairs run.
  virtual void OnTick(const BatchProgress& /*progress*/) {}
  virtual void OnPairFinished(const PairResult& /*result*/, const BatchProgress& /*progress*/) {}
  virtual void OnMessage(const std::string& /*text*/) {}  // warnings about the run itself
};

struct RunReport {
  std::string config_path;
  std::string directory;    // where run-report.json and logs/ are
  std::string report_path;  // run-report.json
  std::string started_at;   // UTC, ISO 8601
  double seconds = 0;
  int jobs = 1;
  uint64_t memory_budget = 0;            // the run's
  uint64_t memory_budget_per_merge = 0;  // memory_budget / jobs
  int threads_per_merge = 0;
  int max_concurrent = 0;     // most merges running at once
  uint64_t peak_rss_sum = 0;  // highest sum of the children's RSS sampled at one time
  std::string check;          // "on", "off" or "unavailable"
  bool interrupted = false;
  bool stopped_by_fail_fast = false;
  std::vector<PairResult> pairs;  // in config order
  SchemaReport schema;
  int exit_code = 0;  // 0, 2 (a pair failed, schema drift), 3 (resources), 130
};

// Runs every pair of options.config.pairs and the checks; fills and writes run-report.json.
// Errors (InvalidArgument) only for settings that cannot work, before anything starts: a
// per-merge budget under merge's minimum, an unusable run directory. Everything that goes
// wrong with a pair is in its PairResult; report.exit_code sums it up.
Result<RunReport> RunBatch(const BatchOptions& options, BatchObserver* observer);

// The per-merge share of the run's budget and threads, as RunBatch computes them.
uint64_t MergeBudgetShare(const RunConfig& config);
int MergeThreads(const RunConfig& config);

}  // namespace featmerge::pipeline

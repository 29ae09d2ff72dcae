// `featmerge run pipeline.toml --status`: the state of every pair (and, for a pair split over
// machines, of each shard and of its concat) read from the files on the shared filesystem
// only: outputs and manifests, journals and .partial files, logs/<...>.progress.json and the
// logs, and slurm/submission.json for shard counts and job ids. Works for a Slurm run while
// its tasks run on other machines, and for a local run. See docs/slurm.md.
// Thread-safety: pure functions (file reads).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "pipeline/config.h"

namespace featmerge::pipeline {

enum class UnitState {
  kPending,  // nothing written, no attempt logged (or waiting for its shards)
  kStarted,  // an attempt is logged but has written nothing yet (running, or killed early)
  kPartial,  // a journal or .partial file: being written or interrupted; resumes
  kDone,     // the output (fragment) is complete
  kFailed,   // the last attempt failed; `detail` is its error line
};
const char* UnitStateName(UnitState state);  // "pending", "started", "partial", "done", "failed"

// One output being made: a pair's merge, one shard of it, or its concat.
struct UnitStatus {
  std::string name;    // "eurusd", "shard 2/3", "concat"
  std::string output;  // the file it writes
  std::string log;
  UnitState state = UnitState::kPending;
  std::string detail;    // rows and size, progress, or the error line
  double progress = -1;  // 0..1 for partial units with a progress file, else -1
  std::string job;       // the Slurm job (array task) id from slurm/submission.json, or ""
};

struct PairStatusView {
  std::string pair;
  int shards = 1;
  UnitStatus whole;               // the pair (for sharded pairs: summarizing its units)
  std::vector<UnitStatus> units;  // sharded pairs: the shards, then the concat
};

struct RunStatusReport {
  std::string directory;     // the run directory
  bool slurm = false;        // slurm/submission.json was found
  std::string submitted_at;  // its time ("" when never submitted)
  std::vector<PairStatusView> pairs;
  int count(UnitState state) const;
};

// The status of config.pairs (shard counts: slurm/submission.json, else config.slurm).
RunStatusReport CollectRunStatus(const RunConfig& config);
std::string FormatRunStatus(const RunStatusReport& report);  // a table for the terminal
std::string RunStatusJson(const RunStatusReport& report);    // one JSON document

}  // namespace featmerge::pipeline

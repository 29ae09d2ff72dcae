// Row-split outputs: --split-rows N and --split-by day|month write a directory of files
// (part-00000.parquet, ...), each the merge of a contiguous slice of the spine by key, so that
// DuckDB and Polars read the directory as one dataset (a glob) and every file has its own
// small footer. Each part is an ordinary merge with --from/--to set to its slice: it has its
// own journal, lock and manifest, so an interrupted split run resumes part by part. The
// directory's _manifest.json, written last, lists the parts and marks the set complete.
// Thread-safety: as RunMerge.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "merge/merge.h"

namespace featmerge::merge {

// One part: its spine slice as --from/--to texts (inclusive/exclusive) and its row count.
struct SplitPart {
  std::string from;
  std::string to;
  std::string label;  // "2024-03", "2024-03-05", or "rows 0-99999"
  int64_t rows = 0;
};

// The parts for options.split_rows / options.split_by over the spine's keys (within
// options.from/to). Errors: a key type that cannot be split that way (split_by needs a
// timestamp or date key; split_rows a sorted spine without null keys).
Result<std::vector<SplitPart>> PlanSplit(const MergeOptions& options, io::FileSystem* fs);

// Runs the split merge into the directory options.output (see the header comment).
Result<MergeSummary> RunSplitMerge(const MergeOptions& options, const MergeEnv& env);

// "<dir>/part-00007.parquet".
std::string SplitPartPath(const std::string& dir, size_t part);

}  // namespace featmerge::merge

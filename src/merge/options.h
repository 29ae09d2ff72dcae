// MergeOptions: everything `featmerge merge` can be told, with the defaults of the CLI.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "merge/shard.h"
#include "parquet/types.h"

namespace featmerge::merge {

enum class DuplicatePolicy { kError, kFirst, kLast };
enum class ClashPolicy { kError, kPrefix };
// Which output columns get chunk statistics and a column index (min/max per page). The key is
// what readers filter on (time ranges); statistics of 17,000 feature columns would make every
// reader decode a footer several times larger for nothing.
enum class StatisticsScope { kNone, kKey, kAll };
// Row-split outputs (merge/split.h): by calendar period of the key (UTC).
enum class SplitBy { kNone, kDay, kMonth };

// One per-table join setting (--join/--tolerance/--allow-exact-matches, or a [[tables]]
// section of a run config). For each setting, the first rule whose `match` glob matches the
// table's name and that sets it decides; unset everywhere: exact join, no tolerance, exact
// matches allowed (docs/joins.md).
struct JoinRule {
  std::string match = "*";                // glob on the table name (with or without .parquet)
  std::optional<bool> asof;               // false: exact join
  std::optional<std::string> tolerance;   // as given ("2h", "90s", "5"); parsed per key type
  std::optional<bool> allow_exact_matches;
};

struct MergeOptions {
  std::string input_dir;
  std::string output;                  // OUT.parquet
  std::string spine = "targets.parquet";
  std::string key = "interval_time";
  std::vector<std::string> table_globs;  // empty: every *.parquet but the spine
  std::vector<std::string> exclude_table_globs;  // tables matching these are left out
  // Output columns (the key always stays): kept when they match a column glob (empty: all) and
  // no exclude glob. Globs match the column's name or "<table>__<column>".
  std::vector<std::string> column_globs;
  std::vector<std::string> exclude_column_globs;
  std::vector<JoinRule> join_rules;  // first match per setting wins
  // Spine rows with from <= key < to only (ISO-8601 UTC or an integer in the key's unit);
  // "" = unbounded.
  std::string from;
  std::string to;
  std::string manifest_file;             // list of expected tables, one per line
  int64_t expect_tables = -1;            // -1: no expectation
  std::string require_marker;            // e.g. "_COMPLETE"
  uint64_t memory_budget = 1ull << 30;
  int threads = 0;                       // 0: all cores
  int64_t row_group_rows = 0;            // 0: from row_group_bytes, capped by the budget
  // Target decoded size of one output row group across all its columns (what a training
  // loader holds in memory per row group).
  uint64_t row_group_bytes = 1ull << 30;
  parquet::Compression compression = parquet::Compression::kZstd;
  int compression_level = 1;
  DuplicatePolicy on_duplicate_key = DuplicatePolicy::kError;
  ClashPolicy on_name_clash = ClashPolicy::kError;
  int64_t split_columns = 0;             // 0: one file
  // A directory of part files, each a slice of the spine: at most split_rows rows, or one
  // calendar period (merge/split.h). 0 / kNone: one output.
  int64_t split_rows = 0;
  SplitBy split_by = SplitBy::kNone;
  ShardSpec shard;                       // active: write only row-group range K of N (a fragment)
  bool dry_run = false;
  bool restart = false;                  // ignore a journal whose inputs changed
  bool force = false;                    // rebuild even when the output is up to date
  bool check_disk = true;
  bool check_memory = true;
  bool write_crc = true;
  bool page_index = true;
  StatisticsScope statistics = StatisticsScope::kKey;
  // Where a source row group maps one to one onto an output row group, copy its column chunks
  // as stored (parquet/chunk_copy.h) instead of decoding and re-encoding them; row groups are
  // then sized to line up with the sources' where that keeps them near row_group_bytes.
  bool copy_chunks = true;
  // Test hook: called with a point name ("after-chunk", ...) as the run passes it.
  std::function<void(const char*)> test_hook;
};

const char* DuplicatePolicyName(DuplicatePolicy p);
const char* StatisticsScopeName(StatisticsScope s);
Result<StatisticsScope> ParseStatisticsScope(const std::string& name);
const char* ClashPolicyName(ClashPolicy p);

}  // namespace featmerge::merge

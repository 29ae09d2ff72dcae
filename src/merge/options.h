// MergeOptions: everything `featmerge merge` can be told, with the defaults of the CLI.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "merge/shard.h"
#include "parquet/types.h"

namespace featmerge::merge {

enum class DuplicatePolicy { kError, kFirst, kLast };
enum class ClashPolicy { kError, kPrefix };

struct MergeOptions {
  std::string input_dir;
  std::string output;                  // OUT.parquet
  std::string spine = "targets.parquet";
  std::string key = "interval_time";
  std::vector<std::string> table_globs;  // empty: every *.parquet but the spine
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
  ShardSpec shard;                       // active: write only row-group range K of N (a fragment)
  bool dry_run = false;
  bool restart = false;                  // ignore a journal whose inputs changed
  bool force = false;                    // rebuild even when the output is up to date
  bool check_disk = true;
  bool check_memory = true;
  bool write_crc = true;
  bool page_index = true;
  bool statistics = true;
  // Test hook: called with a point name ("after-chunk", ...) as the run passes it.
  std::function<void(const char*)> test_hook;
};

const char* DuplicatePolicyName(DuplicatePolicy p);
const char* ClashPolicyName(ClashPolicy p);

}  // namespace featmerge::merge

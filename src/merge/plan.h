// The merge plan: preflight (inputs present and readable, key types compatible, no name
// clashes, disk, memory, lock) and what the output will hold: columns, types, row groups,
// estimates. Nothing is written before the plan is complete. Thread-safety: a plan is built
// by one thread, then read by many.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "io/file.h"
#include "merge/alignment.h"
#include "merge/key_column.h"
#include "merge/options.h"
#include "merge/selection.h"
#include "merge/time_range.h"
#include "parquet/file_reader.h"
#include "parquet/schema.h"

namespace featmerge::merge {

// One input file. Its footer is not kept: 667 tables' footers with many row groups would cost
// hundreds of MB. Readers are opened on demand through the plan's ReaderCache.
struct SourceTable {
  std::string name;  // file name without ".parquet"
  std::string path;
  parquet::Schema schema;
  int64_t num_rows = 0;
  // Rows of each of the file's row groups but the last (which holds at most as many), or 0
  // when the row groups differ in size. Lets the plan line output row groups up with them.
  int64_t uniform_row_group_rows = 0;
  int key_column = -1;
  KeyType key_type;
  io::FileInfo info;
  std::string footer_hash;  // FNV-1a of the footer bytes, for change detection
  JoinSpec join;
  Alignment alignment;      // filled by AlignTables (not used for the spine)
  int first_output_column = 0;
  int num_output_columns = 0;
};

struct OutputColumn {
  parquet::ColumnDescriptor descr;  // output name and type (nullable for feature columns)
  int table = 0;                    // index into MergePlan::tables (0 = spine)
  int source_column = 0;
};

// A few open readers, least recently used evicted. Opening checks that the file is still the
// one planned (size and footer hash), so an input changed during a run is an error, never
// wrong output. Thread-safety: Get() is thread-safe. Readers are shared_ptr because a worker
// may still read from one the cache has just evicted.
class ReaderCache {
 public:
  ReaderCache(io::FileSystem* fs, size_t capacity) : fs_(fs), capacity_(capacity) {}
  Result<std::shared_ptr<const parquet::ParquetFileReader>> Get(const SourceTable& table);

 private:
  io::FileSystem* fs_;
  size_t capacity_;
  std::mutex mu_;
  std::list<std::pair<const SourceTable*, std::shared_ptr<const parquet::ParquetFileReader>>> lru_;
};

// Opens `table` and checks it is unchanged since planning.
Result<std::unique_ptr<parquet::ParquetFileReader>> ReopenSource(io::FileSystem* fs,
                                                                 const SourceTable& table);

struct PreflightCheck {
  std::string name;    // "spine present", "free disk", ...
  std::string detail;  // "targets.parquet, 100,000 rows"
};

struct MergePlan {
  MergeOptions options;
  std::vector<SourceTable> tables;  // [0] is the spine, then tables in output order
  std::vector<OutputColumn> columns;
  parquet::Schema schema;
  int64_t rows = 0;
  int64_t row_group_rows = 0;
  uint64_t row_bytes = 0;                     // decoded bytes of one output row, all columns
  bool row_group_limited_by_memory = false;   // the budget, not row_group_bytes, set the size
  bool row_groups_follow_sources = false;     // sized to line up with the inputs' row groups
  int threads = 1;
  int max_in_flight = 2;  // column chunks being encoded or awaiting commit, from the budget
  uint64_t input_bytes = 0;
  uint64_t estimated_output_bytes = 0;
  uint64_t estimated_peak_memory = 0;
  std::vector<PreflightCheck> checks;
  std::string fingerprint;  // inputs + output-affecting options; a journal must match it
  StringKeyDictionary string_keys;
  std::unique_ptr<ReaderCache> readers;
  SelectionReport selection;  // what --tables/--exclude-tables/--columns/--exclude left out
  // --from/--to: the output's rows are the spine's rows with a key in `range`, in spine order;
  // tables[0].alignment then maps output rows to spine rows.
  KeyRange range;
  KeyReadStats key_stats;  // key-column reads of AlignTables (pruning counters)

  int num_row_groups() const {
    return rows == 0 ? 1 : static_cast<int>((rows + row_group_rows - 1) / row_group_rows);
  }
};

// Preflight and planning. Every failure is one clear message (exit code 2 from the CLI),
// before anything is written. Does not align keys (AlignTables does).
Result<std::unique_ptr<MergePlan>> BuildPlan(const MergeOptions& options, io::FileSystem* fs);

// Reads every key column and aligns each table to the spine. Duplicate keys follow the
// options' policy; with kError all offending tables are named in one message.
Status AlignTables(MergePlan* plan, SpillFile* spill);

// True when `name` matches the shell glob `pattern` (fnmatch).
bool GlobMatch(const std::string& pattern, const std::string& name);

}  // namespace featmerge::merge

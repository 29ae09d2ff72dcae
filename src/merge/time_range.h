// Key ranges: --from/--to and as-of tolerances parsed into normalized key units (nanoseconds
// for timestamps, days for dates, the value for integers), and the pruning of key-column reads
// to the row groups and pages whose statistics can hold a key in a range.
// Thread-safety: pure functions; a filter from RangeRowFilter writes its stats unsynchronized
// (use one per thread).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "io/file.h"
#include "merge/key_column.h"
#include "merge/options.h"
#include "parquet/file_reader.h"

namespace featmerge::merge {

// Normalized keys k with lo <= k < hi. Inactive: every key.
struct KeyRange {
  bool active = false;
  int64_t lo = INT64_MIN;
  int64_t hi = INT64_MAX;
  bool Contains(int64_t k) const { return k >= lo && k < hi; }
};

// What pruned key reads did (summed over tables): row groups whose statistics exclude the
// range are never read; in the others, pages whose column-index bounds exclude it are skipped
// without decompression.
struct KeyReadStats {
  int64_t row_groups_read = 0;
  int64_t row_groups_skipped = 0;
  int64_t pages_read = 0;
  int64_t pages_skipped = 0;
};

// A time for --from/--to, normalized for a key of `type`: "2024-01-01", "2024-01-01T09:30:00Z"
// (UTC; an offset such as +02:00 is applied; fractions to the nanosecond), or an integer in the
// key's own unit (a timestamp key's stored unit, days for dates). `option` names the option in
// messages. String keys: InvalidArgument.
Result<int64_t> ParseKeyTime(const std::string& text, const KeyType& type, const std::string& option);

// The spine's range from options.from/to (inactive when both are empty).
Result<KeyRange> ResolveKeyRange(const MergeOptions& options, const KeyType& type);

// An as-of tolerance in normalized units: a duration ("2h", "90s") for timestamps, whole days
// ("3d" or "3") for dates, a non-negative integer for integer keys.
Result<int64_t> ParseTolerance(const std::string& text, const KeyType& type);

// The keys of a table that can feed spine keys in `spine_range`: [lo, hi) for exact joins,
// [lo - tolerance, hi) for as-of joins (no lower bound without a tolerance).
KeyRange TableKeyRange(const KeyRange& spine_range, bool asof, int64_t tolerance);

// A row filter for ReadKeyColumn that skips what cannot hold a key in `range`, counting into
// *stats (which must outlive the filter). `file` must outlive the filter too.
KeyRowFilter RangeRowFilter(const parquet::ParquetFileReader& file, int column,
                            const KeyType& type, const KeyRange& range, KeyReadStats* stats);

struct MergePlan;
struct SourceTable;

// Planning of --from/--to: resolves plan->range from the options and, when active, reads the
// spine's keys to select its rows in the range (plan->rows, plan->tables[0].alignment).
Status PlanKeyRange(MergePlan* plan, io::FileSystem* fs);

// The key columns AlignTables aligns. With a key range: the spine's keys of the selected rows
// only (in output-row order), and each table's keys read through RangeRowFilter with the
// table's range (the rest read as null keys), counted in plan->key_stats. Without: all keys.
Result<KeyColumn> ReadSpineKeys(MergePlan* plan, const parquet::ParquetFileReader& reader);
Result<KeyColumn> ReadTableKeys(MergePlan* plan, const SourceTable& table,
                                const parquet::ParquetFileReader& reader);

// "2024-01-01T00:00:00Z" / "42" for a normalized bound, for plans and messages.
std::string KeyRangeText(const KeyRange& range, const KeyType& type);

}  // namespace featmerge::merge

// Selection of what goes into the output (--tables/--exclude-tables, --columns/--exclude) and
// the per-table join settings (--join/--tolerance/--allow-exact-matches, [[tables]] rules),
// with the plan's record of what was left out. Thread-safety: pure functions, plain values.
#pragma once

#include <string>
#include <vector>

#include "base/hash.h"
#include "base/status.h"
#include "merge/alignment.h"
#include "merge/key_column.h"
#include "merge/options.h"

namespace featmerge::merge {

struct MergePlan;
struct SourceTable;

// What the selection options left out, for the plan's display.
struct SelectionReport {
  std::vector<std::string> excluded_tables;   // "name (reason)"
  std::vector<std::string> excluded_columns;  // "table.column"
  int64_t tables_found = 0;                   // before exclusion
};

// Removes the files matching options.exclude_table_globs (by file name or name without
// ".parquet") from *files, recording them in *report.
void ExcludeTables(const MergeOptions& options, std::vector<std::string>* files,
                   SelectionReport* report);

// True when column `column` of table `table` (its output name, and "<table>__<column>") passes
// --columns/--exclude.
bool ColumnSelected(const MergeOptions& options, const std::string& table,
                    const std::string& column);
bool ColumnSelectionActive(const MergeOptions& options);

// The join of table `table_name` from options.join_rules, for keys of `type`, in normalized
// key units. InvalidArgument for a bad tolerance or as-of on string keys (naming the rule).
Result<JoinSpec> ResolveJoinSpec(const MergeOptions& options, const std::string& table_name,
                                 const KeyType& type);

// "exact", "asof", "asof tolerance 2h strict (allow_exact_matches=false)".
std::string JoinSpecText(const JoinSpec& spec, const KeyType& type);

// After the columns are planned: with a column selection, drops the feature tables left without
// output columns (they are neither aligned nor read) and renumbers OutputColumn::table.
void FinishSelection(MergePlan* plan);

// Adds the join specs and the time range to a plan fingerprint. Adds nothing when every table
// is an exact join and there is no range, so plans without these options keep their
// fingerprints (and outputs their bytes).
void AddSelectionFingerprint(const MergePlan& plan, Fnv64* fp);

// Lines for the plan display: tables and columns in/out (counts, and the left-out names
// truncated), and the join of each group of tables.
std::vector<std::string> SelectionLines(const MergePlan& plan);

// Groups of tables sharing one join spec, in table order of their first member.
struct JoinGroup {
  std::string spec;
  std::vector<std::string> tables;
};
std::vector<JoinGroup> JoinGroups(const MergePlan& plan);

}  // namespace featmerge::merge

#include "merge/selection.h"

#include <map>

#include "merge/plan.h"
#include "merge/time_range.h"

namespace featmerge::merge {
namespace {

// Names listed before "... (N more)" in the plan display.
constexpr size_t kNamesShown = 20;

std::string Stem(const std::string& file) {
  const std::string ext = ".parquet";
  if (file.size() > ext.size() && file.compare(file.size() - ext.size(), ext.size(), ext) == 0) {
    return file.substr(0, file.size() - ext.size());
  }
  return file;
}

bool AnyMatch(const std::vector<std::string>& globs, const std::string& a, const std::string& b) {
  for (const std::string& g : globs) {
    if (GlobMatch(g, a) || GlobMatch(g, b)) return true;
  }
  return false;
}

// A duration in the largest unit that divides it: "2h", "90s", "1500ms".
std::string DurationText(int64_t nanos) {
  static const std::pair<int64_t, const char*> kUnits[] = {
      {86400000000000LL, "d"}, {3600000000000LL, "h"}, {60000000000LL, "m"},
      {1000000000LL, "s"},     {1000000LL, "ms"},      {1000LL, "us"}};
  for (const auto& [unit, name] : kUnits) {
    if (nanos != 0 && nanos % unit == 0) return std::to_string(nanos / unit) + name;
  }
  return std::to_string(nanos) + "ns";
}

std::string NameList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kNamesShown; i++) out += (i ? ", " : "") + names[i];
  if (names.size() > kNamesShown) {
    out += ", ... (" + std::to_string(names.size() - kNamesShown) + " more)";
  }
  return out;
}

}  // namespace

void ExcludeTables(const MergeOptions& o, std::vector<std::string>* files,
                   SelectionReport* report) {
  report->tables_found = static_cast<int64_t>(files->size());
  if (o.exclude_table_globs.empty()) return;
  std::vector<std::string> kept;
  for (const std::string& f : *files) {
    if (AnyMatch(o.exclude_table_globs, f, Stem(f))) {
      report->excluded_tables.push_back(Stem(f) + " (--exclude-tables)");
    } else {
      kept.push_back(f);
    }
  }
  *files = std::move(kept);
}

bool ColumnSelectionActive(const MergeOptions& o) {
  return !o.column_globs.empty() || !o.exclude_column_globs.empty();
}

bool ColumnSelected(const MergeOptions& o, const std::string& table, const std::string& column) {
  const std::string prefixed = table + "__" + column;
  if (!o.column_globs.empty() && !AnyMatch(o.column_globs, column, prefixed)) return false;
  return !AnyMatch(o.exclude_column_globs, column, prefixed);
}

Result<JoinSpec> ResolveJoinSpec(const MergeOptions& o, const std::string& table_name,
                                 const KeyType& type) {
  JoinSpec spec;
  spec.duplicates = o.on_duplicate_key;
  const JoinRule* asof_rule = nullptr;
  const JoinRule* tolerance_rule = nullptr;
  const JoinRule* exact_rule = nullptr;
  const std::string file = table_name + ".parquet";
  for (const JoinRule& rule : o.join_rules) {
    if (!GlobMatch(rule.match, table_name) && !GlobMatch(rule.match, file)) continue;
    if (rule.asof && asof_rule == nullptr) asof_rule = &rule;
    if (rule.tolerance && tolerance_rule == nullptr) tolerance_rule = &rule;
    if (rule.allow_exact_matches && exact_rule == nullptr) exact_rule = &rule;
  }
  spec.asof = asof_rule != nullptr && *asof_rule->asof;
  if (!spec.asof) return spec;  // tolerance and strictness only apply to as-of joins
  if (type.kind == KeyKind::kString) {
    return Status::InvalidArgument("table '" + table_name + "': --join " + asof_rule->match +
                                   "=asof needs a timestamp, date or integer key, and the key is " +
                                   type.description + " (string keys join exactly only)");
  }
  if (tolerance_rule != nullptr) {
    auto tolerance = ParseTolerance(*tolerance_rule->tolerance, type);
    if (!tolerance.ok()) {
      return tolerance.status().WithContext("table '" + table_name + "', --tolerance " +
                                            tolerance_rule->match + "=" +
                                            *tolerance_rule->tolerance);
    }
    spec.tolerance = *tolerance;
  }
  if (exact_rule != nullptr) spec.allow_exact_matches = *exact_rule->allow_exact_matches;
  return spec;
}

std::string JoinSpecText(const JoinSpec& spec, const KeyType& type) {
  if (!spec.asof) return "exact";
  std::string text = "asof";
  if (spec.tolerance >= 0) {
    text += " tolerance " + (type.kind == KeyKind::kTimestamp ? DurationText(spec.tolerance)
                             : type.kind == KeyKind::kDate    ? std::to_string(spec.tolerance) + "d"
                                                              : std::to_string(spec.tolerance));
  }
  if (!spec.allow_exact_matches) text += " strict (allow_exact_matches=false)";
  return text;
}

void FinishSelection(MergePlan* plan) {
  if (!ColumnSelectionActive(plan->options)) return;
  std::vector<int> new_index(plan->tables.size(), -1);
  std::vector<SourceTable> kept;
  kept.reserve(plan->tables.size());
  for (size_t i = 0; i < plan->tables.size(); i++) {
    SourceTable& t = plan->tables[i];
    if (i > 0 && t.num_output_columns == 0) {
      plan->selection.excluded_tables.push_back(t.name + " (no selected columns)");
      continue;
    }
    new_index[i] = static_cast<int>(kept.size());
    kept.push_back(std::move(t));
  }
  plan->tables = std::move(kept);
  for (OutputColumn& c : plan->columns) c.table = new_index[static_cast<size_t>(c.table)];
}

void AddSelectionFingerprint(const MergePlan& plan, Fnv64* fp) {
  bool any_asof = false;
  for (const SourceTable& t : plan.tables) any_asof = any_asof || t.join.asof;
  if (any_asof) {
    fp->Add("join-specs");
    for (size_t i = 1; i < plan.tables.size(); i++) {
      const JoinSpec& j = plan.tables[i].join;
      fp->AddInt(j.asof).AddInt(j.tolerance).AddInt(j.allow_exact_matches);
    }
  }
  if (plan.range.active) fp->Add("key-range").AddInt(plan.range.lo).AddInt(plan.range.hi);
  // Column and table selection change the output's columns, which the fingerprint has already.
}

std::vector<JoinGroup> JoinGroups(const MergePlan& plan) {
  std::vector<JoinGroup> groups;
  std::map<std::string, size_t> by_spec;
  const KeyType& type = plan.tables[0].key_type;
  for (size_t i = 1; i < plan.tables.size(); i++) {
    std::string spec = JoinSpecText(plan.tables[i].join, type);
    auto [it, added] = by_spec.emplace(spec, groups.size());
    if (added) groups.push_back({spec, {}});
    groups[it->second].tables.push_back(plan.tables[i].name);
  }
  return groups;
}

std::vector<std::string> SelectionLines(const MergePlan& plan) {
  std::vector<std::string> lines;
  const SelectionReport& s = plan.selection;
  const int64_t tables_in = static_cast<int64_t>(plan.tables.size()) - 1;
  std::string tables = std::to_string(tables_in) + " in";
  if (!s.excluded_tables.empty()) {
    tables += ", " + std::to_string(s.excluded_tables.size()) + " out: " +
              NameList(s.excluded_tables);
  }
  lines.push_back("tables              " + tables);
  if (ColumnSelectionActive(plan.options)) {
    std::string columns = std::to_string(plan.columns.size()) + " in";
    if (!s.excluded_columns.empty()) {
      columns += ", " + std::to_string(s.excluded_columns.size()) + " out: " +
                 NameList(s.excluded_columns);
    }
    lines.push_back("column selection    " + columns);
  }
  const std::vector<JoinGroup> groups = JoinGroups(plan);
  for (const JoinGroup& g : groups) {
    lines.push_back("join                " + g.spec + ": " + std::to_string(g.tables.size()) +
                    " table" + (g.tables.size() == 1 ? "" : "s") +
                    (groups.size() > 1 ? " (" + NameList(g.tables) + ")" : ""));
  }
  if (plan.range.active) {
    lines.push_back("key range           " + KeyRangeText(plan.range, plan.tables[0].key_type) +
                    ": " + std::to_string(plan.rows) + " of " +
                    std::to_string(plan.tables[0].num_rows) + " spine rows");
  }
  return lines;
}

}  // namespace featmerge::merge

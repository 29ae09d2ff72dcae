#include "cli/selection_args.h"

namespace featmerge::cli {
namespace {

// "corr_*=asof" -> ("corr_*", "asof"); "asof" -> ("*", "asof"). Globs never contain '='.
std::pair<std::string, std::string> SplitRule(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos) return {"*", text};
  return {text.substr(0, eq), text.substr(eq + 1)};
}

// A new rule for `glob` at the end of *rules. One rule per entry, in the order given: each
// setting resolves on its own (first matching rule that sets it), so merging entries by glob
// would reorder them ("--tolerance 'zz_*=5m' --tolerance 90s" must give zz_* tables 5m).
merge::JoinRule* RuleFor(std::vector<merge::JoinRule>* rules, const std::string& glob) {
  rules->push_back(merge::JoinRule{});
  rules->back().match = glob;
  return &rules->back();
}

}  // namespace

void AddSelectionOptions(CLI::App* cmd, SelectionArgs* a) {
  cmd->add_option("--exclude-tables", a->exclude_tables,
                  "Leave out tables matching these globs (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--columns", a->columns,
                  "Only output columns matching these globs (comma-separated; matched against "
                  "the column name and <table>__<column>; the key always stays)")
      ->delimiter(',');
  cmd->add_option("--exclude", a->exclude_columns,
                  "Leave out output columns matching these globs (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--join", a->join,
                  "[GLOB=]exact|asof: how tables (matching GLOB, default all) join the spine; "
                  "asof = latest row at or before the spine's key (repeatable, first match wins)")
      ->delimiter(',');
  cmd->add_option("--tolerance", a->tolerance,
                  "[GLOB=]DURATION: as-of matches older than this give NULL (e.g. 2h, "
                  "'corr_*=90s'; an integer for integer keys; default unlimited)")
      ->delimiter(',');
  cmd->add_option("--allow-exact-matches", a->allow_exact_matches,
                  "[GLOB=]true|false: false = as-of matches strictly before the spine's key "
                  "(default true)")
      ->delimiter(',');
  cmd->add_option("--from", a->from,
                  "Only spine rows with key >= TIME (inclusive; ISO-8601 UTC such as 2024-01-01 "
                  "or 2024-01-01T09:30:00Z, or an integer in the key's unit)");
  cmd->add_option("--to", a->to, "Only spine rows with key < TIME (exclusive; as --from)");
}

Status ApplySelectionArgs(const SelectionArgs& a, merge::MergeOptions* o) {
  if (!a.exclude_tables.empty()) o->exclude_table_globs = a.exclude_tables;
  if (!a.columns.empty()) o->column_globs = a.columns;
  if (!a.exclude_columns.empty()) o->exclude_column_globs = a.exclude_columns;
  if (a.from) o->from = *a.from;
  if (a.to) o->to = *a.to;
  // Per setting, the first matching rule wins: rules from here go before the config's.
  std::vector<merge::JoinRule> rules;
  for (const std::string& text : a.join) {
    auto [glob, value] = SplitRule(text);
    if (glob.empty()) return Status::InvalidArgument("--join '" + text + "': empty glob");
    if (value != "exact" && value != "asof") {
      return Status::InvalidArgument("--join must be [GLOB=]exact or [GLOB=]asof, not '" + text +
                                     "'");
    }
    merge::JoinRule* rule = RuleFor(&rules, glob);
    rule->asof = value == "asof";
  }
  for (const std::string& text : a.tolerance) {
    auto [glob, value] = SplitRule(text);
    if (glob.empty() || value.empty()) {
      return Status::InvalidArgument("--tolerance must be [GLOB=]DURATION, not '" + text + "'");
    }
    merge::JoinRule* rule = RuleFor(&rules, glob);
    rule->tolerance = value;
  }
  for (const std::string& text : a.allow_exact_matches) {
    auto [glob, value] = SplitRule(text);
    if (glob.empty() || (value != "true" && value != "false")) {
      return Status::InvalidArgument("--allow-exact-matches must be [GLOB=]true or " +
                                     std::string("[GLOB=]false, not '") + text + "'");
    }
    merge::JoinRule* rule = RuleFor(&rules, glob);
    rule->allow_exact_matches = value == "true";
  }
  rules.insert(rules.end(), o->join_rules.begin(), o->join_rules.end());
  o->join_rules = std::move(rules);
  return Status::OK();
}

}  // namespace featmerge::cli

// The merge options of selection and joins, as text from the command line: --tables' partners
// --exclude-tables, --columns/--exclude, per-table --join/--tolerance/--allow-exact-matches
// ([GLOB=]VALUE), --from/--to. Shared by `merge` and `run`. Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/status.h"
#include "merge/options.h"

namespace featmerge::cli {

struct SelectionArgs {
  std::vector<std::string> exclude_tables, columns, exclude_columns;
  std::vector<std::string> join, tolerance, allow_exact_matches;  // "[GLOB=]VALUE" each
  std::optional<std::string> from, to;
};

void AddSelectionOptions(CLI::App* cmd, SelectionArgs* args);
// Applies the given fields on top of *options. Join settings given here come before the
// config's [[tables]] rules (so the command line wins); InvalidArgument names the option.
Status ApplySelectionArgs(const SelectionArgs& args, merge::MergeOptions* options);

}  // namespace featmerge::cli

// The options every merge takes, as text from the command line (or a config file), and
// their validation into merge::MergeOptions. Shared by `merge` and `run`.
// Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/status.h"
#include "cli/selection_args.h"
#include "merge/options.h"

namespace featmerge::cli {

// Optional fields: unset means "not given here" (the config or the default applies).
struct MergeArgs {
  std::optional<std::string> spine, key, manifest, require_marker, memory_budget, row_group_size,
      compression,
      on_duplicate_key, on_name_clash;
  std::vector<std::string> tables;
  std::optional<int64_t> expect_tables, row_group_rows, split_columns, split_rows;
  std::optional<std::string> split_by;
  std::optional<int> threads, compression_level;
  bool no_crc = false;
  bool no_page_index = false;
  SelectionArgs selection;  // --exclude-tables, --columns, --join, --from, ... (selection_args.h)
  std::optional<std::string> statistics;
  bool reencode = false;
};

void AddMergeOptions(CLI::App* cmd, MergeArgs* args);
// Applies the given fields of `args` on top of *options; InvalidArgument names the option.
Status ApplyMergeArgs(const MergeArgs& args, merge::MergeOptions* options);
Result<parquet::Compression> ParseCompression(const std::string& name);

}  // namespace featmerge::cli

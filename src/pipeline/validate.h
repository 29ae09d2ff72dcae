// Validation of a finished training file (`featmerge check`): every page of every column chunk
// is decoded (CRCs verified), the key's order and uniqueness, per-column null counts, all-NULL
// and constant columns, and optionally a sampled cell-by-cell comparison against the inputs the
// merge would use. Memory is bounded by one column chunk plus the sample.
// Thread-safety: CheckFile may run concurrently for different files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "io/file.h"

namespace featmerge::pipeline {

struct CheckOptions {
  std::string file;         // the Parquet file to check
  std::string against_dir;  // inputs to compare with (the merge's input directory); "" = none
  int64_t sample = 1000;    // random rows compared (plus the first and the last row)
  std::string key;          // "" = from FILE.manifest.json, else "interval_time"
  std::string spine;        // "" = from FILE.manifest.json, else "targets.parquet"
  uint64_t seed = 1;        // the sample depends only on the seed and the row count
};

struct ColumnCheck {
  std::string name;
  std::string type;        // "DOUBLE", "INT64 TIMESTAMP(NANOS,utc)", ...
  int64_t null_count = 0;  // over the chunks that decoded
  double null_rate = 0;    // null_count / rows decoded
  bool all_null = false;   // every row NULL (and at least one row)
  bool constant = false;   // at least one value, and every non-null value the same bytes
  bool complete = true;    // false when a chunk of it failed to decode
};

struct KeyCheck {
  std::string name;
  std::string source;    // "option", "manifest" or "default"
  bool present = false;  // the file has the column (checks below only then)
  bool sorted = true;    // non-decreasing over the non-null keys
  bool unique = true;
  int64_t null_count = 0;
  int64_t first_unsorted_row = -1;  // first row whose key is below the previous key
  int64_t duplicate_rows = 0;       // rows whose key an earlier row already has
  std::string first_duplicate;      // JSON text of the smallest duplicated key
};

struct CellMismatch {
  int64_t row = 0;  // row of the checked file
  std::string column;
  std::string expected;  // JSON text ("null" for NULL)
  std::string got;
};

struct AgainstCheck {
  std::string dir;
  std::string spine;
  int64_t spine_rows = -1;  // -1: the inputs could not be planned
  int64_t file_rows = 0;
  std::vector<std::string> missing_columns;  // in the merge's output, not in the file
  std::vector<std::string> extra_columns;    // in the file, not in the merge's output
  bool column_order_matches = true;          // common columns in the merge's order
  int64_t rows_sampled = 0;
  int64_t cells_compared = 0;
  int64_t mismatch_count = 0;
  std::vector<CellMismatch> mismatches;  // the first kMaxMismatchesListed
};

struct CheckReport {
  std::string file;
  bool valid = false;  // no problems and no mismatches
  // Structural damage and failed checks, each saying where (row group, column, page/offset).
  std::vector<std::string> problems;  // the first kMaxProblemsListed
  int64_t problem_count = 0;
  std::vector<std::string> warnings;  // suspicious but not invalid (unsorted key, ...)
  int64_t rows = 0;
  int64_t columns = 0;
  int64_t row_groups = 0;
  uint64_t bytes = 0;
  uint64_t footer_bytes = 0;
  int64_t pages_read = 0;
  KeyCheck key;
  std::vector<ColumnCheck> column_checks;  // file order
  double null_rate_mean = 0;               // over the columns
  double null_rate_max = 0;
  std::string null_rate_max_column;  // the first column with the highest rate
  std::vector<std::string> all_null_columns;
  std::vector<std::string> constant_columns;
  bool has_against = false;
  AgainstCheck against;
};

inline constexpr size_t kMaxProblemsListed = 200;
inline constexpr size_t kMaxMismatchesListed = 100;

// Checks options.file. A damaged file is not an error: its damage is listed in the report's
// problems (and the check goes on with the other columns where it can). Errors: NotFound when
// the file does not exist, InvalidArgument for bad options, IOError when it cannot be read.
Result<CheckReport> CheckFile(const CheckOptions& options, io::FileSystem* fs);

// The report as a JSON document (what `featmerge check --json` prints).
std::string CheckReportJson(const CheckReport& report);

}  // namespace featmerge::pipeline

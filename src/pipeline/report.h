// The outcome of `featmerge run` for people and programs: the final table (pair, status, rows,
// columns, size, time, peak RSS, check) with the errors and schema differences under it, and
// run-report.json beside the outputs. Format of the JSON: docs/run_report_format.md.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "base/status.h"
#include "pipeline/batch.h"

namespace featmerge::pipeline {

// The table and the notes under it, ending with a newline.
std::string FormatRunTable(const RunReport& report);
// One line: "28 pairs: 25 done, 2 skipped, 1 not ready in 2 h 05 min".
std::string FormatRunCounts(const RunReport& report);

// The JSON documents (compact; run-report.json itself is indented).
std::string PairResultJson(const PairResult& result);
std::string RunReportJson(const RunReport& report, int indent);
// Writes report.report_path atomically (temp file, fsync, rename).
Status WriteRunReport(const RunReport& report);

}  // namespace featmerge::pipeline

#include "pipeline/report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/units.h"
#include "io/file.h"

namespace featmerge::pipeline {
namespace {

using nlohmann::json;

std::string WithCommas(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3) {
    s.insert(static_cast<size_t>(i), ",");
  }
  return s;
}

bool Written(PairStatus s) {
  return s == PairStatus::kDone || s == PairStatus::kSkipped || s == PairStatus::kCheckFailed;
}

json DiffJson(const SchemaDiff& d) {
  json tables_missing = json::array(), tables_extra = json::array();
  for (const TableColumns& t : d.missing_tables)
    tables_missing.push_back({{"table", t.table}, {"columns", t.columns}});
  for (const TableColumns& t : d.extra_tables)
    tables_extra.push_back({{"table", t.table}, {"columns", t.columns}});
  auto columns = [](const std::vector<ColumnType>& list) {
    json out = json::array();
    for (const ColumnType& c : list) {
      out.push_back({{"name", c.name}, {"type", c.TypeString()}, {"table", c.table}});
    }
    return out;
  };
  json changed = json::array();
  for (const TypeChange& t : d.type_changed) {
    changed.push_back({{"column", t.column}, {"expected", t.expected}, {"found", t.found}});
  }
  json j = {{"compared", d.compared}, {"drift", d.drift()}};
  if (!d.error.empty()) j["error"] = d.error;
  if (!d.drift()) return j;
  j["missing_tables"] = tables_missing;
  j["missing_columns"] = columns(d.missing_columns);
  j["extra_tables"] = tables_extra;
  j["extra_columns"] = columns(d.extra_columns);
  j["type_changed"] = changed;
  j["order_differs"] = d.order_differs;
  if (d.order_differs) j["order_detail"] = d.order_detail;
  j["summary"] = d.Describe();
  return j;
}

json PairJson(const PairResult& r) {
  json check = {{"state", CheckStateName(r.check.state)}};
  if (r.check.state != CheckState::kNotRun && r.check.state != CheckState::kUnavailable) {
    check["problem_count"] = r.check.problem_count;
    check["problems"] = r.check.problems;
    check["seconds"] = r.check.seconds;
    check["peak_rss_bytes"] = r.check.peak_rss;
  }
  if (!r.check.error.empty()) check["error"] = r.check.error;
  json j = {{"pair", r.pair},
            {"status", PairStatusName(r.status)},
            {"input", r.input},
            {"output", r.output},
            {"outputs", r.outputs},
            {"log", r.log},
            {"resumed", r.resumed},
            {"exit_code", r.exit_code},
            {"error", r.error},
            {"rows", r.rows},
            {"columns", r.columns},
            {"output_bytes", r.output_bytes},
            {"seconds", r.seconds},
            {"peak_rss_bytes", r.peak_rss},
            {"memory_budget", r.memory_budget},
            {"threads", r.threads},
            {"check", check},
            {"schema", DiffJson(r.schema)}};
  return j;
}

std::string Pad(const std::string& s, size_t width, bool right) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

}  // namespace

const char* PairStatusName(PairStatus status) {
  switch (status) {
    case PairStatus::kNotRun:
      return "not run";
    case PairStatus::kDone:
      return "done";
    case PairStatus::kSkipped:
      return "skipped";
    case PairStatus::kNotReady:
      return "not ready";
    case PairStatus::kFailed:
      return "failed";
    case PairStatus::kCheckFailed:
      return "check failed";
    case PairStatus::kInterrupted:
      return "interrupted";
  }
  return "?";
}

bool IsFailure(PairStatus status) {
  return status == PairStatus::kNotReady || status == PairStatus::kFailed ||
         status == PairStatus::kCheckFailed;
}

const char* CheckStateName(CheckState state) {
  switch (state) {
    case CheckState::kNotRun:
      return "not run";
    case CheckState::kValid:
      return "valid";
    case CheckState::kInvalid:
      return "invalid";
    case CheckState::kError:
      return "error";
    case CheckState::kUnavailable:
      return "unavailable";
  }
  return "?";
}

std::string FormatRunCounts(const RunReport& report) {
  const PairStatus order[] = {PairStatus::kDone,        PairStatus::kSkipped,
                              PairStatus::kNotReady,    PairStatus::kFailed,
                              PairStatus::kCheckFailed, PairStatus::kInterrupted,
                              PairStatus::kNotRun};
  std::string parts;
  for (PairStatus s : order) {
    const auto n = std::count_if(report.pairs.begin(), report.pairs.end(),
                                 [s](const PairResult& r) { return r.status == s; });
    if (n > 0) parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " + PairStatusName(s);
  }
  return std::to_string(report.pairs.size()) + (report.pairs.size() == 1 ? " pair: " : " pairs: ") +
         parts + " in " + FormatSeconds(report.seconds);
}

std::string FormatRunTable(const RunReport& report) {
  const std::vector<std::string> header = {"pair", "status", "rows",     "columns",
                                           "size", "time",   "peak RSS", "check"};
  const std::vector<bool> right = {false, false, true, true, true, true, true, false};
  std::vector<std::vector<std::string>> rows = {header};
  for (const PairResult& r : report.pairs) {
    const bool written = Written(r.status);
    const bool ran = r.exit_code >= 0;
    std::string status = PairStatusName(r.status);
    if (r.resumed && r.status == PairStatus::kDone) status += " (resumed)";
    std::string check = CheckStateName(r.check.state);
    if (r.check.state == CheckState::kInvalid)
      check += " (" + std::to_string(r.check.problem_count) + " problems)";
    if (r.check.state == CheckState::kNotRun) check = "-";
    rows.push_back(
        {r.pair, status, written ? WithCommas(r.rows) : "-", written ? WithCommas(r.columns) : "-",
         written ? FormatBytes(r.output_bytes) : "-", ran ? FormatSeconds(r.seconds) : "-",
         ran ? FormatBytes(r.peak_rss) : "-", check});
  }
  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t col = 0; col < row.size(); col++)
      widths[col] = std::max(widths[col], row[col].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t col = 0; col < row.size(); col++) {
      line += (col ? "  " : "") + Pad(row[col], widths[col], right[col]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  for (const PairResult& r : report.pairs) {
    if (!r.error.empty() && r.status != PairStatus::kDone && r.status != PairStatus::kSkipped) {
      out += r.pair + ": " + PairStatusName(r.status) + ": " + r.error + " (log: " + r.log + ")\n";
    }
    if (r.status == PairStatus::kCheckFailed) {
      std::string what = r.check.error;
      for (size_t i = 0; i < r.check.problems.size() && i < 3; i++)
        what += (what.empty() ? "" : "; ") + r.check.problems[i];
      out += r.pair + ": check failed: " + what + " (log: " + r.log + ")\n";
    }
  }
  const SchemaReport& s = report.schema;
  if (!s.error.empty()) {
    out += "schema: cannot read the reference " + s.reference + ": " + s.error + "\n";
  } else if (!s.reference.empty()) {
    out += "schema: " + std::string(s.consistent() ? "consistent" : "DRIFT") + " (reference " +
           s.reference + ", " + std::to_string(s.columns.size()) + " columns" +
           (s.drifted_pairs > 0 ? ", " + std::to_string(s.drifted_pairs) + " pair(s) differ" : "") +
           ")\n";
    for (const PairResult& r : report.pairs) {
      for (const std::string& line : r.schema.Describe()) out += "  " + r.pair + ": " + line + "\n";
    }
  }
  out += FormatRunCounts(report);
  out += "; peak RSS of the run " + FormatBytes(report.peak_rss_sum) + " (budget " +
         FormatBytes(report.memory_budget) + ": " + FormatBytes(report.memory_budget_per_merge) +
         " per merge x " + std::to_string(report.jobs) +
         (report.jobs == 1 ? " job)\n" : " jobs)\n");
  if (report.interrupted) out += "interrupted: run the same command again to resume\n";
  if (report.stopped_by_fail_fast) out += "stopped by --fail-fast after the first failure\n";
  if (!report.report_path.empty()) out += "report: " + report.report_path + "\n";
  return out;
}

namespace {
// Error messages come from child processes and may hold bytes that are not UTF-8 (paths):
// they are replaced rather than making dump() throw.
std::string Dump(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}
}  // namespace

std::string PairResultJson(const PairResult& result) { return Dump(PairJson(result), -1); }

std::string RunReportJson(const RunReport& report, int indent) {
  json pairs = json::array();
  for (const PairResult& r : report.pairs) pairs.push_back(PairJson(r));
  json counts = json::object();
  for (const PairResult& r : report.pairs) {
    std::string key = PairStatusName(r.status);
    std::replace(key.begin(), key.end(), ' ', '_');
    counts[key] = counts.value(key, 0) + 1;
  }
  json columns = json::array();
  for (const ColumnType& c : report.schema.columns) {
    columns.push_back({{"name", c.name},
                       {"physical_type", c.physical},
                       {"logical_type", c.logical},
                       {"table", c.table}});
  }
  json schema = {{"reference", report.schema.reference},
                 {"consistent", report.schema.consistent()},
                 {"drifted_pairs", report.schema.drifted_pairs},
                 {"columns", columns}};
  if (!report.schema.error.empty()) schema["error"] = report.schema.error;
  json j = {{"format", "featmerge-run-report"},
            {"format_version", 1},
            {"featmerge_version", FEATMERGE_VERSION},
            {"config", report.config_path},
            {"started_at", report.started_at},
            {"seconds", report.seconds},
            {"jobs", report.jobs},
            {"memory_budget", report.memory_budget},
            {"memory_budget_per_merge", report.memory_budget_per_merge},
            {"threads_per_merge", report.threads_per_merge},
            {"max_concurrent", report.max_concurrent},
            {"peak_rss_sum_bytes", report.peak_rss_sum},
            {"check", report.check},
            {"interrupted", report.interrupted},
            {"stopped_by_fail_fast", report.stopped_by_fail_fast},
            {"exit_code", report.exit_code},
            {"counts", counts},
            {"pairs", pairs},
            {"schema", schema}};
  return indent >= 0 ? Dump(j, indent) + "\n" : Dump(j, -1);
}

Status WriteRunReport(const RunReport& report) {
  const std::string text = RunReportJson(report, 2);
  return io::WriteFileAtomic(io::DefaultFileSystem(), report.report_path, AsBytes(text));
}

}  // namespace featmerge::pipeline

// `featmerge check FILE [--against DIR] [--sample N] [--json]`: validates a training file by
// decoding every page (CRCs verified), checking the key's order and uniqueness, null rates,
// all-NULL and constant columns and, with --against, comparing sampled cells with the inputs.
// Exit code 0 only when the file is valid, 2 when it is not (the report on stdout, and one line
// naming the file and its first problem on stderr unless --json), 1 for usage errors.
#include <fmt/core.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/units.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "io/file.h"
#include "pipeline/validate.h"

namespace featmerge::cli {
namespace {

constexpr size_t kNamesShown = 5;

struct CheckArgs {
  pipeline::CheckOptions options;
  bool json = false;
};

std::string WithCommas(int64_t v) {
  const std::string digits = std::to_string(v < 0 ? -(v + 1) + uint64_t{1} : uint64_t(v));
  std::string out = v < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); i++) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string FirstNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kNamesShown; i++) out += (i ? ", " : "") + names[i];
  if (names.size() > kNamesShown) out += ", ...";
  return out;
}

std::string Percent(double rate) { return fmt::format("{:.1f}%", rate * 100); }

std::string HumanReport(const pipeline::CheckReport& r) {
  std::string out = fmt::format("{}  {}\n", r.valid ? "VALID" : "INVALID", r.file);
  if (r.columns > 0 || r.rows > 0) {
    out += fmt::format(
        "shape: {} rows x {} columns, {} row group{}, {} (footer {}), {} pages decoded\n",
        WithCommas(r.rows), WithCommas(r.columns), r.row_groups, r.row_groups == 1 ? "" : "s",
        FormatBytes(r.bytes), FormatBytes(r.footer_bytes), WithCommas(r.pages_read));
  }
  if (r.key.present) {
    out += fmt::format(
        "key '{}': {}, {}{}\n", r.key.name, r.key.sorted ? "sorted" : "NOT sorted",
        r.key.unique ? "unique" : "NOT unique (" + WithCommas(r.key.duplicate_rows) + " repeated)",
        r.key.null_count > 0 ? ", " + WithCommas(r.key.null_count) + " NULL" : "");
  } else if (!r.column_checks.empty()) {
    out += fmt::format("key '{}': not in the file\n", r.key.name);
  }
  if (!r.column_checks.empty()) {
    out +=
        fmt::format("all-NULL columns: {}{}\n", r.all_null_columns.size(),
                    r.all_null_columns.empty() ? "" : " (" + FirstNames(r.all_null_columns) + ")");
    out +=
        fmt::format("constant columns: {}{}\n", r.constant_columns.size(),
                    r.constant_columns.empty() ? "" : " (" + FirstNames(r.constant_columns) + ")");
    out += fmt::format("null rate: mean {}, max {} ({})\n", Percent(r.null_rate_mean),
                       Percent(r.null_rate_max), r.null_rate_max_column);
  }
  if (r.has_against) {
    const pipeline::AgainstCheck& a = r.against;
    if (a.spine_rows < 0) {
      out += fmt::format("against {}: not compared (see problems)\n", a.dir);
    } else {
      out += fmt::format(
          "against {}: spine {} rows, file {} rows; columns {}; {} cells compared "
          "on {} sampled rows: {} mismatch{}\n",
          a.dir, WithCommas(a.spine_rows), WithCommas(a.file_rows),
          a.missing_columns.empty() && a.extra_columns.empty()
              ? "match"
              : fmt::format("{} missing, {} extra", a.missing_columns.size(),
                            a.extra_columns.size()),
          WithCommas(a.cells_compared), WithCommas(a.rows_sampled), WithCommas(a.mismatch_count),
          a.mismatch_count == 1 ? "" : "es");
      for (const pipeline::CellMismatch& m : a.mismatches) {
        out += fmt::format("  row {}, column '{}': expected {}, got {}\n", m.row, m.column,
                           m.expected, m.got);
      }
      if (a.mismatch_count > static_cast<int64_t>(a.mismatches.size())) {
        out += fmt::format("  ... ({} more)\n",
                           a.mismatch_count - static_cast<int64_t>(a.mismatches.size()));
      }
    }
  }
  for (const std::string& w : r.warnings) out += "warning: " + w + "\n";
  if (r.problem_count > 0) {
    out += fmt::format("problems ({}):\n", WithCommas(r.problem_count));
    for (const std::string& p : r.problems) out += "  - " + p + "\n";
    if (r.problem_count > static_cast<int64_t>(r.problems.size())) {
      out += fmt::format("  ... ({} more)\n",
                         r.problem_count - static_cast<int64_t>(r.problems.size()));
    }
  }
  return out;
}

int RunCheck(const CheckArgs& args) {
  auto report = pipeline::CheckFile(args.options, io::DefaultFileSystem());
  if (!report.ok()) return ReportError(report.status());
  const std::string text = args.json ? pipeline::CheckReportJson(*report) : HumanReport(*report);
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return ReportError(Status::IOError("cannot write to standard output"));
  }
  if (report->valid || args.json) return report->valid ? kExitOk : kExitBadInput;
  // The report above has the details; stderr gets the one line every failing command gives
  // (with --json, the JSON's "valid" and the exit code say it).
  std::string why = report->problems.empty() ? "sampled cells differ from the inputs"
                                             : report->problems[0];
  if (report->problem_count > 1) {
    why += " (and " + std::to_string(report->problem_count - 1) + " more problems)";
  }
  return ReportError(Status::Corruption("'" + report->file + "' is INVALID: " + why));
}

}  // namespace

void AddCheckCommand(CLI::App* app, Runner* runner) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app->add_subcommand(
      "check", "Validate a training file: decode every page, key order, nulls, sampled cells");
  cmd->add_option("file", args->options.file, "Parquet file to check")->required();
  cmd->add_option("--against", args->options.against_dir,
                  "Compare sampled cells with the merge of this input directory");
  cmd->add_option("--sample", args->options.sample,
                  "Random rows compared with --against, plus the first and last (default 1000)");
  cmd->add_option("--key", args->options.key,
                  "Key column (default: from FILE.manifest.json, else interval_time)");
  cmd->add_option("--spine", args->options.spine,
                  "Spine file in DIR (default: from FILE.manifest.json, else targets.parquet)");
  cmd->add_option("--seed", args->options.seed, "Seed of the row sample (default 1)");
  cmd->add_flag("--json", args->json, "Print the full report as JSON");
  cmd->callback([args, runner] { *runner = [args] { return RunCheck(*args); }; });
}

}  // namespace featmerge::cli

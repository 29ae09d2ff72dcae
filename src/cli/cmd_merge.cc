// `featmerge merge DIR -o OUT.parquet [options]`: one instrument's feature tables, left-joined
// onto the spine, into one training file with bounded memory. See merge/merge.h.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "base/logging.h"
#include "base/units.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/merge_args.h"
#include "cli/progress.h"
#include "cli/signals.h"
#include "merge/merge.h"

namespace featmerge::cli {
namespace {

struct MergeCommandArgs {
  std::string dir;
  std::string output;
  MergeArgs merge;
  bool dry_run = false;
  bool json = false;
  bool quiet = false;
  bool restart = false;
  bool force = false;
  std::string shard;  // "K/N": write row-group range K of N as a fragment
};

void PrintPlan(const merge::MergePlan& p, bool json) {
  if (json) {
    nlohmann::json j = {{"event", "plan"},
                        {"rows", p.rows},
                        {"columns", p.columns.size()},
                        {"tables", p.tables.size() - 1},
                        {"row_group_rows", p.row_group_rows},
                        {"row_groups", p.num_row_groups()},
                        {"row_group_bytes", p.row_bytes * static_cast<uint64_t>(p.row_group_rows)},
                        {"row_group_limited_by_memory", p.row_group_limited_by_memory},
                        {"row_groups_follow_sources", p.row_groups_follow_sources},
                        {"threads", p.threads},
                        {"input_bytes", p.input_bytes},
                        {"estimated_output_bytes", p.estimated_output_bytes},
                        {"estimated_peak_memory", p.estimated_peak_memory}};
    auto& checks = j["checks"] = nlohmann::json::array();
    for (const auto& c : p.checks) checks.push_back({{"check", c.name}, {"ok", true}, {"detail", c.detail}});
    auto& selection = j["selection"] = {{"excluded_tables", p.selection.excluded_tables},
                                        {"excluded_columns", p.selection.excluded_columns}};
    auto& joins = selection["joins"] = nlohmann::json::array();
    for (const auto& g : merge::JoinGroups(p)) joins.push_back({{"join", g.spec}, {"tables", g.tables}});
    if (p.range.active) selection["key_range"] = merge::KeyRangeText(p.range, p.tables[0].key_type);
    std::puts(j.dump().c_str());
    return;
  }
  fmt::print("preflight:\n");
  for (const auto& c : p.checks) fmt::print("  ok  {:<18} {}\n", c.name, c.detail);
  fmt::print("plan:\n");
  fmt::print("  rows                {}\n", p.rows);
  fmt::print("  columns             {} (key + {} spine + {} from {} tables)\n", p.columns.size(),
             p.tables[0].num_output_columns - 1, p.columns.size() - static_cast<size_t>(p.tables[0].num_output_columns),
             p.tables.size() - 1);
  fmt::print("  row groups          {} of up to {} rows, about {} decoded each{}\n", p.num_row_groups(),
             p.row_group_rows, FormatBytes(p.row_bytes * static_cast<uint64_t>(p.row_group_rows)),
             p.row_group_limited_by_memory ? " (smaller than --row-group-size: capped by the memory budget)"
             : p.row_groups_follow_sources ? " (lined up with the inputs' row groups)" : "");
  fmt::print("  threads             {}\n", p.threads);
  fmt::print("  input               {}\n", FormatBytes(p.input_bytes));
  fmt::print("  estimated output    {}\n", FormatBytes(p.estimated_output_bytes));
  fmt::print("  estimated peak mem  {} (budget {})\n", FormatBytes(p.estimated_peak_memory),
             FormatBytes(p.options.memory_budget));
  for (const std::string& line : merge::SelectionLines(p)) fmt::print("  {}\n", line);
}

class PlanPrinter : public MergeProgress {
 public:
  PlanPrinter(ProgressMode mode, bool print_plan, bool json)
      : MergeProgress(mode, ""), print_plan_(print_plan), json_(json) {}
  void OnPlan(const merge::MergePlan& plan) override {
    if (print_plan_) PrintPlan(plan, json_);
  }

 private:
  bool print_plan_;
  bool json_;
};

int RunMergeCommand(const MergeCommandArgs& args) {
  merge::MergeOptions o;
  o.input_dir = args.dir;
  o.output = args.output;
  o.dry_run = args.dry_run;
  o.restart = args.restart;
  o.force = args.force;
  Status s = ApplyMergeArgs(args.merge, &o);
  if (!s.ok()) return ReportError(s);
  if (!args.shard.empty()) {
    auto shard = merge::ParseShardSpec(args.shard);
    if (!shard.ok()) return ReportError(shard.status());
    o.shard = *shard;
  }
  if (args.quiet) SetLogLevel(LogLevel::kWarning);
  // Crash testing (tests/crash): FEATMERGE_CRASH_AT=<point>:<n> kills this process with
  // SIGKILL the n-th time the run passes <point> (see merge::MergeOptions::test_hook);
  // <point>:<n>:stop sends SIGSTOP instead (the run then holds its lock until killed).
  if (const char* crash = std::getenv("FEATMERGE_CRASH_AT")) {
    std::string spec = crash;
    int crash_signal = SIGKILL;
    const std::string stop_suffix = ":stop";
    if (spec.size() > stop_suffix.size() &&
        spec.compare(spec.size() - stop_suffix.size(), stop_suffix.size(), stop_suffix) == 0) {
      crash_signal = SIGSTOP;
      spec.resize(spec.size() - stop_suffix.size());
    }
    size_t colon = spec.rfind(':');
    std::string point = spec.substr(0, colon);
    long nth = colon == std::string::npos ? 1 : std::strtol(spec.c_str() + colon + 1, nullptr, 10);
    auto hits = std::make_shared<long>(0);
    o.test_hook = [point, nth, hits, crash_signal](const char* at) {
      if (point == at && ++*hits == nth) ::kill(::getpid(), crash_signal);
    };
  }
  InstallSignalHandlers();
  ProgressMode mode = args.quiet ? ProgressMode::kQuiet : args.json ? ProgressMode::kJson : ProgressMode::kAuto;
  PlanPrinter progress(mode, args.dry_run, args.json);
  merge::MergeEnv env;
  env.observer = &progress;
  env.interrupt = InterruptFlag();
  auto result = merge::RunMerge(o, env);
  progress.Clear();
  if (!result.ok()) return ReportError(result.status());
  const merge::MergeSummary& m = *result;
  if (args.dry_run) {
    if (!args.json) fmt::print("dry run: nothing written\n");
    return kExitOk;
  }
  if (args.json) {
    nlohmann::json j = {{"event", "summary"}, {"output", m.output}, {"outputs", m.outputs},
                        {"up_to_date", m.up_to_date}, {"resumed", m.resumed},
                        {"rows", m.rows}, {"columns", m.columns}, {"tables", m.tables},
                        {"row_groups", m.row_groups}, {"input_bytes", m.input_bytes},
                        {"output_bytes", m.output_bytes}, {"seconds", m.seconds},
                        {"peak_rss_bytes", m.peak_rss}};
    j["split_parts"] = m.split_parts;
    j["pages_read"] = m.pages_read;
    j["pages_skipped"] = m.pages_skipped;
    j["chunks_copied"] = m.chunks_copied;
    j["bytes_read"] = m.bytes_read;
    j["key_row_groups_read"] = m.key_row_groups_read;
    j["key_row_groups_skipped"] = m.key_row_groups_skipped;
    j["key_pages_read"] = m.key_pages_read;
    j["key_pages_skipped"] = m.key_pages_skipped;
    std::puts(j.dump().c_str());
    return kExitOk;
  }
  if (args.quiet) return kExitOk;
  if (m.up_to_date) {
    fmt::print("{} is up to date (inputs and options unchanged; --force rebuilds it)\n", m.output);
    return kExitOk;
  }
  const double mbps = m.seconds > 0 ? static_cast<double>(m.input_bytes) / m.seconds : 0;
  fmt::print("wrote {}{}\n", m.output, m.resumed ? " (resumed)" : "");
  if (m.split_parts > 0) {
    fmt::print("  {} part files in {} (read them as one dataset: '{}/part-*.parquet'; "
               "_manifest.json lists them)\n", m.outputs.size(), m.output, m.output);
  } else {
    for (size_t i = 1; i < m.outputs.size(); i++) fmt::print("  part {}\n", m.outputs[i]);
  }
  fmt::print("  rows {}  columns {}  tables {}  row groups {}\n", m.rows, m.columns, m.tables, m.row_groups);
  if (m.chunks_copied > 0) {
    fmt::print("  {} column chunks copied as stored (source row groups line up with the output's)\n",
               m.chunks_copied);
  }
  fmt::print("  in {}  out {}  in {}  ({} read)  peak RSS {}\n", FormatBytes(m.input_bytes),
             FormatBytes(m.output_bytes), FormatSeconds(m.seconds), FormatRate(mbps),
             FormatBytes(m.peak_rss));
  return kExitOk;
}

}  // namespace

void AddMergeCommand(CLI::App* app, Runner* runner) {
  auto args = std::make_shared<MergeCommandArgs>();
  CLI::App* cmd = app->add_subcommand("merge", "Left-join every feature table of DIR onto the spine");
  cmd->add_option("dir", args->dir, "Directory with the spine and the feature tables")->required();
  cmd->add_option("-o,--output", args->output, "Output Parquet file")->required();
  AddMergeOptions(cmd, &args->merge);
  cmd->add_flag("--dry-run", args->dry_run, "Preflight and plan only; write nothing");
  cmd->add_flag("--json", args->json, "Machine-readable progress and summary on stdout");
  cmd->add_flag("--quiet", args->quiet, "No progress, no summary");
  cmd->add_flag("--restart", args->restart, "Discard an interrupted run instead of resuming it");
  cmd->add_flag("--force", args->force, "Rebuild even when the output is up to date");
  cmd->add_option("--shard", args->shard,
                  "Write only row-group range K of N (1..N) of the output, as a fragment for "
                  "`featmerge concat` (docs/sharding.md)");
  cmd->callback([args, runner] { *runner = [args] { return RunMergeCommand(*args); }; });
}

}  // namespace featmerge::cli

// `featmerge run pipeline.toml [--only eurusd,gbpusd] [--jobs N] [--memory-budget SIZE] [--json]
// [--fail-fast] [--no-check] [--schema FILE]`: every pair of a TOML config merged (each by a
// child `featmerge merge`), within one memory budget for the whole run, then checked and
// compared for schema consistency; `--init FILE` writes a commented example config.
// On a cluster: `--slurm [--submit] [--shards N|pair=N,...]` writes (and submits) Slurm jobs
// for the pending pairs (pipeline/slurm.h), `--shard K/N` is what a shard task runs, and
// `--status` shows each pair's (and shard's) state from the files (pipeline/run_status.h).
// See pipeline/batch.h. Exit codes: 0 all pairs done or up to date, 1 bad config or usage,
// 2 a pair failed or was not ready, or the schemas differ, 3 only resource failures,
// 130 interrupted (every pair resumable).
#include <fmt/core.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/units.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/merge_args.h"
#include "cli/signals.h"
#include "io/file.h"
#include "merge/shard.h"
#include "pipeline/batch.h"
#include "pipeline/child_process.h"
#include "pipeline/config.h"
#include "pipeline/report.h"
#include "pipeline/run_status.h"
#include "pipeline/slurm.h"

namespace featmerge::cli {
namespace {

using nlohmann::json;

struct RunArgs {
  std::string config;
  std::vector<std::string> only;
  std::optional<int> jobs;
  MergeArgs merge;
  std::optional<std::string> schema;
  std::string init;
  bool json = false;
  bool fail_fast = false;
  bool no_check = false;
  bool force = false;
  bool restart = false;
  // Slurm (docs/slurm.md)
  bool slurm = false;
  bool submit = false;
  bool status = false;
  std::string shards;  // "N" for every pair, or "pair=N,pair=N"
  std::string shard;   // "K/N": this run writes shard K of N of each pair
  std::string report;  // run-report path ("" = <run directory>/run-report.json)
};

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string Percent(const pipeline::RunningPair& p) {
  if (p.chunks_total <= 0) return "";
  return fmt::format(
      " {:.0f}%", 100.0 * static_cast<double>(p.chunks_done) / static_cast<double>(p.chunks_total));
}

std::string FinishedLine(const pipeline::PairResult& r) {
  using pipeline::PairStatus;
  std::string line = r.pair + ": " + pipeline::PairStatusName(r.status);
  if (r.status == PairStatus::kDone || r.status == PairStatus::kSkipped ||
      r.status == PairStatus::kCheckFailed) {
    line += fmt::format(
        "{}, {} rows x {} columns, {} in {} (peak RSS {})", r.resumed ? " (resumed)" : "", r.rows,
        r.columns, FormatBytes(r.output_bytes), FormatSeconds(r.seconds), FormatBytes(r.peak_rss));
    if (r.check.state != pipeline::CheckState::kNotRun) {
      line += std::string(", check ") + pipeline::CheckStateName(r.check.state);
    }
  }
  if (r.status == PairStatus::kInterrupted) line += " (the next run resumes it)";
  if (!r.error.empty()) line += ": " + r.error;
  return line;
}

// The run's progress: two lines redrawn in place on a terminal, a log line now and then
// otherwise, JSON lines on stdout with --json.
class RunDisplay : public pipeline::BatchObserver {
 public:
  explicit RunDisplay(bool json) : json_(json), tty_(!json && isatty(STDERR_FILENO) != 0) {}
  ~RunDisplay() override { Clear(); }

  void OnPairStarted(const std::string& pair, const pipeline::BatchProgress& p) override {
    if (json_) {
      Emit({{"event", "pair_started"}, {"pair", pair}});
    } else if (!tty_) {
      const int finished = p.done + p.skipped + p.failed;
      std::fprintf(stderr, "featmerge run: %s: started (%d of %d finished)\n", pair.c_str(),
                   finished, p.total);
    } else {
      Draw(p);
    }
  }

  void OnPairEvent(const std::string& pair, const std::string& line) override {
    if (!json_) return;
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || j.value("event", "") != "progress") return;
    j["event"] = "pair_progress";
    j["pair"] = pair;
    j.erase("label");
    Emit(j);
  }

  void OnTick(const pipeline::BatchProgress& p) override {
    if (json_) {
      if (p.elapsed - last_line_ < 2) return;
      last_line_ = p.elapsed;
      Emit({{"event", "run_progress"},
            {"total", p.total},
            {"done", p.done},
            {"skipped", p.skipped},
            {"failed", p.failed},
            {"running", p.running.size()},
            {"elapsed", p.elapsed},
            {"eta", p.eta}});
    } else if (tty_) {
      Draw(p);
    } else if (p.elapsed - last_line_ >= 30) {
      last_line_ = p.elapsed;
      std::fprintf(stderr, "featmerge run: %s\n", Summary(p).c_str());
    }
  }

  void OnPairFinished(const pipeline::PairResult& r, const pipeline::BatchProgress& p) override {
    if (json_) {
      json j = json::parse(pipeline::PairResultJson(r), nullptr, false);
      j["event"] = "pair_finished";
      Emit(j);
      return;
    }
    Clear();
    std::fprintf(stderr, "featmerge run: %s\n", FinishedLine(r).c_str());
    if (tty_) Draw(p);
  }

  void OnMessage(const std::string& text) override {
    if (json_) {
      Emit({{"event", "warning"}, {"message", text}});
      return;
    }
    Clear();
    std::fprintf(stderr, "featmerge run: warning: %s\n", text.c_str());
  }

  void Clear() {
    if (!shown_) return;
    std::fputs("\r\033[K\033[1A\r\033[K", stderr);
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  static std::string Summary(const pipeline::BatchProgress& p) {
    std::string s =
        fmt::format("{}/{} pairs: {} done, {} skipped, {} failed", p.done + p.skipped + p.failed,
                    p.total, p.done, p.skipped, p.failed);
    s += fmt::format(" | {} running | {} elapsed", p.running.size(), FormatSeconds(p.elapsed));
    if (p.stopping)
      s += " | stopping (pairs stay resumable)";
    else if (p.eta >= 0)
      s += " | eta " + FormatSeconds(p.eta);
    return s;
  }

  void Draw(const pipeline::BatchProgress& p) {
    std::string running;
    for (const pipeline::RunningPair& r : p.running) {
      running += (running.empty() ? "  " : " | ") + r.pair + " " + r.phase + Percent(r) +
                 (r.rss > 0 ? " rss " + FormatBytes(r.rss) : "") + " " + FormatSeconds(r.elapsed);
    }
    struct winsize ws = {};
    const size_t width =
        ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10 ? ws.ws_col - 1 : 119;
    std::string line1 = "run " + Summary(p);
    // Wider lines would wrap, and the redraw (which goes up one line) would leave debris.
    if (line1.size() > width) line1.resize(width);
    if (running.size() > width) running.resize(width);
    Clear();
    std::fprintf(stderr, "%s\n%s", line1.c_str(), running.c_str());
    std::fflush(stderr);
    shown_ = true;
  }

  void Emit(const json& j) {
    const std::string line = Dump(j) + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }

  bool json_;
  bool tty_;
  bool shown_ = false;
  double last_line_ = 0;
};

int WriteExampleConfig(const std::string& path) {
  io::FileSystem* fs = io::DefaultFileSystem();
  if (fs->Exists(path)) {
    return ReportError(
        Status::InvalidArgument("'" + path + "' exists; --init does not overwrite it"));
  }
  const std::string text = pipeline::ExampleConfig();
  Status s = io::WriteFileAtomic(fs, path, AsBytes(text));
  if (!s.ok()) return ReportError(s);
  std::printf("wrote %s: set [paths] and [pairs], then run: featmerge run %s\n", path.c_str(),
              path.c_str());
  return kExitOk;
}

// The config with the command line's overrides applied.
Result<pipeline::RunConfig> ConfigFor(const RunArgs& args) {
  FM_ASSIGN_OR_RETURN(pipeline::RunConfig config, pipeline::LoadRunConfig(args.config));
  FM_RETURN_IF_ERROR(ApplyMergeArgs(args.merge, &config.merge));
  if (args.merge.memory_budget) config.memory_budget_set = true;
  if (args.jobs) {
    if (*args.jobs < 1 || *args.jobs > 256)
      return Status::InvalidArgument("--jobs must be 1 to 256");
    config.jobs = *args.jobs;
  }
  if (args.fail_fast) config.fail_fast = true;
  if (args.no_check) config.check = false;
  if (args.schema) config.schema = *args.schema;
  if (!args.shards.empty()) {
    // "N" or "pair=N,pair=N" on top of [slurm] shards.
    size_t pos = 0;
    while (pos <= args.shards.size()) {
      size_t comma = args.shards.find(',', pos);
      if (comma == std::string::npos) comma = args.shards.size();
      const std::string item = args.shards.substr(pos, comma - pos);
      pos = comma + 1;
      const size_t eq = item.find('=');
      const std::string pair = eq == std::string::npos ? "" : item.substr(0, eq);
      const std::string count = eq == std::string::npos ? item : item.substr(eq + 1);
      auto spec = merge::ParseShardSpec("1/" + count);
      if (!spec.ok()) {
        return Status::InvalidArgument("--shards '" + args.shards +
                                       "': give N or pair=N,... with N from 1 to " +
                                       std::to_string(merge::kMaxShards));
      }
      if (pair.empty()) {
        config.slurm.shards = spec->count;
        config.slurm.pair_shards.clear();
      } else if (std::find(config.pairs.begin(), config.pairs.end(), pair) == config.pairs.end()) {
        return Status::InvalidArgument("--shards: '" + pair + "' is not in the [pairs] list of " +
                                       args.config);
      } else {
        config.slurm.pair_shards[pair] = spec->count;
      }
    }
  }
  if (!args.only.empty()) {
    for (const std::string& pair : args.only) {
      if (std::find(config.pairs.begin(), config.pairs.end(), pair) == config.pairs.end()) {
        return Status::InvalidArgument("--only: '" + pair + "' is not in the [pairs] list of " +
                                       args.config);
      }
    }
    std::vector<std::string> selected;
    for (const std::string& pair : config.pairs) {
      if (std::find(args.only.begin(), args.only.end(), pair) != args.only.end())
        selected.push_back(pair);
    }
    config.pairs = std::move(selected);
  }
  return config;
}

std::string AbsolutePath(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) != nullptr ? std::string(buf) : path;
}

// The command line's merge overrides, for the Slurm tasks' `featmerge run` (budget and
// threads are passed separately, as each task's share).
std::vector<std::string> TaskOverrides(const RunArgs& args) {
  const MergeArgs& m = args.merge;
  std::vector<std::string> a;
  auto add = [&a](const char* flag, const auto& value) {
    if (value) a.insert(a.end(), {flag, fmt::format("{}", *value)});
  };
  add("--spine", m.spine);
  add("--key", m.key);
  add("--manifest", m.manifest);
  add("--require-marker", m.require_marker);
  add("--compression", m.compression);
  add("--on-duplicate-key", m.on_duplicate_key);
  add("--on-name-clash", m.on_name_clash);
  add("--expect-tables", m.expect_tables);
  add("--row-group-rows", m.row_group_rows);
  add("--row-group-size", m.row_group_size);
  add("--split-columns", m.split_columns);
  add("--compression-level", m.compression_level);
  for (const std::string& glob : m.tables) a.insert(a.end(), {"--tables", glob});
  if (m.no_crc) a.push_back("--no-crc");
  if (m.no_page_index) a.push_back("--no-page-index");
  if (args.schema) a.insert(a.end(), {"--schema", *args.schema});
  if (args.no_check) a.push_back("--no-check");
  if (args.restart) a.push_back("--restart");
  return a;
}

int RunSlurm(const RunArgs& args, const pipeline::RunConfig& config) {
  if (args.force) {
    return ReportError(Status::InvalidArgument(
        "--slurm does not take --force (a re-submitted task would rebuild what another task "
        "finished); remove the outputs to rebuild them"));
  }
  if (!args.shard.empty() || !args.report.empty()) {
    return ReportError(
        Status::InvalidArgument("--slurm writes the tasks' --shard and --report itself"));
  }
  pipeline::SlurmOptions options;
  options.exe = pipeline::SelfExecutablePath();
  options.config = AbsolutePath(args.config);
  options.run_args = TaskOverrides(args);
  options.submit = args.submit;
  pipeline::RunConfig absolute = config;
  absolute.config_path = options.config;
  auto plan = pipeline::WriteSlurmScripts(absolute, options);
  if (!plan.ok()) return ReportError(plan.status());
  if (args.submit && !plan->jobs.empty()) {
    Status s = pipeline::SubmitSlurmJobs(absolute, &*plan, options);
    if (!s.ok()) {
      std::fputs(pipeline::FormatSlurmPlan(*plan, true).c_str(), stdout);
      return ReportError(s);
    }
  }
  std::fputs(pipeline::FormatSlurmPlan(*plan, args.submit).c_str(), stdout);
  std::fflush(stdout);
  return kExitOk;
}

int RunRunCommand(const RunArgs& args) {
  if (!args.init.empty()) return WriteExampleConfig(args.init);
  if (args.config.empty()) {
    return ReportError(
        Status::InvalidArgument("run: give the config file (or --init FILE to write one)"));
  }
  auto config = ConfigFor(args);
  if (!config.ok()) return ReportError(config.status());
  if (args.submit && !args.slurm) {
    return ReportError(Status::InvalidArgument("--submit goes with --slurm"));
  }
  if (args.status) {
    const pipeline::RunStatusReport status = pipeline::CollectRunStatus(*config);
    std::fputs(args.json ? (pipeline::RunStatusJson(status) + "\n").c_str()
                         : pipeline::FormatRunStatus(status).c_str(),
               stdout);
    return kExitOk;
  }
  if (args.slurm) return RunSlurm(args, *config);
  InstallSignalHandlers();
  pipeline::BatchOptions options;
  options.config = std::move(config).value();
  options.force = args.force;
  options.restart = args.restart;
  options.interrupt = InterruptFlag();
  options.report_path = args.report;
  if (!args.shard.empty()) {
    auto shard = merge::ParseShardSpec(args.shard);
    if (!shard.ok()) return ReportError(shard.status());
    options.shard = *shard;
  }
  RunDisplay display(args.json);
  auto report = pipeline::RunBatch(options, &display);
  display.Clear();
  if (!report.ok()) return ReportError(report.status());
  if (args.json) {
    json j = json::parse(pipeline::RunReportJson(*report, -1), nullptr, false);
    j["event"] = "summary";
    const std::string line = Dump(j) + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  } else {
    std::fputs(pipeline::FormatRunTable(*report).c_str(), stdout);
  }
  std::fflush(stdout);
  return report->exit_code;
}

}  // namespace

void AddRunCommand(CLI::App* app, Runner* runner) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app->add_subcommand(
      "run", "Merge every pair of a TOML config, within one memory budget for the whole run");
  cmd->add_option("config", args->config, "The run's TOML config (see --init)");
  cmd->add_option("--only", args->only, "Only these pairs of the config (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--jobs", args->jobs, "Pairs merged at once, each with budget/N (default 1)");
  AddMergeOptions(cmd, &args->merge);
  cmd->get_option("--memory-budget")
      ->description("Memory for the whole run, split evenly over the jobs (default 1GiB per job)");
  cmd->get_option("--threads")->description("Worker threads per merge (default: cores / jobs)");
  cmd->add_option("--schema", args->schema,
                  "Reference schema every output must have (Parquet file, or JSON column list)");
  cmd->add_flag("--json", args->json, "JSON lines on stdout: progress, each pair, the summary");
  cmd->add_flag("--fail-fast", args->fail_fast, "Stop everything at the first failed pair");
  cmd->add_flag("--no-check", args->no_check, "Do not run `featmerge check` on the outputs");
  cmd->add_flag("--force", args->force, "Rebuild outputs that are up to date");
  cmd->add_flag("--restart", args->restart, "Discard interrupted merges instead of resuming them");
  cmd->add_option("--init", args->init, "Write a commented example config to FILE and exit");
  cmd->add_flag("--slurm", args->slurm,
                "Write Slurm batch scripts for the pending pairs (one task each) into "
                "<run dir>/slurm/ (docs/slurm.md)");
  cmd->add_flag("--submit", args->submit, "With --slurm: submit them with sbatch");
  cmd->add_option("--shards", args->shards,
                  "With --slurm or --status: split pairs over N machines each (N, or pair=N,...)");
  cmd->add_option("--shard", args->shard,
                  "Write only shard K of N of each pair's output, as a fragment (what a Slurm "
                  "shard task runs)");
  cmd->add_flag("--status", args->status,
                "Show each pair's (and shard's) state from the files of the run directory");
  cmd->add_option("--report", args->report,
                  "Write the run report to FILE instead of <run dir>/run-report.json");
  cmd->callback([args, runner] { *runner = [args] { return RunRunCommand(*args); }; });
}

}  // namespace featmerge::cli

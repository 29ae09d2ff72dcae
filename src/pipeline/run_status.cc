#include "pipeline/run_status.h"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "base/units.h"
#include "io/file.h"
#include "merge/merge.h"
#include "merge/shard.h"
#include "pipeline/run_commands.h"
#include "pipeline/run_paths.h"
#include "pipeline/slurm.h"

namespace featmerge::pipeline {
namespace {

using nlohmann::json;

// Only the end of a log is read: the last attempt is there.
constexpr uint64_t kLogTailBytes = 256 << 10;

struct Attempt {
  bool started = false;
  bool ended = false;
  int exit_code = -1;
  std::string status;  // the merge's final status word ("done", "failed", ...) or ""
  bool check_failed = false;
  uint64_t start_offset = 0;  // of the attempt's first line, for ErrorLineFromLog
};

// The last attempt logged in `log`: its start marker (`start_marker` in a "==== " line), and
// the line `end_marker` ... "code N" ... ": <status>" after it.
Attempt LastAttempt(const std::string& log, const std::string& start_marker,
                    const std::string& end_marker) {
  Attempt a;
  auto file = io::DefaultFileSystem()->OpenForRead(log);
  if (!file.ok()) return a;
  const uint64_t size = (*file)->size();
  const uint64_t begin = size > kLogTailBytes ? size - kLogTailBytes : 0;
  ByteBuffer buf;
  if (!(*file)->ReadAt(begin, size - begin, &buf).ok()) return a;
  const std::string text(buf.begin(), buf.end());
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    if (line.rfind("==== ", 0) == 0) {
      if (line.find(start_marker) != std::string::npos) {
        a = Attempt();
        a.started = true;
        a.start_offset = begin + pos;
      } else if (a.started && line.find(end_marker) != std::string::npos) {
        a.ended = true;
        const size_t code = line.find("code ");
        if (code != std::string::npos) a.exit_code = std::atoi(line.c_str() + code + 5);
        const size_t colon = line.rfind(": ");
        a.status = colon == std::string::npos ? "" : line.substr(colon + 2);
      } else if (a.ended && line.find(" check of ") != std::string::npos &&
                 (line.ends_with(": invalid") || line.ends_with(": error"))) {
        a.check_failed = true;
      }
    }
    pos = nl + 1;
  }
  return a;
}

std::string Commas(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3) {
    s.insert(static_cast<size_t>(i), ",");
  }
  return s;
}

// "3,000 rows x 45 columns, 1.2 MiB" from the output's manifest.
std::string DoneDetail(const std::string& output) {
  auto text = io::ReadWholeFile(io::DefaultFileSystem(), merge::ManifestPath(output), 256ull << 20);
  if (!text.ok()) return "";
  const json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("output") || !j["output"].is_object())
    return "";
  const json& o = j["output"];
  std::string detail = Commas(o.value("rows", int64_t{0})) + " rows x " +
                       Commas(o.value("columns", int64_t{0})) + " columns, " +
                       FormatBytes(o.value("bytes", uint64_t{0}));
  if (j.contains("concat")) detail += ", joined from fragments";
  return detail;
}

// "writing 45% (120 of 266 column chunks), 3 s ago on node1" from the progress file.
std::string ProgressDetail(const std::string& log, double* fraction) {
  auto text = io::ReadWholeFile(io::DefaultFileSystem(), ProgressPath(log), 1 << 20);
  if (!text.ok()) return "";
  const json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return "";
  const int64_t done = j.value("chunks_done", int64_t{0});
  const int64_t total = j.value("chunks_total", int64_t{0});
  std::string detail = j.value("phase", std::string("?"));
  if (total > 0) {
    *fraction = static_cast<double>(done) / static_cast<double>(total);
    detail += " " + std::to_string(static_cast<int>(100 * *fraction)) + "% (" + Commas(done) +
              " of " + Commas(total) + " column chunks)";
  }
  const int64_t age = static_cast<int64_t>(std::time(nullptr)) - j.value("updated_at", int64_t{0});
  detail += ", updated " + FormatSeconds(static_cast<double>(std::max<int64_t>(0, age))) + " ago";
  const std::string host = j.value("host", std::string());
  if (!host.empty()) detail += " on " + host;
  return detail;
}

// A merge unit: a pair's whole output or one shard's fragment, written by `featmerge run`.
UnitStatus MergeUnit(const std::string& name, const std::string& output, const std::string& log) {
  io::FileSystem* fs = io::DefaultFileSystem();
  UnitStatus u;
  u.name = name;
  u.output = output;
  u.log = log;
  if (OutputDone(output)) {
    u.state = UnitState::kDone;
    u.detail = DoneDetail(output);
    u.progress = 1;
    return u;
  }
  const Attempt a = LastAttempt(log, " featmerge run: merge: ", " merge exited with code ");
  const bool partial =
      fs->Exists(merge::JournalPath(output)) || fs->Exists(merge::PartialPath(output));
  const std::string progress = ProgressDetail(log, &u.progress);
  const bool failed = a.ended && (a.status == "failed" || a.status == "not ready" ||
                                  a.status == "check failed" || a.check_failed);
  if (failed) {
    u.state = UnitState::kFailed;
    const std::string error = ErrorLineFromLog(log, a.start_offset);
    u.detail = a.status +
               (error.empty() ? " (exit code " + std::to_string(a.exit_code) + ")" : ": " + error);
    if (partial) u.detail += "; its journal is kept (the next run resumes it)";
  } else if (partial) {
    u.state = UnitState::kPartial;
    u.detail = progress.empty() ? "partly written" : progress;
    if (a.ended && a.status == "interrupted") u.detail = "interrupted at " + u.detail + "; resumes";
  } else if (a.started && !a.ended) {
    u.state = UnitState::kStarted;
    u.detail = progress.empty() ? "started, nothing written yet" : progress;
  } else {
    u.state = UnitState::kPending;
  }
  return u;
}

UnitStatus ConcatUnit(const RunConfig& config, const std::string& pair,
                      const std::vector<UnitStatus>& shards) {
  UnitStatus u;
  u.name = "concat";
  u.output = PairOutputPath(config, pair);
  u.log = ConcatLogPath(config, pair);
  if (OutputDone(u.output)) {
    u.state = UnitState::kDone;
    u.detail = DoneDetail(u.output);
    return u;
  }
  const Attempt a = LastAttempt(u.log, " featmerge run: concat: ", "concat finished with code ");
  if (a.ended && a.exit_code != 0) {
    u.state = UnitState::kFailed;
    const std::string error = ErrorLineFromLog(u.log, a.start_offset);
    u.detail =
        error.empty() ? "exit code " + std::to_string(a.exit_code) + " (see " + u.log + ")" : error;
  } else if (a.started && !a.ended) {
    u.state = UnitState::kStarted;
    u.detail = "joining the fragments";
  } else {
    int done = 0;
    for (const UnitStatus& s : shards) done += s.state == UnitState::kDone ? 1 : 0;
    u.detail = done == static_cast<int>(shards.size())
                   ? "all fragments written"
                   : "waits for " + std::to_string(shards.size() - static_cast<size_t>(done)) +
                         " shard" + (shards.size() - static_cast<size_t>(done) > 1 ? "s" : "");
  }
  return u;
}

json UnitJson(const UnitStatus& u) {
  json j = {{"name", u.name},     {"state", UnitStateName(u.state)},
            {"output", u.output}, {"log", u.log},
            {"detail", u.detail}, {"job", u.job}};
  if (u.progress >= 0) j["progress"] = u.progress;
  return j;
}

}  // namespace

const char* UnitStateName(UnitState state) {
  switch (state) {
    case UnitState::kPending:
      return "pending";
    case UnitState::kStarted:
      return "started";
    case UnitState::kPartial:
      return "partial";
    case UnitState::kDone:
      return "done";
    case UnitState::kFailed:
      return "failed";
  }
  return "?";
}

int RunStatusReport::count(UnitState state) const {
  return static_cast<int>(
      std::count_if(pairs.begin(), pairs.end(),
                    [state](const PairStatusView& p) { return p.whole.state == state; }));
}

RunStatusReport CollectRunStatus(const RunConfig& config) {
  RunStatusReport report;
  report.directory = RunDirectory(config);
  json submission;
  auto text =
      io::ReadWholeFile(io::DefaultFileSystem(),
                        io::JoinPath(SlurmDirectory(config), "submission.json"), 64ull << 20);
  if (text.ok()) {
    submission = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!submission.is_discarded() && submission.is_object()) {
      report.slurm = true;
      if (submission.value("submitted", false)) {
        report.submitted_at = submission.value("written_at", std::string());
      }
    }
  }
  const json no_entry = json::object();
  for (const std::string& pair : config.pairs) {
    const json& entry =
        report.slurm && submission.contains("pairs") && submission["pairs"].is_object() &&
                submission["pairs"].contains(pair) && submission["pairs"][pair].is_object()
            ? submission["pairs"][pair]
            : no_entry;
    PairStatusView view;
    view.pair = pair;
    view.shards = entry.contains("shards") && entry["shards"].is_number_integer()
                      ? std::max(1, entry["shards"].get<int>())
                      : config.slurm.ShardsFor(pair);
    if (view.shards == 1) {
      view.whole = MergeUnit(pair, PairOutputPath(config, pair), PairLogPath(config, pair));
      view.whole.job = entry.value("job", std::string());
      report.pairs.push_back(std::move(view));
      continue;
    }
    int done = 0, failed = 0, active = 0;
    for (int k = 1; k <= view.shards; k++) {
      const merge::ShardSpec spec{k, view.shards};
      UnitStatus u = MergeUnit("shard " + spec.Text(), PairOutputPath(config, pair, spec),
                               PairLogPath(config, pair, spec));
      if (entry.contains("shard_jobs") && entry["shard_jobs"].is_object()) {
        u.job = entry["shard_jobs"].value(std::to_string(k), std::string());
      }
      done += u.state == UnitState::kDone ? 1 : 0;
      failed += u.state == UnitState::kFailed ? 1 : 0;
      active += u.state == UnitState::kPartial || u.state == UnitState::kStarted ? 1 : 0;
      view.units.push_back(std::move(u));
    }
    UnitStatus concat = ConcatUnit(config, pair, view.units);
    concat.job = entry.value("concat_job", std::string());
    view.whole.name = pair;
    view.whole.output = concat.output;
    if (concat.state == UnitState::kDone) {
      view.whole = concat;
      view.whole.name = pair;
    } else if (failed > 0 || concat.state == UnitState::kFailed) {
      view.whole.state = UnitState::kFailed;
      view.whole.detail =
          concat.state == UnitState::kFailed
              ? "concat failed"
              : std::to_string(failed) + " of " + std::to_string(view.shards) + " shards failed";
    } else if (done > 0 || active > 0 || concat.state == UnitState::kStarted) {
      view.whole.state = UnitState::kPartial;
      view.whole.detail = std::to_string(done) + " of " + std::to_string(view.shards) +
                          " shards done" + (concat.state == UnitState::kStarted ? ", joining" : "");
      view.whole.progress = static_cast<double>(done) / view.shards;
    } else {
      view.whole.detail = std::to_string(view.shards) + " shards";
    }
    view.units.push_back(std::move(concat));
    report.pairs.push_back(std::move(view));
  }
  return report;
}

std::string FormatRunStatus(const RunStatusReport& report) {
  std::vector<std::vector<std::string>> rows = {{"pair", "state", "job", "detail"}};
  for (const PairStatusView& p : report.pairs) {
    rows.push_back({p.pair, UnitStateName(p.whole.state), p.whole.job, p.whole.detail});
    for (const UnitStatus& u : p.units) {
      rows.push_back({"  " + u.name, UnitStateName(u.state), u.job, u.detail});
    }
  }
  size_t widths[3] = {0, 0, 0};
  for (const auto& row : rows) {
    for (size_t i = 0; i < 3; i++) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out = "run directory " + report.directory;
  out += report.slurm
             ? (report.submitted_at.empty() ? " (Slurm scripts written, not submitted)"
                                            : " (Slurm, submitted " + report.submitted_at + ")")
             : "";
  out += "\n";
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < 3; i++) line += row[i] + std::string(widths[i] - row[i].size() + 2, ' ');
    line += row[3];
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  out += std::to_string(report.pairs.size()) +
         " pairs: " + std::to_string(report.count(UnitState::kDone)) + " done, " +
         std::to_string(report.count(UnitState::kPartial) + report.count(UnitState::kStarted)) +
         " in progress, " + std::to_string(report.count(UnitState::kFailed)) + " failed, " +
         std::to_string(report.count(UnitState::kPending)) + " pending\n";
  return out;
}

std::string RunStatusJson(const RunStatusReport& report) {
  json pairs = json::array();
  for (const PairStatusView& p : report.pairs) {
    json j = UnitJson(p.whole);
    j["pair"] = p.pair;
    j["shards"] = p.shards;
    json units = json::array();
    for (const UnitStatus& u : p.units) units.push_back(UnitJson(u));
    if (!units.empty()) j["units"] = units;
    pairs.push_back(j);
  }
  json j = {{"directory", report.directory},
            {"slurm", report.slurm},
            {"submitted_at", report.submitted_at},
            {"pairs", pairs},
            {"counts",
             {{"done", report.count(UnitState::kDone)},
              {"partial", report.count(UnitState::kPartial)},
              {"started", report.count(UnitState::kStarted)},
              {"failed", report.count(UnitState::kFailed)},
              {"pending", report.count(UnitState::kPending)}}}};
  return j.dump();
}

}  // namespace featmerge::pipeline

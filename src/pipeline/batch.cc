#include "pipeline/batch.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/units.h"
#include "io/file.h"
#include "io/probes.h"
#include "merge/merge.h"
#include "pipeline/child_process.h"
#include "pipeline/report.h"
#include "pipeline/run_commands.h"
#include "pipeline/run_paths.h"

namespace featmerge::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr uint64_t kDefaultBudgetPerMerge = 1ull << 30;  // merge's own default
constexpr uint64_t kMinBudgetPerMerge = 48ull << 20;     // merge refuses less
constexpr int kPollMillis = 200;                         // display refresh and signal latency
constexpr double kTickSeconds = 0.5;
constexpr size_t kProblemsKept = 5;  // check problems kept per pair in the report
constexpr double kProgressFileSeconds = 1;  // how often logs/<pair>.progress.json is rewritten

int64_t JsonInt(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<int64_t>() : 0;
}
std::string JsonString(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}
bool JsonBool(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

std::string NowUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm_buf;
  gmtime_r(&now, &tm_buf);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm_buf);
  return buf;
}

bool Written(PairStatus s) {
  return s == PairStatus::kDone || s == PairStatus::kSkipped || s == PairStatus::kCheckFailed;
}

int CheckRank(CheckState s) {
  switch (s) {
    case CheckState::kValid:
      return 1;
    case CheckState::kInvalid:
      return 2;
    case CheckState::kError:
      return 3;
    default:
      return 0;
  }
}

// One pair in flight: its merge child, then its check children (one per output part).
struct Slot {
  size_t pair_idx = 0;
  std::unique_ptr<ChildProcess> child;
  bool checking = false;
  size_t check_part = 0;
  std::string check_stdout;
  json summary;            // merge's final event; null until seen
  bool signalled = false;  // we sent SIGTERM
  bool finished = false;
  uint64_t log_offset = 0;  // the log's size when this child started
  double progress_written = -1;  // Elapsed() when the progress file was last written
  Clock::time_point started;
  RunningPair view;
};

class Batch {
 public:
  Batch(const BatchOptions& options, BatchObserver* observer)
      : o_(options), cfg_(options.config), observer_(observer != nullptr ? observer : &quiet_) {}

  Result<RunReport> Run() {
    FM_RETURN_IF_ERROR(Prepare());
    size_t next = 0;
    double last_tick = -1;
    while (true) {
      if (o_.interrupt != nullptr && o_.interrupt->load() && !report_.interrupted) {
        report_.interrupted = true;
        Stop();
      }
      while (!stopping_ && slots_.size() < static_cast<size_t>(cfg_.jobs) &&
             next < report_.pairs.size()) {
        StartPair(next++);
      }
      if (slots_.empty()) break;
      std::vector<pollfd> fds;
      for (const auto& slot : slots_) {
        if (slot->child->stdout_fd() >= 0) fds.push_back({slot->child->stdout_fd(), POLLIN, 0});
      }
      // A signal interrupts poll (EINTR): the flag is seen at the top of the loop.
      ::poll(fds.data(), fds.size(), kPollMillis);
      for (auto it = slots_.begin(); it != slots_.end();) {
        Slot* slot = it->get();
        ReadOutput(slot);
        if (slot->child->CheckExited()) {
          ReadOutput(slot);  // what it wrote just before exiting
          if (OnChildExit(slot)) {
            it = slots_.erase(it);
            continue;
          }
        }
        ++it;
      }
      SampleMemory();
      if (Elapsed() - last_tick >= kTickSeconds) {
        last_tick = Elapsed();
        observer_->OnTick(Progress());
      }
    }
    CompareOutputs();
    report_.seconds = Elapsed();
    report_.exit_code = ExitCode();
    Status written = WriteRunReport(report_);
    if (!written.ok()) {
      observer_->OnMessage("cannot write " + report_.report_path + ": " + written.ToString());
      if (report_.exit_code == 0) report_.exit_code = 2;
    }
    return report_;
  }

 private:
  double Elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  Status Prepare() {
    start_ = Clock::now();
    report_.config_path = cfg_.config_path;
    report_.started_at = NowUtc();
    report_.jobs = cfg_.jobs;
    report_.memory_budget_per_merge = MergeBudgetShare(cfg_);
    report_.memory_budget =
        cfg_.memory_budget_set ? cfg_.merge.memory_budget
                               : report_.memory_budget_per_merge * static_cast<uint64_t>(cfg_.jobs);
    report_.threads_per_merge = MergeThreads(cfg_);
    if (report_.memory_budget_per_merge < kMinBudgetPerMerge) {
      return Status::InvalidArgument(
          "memory budget " + FormatBytes(report_.memory_budget) + " over " +
          std::to_string(cfg_.jobs) + " jobs gives " +
          FormatBytes(report_.memory_budget_per_merge) +
          " per merge, below the 48 MiB a merge needs: raise memory_budget or lower jobs");
    }
    if (cfg_.pairs.empty()) return Status::InvalidArgument("no pairs to run");
    report_.directory = RunDirectory(cfg_);
    report_.report_path = o_.report_path.empty()
                               ? io::JoinPath(report_.directory, "run-report.json")
                               : o_.report_path;
    const std::string logs = io::JoinPath(report_.directory, "logs");
    Status made = io::DefaultFileSystem()->CreateDirs(logs);
    if (!made.ok()) return made.WithContext("cannot create the run's log directory '" + logs + "'");
    for (const std::string& pair : cfg_.pairs) {
      PairResult r;
      r.pair = pair;
      r.input = ExpandPair(cfg_.input_pattern, pair);
      r.output = PairOutputPath(cfg_, pair, o_.shard);
      r.outputs = {r.output};
      r.log = PairLogPath(cfg_, pair, o_.shard);
      r.memory_budget = report_.memory_budget_per_merge;
      r.threads = report_.threads_per_merge;
      report_.pairs.push_back(std::move(r));
    }
    pair_finished_.assign(report_.pairs.size(), false);
    if (!cfg_.check) {
      report_.check = "off";
    } else if (CheckCommandAvailable()) {
      report_.check = "on";
      check_available_ = true;
    } else {
      report_.check = "unavailable";
      observer_->OnMessage("`featmerge check` is not available in " + o_.exe +
                           ": outputs are not checked");
    }
    return Status::OK();
  }

  // Whether the binary has a `check` command: its --help lists the subcommands.
  bool CheckCommandAvailable() {
    auto child = ChildProcess::Spawn({{o_.exe, "--help"}, "", true});
    if (!child.ok()) return false;
    std::vector<std::string> lines;
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (!(*child)->CheckExited() && Clock::now() < deadline) {
      (*child)->ReadLines(&lines);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    (*child)->ReadLines(&lines);
    for (const std::string& line : lines) {
      const size_t start = line.find_first_not_of(' ');
      if (start != std::string::npos && start > 0 && line.compare(start, 6, "check ") == 0)
        return true;
    }
    return false;
  }

  void Log(const PairResult& r, const std::string& text) {
    (void)AppendToFile(r.log, "==== " + NowUtc() + " " + text + "\n");
  }

  Status SpawnChild(Slot* slot, const std::vector<std::string>& argv, const std::string& what) {
    const PairResult& r = report_.pairs[slot->pair_idx];
    auto info = io::DefaultFileSystem()->Stat(r.log);
    Log(r, "featmerge run: " + what + ": " + CommandLineText(argv));
    slot->log_offset = info.ok() ? info->size : 0;
    FM_ASSIGN_OR_RETURN(slot->child, ChildProcess::Spawn({argv, r.log, true}));
    slot->started = Clock::now();
    slot->signalled = false;
    return Status::OK();
  }

  void StartPair(size_t idx) {
    PairResult& r = report_.pairs[idx];
    auto slot = std::make_unique<Slot>();
    slot->pair_idx = idx;
    slot->view.pair = r.pair;
    slot->view.phase = "starting";
    Status s = SpawnChild(slot.get(), MergeCommand(cfg_, o_, r), "merge");
    if (!s.ok()) {
      r.status = PairStatus::kFailed;
      r.error = "cannot start the merge: " + s.message();
      Log(r, r.error);
      AfterPair(idx);
      return;
    }
    slots_.push_back(std::move(slot));
    report_.max_concurrent = std::max(report_.max_concurrent, static_cast<int>(slots_.size()));
    observer_->OnPairStarted(r.pair, Progress());
  }

  void ReadOutput(Slot* slot) {
    std::vector<std::string> lines;
    slot->child->ReadLines(&lines);
    const PairResult& r = report_.pairs[slot->pair_idx];
    for (const std::string& line : lines) {
      if (slot->checking) {
        slot->check_stdout += line + "\n";
        continue;
      }
      const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
      const std::string event = j.is_discarded() ? "" : JsonString(j, "event");
      if (event.empty()) {
        Log(r, "merge printed: " + line);
        continue;
      }
      if (event == "progress") {
        const std::string phase = JsonString(j, "phase");
        const bool phase_changed = phase != slot->view.phase;
        if (phase_changed) Log(r, "phase: " + phase);
        const bool first_counts = slot->view.chunks_total == 0 && JsonInt(j, "chunks_total") > 0;
        slot->view.phase = phase;
        slot->view.chunks_done = JsonInt(j, "chunks_done");
        slot->view.chunks_total = JsonInt(j, "chunks_total");
        WriteProgressFile(slot, r, phase_changed || first_counts);
      } else if (event == "summary") {
        slot->summary = j;
        Log(r, "summary: " + line);
      }
      observer_->OnPairEvent(r.pair, line);
    }
  }

  // logs/<pair>.progress.json: what `run --status` shows for a pair being written (also from
  // another machine). Rewritten atomically on a phase change and every few seconds.
  void WriteProgressFile(Slot* slot, const PairResult& r, bool now_anyway) {
    const double now = Elapsed();
    if (!now_anyway && slot->progress_written >= 0 &&
        now - slot->progress_written < kProgressFileSeconds) {
      return;
    }
    slot->progress_written = now;
    char host[256] = {0};
    (void)gethostname(host, sizeof(host) - 1);
    const json j = {{"pair", r.pair},
                    {"output", r.output},
                    {"phase", slot->view.phase},
                    {"chunks_done", slot->view.chunks_done},
                    {"chunks_total", slot->view.chunks_total},
                    {"updated_at", static_cast<int64_t>(std::time(nullptr))},
                    {"host", host},
                    {"pid", slot->child->pid()}};
    (void)io::WriteFileAtomic(io::DefaultFileSystem(), ProgressPath(r.log),
                              AsBytes(j.dump() + "\n"));
  }

  // The child of `slot` has exited. Returns true when the pair is finished.
  bool OnChildExit(Slot* slot) { return slot->checking ? FinishCheck(slot) : FinishMerge(slot); }

  bool FinishMerge(Slot* slot) {
    PairResult& r = report_.pairs[slot->pair_idx];
    const ChildProcess& c = *slot->child;
    r.exit_code = c.exit_code();
    r.seconds = c.elapsed_seconds();
    const json& sm = slot->summary;
    // wait4's figure, or merge's own (VmHWM and its sampler) when that is higher.
    r.peak_rss = std::max(c.peak_rss(), static_cast<uint64_t>(JsonInt(sm, "peak_rss_bytes")));
    const bool stopped_by_us =
        slot->signalled && (c.term_signal() == SIGTERM || c.term_signal() == SIGINT);
    if (c.exit_code() == 0 && sm.is_object()) {
      r.rows = JsonInt(sm, "rows");
      r.columns = JsonInt(sm, "columns");
      r.output_bytes = static_cast<uint64_t>(JsonInt(sm, "output_bytes"));
      r.resumed = JsonBool(sm, "resumed");
      if (sm.contains("outputs") && sm["outputs"].is_array() && !sm["outputs"].empty()) {
        r.outputs.clear();
        for (const json& out : sm["outputs"]) {
          if (out.is_string()) r.outputs.push_back(out.get<std::string>());
        }
      }
      r.status = JsonBool(sm, "up_to_date") ? PairStatus::kSkipped : PairStatus::kDone;
    } else if (c.exit_code() == 130 || c.exit_code() == 128 + SIGTERM || stopped_by_us) {
      // 143: a second SIGTERM made merge exit at once (under Slurm, scancel signals every
      // process of the job and `run` forwards its own): the journal is kept all the same.
      r.status = PairStatus::kInterrupted;  // its journal is kept: the next run resumes it
    } else {
      const std::string line = ErrorLineFromLog(r.log, slot->log_offset);
      if (c.term_signal() != 0) {
        r.error = "killed by signal " + std::to_string(c.term_signal()) + " (" +
                  strsignal(c.term_signal()) + ")" +
                  (c.term_signal() == SIGKILL ? ": out of memory (the kernel's OOM killer)?" : "");
      } else {
        r.error = line.empty() ? "exited with code " + std::to_string(c.exit_code()) : line;
      }
      // merge says "Not found" only for inputs that are not there yet: the input directory,
      // the completion marker, the spine, the expected number of tables.
      const bool not_ready = c.exit_code() == 2 && line.rfind("Not found:", 0) == 0;
      r.status = not_ready ? PairStatus::kNotReady : PairStatus::kFailed;
    }
    Log(r, "merge exited with code " + std::to_string(r.exit_code) + " after " +
               FormatSeconds(r.seconds) + ", peak RSS " + FormatBytes(r.peak_rss) + ": " +
               PairStatusName(r.status));
    if (r.status == PairStatus::kDone) written_seconds_.push_back(r.seconds);
    if (r.status == PairStatus::kDone && cfg_.check) {
      if (!check_available_) {
        r.check.state = CheckState::kUnavailable;
      } else if (!stopping_ && StartCheck(slot, 0)) {
        return false;
      }
    }
    FinishPair(slot);
    return true;
  }

  bool StartCheck(Slot* slot, size_t part) {
    PairResult& r = report_.pairs[slot->pair_idx];
    slot->checking = true;
    slot->check_part = part;
    slot->check_stdout.clear();
    slot->view.phase =
        r.outputs.size() > 1 ? "checking part " + std::to_string(part + 1) : "checking";
    slot->view.chunks_done = slot->view.chunks_total = 0;
    Status s = SpawnChild(slot, {o_.exe, "check", r.outputs[part], "--json"}, "check");
    if (s.ok()) return true;
    r.check.state = CheckState::kError;
    r.check.error = "cannot start the check: " + s.message();
    r.status = PairStatus::kCheckFailed;
    return false;
  }

  bool FinishCheck(Slot* slot) {
    PairResult& r = report_.pairs[slot->pair_idx];
    const ChildProcess& c = *slot->child;
    r.check.seconds += c.elapsed_seconds();
    r.check.peak_rss = std::max(r.check.peak_rss, c.peak_rss());
    const std::string& part_file = r.outputs[slot->check_part];
    CheckState state = CheckState::kNotRun;
    if (!slot->signalled) {
      const json j = json::parse(slot->check_stdout, nullptr, /*allow_exceptions=*/false);
      if (!j.is_discarded() && j.is_object() && j.contains("valid") && j["valid"].is_boolean() &&
          (c.exit_code() == 0 || c.exit_code() == 2)) {
        state = j["valid"].get<bool>() ? CheckState::kValid : CheckState::kInvalid;
        r.check.problem_count += JsonInt(j, "problem_count");
        if (j.contains("problems") && j["problems"].is_array()) {
          for (const json& p : j["problems"]) {
            if (!p.is_string() || r.check.problems.size() >= kProblemsKept) continue;
            r.check.problems.push_back((r.outputs.size() > 1 ? part_file + ": " : "") +
                                       p.get<std::string>());
          }
        }
      } else {
        state = CheckState::kError;
        const std::string line = ErrorLineFromLog(r.log, slot->log_offset);
        r.check.error =
            (r.outputs.size() > 1 ? part_file + ": " : "") +
            (line.empty() ? "check exited with code " + std::to_string(c.exit_code()) : line);
      }
    }
    if (CheckRank(state) > CheckRank(r.check.state)) r.check.state = state;
    Log(r, "check of " + part_file + " exited with code " + std::to_string(c.exit_code()) + ": " +
               CheckStateName(state));
    if (state != CheckState::kNotRun && slot->check_part + 1 < r.outputs.size() && !stopping_ &&
        StartCheck(slot, slot->check_part + 1)) {
      return false;
    }
    if (r.check.state == CheckState::kInvalid || r.check.state == CheckState::kError) {
      r.status = PairStatus::kCheckFailed;
    }
    FinishPair(slot);
    return true;
  }

  void FinishPair(Slot* slot) {
    slot->finished = true;
    AfterPair(slot->pair_idx);
  }

  void AfterPair(size_t idx) {
    const PairResult& r = report_.pairs[idx];
    pair_finished_[idx] = true;
    observer_->OnPairFinished(r, Progress());
    if (IsFailure(r.status) && cfg_.fail_fast && !stopping_) {
      report_.stopped_by_fail_fast = true;
      Stop();
    }
  }

  // Stops starting pairs and asks every running child to stop cleanly (merge keeps its
  // journal, so the pair resumes on the next run).
  void Stop() {
    stopping_ = true;
    for (const auto& slot : slots_) {
      if (slot->finished || slot->child->exited()) continue;
      slot->child->Signal(SIGTERM);
      slot->signalled = true;
    }
  }

  void SampleMemory() {
    uint64_t sum = io::CurrentRssBytes();
    for (const auto& slot : slots_) sum += slot->child->CurrentRss();
    report_.peak_rss_sum = std::max(report_.peak_rss_sum, sum);
  }

  BatchProgress Progress() const {
    BatchProgress p;
    p.total = static_cast<int>(report_.pairs.size());
    for (size_t idx = 0; idx < report_.pairs.size(); idx++) {
      if (!pair_finished_[idx]) continue;  // a written pair may still be being checked
      const PairResult& r = report_.pairs[idx];
      if (r.status == PairStatus::kDone) p.done++;
      if (r.status == PairStatus::kSkipped) p.skipped++;
      if (IsFailure(r.status)) p.failed++;
    }
    const double now = Elapsed();
    const int finished =
        static_cast<int>(std::count(pair_finished_.begin(), pair_finished_.end(), true));
    for (const auto& slot : slots_) {
      if (slot->finished) continue;
      RunningPair view = slot->view;
      view.rss = slot->child->CurrentRss();
      view.elapsed = std::chrono::duration<double>(Clock::now() - slot->started).count();
      p.running.push_back(std::move(view));
    }
    p.elapsed = now;
    p.stopping = stopping_;
    // ETA: the pairs written so far give the time of a pair (or, before any, the running
    // pairs' elapsed time over their fraction done); the work left is shared by the jobs.
    double per_pair = -1;
    if (!written_seconds_.empty()) {
      double sum = 0;
      for (double s : written_seconds_) sum += s;
      per_pair = sum / static_cast<double>(written_seconds_.size());
    } else {
      double sum = 0;
      int n = 0;
      for (const RunningPair& v : p.running) {
        const double frac = v.chunks_total > 0 ? static_cast<double>(v.chunks_done) /
                                                     static_cast<double>(v.chunks_total)
                                               : 0;
        if (frac >= 0.05) {
          sum += v.elapsed / frac;
          n++;
        }
      }
      if (n > 0) per_pair = sum / n;
    }
    if (per_pair < 0 || stopping_) return p;
    double left = 0;
    for (const RunningPair& v : p.running) {
      const double frac = v.chunks_total > 0 ? static_cast<double>(v.chunks_done) /
                                                   static_cast<double>(v.chunks_total)
                                             : 0;
      left += frac >= 0.05 ? v.elapsed * (1 - frac) / frac : std::max(0.0, per_pair - v.elapsed);
    }
    const int pending = p.total - finished - static_cast<int>(p.running.size());
    left += std::max(0, pending) * per_pair;
    const int parallel =
        std::max(1, std::min(cfg_.jobs, static_cast<int>(p.running.size()) + std::max(0, pending)));
    p.eta = left / parallel;
    return p;
  }

  // Every written output against the reference: --schema, else the first written pair.
  void CompareOutputs() {
    io::FileSystem* fs = io::DefaultFileSystem();
    SchemaReport& s = report_.schema;
    std::vector<ColumnType> reference;
    bool have_reference = false;
    if (!cfg_.schema.empty()) {
      s.reference = cfg_.schema;
      auto ref = ReadReferenceSchema(fs, cfg_.schema);
      if (!ref.ok()) {
        s.error = ref.status().message();
        return;
      }
      reference = std::move(ref).value();
      have_reference = true;
    }
    for (PairResult& r : report_.pairs) {
      if (!Written(r.status)) continue;
      auto columns = ReadOutputSchema(fs, r.output, r.outputs);
      if (!columns.ok()) {
        r.schema.compared = true;
        r.schema.error = columns.status().message();
        s.drifted_pairs++;
        continue;
      }
      if (!have_reference) {
        reference = *columns;
        have_reference = true;
        s.reference = "pair " + r.pair;
      }
      r.schema = CompareSchemas(reference, *columns);
      if (r.schema.drift()) s.drifted_pairs++;
    }
    s.columns = std::move(reference);
  }

  int ExitCode() const {
    if (report_.interrupted) return 130;
    bool failed = false;
    bool all_resource = true;
    for (const PairResult& r : report_.pairs) {
      if (!IsFailure(r.status)) continue;
      failed = true;
      all_resource = all_resource && r.status == PairStatus::kFailed && r.exit_code == 3;
    }
    const bool drift = !report_.schema.consistent();
    if (!failed && !drift) return 0;
    return failed && all_resource && !drift ? 3 : 2;
  }

  const BatchOptions& o_;
  const RunConfig& cfg_;
  BatchObserver quiet_;
  BatchObserver* observer_;
  RunReport report_;
  std::vector<std::unique_ptr<Slot>> slots_;
  Clock::time_point start_;
  bool stopping_ = false;
  bool check_available_ = false;
  std::vector<double> written_seconds_;  // merge times of the pairs written (for the ETA)
  std::vector<bool> pair_finished_;      // by pair index: merged, checked, reported
};

}  // namespace

uint64_t MergeBudgetShare(const RunConfig& config) {
  if (!config.memory_budget_set) return kDefaultBudgetPerMerge;
  return config.merge.memory_budget / static_cast<uint64_t>(std::max(1, config.jobs));
}

int MergeThreads(const RunConfig& config) {
  if (config.merge.threads > 0) return config.merge.threads;
  return std::max(1, io::CpuCount() / std::max(1, config.jobs));
}

Result<RunReport> RunBatch(const BatchOptions& options, BatchObserver* observer) {
  Batch batch(options, observer);
  return batch.Run();
}

}  // namespace featmerge::pipeline

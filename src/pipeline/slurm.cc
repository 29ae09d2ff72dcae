#include "pipeline/slurm.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/units.h"
#include "io/file.h"
#include "merge/merge.h"
#include "pipeline/batch.h"
#include "pipeline/child_process.h"
#include "pipeline/run_commands.h"
#include "pipeline/run_paths.h"

namespace featmerge::pipeline {
namespace {

using nlohmann::json;

constexpr uint64_t kMinTaskBudget = 48ull << 20;  // merge refuses less
constexpr int kSbatchTimeoutSeconds = 120;

std::string NowUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm_buf;
  gmtime_r(&now, &tm_buf);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm_buf);
  return buf;
}

// Single-quoted for bash.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string QuoteAll(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) out += " " + Quote(a);
  return out;
}

// "1-3" for a contiguous run, else "1,3,4".
std::string ArraySpec(const std::vector<int>& indices) {
  if (indices.empty()) return "";
  bool contiguous = true;
  for (size_t i = 1; i < indices.size(); i++)
    contiguous = contiguous && indices[i] == indices[i - 1] + 1;
  if (contiguous) {
    return indices.size() == 1
               ? std::to_string(indices[0])
               : std::to_string(indices.front()) + "-" + std::to_string(indices.back());
  }
  std::string out;
  for (int i : indices) out += (out.empty() ? "" : ",") + std::to_string(i);
  return out;
}

std::string Header(const RunConfig& config, const SlurmPlan& plan, const std::string& job_name,
                   const std::string& array, const std::string& output, int cpus) {
  std::string s = "#!/bin/bash\n";
  s += "# Written by `featmerge run " + config.config_path +
       " --slurm`; re-running that command rewrites it (docs/slurm.md).\n";
  s += "#SBATCH --job-name=" + job_name + "\n";
  if (!array.empty()) s += "#SBATCH --array=" + array + "\n";
  s += "#SBATCH --mem=" + std::to_string((plan.mem_bytes + (1 << 20) - 1) >> 20) + "M\n";
  s += "#SBATCH --cpus-per-task=" + std::to_string(cpus) + "\n";
  s += "#SBATCH --ntasks=1\n";
  s += "#SBATCH --output=" + output + "\n";
  s += "#SBATCH --open-mode=append\n";
  if (!config.slurm.partition.empty()) s += "#SBATCH --partition=" + config.slurm.partition + "\n";
  if (!config.slurm.account.empty()) s += "#SBATCH --account=" + config.slurm.account + "\n";
  if (!config.slurm.time.empty()) s += "#SBATCH --time=" + config.slurm.time + "\n";
  for (const std::string& arg : config.slurm.sbatch_args) s += "#SBATCH " + arg + "\n";
  s += "set -u\n";
  return s;
}

// The arguments every task's `featmerge run` gets after the config: its budget share as the
// whole run's budget of one job, so the merge child is given the same --memory-budget (and so
// plans the same row groups) as in a local run of the config.
std::vector<std::string> TaskArgs(const SlurmPlan& plan, const SlurmOptions& o) {
  std::vector<std::string> a = {"--jobs",          "1",
                                "--memory-budget", std::to_string(plan.task_budget),
                                "--threads",       std::to_string(plan.cpus)};
  a.insert(a.end(), o.run_args.begin(), o.run_args.end());
  return a;
}

Status WriteScript(const std::string& path, const std::string& text) {
  return io::WriteFileAtomic(io::DefaultFileSystem(), path, AsBytes(text));
}

// `program` itself when it has a slash, else its first match on $PATH (ChildProcess execs a
// path, it does not search).
std::string FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t pos = 0;
  while (pos <= dirs.size()) {
    size_t colon = dirs.find(':', pos);
    if (colon == std::string::npos) colon = dirs.size();
    const std::string candidate = io::JoinPath(dirs.substr(pos, colon - pos), program);
    if (colon > pos && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    pos = colon + 1;
  }
  return program;
}

std::string SubmissionPath(const SlurmPlan& plan) {
  return io::JoinPath(plan.directory, "submission.json");
}

// slurm/submission.json: for `run --status`, which pairs are sharded and their job ids. The
// entries of pairs not in this plan are kept from the previous record.
Status WriteSubmission(const RunConfig& config, const SlurmPlan& plan, bool submitted) {
  io::FileSystem* fs = io::DefaultFileSystem();
  json record = json::object();
  auto old = io::ReadWholeFile(fs, SubmissionPath(plan), 64ull << 20);
  if (old.ok()) {
    json j = json::parse(*old, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded() && j.is_object()) record = std::move(j);
  }
  record["format"] = "featmerge-slurm-submission";
  record["format_version"] = 1;
  record["config"] = config.config_path;
  record["written_at"] = NowUtc();
  record["submitted"] = submitted;
  if (!record.contains("pairs") || !record["pairs"].is_object()) record["pairs"] = json::object();
  for (const SlurmPairPlan& p : plan.pairs) {
    json entry = record["pairs"].value(p.pair, json::object());
    if (!entry.is_object() || entry.value("shards", 1) != p.shards) entry = json::object();
    entry["shards"] = p.shards;
    record["pairs"][p.pair] = entry;
  }
  for (const SlurmJob& job : plan.jobs) {
    if (job.job_id.empty()) continue;
    if (job.name == "pairs") {
      for (size_t i = 0; i < job.pairs.size(); i++) {
        record["pairs"][job.pairs[i]]["job"] = job.job_id + "_" + std::to_string(i);
      }
      continue;
    }
    const std::string pair = job.name.substr(0, job.name.rfind('.'));
    json& entry = record["pairs"][pair];
    if (job.name.ends_with(".concat")) {
      entry["concat_job"] = job.job_id;
    } else {
      for (const SlurmPairPlan& p : plan.pairs) {
        if (p.pair != pair) continue;
        for (int k : p.pending_shards) {
          entry["shard_jobs"][std::to_string(k)] = job.job_id + "_" + std::to_string(k);
        }
      }
    }
  }
  return io::WriteFileAtomic(fs, SubmissionPath(plan), AsBytes(record.dump(2) + "\n"));
}

}  // namespace

bool OutputDone(const std::string& output) {
  io::FileSystem* fs = io::DefaultFileSystem();
  // With split_columns the parts are <stem>.cols-NNN.parquet (merge.cc's PartPath).
  std::string stem = output;
  if (stem.size() > 8 && stem.compare(stem.size() - 8, 8, ".parquet") == 0)
    stem.resize(stem.size() - 8);
  const std::string part0 = stem + ".cols-000.parquet";
  return fs->Exists(merge::ManifestPath(output)) && !fs->Exists(merge::JournalPath(output)) &&
         !fs->Exists(merge::JournalPath(part0)) && !fs->Exists(merge::PartialPath(output)) &&
         (fs->Exists(output) || fs->Exists(part0));
}

Result<SlurmPlan> WriteSlurmScripts(const RunConfig& config, const SlurmOptions& o) {
  SlurmPlan plan;
  plan.directory = SlurmDirectory(config);
  plan.task_budget = MergeBudgetShare(config);
  plan.cpus = MergeThreads(config);
  plan.mem_bytes = plan.task_budget + kSlurmTaskOverhead;
  if (plan.task_budget < kMinTaskBudget) {
    return Status::InvalidArgument(
        "--slurm: the memory budget share of a task is " + FormatBytes(plan.task_budget) +
        ", below the 48 MiB a merge needs: raise memory_budget or lower jobs");
  }
  std::vector<std::string> array_pairs;
  for (const std::string& pair : config.pairs) {
    SlurmPairPlan p;
    p.pair = pair;
    p.shards = config.slurm.ShardsFor(pair);
    if (p.shards > 1 && config.merge.split_columns > 0) {
      return Status::InvalidArgument("--slurm: pair '" + pair +
                                     "' has shards and split_columns; a sharded output cannot be "
                                     "split into column parts");
    }
    p.done = OutputDone(PairOutputPath(config, pair));
    if (!p.done && p.shards > 1) {
      for (int k = 1; k <= p.shards; k++) {
        if (!OutputDone(PairOutputPath(config, pair, merge::ShardSpec{k, p.shards}))) {
          p.pending_shards.push_back(k);
        }
      }
    }
    if (!p.done && p.shards == 1) array_pairs.push_back(pair);
    plan.pairs.push_back(std::move(p));
  }
  io::FileSystem* fs = io::DefaultFileSystem();
  const std::string logs = io::JoinPath(plan.directory, "logs");
  const std::string reports = io::JoinPath(plan.directory, "reports");
  const std::string run = Quote(o.exe) + " run " + Quote(o.config);
  const std::string args = QuoteAll(TaskArgs(plan, o));

  if (!array_pairs.empty()) {
    SlurmJob job;
    job.name = "pairs";
    job.script = io::JoinPath(plan.directory, "pairs.sbatch");
    job.array = "0-" + std::to_string(array_pairs.size() - 1);
    job.pairs = array_pairs;
    std::string text = Header(config, plan, "featmerge-pairs", job.array,
                              io::JoinPath(logs, "%x-%A_%a.out"), plan.cpus);
    text += "# One task per pair; the pair's own log is " +
            io::JoinPath(RunDirectory(config), "logs") + "/<pair>.log\nPAIRS=(";
    for (const std::string& pair : array_pairs) text += " " + pair;
    text += " )\nPAIR=${PAIRS[$SLURM_ARRAY_TASK_ID]}\n";
    text += "exec " + run + " --only \"$PAIR\" --report " + Quote(reports + "/") +
            "\"$PAIR.json\"" + args + "\n";
    job.script_text = text;
    plan.jobs.push_back(std::move(job));
  }
  for (const SlurmPairPlan& p : plan.pairs) {
    if (p.done || p.shards == 1) continue;
    int shards_job = -1;
    const std::string n = std::to_string(p.shards);
    if (!p.pending_shards.empty()) {
      SlurmJob job;
      job.name = p.pair + ".shards";
      job.script = io::JoinPath(plan.directory, p.pair + ".shards.sbatch");
      job.array = ArraySpec(p.pending_shards);
      std::string text = Header(config, plan, "featmerge-" + p.pair + "-shards", job.array,
                                io::JoinPath(logs, "%x-%A_%a.out"), plan.cpus);
      text += "# Shard K of " + n + " of " + p.pair + " per task (K = the array index, 1.." + n +
              "); its log is " + PairLogPath(config, p.pair, merge::ShardSpec{1, p.shards}) +
              " with 1 replaced by K\nK=$SLURM_ARRAY_TASK_ID\n";
      text += "exec " + run + " --only " + Quote(p.pair) + " --shard \"$K/" + n + "\" --report " +
              Quote(reports + "/" + p.pair + ".shard-") + "\"$K\"" + Quote("-of-" + n + ".json") +
              args + "\n";
      job.script_text = text;
      shards_job = static_cast<int>(plan.jobs.size());
      plan.jobs.push_back(std::move(job));
    }
    SlurmJob job;
    job.name = p.pair + ".concat";
    job.script = io::JoinPath(plan.directory, p.pair + ".concat.sbatch");
    job.depends_on = shards_job;
    std::string text = Header(config, plan, "featmerge-" + p.pair + "-concat", "",
                              ConcatLogPath(config, p.pair), 1);
    std::vector<std::string> fragments;
    for (int k = 1; k <= p.shards; k++) {
      fragments.push_back(PairOutputPath(config, p.pair, merge::ShardSpec{k, p.shards}));
    }
    const std::string output = PairOutputPath(config, p.pair);
    text += "# Joins the " + n + " fragments of " + p.pair +
            " (no re-encoding), then checks the result.\n";
    text +=
        "echo \"==== $(date -u +%Y-%m-%dT%H:%M:%SZ) featmerge run: concat: job ${SLURM_JOB_ID:-?} "
        "on "
        "$(hostname)\"\n";
    text += Quote(o.exe) + " concat" + QuoteAll(fragments) + " -o " + Quote(output) + "\nrc=$?\n";
    if (config.check) {
      text +=
          "if [ $rc -eq 0 ]; then " + Quote(o.exe) + " check " + Quote(output) + "; rc=$?; fi\n";
    }
    text +=
        "echo \"==== $(date -u +%Y-%m-%dT%H:%M:%SZ) concat finished with code $rc\"\nexit $rc\n";
    job.script_text = text;
    plan.jobs.push_back(std::move(job));
  }
  if (plan.jobs.empty()) return plan;

  FM_RETURN_IF_ERROR(fs->CreateDirs(logs));
  FM_RETURN_IF_ERROR(fs->CreateDirs(reports));
  FM_RETURN_IF_ERROR(fs->CreateDirs(io::JoinPath(RunDirectory(config), "logs")));
  std::string submit = "#!/bin/bash\n# The sbatch calls of `featmerge run " + config.config_path +
                       " --slurm --submit`, to run by hand.\nset -eu\n";
  for (size_t i = 0; i < plan.jobs.size(); i++) {
    const SlurmJob& job = plan.jobs[i];
    FM_RETURN_IF_ERROR(WriteScript(job.script, job.script_text));
    const std::string var = "job" + std::to_string(i);
    submit += var + "=$(sbatch --parsable " +
              (job.depends_on >= 0
                   ? "--dependency=afterok:${job" + std::to_string(job.depends_on) + "%%;*} "
                   : "") +
              Quote(job.script) + ")\necho \"" + job.name + ": job ${" + var + "%%;*}\"\n";
  }
  plan.submit_script = io::JoinPath(plan.directory, "submit.sh");
  FM_RETURN_IF_ERROR(WriteScript(plan.submit_script, submit));
  FM_RETURN_IF_ERROR(WriteSubmission(config, plan, false));
  return plan;
}

Status SubmitSlurmJobs(const RunConfig& config, SlurmPlan* plan, const SlurmOptions& o) {
  const std::string sbatch_log = io::JoinPath(plan->directory, "sbatch.log");
  for (SlurmJob& job : plan->jobs) {
    std::vector<std::string> argv = {FindProgram(o.sbatch), "--parsable"};
    if (job.depends_on >= 0) {
      argv.push_back("--dependency=afterok:" +
                     plan->jobs[static_cast<size_t>(job.depends_on)].job_id);
    }
    argv.push_back(job.script);
    auto info = io::DefaultFileSystem()->Stat(sbatch_log);
    const uint64_t offset = info.ok() ? info->size : 0;
    (void)AppendToFile(sbatch_log, "==== " + NowUtc() + " " + CommandLineText(argv) + "\n");
    FM_ASSIGN_OR_RETURN(auto child, ChildProcess::Spawn({argv, sbatch_log, true}));
    std::vector<std::string> lines;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(kSbatchTimeoutSeconds);
    while (!child->CheckExited() && std::chrono::steady_clock::now() < deadline) {
      child->ReadLines(&lines);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    child->ReadLines(&lines);
    std::string id = lines.empty() ? "" : lines.back().substr(0, lines.back().find(';'));
    const bool numeric = !id.empty() && std::all_of(id.begin(), id.end(),
                                                    [](char c) { return c >= '0' && c <= '9'; });
    if (!child->exited() || child->exit_code() != 0 || !numeric) {
      auto text = io::ReadWholeFile(io::DefaultFileSystem(), sbatch_log, 64ull << 20);
      std::string why = !child->exited()
                            ? "no answer after " + std::to_string(kSbatchTimeoutSeconds) + " s"
                            : "exit code " + std::to_string(child->exit_code());
      if (text.ok() && text->size() > offset) {
        std::string tail = text->substr(offset);
        while (!tail.empty() && tail.back() == '\n') tail.pop_back();
        const size_t nl = tail.rfind('\n');
        why += ": " + (nl == std::string::npos ? tail : tail.substr(nl + 1));
      }
      (void)WriteSubmission(config, *plan, true);  // the jobs submitted so far
      return Status::IOError("sbatch " + job.script + " failed (" + why + "); see " + sbatch_log);
    }
    job.job_id = id;
  }
  return WriteSubmission(config, *plan, true);
}

std::string FormatSlurmPlan(const SlurmPlan& plan, bool submitted) {
  std::string out;
  int done = 0;
  for (const SlurmPairPlan& p : plan.pairs) done += p.done ? 1 : 0;
  out += std::to_string(plan.pairs.size()) + " pairs: " + std::to_string(done) +
         " done (left out), " + std::to_string(plan.pairs.size() - static_cast<size_t>(done)) +
         " to run\n";
  if (plan.jobs.empty()) return out + "nothing to submit\n";
  out += "each task: --mem=" + std::to_string((plan.mem_bytes + (1 << 20) - 1) >> 20) +
         "M --cpus-per-task=" + std::to_string(plan.cpus) + " (merge budget " +
         FormatBytes(plan.task_budget) + ")\n";
  for (const SlurmJob& job : plan.jobs) {
    out += "  " + job.name + ": " + job.script;
    if (!job.array.empty()) out += " (array " + job.array + ")";
    if (job.depends_on >= 0) out += " after " + plan.jobs[static_cast<size_t>(job.depends_on)].name;
    if (!job.job_id.empty()) out += ": job " + job.job_id;
    out += "\n";
  }
  if (!submitted)
    out += "submit with: bash " + plan.submit_script + "  (or run again with --submit)\n";
  return out;
}

}  // namespace featmerge::pipeline

// `featmerge run pipeline.toml --slurm [--submit]`: the run as Slurm batch jobs. Pairs whose
// output is not done become one job array (one task per pair, each `featmerge run
// pipeline.toml --only <pair>`); a pair with shards > 1 becomes an array of its pending shards
// (`featmerge run ... --only <pair> --shard K/N`) plus a concat job that depends on it
// (--dependency=afterok). Each task gets --mem and --cpus-per-task from the config's memory
// budget share and threads, and is passed the same share, so a task merges with exactly the
// options (and the row-group size) of a local run: its output is byte-identical. Re-submitting
// is safe: done pairs and shards are left out, interrupted ones resume from their journals,
// and the output lock keeps two tasks from writing one output. Scripts, the submission record
// (slurm/submission.json) and Slurm's own output live in <run directory>/slurm/.
// See docs/slurm.md. Thread-safety: call from one thread (submission forks sbatch).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "pipeline/config.h"

namespace featmerge::pipeline {

struct SlurmOptions {
  std::string exe;     // absolute path of the featmerge binary, as the compute nodes see it
  std::string config;  // absolute path of the config file, as the compute nodes see it
  // Added to every task's `featmerge run` (the command line's overrides: --compression ...).
  std::vector<std::string> run_args;
  bool submit = false;            // run sbatch; otherwise only write the scripts
  std::string sbatch = "sbatch";  // the sbatch program
};

struct SlurmJob {
  std::string name;    // "pairs", "<pair>.shards", "<pair>.concat"
  std::string script;  // the sbatch script
  std::string script_text;
  std::string array;               // --array value ("0-2", "1,3"), "" for a single job
  int depends_on = -1;             // index in SlurmPlan::jobs of the job it waits for (afterok)
  std::string job_id;              // set by SubmitSlurmJobs
  std::vector<std::string> pairs;  // the pairs of a "pairs" array, by task index
};

struct SlurmPairPlan {
  std::string pair;
  int shards = 1;
  bool done = false;                // up to date: left out
  std::vector<int> pending_shards;  // shards not yet written (sharded pairs)
};

struct SlurmPlan {
  std::string directory;     // <run directory>/slurm
  uint64_t task_budget = 0;  // --memory-budget of each task's merge
  uint64_t mem_bytes = 0;    // --mem of each task: the budget plus kSlurmTaskOverhead
  int cpus = 1;              // --cpus-per-task (and the merge's --threads)
  std::vector<SlurmPairPlan> pairs;
  std::vector<SlurmJob> jobs;  // in submission order (a job after the one it depends on)
  std::string submit_script;   // slurm/submit.sh: the same sbatch calls, to run by hand
};

// Memory a task needs beyond its merge's budget: the `run` parent and the check child.
inline constexpr uint64_t kSlurmTaskOverhead = 256ull << 20;

// Decides what is pending (config.pairs, in order; config.slurm for shards and resources) and
// writes the scripts, slurm/submit.sh and slurm/submission.json (without job ids). A plan with
// no jobs (everything done) writes nothing. InvalidArgument for settings that cannot work
// (split_columns with shards, a budget share below merge's minimum).
Result<SlurmPlan> WriteSlurmScripts(const RunConfig& config, const SlurmOptions& options);
// Runs sbatch for every job of `plan` in order (with --parsable and, for concat jobs,
// --dependency=afterok:<shards job>), records the job ids in plan->jobs and in
// slurm/submission.json. IOError naming the script and sbatch's message when sbatch fails.
Status SubmitSlurmJobs(const RunConfig& config, SlurmPlan* plan, const SlurmOptions& options);
// What was written (and submitted): one line per job, for the terminal.
std::string FormatSlurmPlan(const SlurmPlan& plan, bool submitted);

// An output (possibly split into column parts) is done: renamed into place with its manifest,
// no journal left.
bool OutputDone(const std::string& output);

}  // namespace featmerge::pipeline

// RunConfig: what `featmerge run pipeline.toml` is told by its TOML file: where each pair's
// inputs and output live ({pair} patterns), the merge options shared by every pair, the run's
// own settings (jobs, budget, checks) and the pairs. Errors name the file, the line and the key.
// Thread-safety: pure functions; a RunConfig is a plain value.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "merge/options.h"

namespace featmerge::pipeline {

// [slurm]: how `featmerge run --slurm` asks Slurm for resources (docs/slurm.md).
struct SlurmSettings {
  std::string partition;  // "" = the cluster's default
  std::string account;
  std::string time;                      // a time limit per task, e.g. "12:00:00"
  std::vector<std::string> sbatch_args;  // more #SBATCH lines, e.g. "--qos=batch"
  int shards = 1;                        // machines per pair (1 = the whole pair in one task)
  std::map<std::string, int> pair_shards;  // per pair, overriding `shards`
  int ShardsFor(const std::string& pair) const {
    auto it = pair_shards.find(pair);
    return it == pair_shards.end() ? shards : it->second;
  }
};

struct RunConfig {
  std::string config_path;  // the file it was read from ("" when parsed from text only)
  // [paths]: patterns with "{pair}"; relative paths are resolved against the config's directory.
  std::string input_pattern;   // the directory of a pair's feature tables
  std::string output_pattern;  // the training file of a pair
  // [merge]: every merge option; input_dir and output are unset (they come from the patterns).
  // memory_budget here is the whole run's budget, shared by the concurrent merges.
  merge::MergeOptions merge;
  bool memory_budget_set = false;  // false: 1 GiB per concurrent merge (merge's own default)
  // [run]
  int jobs = 1;            // concurrent merges
  bool fail_fast = false;  // stop everything at the first pair that fails
  bool check = true;       // run `featmerge check` on every output written
  std::string schema;      // reference schema file (Parquet or JSON); "" = the first pair's
  // [pairs]
  std::vector<std::string> pairs;  // in the config's order; unique, plain names
  SlurmSettings slurm;
};

// Reads and validates `path`. InvalidArgument for every problem (missing or unreadable file,
// TOML syntax, unknown section or key, wrong type, bad value), as one line:
// "<path>:<line>: <what is wrong>".
Result<RunConfig> LoadRunConfig(const std::string& path);
// Same from text; `path` names the file in messages and anchors relative paths.
Result<RunConfig> ParseRunConfig(std::string_view text, const std::string& path);

// `pattern` with every "{pair}" replaced by `pair`.
std::string ExpandPair(const std::string& pattern, const std::string& pair);
// The directory holding every output (the output pattern's deepest directory without
// "{pair}"): run-report.json and logs/ go there.
std::string RunDirectory(const RunConfig& config);

// The commented example config written by `featmerge run --init` (the reference job's 28
// major and cross pairs). It parses with ParseRunConfig.
std::string ExampleConfig();
// The 28 pairs of the reference job: the 7 majors, then their crosses.
const std::vector<std::string>& ReferencePairs();

}  // namespace featmerge::pipeline

// Where `featmerge run` keeps each pair's files in the run directory (RunDirectory): the
// outputs (or, for a pair split over machines, its shard fragments), logs/<pair>.log,
// logs/<pair>.progress.json, and the Slurm files under slurm/. One place, shared by the batch,
// the Slurm script writer and `run --status`, so they always agree.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "merge/shard.h"
#include "pipeline/config.h"

namespace featmerge::pipeline {

// The pair's output, or with an active `shard` its fragment (merge::FragmentPath).
std::string PairOutputPath(const RunConfig& config, const std::string& pair,
                           const merge::ShardSpec& shard = {});
// logs/<pair>.log, or logs/<pair>.shard-K-of-N.log.
std::string PairLogPath(const RunConfig& config, const std::string& pair,
                        const merge::ShardSpec& shard = {});
// logs/<pair>.concat.log: the concat task of a sharded pair.
std::string ConcatLogPath(const RunConfig& config, const std::string& pair);
// The progress file `run` keeps up to date beside a log: x.log -> x.progress.json.
std::string ProgressPath(const std::string& log_path);
// <run directory>/slurm: scripts, the submission record, Slurm's own output and task reports.
std::string SlurmDirectory(const RunConfig& config);

}  // namespace featmerge::pipeline

#include "pipeline/run_paths.h"

#include "io/file.h"

namespace featmerge::pipeline {
namespace {

std::string ShardSuffix(const merge::ShardSpec& shard) {
  if (!shard.active()) return "";
  return ".shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count);
}

}  // namespace

std::string PairOutputPath(const RunConfig& config, const std::string& pair,
                           const merge::ShardSpec& shard) {
  const std::string output = ExpandPair(config.output_pattern, pair);
  return shard.active() ? merge::FragmentPath(output, shard) : output;
}

std::string PairLogPath(const RunConfig& config, const std::string& pair,
                        const merge::ShardSpec& shard) {
  return io::JoinPath(io::JoinPath(RunDirectory(config), "logs"),
                      pair + ShardSuffix(shard) + ".log");
}

std::string ConcatLogPath(const RunConfig& config, const std::string& pair) {
  return io::JoinPath(io::JoinPath(RunDirectory(config), "logs"), pair + ".concat.log");
}

std::string ProgressPath(const std::string& log_path) {
  const std::string ext = ".log";
  std::string stem = log_path;
  if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0) {
    stem.resize(stem.size() - ext.size());
  }
  return stem + ".progress.json";
}

std::string SlurmDirectory(const RunConfig& config) {
  return io::JoinPath(RunDirectory(config), "slurm");
}

}  // namespace featmerge::pipeline

#include "pipeline/run_commands.h"

#include <algorithm>

#include "io/file.h"
#include "merge/options.h"
#include "pipeline/child_process.h"

namespace featmerge::pipeline {
namespace {

// Only the last part of a log is searched: the error is the child's last line.
constexpr uint64_t kLogTailBytes = 64 << 10;

std::string CompressionArg(parquet::Compression c) {
  switch (c) {
    case parquet::Compression::kZstd:
      return "zstd";
    case parquet::Compression::kSnappy:
      return "snappy";
    case parquet::Compression::kLz4:
    case parquet::Compression::kLz4Raw:
      return "lz4";
    case parquet::Compression::kGzip:
      return "gzip";
    case parquet::Compression::kBrotli:
      return "brotli";
    default:
      return "none";
  }
}

}  // namespace

std::vector<std::string> MergeCommand(const RunConfig& config, const BatchOptions& options,
                                      const PairResult& r) {
  const merge::MergeOptions& m = config.merge;
  std::vector<std::string> a = {options.exe,
                                "merge",
                                r.input,
                                "-o",
                                r.output,
                                "--json",
                                "--spine",
                                m.spine,
                                "--key",
                                m.key,
                                "--memory-budget",
                                std::to_string(r.memory_budget),
                                "--threads",
                                std::to_string(r.threads),
                                "--compression",
                                CompressionArg(m.compression),
                                "--compression-level",
                                std::to_string(m.compression_level),
                                "--on-duplicate-key",
                                merge::DuplicatePolicyName(m.on_duplicate_key),
                                "--on-name-clash",
                                merge::ClashPolicyName(m.on_name_clash)};
  for (const std::string& glob : m.table_globs)
    a.insert(a.end(), {"--tables", ExpandPair(glob, r.pair)});
  if (!m.manifest_file.empty())
    a.insert(a.end(), {"--manifest", ExpandPair(m.manifest_file, r.pair)});
  if (m.expect_tables >= 0) a.insert(a.end(), {"--expect-tables", std::to_string(m.expect_tables)});
  if (!m.require_marker.empty()) a.insert(a.end(), {"--require-marker", m.require_marker});
  if (m.row_group_bytes != merge::MergeOptions().row_group_bytes)
    a.insert(a.end(), {"--row-group-size", std::to_string(m.row_group_bytes)});
  if (m.row_group_rows > 0)
    a.insert(a.end(), {"--row-group-rows", std::to_string(m.row_group_rows)});
  if (m.split_rows > 0) a.insert(a.end(), {"--split-rows", std::to_string(m.split_rows)});
  if (m.split_by != merge::SplitBy::kNone)
    a.insert(a.end(), {"--split-by", m.split_by == merge::SplitBy::kDay ? "day" : "month"});
  if (m.split_columns > 0) a.insert(a.end(), {"--split-columns", std::to_string(m.split_columns)});
  for (const std::string& glob : m.exclude_table_globs)
    a.insert(a.end(), {"--exclude-tables", ExpandPair(glob, r.pair)});
  for (const std::string& glob : m.column_globs) a.insert(a.end(), {"--columns", glob});
  for (const std::string& glob : m.exclude_column_globs) a.insert(a.end(), {"--exclude", glob});
  // Join rules keep their order: per setting, the first matching rule wins in the child too.
  for (const merge::JoinRule& rule : m.join_rules) {
    if (rule.asof) a.insert(a.end(), {"--join", rule.match + (*rule.asof ? "=asof" : "=exact")});
    if (rule.tolerance) a.insert(a.end(), {"--tolerance", rule.match + "=" + *rule.tolerance});
    if (rule.allow_exact_matches) {
      a.insert(a.end(), {"--allow-exact-matches",
                         rule.match + (*rule.allow_exact_matches ? "=true" : "=false")});
    }
  }
  if (!m.from.empty()) a.insert(a.end(), {"--from", m.from});
  if (!m.to.empty()) a.insert(a.end(), {"--to", m.to});
  if (!m.write_crc) a.push_back("--no-crc");
  if (!m.page_index) a.push_back("--no-page-index");
  if (!m.copy_chunks) a.push_back("--reencode");
  if (m.statistics != merge::StatisticsScope::kKey)
    a.insert(a.end(), {"--statistics", merge::StatisticsScopeName(m.statistics)});
  if (options.shard.active()) a.insert(a.end(), {"--shard", options.shard.Text()});
  if (options.force) a.push_back("--force");
  if (options.restart) a.push_back("--restart");
  return a;
}

std::string CommandLineText(const std::vector<std::string>& argv) {
  std::string out;
  for (size_t i = 0; i < argv.size(); i++) {
    const std::string arg = i == 0 && argv[0] == "/proc/self/exe" ? SelfExecutablePath() : argv[i];
    const bool plain = !arg.empty() && arg.find_first_of(" \t'\"\\$*?{}") == std::string::npos;
    out += (out.empty() ? "" : " ") + (plain ? arg : "'" + arg + "'");
  }
  return out;
}

std::string ErrorLineFromLog(const std::string& log, uint64_t offset) {
  auto file = io::DefaultFileSystem()->OpenForRead(log);
  if (!file.ok()) return "";
  const uint64_t size = (*file)->size();
  if (size <= offset) return "";
  const uint64_t start = std::max(offset, size > kLogTailBytes ? size - kLogTailBytes : 0);
  ByteBuffer buf;
  if (!(*file)->ReadAt(start, size - start, &buf).ok()) return "";
  const std::string text(buf.begin(), buf.end());
  const std::string prefix = "featmerge: ";
  std::string found;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    if (text.compare(pos, prefix.size(), prefix) == 0) {
      found = text.substr(pos + prefix.size(), nl - pos - prefix.size());
    }
    pos = nl + 1;
  }
  return found;
}

}  // namespace featmerge::pipeline

#include "merge/manifest.h"

#include <nlohmann/json.hpp>

#include "merge/merge.h"

namespace featmerge::merge {

std::string ManifestJson(const MergePlan& plan, const MergeSummary& s) {
  const MergeOptions& o = plan.options;
  nlohmann::json j;
  j["format"] = "featmerge-manifest";
  j["format_version"] = 1;
  j["featmerge_version"] = FEATMERGE_VERSION;
  j["fingerprint"] = s.fingerprint.empty() ? plan.fingerprint : s.fingerprint;
  if (!s.shard_info.empty()) {
    j["shard"] = nlohmann::json::parse(s.shard_info, nullptr, /*allow_exceptions=*/false);
  }
  j["output"] = {{"path", s.output},
                 {"rows", s.rows},
                 {"columns", s.columns},
                 {"row_groups", s.row_groups},
                 {"bytes", s.output_bytes},
                 {"footer_bytes", s.footer_bytes}};
  if (s.outputs.size() > 1) j["output"]["parts"] = s.outputs;
  nlohmann::json inputs = nlohmann::json::array();
  for (size_t i = 0; i < plan.tables.size(); i++) {
    const SourceTable& t = plan.tables[i];
    inputs.push_back({{"name", t.name},
                      {"role", i == 0 ? "spine" : "table"},
                      {"path", t.path},
                      {"bytes", t.info.size},
                      {"mtime_ns", t.info.mtime_ns},
                      {"footer_hash", t.footer_hash},
                      {"rows", t.num_rows},
                      {"columns", t.num_output_columns}});
  }
  j["inputs"] = inputs;
  j["options"] = {{"key", o.key},
                  {"spine", o.spine},
                  {"compression", parquet::CompressionName(o.compression)},
                  {"compression_level", o.compression_level},
                  {"row_group_rows", plan.row_group_rows},
                  {"on_duplicate_key", DuplicatePolicyName(o.on_duplicate_key)},
                  {"on_name_clash", ClashPolicyName(o.on_name_clash)},
                  {"statistics", StatisticsScopeName(o.statistics)},
                  {"memory_budget", o.memory_budget},
                  {"threads", plan.threads}};
  j["run"] = {{"seconds", s.seconds},
              {"peak_rss_bytes", s.peak_rss},
              {"input_bytes", s.input_bytes},
              {"resumed", s.resumed}};
  return j.dump(2) + "\n";
}

Status WriteManifest(io::FileSystem* fs, const std::string& path, const std::string& json) {
  return io::WriteFileAtomic(fs, path, AsBytes(json));
}

Result<std::string> ReadManifestFingerprint(io::FileSystem* fs, const std::string& path,
                                            uint64_t* output_bytes) {
  FM_ASSIGN_OR_RETURN(std::string text, io::ReadWholeFile(fs, path, 256ull << 20));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("fingerprint") ||
      !j["fingerprint"].is_string() || !j.contains("output") || !j["output"].is_object()) {
    return Status::Corruption("manifest '" + path + "' is not valid");
  }
  *output_bytes = j["output"].value("bytes", uint64_t{0});
  return j["fingerprint"].get<std::string>();
}

}  // namespace featmerge::merge

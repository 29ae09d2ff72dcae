#include "merge/manifest.h"

#include <nlohmann/json.hpp>

#include "merge/merge.h"

namespace featmerge::merge {
namespace {

const char* SplitByName(SplitBy s) {
  return s == SplitBy::kDay ? "day" : s == SplitBy::kMonth ? "month" : "none";
}

// Only the settings a rule sets, so that reading it back gives the same rule.
nlohmann::json JoinRulesJson(const std::vector<JoinRule>& rules) {
  nlohmann::json out = nlohmann::json::array();
  for (const JoinRule& r : rules) {
    nlohmann::json rule = {{"match", r.match}};
    if (r.asof) rule["join"] = *r.asof ? "asof" : "exact";
    if (r.tolerance) rule["tolerance"] = *r.tolerance;
    if (r.allow_exact_matches) rule["allow_exact_matches"] = *r.allow_exact_matches;
    out.push_back(rule);
  }
  return out;
}

// A recorded string list into *out; absent leaves *out. False: present but not a string list.
bool ReadStrings(const nlohmann::json& options, const char* name, std::vector<std::string>* out) {
  auto it = options.find(name);
  if (it == options.end() || it->is_null()) return true;
  if (!it->is_array()) return false;
  std::vector<std::string> values;
  for (const nlohmann::json& v : *it) {
    if (!v.is_string()) return false;
    values.push_back(v.get<std::string>());
  }
  *out = std::move(values);
  return true;
}

bool ReadString(const nlohmann::json& options, const char* name, std::string* out) {
  auto it = options.find(name);
  if (it == options.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

bool ReadJoinRules(const nlohmann::json& options, std::vector<JoinRule>* out) {
  auto it = options.find("join");
  if (it == options.end() || it->is_null()) return true;
  if (!it->is_array()) return false;
  std::vector<JoinRule> rules;
  for (const nlohmann::json& r : *it) {
    if (!r.is_object() || !r.contains("match") || !r["match"].is_string()) return false;
    JoinRule rule;
    rule.match = r["match"].get<std::string>();
    if (r.contains("join")) {
      if (!r["join"].is_string()) return false;
      const std::string join = r["join"].get<std::string>();
      if (join != "asof" && join != "exact") return false;
      rule.asof = join == "asof";
    }
    if (r.contains("tolerance")) {
      if (!r["tolerance"].is_string()) return false;
      rule.tolerance = r["tolerance"].get<std::string>();
    }
    if (r.contains("allow_exact_matches")) {
      if (!r["allow_exact_matches"].is_boolean()) return false;
      rule.allow_exact_matches = r["allow_exact_matches"].get<bool>();
    }
    rules.push_back(std::move(rule));
  }
  *out = std::move(rules);
  return true;
}

}  // namespace

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
                  {"threads", plan.threads},
                  {"row_group_bytes", o.row_group_bytes},
                  {"page_index", o.page_index},
                  {"copy_chunks", o.copy_chunks},
                  {"write_crc", o.write_crc},
                  {"tables", o.table_globs},
                  {"exclude_tables", o.exclude_table_globs},
                  {"columns", o.column_globs},
                  {"exclude_columns", o.exclude_column_globs},
                  {"join", JoinRulesJson(o.join_rules)},
                  {"from", o.from.empty() ? nlohmann::json() : nlohmann::json(o.from)},
                  {"to", o.to.empty() ? nlohmann::json() : nlohmann::json(o.to)},
                  {"split_rows", o.split_rows},
                  {"split_by", SplitByName(o.split_by)},
                  {"split_columns", o.split_columns}};
  j["run"] = {{"seconds", s.seconds},
              {"peak_rss_bytes", s.peak_rss},
              {"input_bytes", s.input_bytes},
              {"resumed", s.resumed}};
  return j.dump(2) + "\n";
}

Status WriteManifest(io::FileSystem* fs, const std::string& path, const std::string& json) {
  return io::WriteFileAtomic(fs, path, AsBytes(json));
}

Status ReadManifestOptions(const std::string& text, const std::string& path,
                           MergeOptions* options) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("options") || !j["options"].is_object()) {
    return Status::Corruption("manifest '" + path + "' is not valid: no \"options\" object");
  }
  const nlohmann::json& o = j["options"];
  MergeOptions out = *options;
  std::string dup, clash;
  bool ok = ReadString(o, "key", &out.key) && ReadString(o, "spine", &out.spine) &&
            ReadString(o, "on_duplicate_key", &dup) && ReadString(o, "on_name_clash", &clash) &&
            ReadStrings(o, "tables", &out.table_globs) &&
            ReadStrings(o, "exclude_tables", &out.exclude_table_globs) &&
            ReadStrings(o, "columns", &out.column_globs) &&
            ReadStrings(o, "exclude_columns", &out.exclude_column_globs) &&
            ReadJoinRules(o, &out.join_rules) && ReadString(o, "from", &out.from) &&
            ReadString(o, "to", &out.to);
  if (dup == "first") {
    out.on_duplicate_key = DuplicatePolicy::kFirst;
  } else if (dup == "last") {
    out.on_duplicate_key = DuplicatePolicy::kLast;
  } else if (dup == "error") {
    out.on_duplicate_key = DuplicatePolicy::kError;
  } else {
    ok = ok && dup.empty();
  }
  if (clash == "prefix") {
    out.on_name_clash = ClashPolicy::kPrefix;
  } else if (clash == "error") {
    out.on_name_clash = ClashPolicy::kError;
  } else {
    ok = ok && clash.empty();
  }
  if (!ok) {
    return Status::Corruption("manifest '" + path +
                              "' is not valid: an entry of \"options\" has the wrong type or "
                              "an unknown value");
  }
  *options = std::move(out);
  return Status::OK();
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

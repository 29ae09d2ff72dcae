#include "merge/shard.h"

#include <nlohmann/json.hpp>

namespace featmerge::merge {

std::string ShardSpec::Text() const { return std::to_string(index) + "/" + std::to_string(count); }

Result<ShardSpec> ParseShardSpec(const std::string& text) {
  const size_t slash = text.find('/');
  auto number = [](const std::string& s, int* out) {
    if (s.empty() || s.size() > 6) return false;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    *out = std::stoi(s);
    return true;
  };
  ShardSpec spec;
  if (slash == std::string::npos || !number(text.substr(0, slash), &spec.index) ||
      !number(text.substr(slash + 1), &spec.count) || spec.count < 1 || spec.index < 1 ||
      spec.index > spec.count || spec.count > kMaxShards) {
    return Status::InvalidArgument("--shard '" + text + "' must be K/N with 1 <= K <= N <= " +
                                   std::to_string(kMaxShards) + " (shards are numbered from 1)");
  }
  return spec;
}

void ShardRowGroups(int64_t total_row_groups, const ShardSpec& spec, int64_t* first, int64_t* end) {
  // floor((K-1) * T / N) .. floor(K * T / N): contiguous, covering, sizes differ by at most one.
  *first = (static_cast<int64_t>(spec.index) - 1) * total_row_groups / spec.count;
  *end = static_cast<int64_t>(spec.index) * total_row_groups / spec.count;
}

std::string FragmentPath(const std::string& output, const ShardSpec& spec) {
  std::string stem = output;
  const std::string ext = ".parquet";
  if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0) {
    stem.resize(stem.size() - ext.size());
  }
  return stem + ".shard-" + std::to_string(spec.index) + "-of-" + std::to_string(spec.count) +
         ".parquet";
}

std::string ShardInfoJson(const ShardInfo& s) {
  // Deterministic (no time, no host): the fragment's bytes must not depend on where it ran.
  nlohmann::json j = {{"shard", s.spec.index},
                      {"shards", s.spec.count},
                      {"first_row_group", s.first_row_group},
                      {"row_groups", s.row_groups},
                      {"total_row_groups", s.total_row_groups},
                      {"first_row", s.first_row},
                      {"rows", s.rows},
                      {"total_rows", s.total_rows},
                      {"fingerprint", s.fingerprint}};
  return j.dump();
}

Result<ShardInfo> ParseShardInfo(const std::string& text, const std::string& where) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& what) {
    return Status::Corruption(where + ": its '" + kShardMetadataKey + "' footer entry " + what);
  };
  if (j.is_discarded() || !j.is_object()) return bad("is not a JSON object");
  ShardInfo s;
  auto integer = [&](const char* key, int64_t* out) {
    if (!j.contains(key) || !j[key].is_number_integer()) return false;
    *out = j[key].get<int64_t>();
    return true;
  };
  int64_t index = 0, count = 0;
  if (!integer("shard", &index) || !integer("shards", &count) ||
      !integer("first_row_group", &s.first_row_group) || !integer("row_groups", &s.row_groups) ||
      !integer("total_row_groups", &s.total_row_groups) || !integer("first_row", &s.first_row) ||
      !integer("rows", &s.rows) || !integer("total_rows", &s.total_rows) ||
      !j.contains("fingerprint") || !j["fingerprint"].is_string()) {
    return bad(
        "lacks a field (shard, shards, first_row_group, row_groups, total_row_groups, "
        "first_row, rows, total_rows, fingerprint)");
  }
  if (count < 1 || count > kMaxShards || index < 1 || index > count || s.row_groups < 1 ||
      s.first_row_group < 0 || s.first_row_group + s.row_groups > s.total_row_groups ||
      s.first_row < 0 || s.rows < 0 || s.first_row + s.rows > s.total_rows) {
    return bad("is inconsistent (" + text + ")");
  }
  s.spec.index = static_cast<int>(index);
  s.spec.count = static_cast<int>(count);
  s.fingerprint = j["fingerprint"].get<std::string>();
  return s;
}

}  // namespace featmerge::merge

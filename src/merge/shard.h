// Shards of one output: `featmerge merge --shard K/N` writes row-group range K of N of the
// output as a fragment (a valid Parquet file of those rows), and `featmerge concat` joins the
// N fragments into the file a single run writes. This header holds what both sides agree on:
// the K/N notation (shards are numbered 1..N), the row-group ranges, fragment paths and the
// "featmerge.shard" footer entry that identifies a fragment. Format: docs/sharding.md.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace featmerge::merge {

// The footer key-value entry of a fragment (concat drops it: the joined footer has only the
// single run's "featmerge" entry).
inline constexpr char kShardMetadataKey[] = "featmerge.shard";

struct ShardSpec {
  int index = 0;  // 1..count; 0 = not sharded
  int count = 0;
  bool active() const { return count > 0; }
  std::string Text() const;  // "2/3"
};

// "K/N" with 1 <= K <= N <= kMaxShards. InvalidArgument naming the text otherwise.
inline constexpr int kMaxShards = 10000;
Result<ShardSpec> ParseShardSpec(const std::string& text);

// Row groups [*first, *end) of shard `spec` among `total_row_groups`: an even split, the
// earlier shards never larger than the later ones by more than one row group.
// REQUIRES: spec.active() and spec.count <= total_row_groups.
void ShardRowGroups(int64_t total_row_groups, const ShardSpec& spec, int64_t* first, int64_t* end);

// "<dir>/<stem>.shard-K-of-N.parquet" beside `output` (stem: its name without ".parquet").
std::string FragmentPath(const std::string& output, const ShardSpec& spec);

// What a fragment's "featmerge.shard" entry records.
struct ShardInfo {
  ShardSpec spec;
  int64_t first_row_group = 0;   // in the whole output
  int64_t row_groups = 0;        // in this fragment
  int64_t total_row_groups = 0;  // of the whole output
  int64_t first_row = 0;         // in the whole output
  int64_t rows = 0;              // in this fragment
  int64_t total_rows = 0;        // of the whole output
  std::string fingerprint;       // the whole output's plan fingerprint
};

std::string ShardInfoJson(const ShardInfo& info);
// Corruption naming `where` when the text is not a complete, consistent entry.
Result<ShardInfo> ParseShardInfo(const std::string& json, const std::string& where);

}  // namespace featmerge::merge

#include "merge/split.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include <nlohmann/json.hpp>

#include "io/probes.h"
#include "merge/key_column.h"
#include "merge/time_range.h"
#include "parquet/file_reader.h"

namespace featmerge::merge {
namespace {

constexpr int64_t kNanosPerDay = 86400LL * 1000000000LL;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of a normalized timestamp (ns) or date (days) key.
int64_t DayOf(const KeyType& type, int64_t key) {
  return type.kind == KeyKind::kDate ? key : FloorDiv(key, kNanosPerDay);
}

// The normalized key of the first instant of day `day`.
int64_t KeyOfDay(const KeyType& type, int64_t day) {
  return type.kind == KeyKind::kDate ? day : day * kNanosPerDay;
}

// First day of the month holding `day`, and the first day of the next month.
void MonthBounds(int64_t day, int64_t* first, int64_t* next, std::string* label) {
  std::time_t t = static_cast<std::time_t>(day * 86400);
  std::tm tm_buf{};
  gmtime_r(&t, &tm_buf);
  std::tm start{};
  start.tm_year = tm_buf.tm_year;
  start.tm_mon = tm_buf.tm_mon;
  start.tm_mday = 1;
  std::tm following = start;
  following.tm_mon += 1;  // timegm normalizes December + 1
  *first = static_cast<int64_t>(timegm(&start)) / 86400;
  *next = static_cast<int64_t>(timegm(&following)) / 86400;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d", tm_buf.tm_year + 1900, tm_buf.tm_mon + 1);
  *label = buf;
}

std::string DayLabel(int64_t day) {
  std::time_t t = static_cast<std::time_t>(day * 86400);
  std::tm tm_buf{};
  gmtime_r(&t, &tm_buf);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm_buf);
  return buf;
}

// The option text of a normalized key (what --from/--to parse back to the same key).
std::string KeyOption(const KeyType& type, int64_t key) { return KeyText(type, key, nullptr); }

}  // namespace

std::string SplitPartPath(const std::string& dir, size_t part) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "part-%05zu.parquet", part);
  return io::JoinPath(dir, buf);
}

Result<std::vector<SplitPart>> PlanSplit(const MergeOptions& o, io::FileSystem* fs) {
  const std::string spine_path = io::JoinPath(o.input_dir, o.spine);
  FM_ASSIGN_OR_RETURN(auto reader, parquet::ParquetFileReader::Open(fs, spine_path));
  const int key_column = reader->schema().FindColumn(o.key);
  if (key_column < 0) return Status::NotFound("'" + spine_path + "' has no key column '" + o.key + "'");
  FM_ASSIGN_OR_RETURN(KeyType type, KeyTypeOf(reader->schema().column(key_column), spine_path));
  if (type.kind == KeyKind::kString) {
    return Status::InvalidArgument("--split-rows/--split-by need an ordered key; '" + o.key +
                                   "' in '" + spine_path + "' is a string");
  }
  if (o.split_by != SplitBy::kNone && type.kind != KeyKind::kTimestamp && type.kind != KeyKind::kDate) {
    return Status::InvalidArgument("--split-by needs a timestamp or date key; '" + o.key + "' in '" +
                                   spine_path + "' is " + type.description);
  }
  FM_ASSIGN_OR_RETURN(KeyRange range, ResolveKeyRange(o, type));
  StringKeyDictionary no_dict;
  FM_ASSIGN_OR_RETURN(KeyColumn keys, ReadKeyColumn(*reader, key_column, type, &no_dict, false));

  std::vector<SplitPart> parts;
  if (o.split_by != SplitBy::kNone) {
    // Rows per period (only periods that hold spine rows become parts).
    std::vector<std::pair<int64_t, int64_t>> period_rows;  // (first day of period, rows)
    std::vector<int64_t> starts;
    for (size_t r = 0; r < keys.values.size(); r++) {
      if (!keys.IsValid(r) || !range.Contains(keys.values[r])) continue;
      const int64_t day = DayOf(type, keys.values[r]);
      int64_t first = day, next = day + 1;
      std::string label;
      if (o.split_by == SplitBy::kMonth) MonthBounds(day, &first, &next, &label);
      starts.push_back(first);
    }
    std::sort(starts.begin(), starts.end());
    for (size_t i = 0; i < starts.size();) {
      size_t j = i;
      while (j < starts.size() && starts[j] == starts[i]) j++;
      int64_t first = starts[i], next = first + 1;
      std::string label = DayLabel(first);
      if (o.split_by == SplitBy::kMonth) MonthBounds(first, &first, &next, &label);
      SplitPart part;
      part.from = KeyOption(type, std::max(range.lo, KeyOfDay(type, first)));
      part.to = KeyOption(type, std::min(range.hi, KeyOfDay(type, next)));
      part.label = label;
      part.rows = static_cast<int64_t>(j - i);
      parts.push_back(std::move(part));
      i = j;
    }
  } else {
    if (!keys.sorted || keys.null_count > 0) {
      return Status::InvalidArgument(
          "--split-rows needs a spine sorted by its key without null keys ('" + spine_path + "' is " +
          (keys.null_count > 0 ? "has null keys" : "not sorted") + "); use --split-by day|month instead");
    }
    std::vector<int64_t> in_range;
    for (int64_t k : keys.values) {
      if (range.Contains(k)) in_range.push_back(k);
    }
    const size_t n = static_cast<size_t>(o.split_rows);
    for (size_t b = 0; b < in_range.size(); b += n) {
      const size_t e = std::min(in_range.size(), b + n);
      SplitPart part;
      part.from = KeyOption(type, in_range[b]);
      // The next part's first key ends this one (spine keys are unique: duplicates are an error).
      if (e < in_range.size()) part.to = KeyOption(type, in_range[e]);
      else if (range.hi != INT64_MAX) part.to = KeyOption(type, range.hi);
      part.label = "rows " + std::to_string(b) + "-" + std::to_string(e - 1);
      part.rows = static_cast<int64_t>(e - b);
      parts.push_back(std::move(part));
    }
  }
  if (parts.empty()) {
    return Status::InvalidArgument("the spine '" + spine_path + "' has no rows" +
                                   (range.active ? " in the --from/--to range" : "") + " to split");
  }
  return parts;
}

Result<MergeSummary> RunSplitMerge(const MergeOptions& o, const MergeEnv& env) {
  io::FileSystem* fs = env.fs != nullptr ? env.fs : io::DefaultFileSystem();
  const std::string& dir = o.output;
  if (o.shard.active()) {
    return Status::InvalidArgument("--shard cannot be combined with --split-rows/--split-by");
  }
  FM_ASSIGN_OR_RETURN(std::vector<SplitPart> parts, PlanSplit(o, fs));
  MergeOptions base = o;
  base.split_rows = 0;
  base.split_by = SplitBy::kNone;

  if (o.dry_run) {
    // The plan of the whole output (what every part shares), then the parts.
    FM_ASSIGN_OR_RETURN(MergeSummary summary, RunMerge(base, env));
    for (size_t i = 0; i < parts.size(); i++) summary.outputs.push_back(SplitPartPath(dir, i));
    summary.split_parts = static_cast<int>(parts.size());
    return summary;
  }
  if (fs->Exists(dir)) {
    auto listing = fs->ListDir(dir);
    if (!listing.ok()) {
      return Status::InvalidArgument("--split-rows/--split-by write a directory, and '" + dir +
                                     "' exists but is not one");
    }
  }
  FM_RETURN_IF_ERROR(fs->CreateDirs(dir));
  FM_ASSIGN_OR_RETURN(auto lock, io::FileLock::Acquire(LockPath(dir)));
  // The directory manifest marks a complete set: gone while the set is being rewritten.
  const std::string dir_manifest = io::JoinPath(dir, "_manifest.json");
  FM_RETURN_IF_ERROR(fs->Remove(dir_manifest));

  MergeSummary total;
  total.output = dir;
  total.split_parts = static_cast<int>(parts.size());
  nlohmann::json listed = nlohmann::json::array();
  std::set<std::string> keep;  // this split's part files and their manifests
  for (size_t i = 0; i < parts.size(); i++) {
    MergeOptions po = base;
    po.output = SplitPartPath(dir, i);
    po.from = parts[i].from;
    po.to = parts[i].to;
    FM_ASSIGN_OR_RETURN(MergeSummary s, RunMerge(po, env));
    if (s.rows != parts[i].rows) {
      return Status::Internal("part " + std::to_string(i) + " (" + parts[i].label + ") has " +
                              std::to_string(s.rows) + " rows, the split planned " +
                              std::to_string(parts[i].rows));
    }
    total.rows += s.rows;
    total.columns = s.columns;
    total.tables = s.tables;
    total.row_groups += s.row_groups;
    total.input_bytes = std::max(total.input_bytes, s.input_bytes);
    total.output_bytes += s.output_bytes;
    total.footer_bytes = std::max(total.footer_bytes, s.footer_bytes);
    total.seconds += s.seconds;
    total.peak_rss = std::max(total.peak_rss, s.peak_rss);
    total.pages_read += s.pages_read;
    total.pages_skipped += s.pages_skipped;
    total.chunks_copied += s.chunks_copied;
    total.bytes_read += s.bytes_read;
    total.resumed = total.resumed || s.resumed;
    total.up_to_date = (i == 0 || total.up_to_date) && s.up_to_date;
    const std::vector<std::string> files = s.outputs.empty() ? std::vector<std::string>{s.output} : s.outputs;
    nlohmann::json names = nlohmann::json::array();
    for (const std::string& f : files) {
      total.outputs.push_back(f);
      names.push_back(io::BaseName(f));
      keep.insert(f);
      keep.insert(ManifestPath(f));
    }
    // With --split-columns the part's own manifest sits beside its column files.
    keep.insert(ManifestPath(s.output));
    listed.push_back({{"files", names}, {"label", parts[i].label}, {"rows", s.rows},
                      {"from", parts[i].from}, {"to", parts[i].to.empty() ? nlohmann::json() : nlohmann::json(parts[i].to)},
                      {"bytes", s.output_bytes}, {"fingerprint", s.fingerprint}});
  }
  // Parts of an earlier split of this directory that this one does not have would be read as
  // part of the dataset: remove them (only featmerge's own part files).
  FM_ASSIGN_OR_RETURN(auto names, fs->ListDir(dir));
  for (const std::string& name : names) {
    if (name.rfind("part-", 0) != 0) continue;
    const std::string path = io::JoinPath(dir, name);
    if (keep.count(path) == 0) FM_RETURN_IF_ERROR(fs->Remove(path));
  }
  nlohmann::json manifest = {{"format", "featmerge-split-manifest"},
                             {"version", 1},
                             {"split", o.split_by == SplitBy::kMonth ? "month"
                                       : o.split_by == SplitBy::kDay ? "day"
                                                                     : "rows"},
                             {"split_rows", o.split_rows},
                             {"rows", total.rows},
                             {"columns", total.columns},
                             {"bytes", total.output_bytes},
                             {"parts", listed}};
  const std::string text = manifest.dump(2) + "\n";
  FM_RETURN_IF_ERROR(io::WriteFileAtomic(fs, dir_manifest, AsBytes(text)));
  return total;
}

}  // namespace featmerge::merge

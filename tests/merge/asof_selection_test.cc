// Merges with as-of joins (tolerance, strictness, mixed key units, unsorted tables), column and
// table selection, and --from/--to (the spine's rows in a time range, pruned key reads).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>

#include "io/file.h"
#include "merge/merge.h"
#include "merge/plan.h"
#include "parquet/column_data.h"
#include "parquet/column_reader.h"
#include "parquet/column_writer.h"
#include "parquet/file_writer.h"
#include "parquet/value_text.h"
#include "pipeline/generator.h"
#include "testing/parquet_files.h"
#include "testing/temp_dir.h"

namespace featmerge::merge {
namespace {

constexpr int64_t kMinute = 60LL * 1000000000LL;
constexpr int64_t kJan2024 = 1704067200LL * 1000000000LL;

// Writes `path`: key `interval_time` as TIMESTAMP in `unit` (given in nanoseconds, in the
// given order) and an INT64 column `value_name` with `values`.
void WriteTable(const std::string& path, parquet::TimeUnit unit, const std::vector<int64_t>& keys_ns,
                const std::string& value_name, const std::vector<int64_t>& values) {
  parquet::ColumnDescriptor key;
  key.name = "interval_time";
  key.type = parquet::Type::kInt64;
  key.nullable = false;
  key.logical_type.kind = parquet::LogicalType::Kind::kTimestamp;
  key.logical_type.unit = unit;
  key.logical_type.is_adjusted_to_utc = true;
  const int64_t div = unit == parquet::TimeUnit::kNanos ? 1 : unit == parquet::TimeUnit::kMicros ? 1000 : 1000000;
  parquet::ColumnDescriptor val;
  val.name = value_name;
  val.type = parquet::Type::kInt64;
  val.nullable = false;
  parquet::WriterOptions options;
  auto file = io::DefaultFileSystem()->CreateForAppend(path);
  ASSERT_TRUE(file.ok());
  auto writer = parquet::ParquetFileWriter::Create(file->get(), parquet::Schema({key, val}), options);
  ASSERT_TRUE(writer.ok());
  const int64_t n = static_cast<int64_t>(keys_ns.size());
  parquet::ColumnData k(parquet::Type::kInt64, 0), v(parquet::Type::kInt64, 0);
  for (int64_t i = 0; i < n; i++) {
    k.Append<int64_t>(keys_ns[static_cast<size_t>(i)] / div);
    v.Append<int64_t>(values[static_cast<size_t>(i)]);
  }
  parquet::EncodedChunk chunk;
  ASSERT_TRUE(parquet::ColumnChunkWriter(key, options).Write(k, 0, n, &chunk).ok());
  ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
  ASSERT_TRUE(parquet::ColumnChunkWriter(val, options).Write(v, 0, n, &chunk).ok());
  ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
  ASSERT_TRUE((*writer)->CloseRowGroup(n).ok());
  ASSERT_TRUE((*writer)->Finish({}).ok());
  ASSERT_TRUE((*file)->Close().ok());
}

// The as-of reference: the value of the latest key at or before (strictly before when
// !allow_exact) `spine_key`, within `tolerance` (-1: unlimited); "null" when none.
std::string AsofReference(int64_t spine_key, const std::vector<int64_t>& keys,
                          const std::vector<int64_t>& values, int64_t tolerance, bool allow_exact) {
  std::optional<size_t> best;
  for (size_t i = 0; i < keys.size(); i++) {
    const bool before = allow_exact ? keys[i] <= spine_key : keys[i] < spine_key;
    if (!before || (tolerance >= 0 && spine_key - keys[i] > tolerance)) continue;
    if (!best || keys[i] > keys[*best]) best = i;
  }
  return best ? std::to_string(values[*best]) : "null";
}

// A timestamp cell's JSON text (a count of the column's unit, maybe quoted) as an integer.
int64_t KeyValue(const std::string& cell) {
  return std::stoll(cell.substr(!cell.empty() && cell[0] == '"' ? 1 : 0));
}

class AsofSelectionTest : public ::testing::Test {
 protected:
  MergeOptions Options(const std::string& input, const std::string& out_name) {
    MergeOptions o;
    o.input_dir = input;
    o.output = dir_.Join(out_name);
    o.check_memory = false;
    return o;
  }
  std::string Generate(int tables, int64_t rows, int row_group_rows) {
    pipeline::GenOptions g;
    g.out_dir = dir_.Join("gen");
    g.pairs = {"p"};
    g.tables = tables;
    g.cols = 4;
    g.rows = rows;
    g.seed = 5;
    g.row_group_rows = row_group_rows;
    g.overwrite = true;
    g.threads = 2;
    Status s = pipeline::Generate(g, nullptr);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return g.out_dir + "/p";
  }
  testing::TempDir dir_;
};

TEST_F(AsofSelectionTest, AsofToleranceAndStrictnessAtMixedUnitsMatchTheReference) {
  const std::string in = dir_.Join("in");
  ASSERT_TRUE(io::DefaultFileSystem()->CreateDirs(in).ok());
  std::vector<int64_t> spine_keys, spine_values;
  for (int64_t m = 0; m < 90; m++) {
    spine_keys.push_back(kJan2024 + m * kMinute);
    spine_values.push_back(m);
  }
  WriteTable(in + "/targets.parquet", parquet::TimeUnit::kNanos, spine_keys, "target", spine_values);
  // Unsorted, milliseconds: bars every 10 minutes, one stamped 30 s late.
  std::vector<int64_t> hourly = {kJan2024 + 40 * kMinute, kJan2024, kJan2024 + 10 * kMinute,
                                 kJan2024 + 20 * kMinute + kMinute / 2, kJan2024 + 60 * kMinute};
  std::vector<int64_t> hourly_values = {400, 0, 100, 205, 600};
  WriteTable(in + "/hourly_a.parquet", parquet::TimeUnit::kMillis, hourly, "h_val", hourly_values);
  // Sorted, microseconds, starting before the spine.
  std::vector<int64_t> corr, corr_values;
  for (int64_t m = -3; m < 95; m += 3) {
    corr.push_back(kJan2024 + m * kMinute);
    corr_values.push_back(1000 + m);
  }
  WriteTable(in + "/corr_b.parquet", parquet::TimeUnit::kMicros, corr, "c_val", corr_values);
  // Exact join (the default) next to the as-of ones.
  std::vector<int64_t> even, even_values;
  for (int64_t m = 0; m < 90; m += 2) {
    even.push_back(kJan2024 + m * kMinute);
    even_values.push_back(m * 7);
  }
  WriteTable(in + "/plain_c.parquet", parquet::TimeUnit::kNanos, even, "e_val", even_values);

  MergeOptions o = Options(in, "asof.parquet");
  JoinRule hourly_rule;
  hourly_rule.match = "hourly_*";
  hourly_rule.asof = true;
  hourly_rule.tolerance = "7m";
  JoinRule corr_rule;
  corr_rule.match = "corr_*";
  corr_rule.asof = true;
  corr_rule.allow_exact_matches = false;
  o.join_rules = {hourly_rule, corr_rule};
  o.row_group_rows = 32;  // several output row groups
  auto r = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto cells = testing::ReadCells(o.output);
  ASSERT_EQ(cells["interval_time"].size(), 90u);
  for (size_t i = 0; i < spine_keys.size(); i++) {
    SCOPED_TRACE("spine row " + std::to_string(i));
    EXPECT_EQ(cells["target"][i], std::to_string(i));
    EXPECT_EQ(cells["h_val"][i], AsofReference(spine_keys[i], hourly, hourly_values, 7 * kMinute, true));
    EXPECT_EQ(cells["c_val"][i], AsofReference(spine_keys[i], corr, corr_values, -1, false));
    EXPECT_EQ(cells["e_val"][i], i % 2 == 0 ? std::to_string(i * 7) : "null");
  }
  // Spot checks of the reference itself: 20:00 -> 10:00's bar is 10 min old (> 7m): null;
  // 20:30 bar reaches 21:00..27:30; corr at 03:00 takes 00:00 (strictly before).
  EXPECT_EQ(cells["h_val"][20], "null");
  EXPECT_EQ(cells["h_val"][21], "205");
  EXPECT_EQ(cells["c_val"][3], "1000");

  // The join specs are part of the fingerprint (journal/resume and up-to-date detection).
  MergeOptions exact = Options(in, "exact.parquet");
  auto p1 = BuildPlan(o, io::DefaultFileSystem());
  auto p2 = BuildPlan(exact, io::DefaultFileSystem());
  ASSERT_TRUE(p1.ok() && p2.ok());
  EXPECT_NE((*p1)->fingerprint, (*p2)->fingerprint);
  MergeOptions other_tolerance = o;
  other_tolerance.join_rules[0].tolerance = "8m";
  auto p3 = BuildPlan(other_tolerance, io::DefaultFileSystem());
  ASSERT_TRUE(p3.ok());
  EXPECT_NE((*p1)->fingerprint, (*p3)->fingerprint);
}

TEST_F(AsofSelectionTest, AsofDuplicateKeysFollowThePolicy) {
  const std::string in = dir_.Join("dups");
  ASSERT_TRUE(io::DefaultFileSystem()->CreateDirs(in).ok());
  WriteTable(in + "/targets.parquet", parquet::TimeUnit::kNanos,
             {kJan2024 + 5 * kMinute, kJan2024 + 15 * kMinute}, "target", {1, 2});
  WriteTable(in + "/bars.parquet", parquet::TimeUnit::kMillis,
             {kJan2024, kJan2024 + 10 * kMinute, kJan2024 + 10 * kMinute}, "b", {7, 8, 9});
  MergeOptions o = Options(in, "dups.parquet");
  JoinRule all;
  all.asof = true;
  o.join_rules = {all};
  auto error = RunMerge(o, MergeEnv{});
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.status().message().find("duplicate keys"), std::string::npos);
  o.on_duplicate_key = DuplicatePolicy::kLast;
  ASSERT_TRUE(RunMerge(o, MergeEnv{}).ok());
  EXPECT_EQ(testing::ReadCells(o.output)["b"], (std::vector<std::string>{"7", "9"}));
}

TEST_F(AsofSelectionTest, AsofOnStringKeysIsRefused) {
  const std::string in = dir_.Join("strings");
  ASSERT_TRUE(io::DefaultFileSystem()->CreateDirs(in).ok());
  auto write = [](const std::string& path) {
    parquet::ColumnDescriptor key;
    key.name = "interval_time";
    key.type = parquet::Type::kByteArray;
    key.nullable = false;
    key.logical_type.kind = parquet::LogicalType::Kind::kString;
    parquet::WriterOptions options;
    auto file = io::DefaultFileSystem()->CreateForAppend(path);
    auto writer = parquet::ParquetFileWriter::Create(file->get(), parquet::Schema({key}), options);
    parquet::ColumnData k(parquet::Type::kByteArray, 0);
    k.AppendValue(AsBytes(std::string_view("a")));
    parquet::EncodedChunk chunk;
    ASSERT_TRUE(parquet::ColumnChunkWriter(key, options).Write(k, 0, 1, &chunk).ok());
    ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
    ASSERT_TRUE((*writer)->CloseRowGroup(1).ok());
    ASSERT_TRUE((*writer)->Finish({}).ok());
    ASSERT_TRUE((*file)->Close().ok());
  };
  write(in + "/targets.parquet");
  write(in + "/t.parquet");
  MergeOptions o = Options(in, "s.parquet");
  JoinRule all;
  all.asof = true;
  o.join_rules = {all};
  auto plan = BuildPlan(o, io::DefaultFileSystem());
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("string keys join exactly only"), std::string::npos);
  MergeOptions ranged = Options(in, "s.parquet");
  ranged.from = "a";
  EXPECT_FALSE(BuildPlan(ranged, io::DefaultFileSystem()).ok());
}

TEST_F(AsofSelectionTest, ColumnAndTableSelection) {
  const std::string in = Generate(5, 600, 0);
  MergeOptions all = Options(in, "all.parquet");
  auto full = BuildPlan(all, io::DefaultFileSystem());
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  const MergePlan& f = **full;
  ASSERT_EQ(f.tables.size(), 6u);
  const std::string t1 = f.tables[1].name, t2 = f.tables[2].name, t3 = f.tables[3].name;
  std::string t2_col;
  for (const OutputColumn& c : f.columns) {
    if (c.table == 2) t2_col = c.descr.name;
  }

  MergeOptions o = Options(in, "sel.parquet");
  o.exclude_table_globs = {t1};
  o.exclude_column_globs = {t2_col};
  o.column_globs = {t2 + "__*", t3 + "__*", "*target*"};
  auto plan = BuildPlan(o, io::DefaultFileSystem());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const MergePlan& p = **plan;
  // t1 excluded by name; t4, t5 lose every column and drop out; t2 loses one column.
  ASSERT_EQ(p.tables.size(), 3u);
  EXPECT_EQ(p.tables[1].name, t2);
  EXPECT_EQ(p.tables[2].name, t3);
  EXPECT_EQ(p.selection.excluded_tables.size(), 3u);
  EXPECT_NE(p.selection.excluded_tables[0].find("--exclude-tables"), std::string::npos);
  EXPECT_EQ(p.columns[0].descr.name, "interval_time");
  for (const OutputColumn& c : p.columns) {
    EXPECT_NE(c.descr.name, t2_col);
    EXPECT_GE(c.table, 0);
    EXPECT_LT(c.table, 3);
  }
  EXPECT_EQ(p.tables[1].num_output_columns, f.tables[2].num_output_columns - 1);
  EXPECT_EQ(p.tables[2].num_output_columns, f.tables[3].num_output_columns);
  bool listed = false;
  for (const std::string& line : SelectionLines(p)) listed = listed || line.find("3 out") != std::string::npos;
  EXPECT_TRUE(listed);

  // The merge writes exactly the planned columns, with the same cells as the full merge.
  auto r = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(RunMerge(all, MergeEnv{}).ok());
  auto got = testing::ReadCells(o.output);
  auto want = testing::ReadCells(all.output);
  EXPECT_EQ(got.size(), p.columns.size());
  for (const auto& [name, cells] : got) EXPECT_EQ(cells, want[name]) << name;
}

TEST_F(AsofSelectionTest, TimeRangeSelectsSpineRowsAndPrunesKeyRowGroups) {
  const std::string in = Generate(4, 4000, 500);  // 8 row groups per table
  MergeOptions all = Options(in, "all.parquet");
  all.row_group_rows = 700;
  auto full = RunMerge(all, MergeEnv{});
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  auto want = testing::ReadCells(all.output);
  const std::vector<std::string>& keys = want["interval_time"];
  ASSERT_EQ(keys.size(), 4000u);
  // The spine is a sorted minute grid: rows [1000, 2300).
  auto key_at = [&](size_t row) { return KeyValue(keys[row]); };
  MergeOptions o = Options(in, "range.parquet");
  o.row_group_rows = 700;
  o.from = std::to_string(key_at(1000));
  o.to = std::to_string(key_at(2300));
  auto r = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 1300);
  auto got = testing::ReadCells(o.output);
  for (const auto& [name, cells] : want) {
    std::vector<std::string> slice(cells.begin() + 1000, cells.begin() + 2300);
    EXPECT_EQ(got[name], slice) << name;
  }
  // Key reads: of 8 row groups per file (5 files), those wholly outside the range are skipped.
  EXPECT_GT(r->key_row_groups_skipped, 10);
  EXPECT_GT(r->key_row_groups_read, 0);
  EXPECT_LT(r->key_row_groups_read, r->key_row_groups_skipped);
  // Data pages: only those holding matched rows.
  EXPECT_LT(r->pages_read, full->pages_read);

  // ISO bounds give the same rows; a range changes the fingerprint.
  auto p_iso = BuildPlan([&] {
    MergeOptions iso = o;
    iso.from = "1970-01-01";
    return iso;
  }(), io::DefaultFileSystem());
  ASSERT_TRUE(p_iso.ok());
  auto p_all = BuildPlan(all, io::DefaultFileSystem());
  auto p_range = BuildPlan(o, io::DefaultFileSystem());
  ASSERT_TRUE(p_all.ok() && p_range.ok());
  EXPECT_NE((*p_all)->fingerprint, (*p_range)->fingerprint);
  EXPECT_EQ((*p_iso)->rows, 2300);
}

TEST_F(AsofSelectionTest, TimeRangeWithAsofTablesMatchesTheFullMergesRows) {
  const std::string in = Generate(4, 3000, 400);
  MergeOptions all = Options(in, "all.parquet");
  all.join_rules.emplace_back();
  all.join_rules.back().asof = true;
  all.join_rules.back().tolerance.emplace("5m");
  all.on_duplicate_key = DuplicatePolicy::kFirst;
  ASSERT_TRUE(RunMerge(all, MergeEnv{}).ok());
  auto want = testing::ReadCells(all.output);
  auto key_at = [&](size_t row) { return KeyValue(want["interval_time"][row]); };
  MergeOptions o = all;
  o.output = dir_.Join("range.parquet");
  o.from = std::to_string(key_at(1234));
  o.to = std::to_string(key_at(2001));
  auto r = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = testing::ReadCells(o.output);
  for (const auto& [name, cells] : want) {
    std::vector<std::string> slice(cells.begin() + 1234, cells.begin() + 2001);
    EXPECT_EQ(got[name], slice) << name;
  }
  EXPECT_GT(r->key_row_groups_skipped, 0);
}

}  // namespace
}  // namespace featmerge::merge

#include "pipeline/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "io/file.h"
#include "parquet/column_reader.h"
#include "parquet/file_reader.h"
#include "testing/temp_dir.h"

namespace featmerge::pipeline {
namespace {

using parquet::ColumnData;
using parquet::ParquetFileReader;
using parquet::TimeUnit;
using parquet::Type;

constexpr int64_t kMinuteNs = 60'000'000'000;

GenOptions SmallBqx(const std::string& out_dir) {
  GenOptions o;
  o.out_dir = out_dir;
  o.pairs = {"eurusd", "gbpusd"};
  o.profile = GenOptions::Profile::kBqx;
  o.tables = 12;
  o.rows = 2000;
  o.seed = 7;
  return o;
}

std::unique_ptr<ParquetFileReader> Open(const std::string& path) {
  auto reader = ParquetFileReader::Open(io::DefaultFileSystem(), path);
  EXPECT_TRUE(reader.ok()) << path << ": " << reader.status().ToString();
  return reader.ok() ? std::move(reader).value() : nullptr;
}

// All rows of one column, row group after row group.
ColumnData ReadColumn(const ParquetFileReader& reader, int column) {
  const parquet::ColumnDescriptor& d = reader.schema().column(column);
  ColumnData data(d.type, d.type_length);
  for (int rg = 0; rg < reader.num_row_groups(); rg++) {
    parquet::ColumnChunkReader chunk(&reader, rg, column);
    Status s = chunk.ReadAll(&data);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return data;
}

std::vector<int64_t> ReadKeys(const ParquetFileReader& reader) {
  ColumnData data = ReadColumn(reader, 0);
  std::vector<int64_t> keys;
  for (int64_t r = 0; r < data.num_rows(); r++) keys.push_back(data.value<int64_t>(r));
  return keys;
}

std::string ReadBytes(const std::string& path) {
  auto text = io::ReadWholeFile(io::DefaultFileSystem(), path, 1ull << 30);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : std::string();
}

TEST(Generator, SameSeedGivesIdenticalFiles) {
  testing::TempDir a, b;
  GenOptions oa = SmallBqx(a.path());
  oa.threads = 1;
  GenOptions ob = SmallBqx(b.path());
  ob.threads = 3;  // output must not depend on the thread count
  GenReport ra, rb;
  ASSERT_TRUE(Generate(oa, &ra).ok());
  ASSERT_TRUE(Generate(ob, &rb).ok());
  ASSERT_EQ(ra.files, rb.files);
  for (size_t p = 0; p < ra.pairs.size(); p++) {
    ASSERT_EQ(ra.pairs[p].paths.size(), rb.pairs[p].paths.size());
    for (size_t f = 0; f < ra.pairs[p].paths.size(); f++) {
      EXPECT_EQ(ReadBytes(ra.pairs[p].paths[f]), ReadBytes(rb.pairs[p].paths[f]))
          << ra.pairs[p].paths[f];
    }
  }
}

TEST(Generator, DifferentSeedGivesDifferentFiles) {
  testing::TempDir a, b;
  GenOptions oa = SmallBqx(a.path());
  GenOptions ob = SmallBqx(b.path());
  ob.seed = 8;
  GenReport ra, rb;
  ASSERT_TRUE(Generate(oa, &ra).ok());
  ASSERT_TRUE(Generate(ob, &rb).ok());
  EXPECT_NE(ReadBytes(ra.pairs[0].paths[0]), ReadBytes(rb.pairs[0].paths[0]));
  std::set<std::string> names_a, names_b;
  for (const GenTableInfo& t : ra.pairs[0].tables) names_a.insert(t.name);
  for (const GenTableInfo& t : rb.pairs[0].tables) names_b.insert(t.name);
  EXPECT_NE(names_a, names_b);
}

TEST(Generator, PairsStartAtDifferentMinutes) {
  testing::TempDir dir;
  GenReport report;
  ASSERT_TRUE(Generate(SmallBqx(dir.path()), &report).ok());
  auto r0 = Open(report.pairs[0].paths[0]);
  auto r1 = Open(report.pairs[1].paths[0]);
  ASSERT_TRUE(r0 && r1);
  const int64_t k0 = ReadKeys(*r0)[0], k1 = ReadKeys(*r1)[0];
  EXPECT_NE(k0, k1);
  const int64_t jan1_2024_ns = 1704067200LL * 1'000'000'000;
  for (int64_t k : {k0, k1}) {
    EXPECT_GE(k, jan1_2024_ns);
    EXPECT_EQ((k - jan1_2024_ns) % kMinuteNs, 0);
  }
}

TEST(Generator, LayoutHasTargetsTablesAndMarker) {
  testing::TempDir dir;
  GenOptions o = SmallBqx(dir.path());
  GenReport report;
  ASSERT_TRUE(Generate(o, &report).ok());
  ASSERT_EQ(report.pairs.size(), 2u);
  EXPECT_EQ(report.files, 2 * (o.tables + 1));
  io::FileSystem* fs = io::DefaultFileSystem();
  for (const GenPairReport& pr : report.pairs) {
    EXPECT_EQ(pr.dir, dir.Join(pr.pair));
    EXPECT_EQ(pr.paths.front(), dir.Join(pr.pair + "/targets.parquet"));
    auto names = fs->ListDir(pr.dir);
    ASSERT_TRUE(names.ok());
    // Every file plus the marker; no temporary left behind.
    EXPECT_EQ(names->size(), static_cast<size_t>(o.tables + 2));
    EXPECT_TRUE(fs->Exists(io::JoinPath(pr.dir, "_COMPLETE")));
    uint64_t bytes = 0;
    for (const std::string& path : pr.paths) {
      auto info = fs->Stat(path);
      ASSERT_TRUE(info.ok()) << path;
      bytes += info->size;
    }
    EXPECT_EQ(bytes, pr.bytes);
    // Generation order is not name order, so merges cannot rely on either.
    std::vector<std::string> order(pr.paths.begin() + 1, pr.paths.end());
    std::vector<std::string> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_NE(order, sorted);
  }
}

TEST(Generator, NoMarkerWhenDisabled) {
  testing::TempDir dir;
  GenOptions o = SmallBqx(dir.path());
  o.marker = false;
  ASSERT_TRUE(Generate(o, nullptr).ok());
  EXPECT_FALSE(io::DefaultFileSystem()->Exists(dir.Join("eurusd/_COMPLETE")));
  EXPECT_TRUE(io::DefaultFileSystem()->Exists(dir.Join("eurusd/targets.parquet")));
}

TEST(Generator, NonEmptyDirectoryNeedsOverwrite) {
  testing::TempDir dir;
  GenOptions o = SmallBqx(dir.path());
  ASSERT_TRUE(Generate(o, nullptr).ok());
  Status again = Generate(o, nullptr);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.ToString();
  // A rerun with fewer tables must not leave the old ones behind.
  o.overwrite = true;
  o.tables = 3;
  GenReport report;
  ASSERT_TRUE(Generate(o, &report).ok());
  auto names = io::DefaultFileSystem()->ListDir(dir.Join("eurusd"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->size(), 5u);  // targets + 3 tables + marker
}

TEST(Generator, InvalidOptionsAreRejected) {
  testing::TempDir dir;
  auto check = [&](auto mutate) {
    GenOptions o = SmallBqx(dir.path());
    mutate(&o);
    Status s = Generate(o, nullptr);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  };
  check([](GenOptions* o) { o->rows = 0; });
  check([](GenOptions* o) { o->pairs = {}; });
  check([](GenOptions* o) { o->pairs = {"a/b"}; });
  check([](GenOptions* o) { o->pairs = {"eurusd", "eurusd"}; });
  check([](GenOptions* o) { o->key_unit = "s"; });
  check([](GenOptions* o) { o->duplicate_rate = 1.5; });
  check([](GenOptions* o) { o->name_clashes = 13; });
  check([](GenOptions* o) { o->unsorted_tables = 13; });
  check([](GenOptions* o) {
    o->tables = 1;
    o->name_clashes = 1;
  });
}

TEST(Generator, UniformHasExactShapeAndSpineKeys) {
  testing::TempDir dir;
  GenOptions o;
  o.out_dir = dir.path();
  o.profile = GenOptions::Profile::kUniform;
  o.tables = 5;
  o.cols = 6;
  o.rows = 1001;
  GenReport report;
  ASSERT_TRUE(Generate(o, &report).ok());
  const GenPairReport& pr = report.pairs[0];
  ASSERT_EQ(pr.paths.size(), 6u);
  auto targets = Open(pr.paths[0]);
  ASSERT_TRUE(targets);
  const std::vector<int64_t> spine = ReadKeys(*targets);
  ASSERT_EQ(spine.size(), 1001u);
  for (size_t i = 1; i < spine.size(); i++) ASSERT_EQ(spine[i] - spine[i - 1], kMinuteNs);
  for (size_t t = 1; t < pr.paths.size(); t++) {
    auto reader = Open(pr.paths[t]);
    ASSERT_TRUE(reader);
    EXPECT_EQ(reader->num_rows(), 1001);
    EXPECT_EQ(reader->num_columns(), 7);
    EXPECT_EQ(reader->num_row_groups(), 4);  // default: rows / 4, rounded up
    EXPECT_EQ(ReadKeys(*reader), spine);
    for (int c = 1; c < reader->num_columns(); c++) {
      EXPECT_EQ(reader->schema().column(c).type, Type::kDouble);
      EXPECT_EQ(ReadColumn(*reader, c).null_count(), 0);
    }
  }
}

TEST(Generator, KeyIsRequiredTimestampInTheRequestedUnit) {
  using Case = std::tuple<const char*, TimeUnit, int64_t>;
  for (auto [text, unit, per_minute] :
       {Case{"ns", TimeUnit::kNanos, kMinuteNs}, Case{"us", TimeUnit::kMicros, 60'000'000},
        Case{"ms", TimeUnit::kMillis, 60'000}}) {
    testing::TempDir dir;
    GenOptions o = SmallBqx(dir.path());
    o.pairs = {"eurusd"};
    o.key_unit = text;
    o.rows = 300;
    GenReport report;
    ASSERT_TRUE(Generate(o, &report).ok());
    for (const std::string& path : report.pairs[0].paths) {
      auto reader = Open(path);
      ASSERT_TRUE(reader);
      const parquet::ColumnDescriptor& key = reader->schema().column(0);
      EXPECT_EQ(key.name, "interval_time");
      EXPECT_EQ(key.type, Type::kInt64);
      EXPECT_FALSE(key.nullable);
      EXPECT_EQ(key.logical_type.kind, parquet::LogicalType::Kind::kTimestamp);
      EXPECT_TRUE(key.logical_type.is_adjusted_to_utc);
      EXPECT_EQ(key.logical_type.unit, unit) << path;
    }
    auto targets = Open(report.pairs[0].paths[0]);
    const std::vector<int64_t> keys = ReadKeys(*targets);
    EXPECT_EQ(keys[1] - keys[0], per_minute);
  }
}

TEST(Generator, TargetsHave49ColumnsWithNullsAtTheEnd) {
  testing::TempDir dir;
  GenOptions o = SmallBqx(dir.path());
  GenReport report;
  ASSERT_TRUE(Generate(o, &report).ok());
  auto reader = Open(report.pairs[0].paths[0]);
  ASSERT_TRUE(reader);
  ASSERT_EQ(reader->num_columns(), 50);
  EXPECT_EQ(reader->num_rows(), o.rows);
  EXPECT_EQ(reader->schema().column(1).name, "target_1m_ret");
  EXPECT_GE(reader->schema().FindColumn("target_5m_dir"), 0);
  for (int c = 1; c < 50; c++) {
    EXPECT_EQ(reader->schema().column(c).type, Type::kDouble);
    ColumnData data = ReadColumn(*reader, c);
    // Unknown future: the last rows are NULL, the first ones are not.
    EXPECT_FALSE(data.IsValid(o.rows - 1));
    EXPECT_TRUE(data.IsValid(0));
    EXPECT_GT(data.null_count(), 0);
    EXPECT_LE(data.null_count(), 240);
  }
}

TEST(Generator, BqxHasNullsGapsUnsortedTablesAndRowGroups) {
  testing::TempDir dir;
  GenOptions o = SmallBqx(dir.path());
  o.pairs = {"eurusd"};
  o.tables = 20;
  o.rows = 3000;
  GenReport report;
  ASSERT_TRUE(Generate(o, &report).ok());
  const GenPairReport& pr = report.pairs[0];
  auto targets = Open(pr.paths[0]);
  ASSERT_TRUE(targets);
  const std::vector<int64_t> spine = ReadKeys(*targets);
  const std::set<int64_t> spine_set(spine.begin(), spine.end());

  int64_t cells = 0, nulls = 0;
  int all_null_columns = 0, unsorted = 0, gapped = 0, extra = 0, max_width = 0;
  std::map<Type, int> types;
  for (size_t t = 1; t < pr.paths.size(); t++) {
    const GenTableInfo& info = pr.tables[t];
    auto reader = Open(pr.paths[t]);
    ASSERT_TRUE(reader);
    EXPECT_GE(reader->num_row_groups(), 3) << info.name;
    EXPECT_EQ(reader->num_rows(), info.rows);
    EXPECT_EQ(reader->num_columns(), info.columns);
    max_width = std::max(max_width, reader->num_columns() - 1);
    for (int c = 1; c < reader->num_columns(); c++) {
      EXPECT_EQ(reader->schema().column(c).name.rfind(info.name + "_", 0), 0u)
          << reader->schema().column(c).name;
      types[reader->schema().column(c).type]++;
      ColumnData data = ReadColumn(*reader, c);
      cells += data.num_rows();
      nulls += data.null_count();
      all_null_columns += data.null_count() == data.num_rows() ? 1 : 0;
    }
    const std::vector<int64_t> keys = ReadKeys(*reader);
    const bool sorted = std::is_sorted(keys.begin(), keys.end());
    EXPECT_EQ(!sorted, info.unsorted) << info.name;
    unsorted += sorted ? 0 : 1;
    const std::set<int64_t> key_set(keys.begin(), keys.end());
    int64_t missing = 0, outside = 0;
    for (int64_t k : spine) missing += key_set.count(k) ? 0 : 1;
    for (int64_t k : key_set) outside += spine_set.count(k) ? 0 : 1;
    EXPECT_EQ(missing > 0, info.gaps) << info.name;
    EXPECT_EQ(outside > 0, info.extra_keys) << info.name;
    if (info.gaps) {
      EXPECT_GE(missing, spine.size() * 4 / 100) << info.name;
      EXPECT_LE(missing, spine.size() * 12 / 100) << info.name;
    }
    gapped += missing > 0 ? 1 : 0;
    extra += outside > 0 ? 1 : 0;
  }
  const double null_share = static_cast<double>(nulls) / static_cast<double>(cells);
  EXPECT_GT(null_share, 0.05);
  EXPECT_LT(null_share, 0.25);
  EXPECT_GT(all_null_columns, 0);
  EXPECT_GE(unsorted, 1);
  EXPECT_GT(gapped, 0);
  EXPECT_GT(extra, 0);
  EXPECT_GT(types[Type::kDouble], types[Type::kByteArray]);
  EXPECT_GT(types[Type::kByteArray], 0);
  EXPECT_GT(types[Type::kInt64], 0);
  EXPECT_GT(max_width, 14);
}

TEST(Generator, BqxWidthsFollowTheRealDistribution) {
  testing::TempDir dir;
  GenOptions o = SmallBqx(dir.path());
  o.pairs = {"eurusd"};
  o.tables = 300;
  o.rows = 8;
  GenReport report;
  ASSERT_TRUE(Generate(o, &report).ok());
  std::vector<int> widths;
  for (size_t t = 1; t < report.pairs[0].tables.size(); t++) {
    widths.push_back(report.pairs[0].tables[t].columns - 1);
  }
  std::sort(widths.begin(), widths.end());
  double mean = 0;
  for (int w : widths) mean += w;
  mean /= static_cast<double>(widths.size());
  EXPECT_GE(widths.front(), 4);
  EXPECT_LE(widths.back(), 232);
  EXPECT_GE(widths[widths.size() / 2], 10);
  EXPECT_LE(widths[widths.size() / 2], 18);
  EXPECT_GT(mean, 18);
  EXPECT_LT(mean, 32);
}

TEST(Generator, DuplicateKeysAreInjected) {
  testing::TempDir dir;
  GenOptions o = SmallBqx(dir.path());
  o.pairs = {"eurusd"};
  o.duplicate_rate = 0.01;
  o.unsorted_tables = 0;
  GenReport report;
  ASSERT_TRUE(Generate(o, &report).ok());
  int tables_with_duplicates = 0;
  for (size_t t = 1; t < report.pairs[0].paths.size(); t++) {
    auto reader = Open(report.pairs[0].paths[t]);
    ASSERT_TRUE(reader);
    const std::vector<int64_t> keys = ReadKeys(*reader);
    int64_t repeats = 0;
    for (size_t i = 1; i < keys.size(); i++) repeats += keys[i] == keys[i - 1] ? 1 : 0;
    EXPECT_EQ(repeats > 0, report.pairs[0].tables[t].duplicates);
    if (repeats == 0) continue;
    tables_with_duplicates++;
    // 1% of the table's distinct keys, each once more, with the same values.
    EXPECT_NEAR(static_cast<double>(repeats), 0.01 * static_cast<double>(keys.size()), 2.0);
    for (int c = 1; c < reader->num_columns(); c++) {
      ColumnData data = ReadColumn(*reader, c);
      for (size_t i = 1; i < keys.size(); i++) {
        if (keys[i] != keys[i - 1]) continue;
        ASSERT_EQ(data.IsValid(static_cast<int64_t>(i)), data.IsValid(static_cast<int64_t>(i - 1)));
        const int64_t row = static_cast<int64_t>(i);
        if (data.is_binary()) {
          ASSERT_EQ(AsStringView(data.binary_value(row)), AsStringView(data.binary_value(row - 1)));
        } else {
          ASSERT_EQ(0, std::memcmp(data.fixed_value(row), data.fixed_value(row - 1),
                                   static_cast<size_t>(data.width())));
        }
      }
    }
  }
  EXPECT_GE(tables_with_duplicates, 1);
}

TEST(Generator, NameClashesAreInjected) {
  testing::TempDir dir;
  GenOptions o = SmallBqx(dir.path());
  o.pairs = {"eurusd"};
  o.name_clashes = 2;
  GenReport report;
  ASSERT_TRUE(Generate(o, &report).ok());
  std::map<std::string, int> owners;  // column name -> tables holding it
  for (size_t t = 1; t < report.pairs[0].paths.size(); t++) {
    auto reader = Open(report.pairs[0].paths[t]);
    ASSERT_TRUE(reader);
    std::set<std::string> in_table;
    for (int c = 1; c < reader->num_columns(); c++) {
      EXPECT_TRUE(in_table.insert(reader->schema().column(c).name).second)
          << "duplicate column inside " << report.pairs[0].paths[t];
    }
    for (const std::string& name : in_table) owners[name]++;
  }
  int clashes = 0, reported = 0;
  for (const auto& [name, count] : owners) clashes += count > 1 ? 1 : 0;
  for (const GenTableInfo& t : report.pairs[0].tables) {
    if (t.clash_column.empty()) continue;
    reported++;
    EXPECT_EQ(owners[t.clash_column], 2) << t.clash_column;
  }
  EXPECT_EQ(reported, 2);
  EXPECT_EQ(clashes, 2);
}

TEST(Generator, UnitMismatchStoresMicroseconds) {
  testing::TempDir dir;
  GenOptions o = SmallBqx(dir.path());
  o.pairs = {"eurusd"};
  o.unit_mismatch_tables = 1;
  o.unsorted_tables = 0;
  GenReport report;
  ASSERT_TRUE(Generate(o, &report).ok());
  auto targets = Open(report.pairs[0].paths[0]);
  ASSERT_TRUE(targets);
  const std::vector<int64_t> spine = ReadKeys(*targets);
  int mismatched = 0;
  for (size_t t = 1; t < report.pairs[0].paths.size(); t++) {
    auto reader = Open(report.pairs[0].paths[t]);
    ASSERT_TRUE(reader);
    const TimeUnit unit = reader->schema().column(0).logical_type.unit;
    EXPECT_EQ(unit == TimeUnit::kMicros, report.pairs[0].tables[t].unit_mismatch);
    if (unit != TimeUnit::kMicros) continue;
    mismatched++;
    // Same instants as the spine, a thousand times smaller numbers.
    const std::vector<int64_t> keys = ReadKeys(*reader);
    const std::set<int64_t> spine_us = [&] {
      std::set<int64_t> s;
      for (int64_t k : spine) s.insert(k / 1000);
      return s;
    }();
    int64_t matched = 0;
    for (int64_t k : keys) matched += spine_us.count(k);
    EXPECT_GT(matched, static_cast<int64_t>(spine.size()) * 85 / 100);
  }
  EXPECT_EQ(mismatched, 1);
}

}  // namespace
}  // namespace featmerge::pipeline

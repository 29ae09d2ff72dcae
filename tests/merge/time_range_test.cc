#include "merge/time_range.h"

#include <gtest/gtest.h>

#include "io/file.h"
#include "parquet/column_data.h"
#include "parquet/column_writer.h"
#include "parquet/file_writer.h"
#include "testing/temp_dir.h"

namespace featmerge::merge {
namespace {

constexpr int64_t kSecond = 1000000000LL;
constexpr int64_t kJan2024 = 1704067200LL * kSecond;  // 2024-01-01T00:00:00Z

KeyType Timestamp(int64_t to_nanos) {
  KeyType t;
  t.kind = KeyKind::kTimestamp;
  t.to_nanos = to_nanos;
  t.description = "TIMESTAMP INT64";
  return t;
}

KeyType Kind(KeyKind kind) {
  KeyType t;
  t.kind = kind;
  t.description = kind == KeyKind::kString ? "BYTE_ARRAY STRING" : "INT32/INT64";
  return t;
}

TEST(ParseKeyTime, IsoDatesAndTimesAreUtcNanoseconds) {
  const KeyType ns = Timestamp(1);
  EXPECT_EQ(*ParseKeyTime("2024-01-01", ns, "--from"), kJan2024);
  EXPECT_EQ(*ParseKeyTime("2024-01-01T09:30:00Z", ns, "--from"), kJan2024 + 34200 * kSecond);
  EXPECT_EQ(*ParseKeyTime("2024-01-01 09:30", ns, "--from"), kJan2024 + 34200 * kSecond);
  EXPECT_EQ(*ParseKeyTime("2024-01-01T09:30:00.25Z", ns, "--from"),
            kJan2024 + 34200 * kSecond + kSecond / 4);
  EXPECT_EQ(*ParseKeyTime("2024-01-01T11:30:00+02:00", ns, "--from"), kJan2024 + 34200 * kSecond);
  EXPECT_EQ(*ParseKeyTime("2024-03-01", ns, "--from"), kJan2024 + 60LL * 86400 * kSecond);
  EXPECT_EQ(*ParseKeyTime("1969-12-31", ns, "--from"), -86400 * kSecond);
}

TEST(ParseKeyTime, IntegersAreInTheKeysUnit) {
  EXPECT_EQ(*ParseKeyTime("1704067200000", Timestamp(1000000), "--to"), kJan2024);  // ms
  EXPECT_EQ(*ParseKeyTime("1704067200000000", Timestamp(1000), "--to"), kJan2024);  // us
  EXPECT_EQ(*ParseKeyTime("42", Kind(KeyKind::kInteger), "--to"), 42);
  EXPECT_EQ(*ParseKeyTime("2024-01-01", Kind(KeyKind::kDate), "--to"), 19723);
  EXPECT_EQ(*ParseKeyTime("19723", Kind(KeyKind::kDate), "--to"), 19723);
}

TEST(ParseKeyTime, BadTextAndStringKeysAreRefused) {
  EXPECT_FALSE(ParseKeyTime("2024-13-01", Timestamp(1), "--from").ok());
  EXPECT_FALSE(ParseKeyTime("2023-02-29", Timestamp(1), "--from").ok());
  EXPECT_FALSE(ParseKeyTime("yesterday", Timestamp(1), "--from").ok());
  EXPECT_FALSE(ParseKeyTime("2024-01-01", Kind(KeyKind::kInteger), "--from").ok());
  EXPECT_FALSE(ParseKeyTime("2024-01-01T10:00:00Z", Kind(KeyKind::kDate), "--from").ok());
  auto s = ParseKeyTime("2024-01-01", Kind(KeyKind::kString), "--from");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("--from needs a timestamp, date or integer key"),
            std::string::npos);
}

TEST(ResolveKeyRange, FromMustBeBeforeTo) {
  MergeOptions o;
  o.from = "2024-01-02";
  o.to = "2024-01-01";
  EXPECT_FALSE(ResolveKeyRange(o, Timestamp(1)).ok());
  o.to = "";
  auto open_ended = ResolveKeyRange(o, Timestamp(1));
  ASSERT_TRUE(open_ended.ok());
  EXPECT_TRUE(open_ended->active);
  EXPECT_EQ(open_ended->hi, INT64_MAX);
  EXPECT_FALSE(ResolveKeyRange(MergeOptions(), Timestamp(1))->active);
}

TEST(ParseTolerance, UnitsFollowTheKeyType) {
  EXPECT_EQ(*ParseTolerance("2h", Timestamp(1000)), 7200 * kSecond);  // normalized: ns
  EXPECT_EQ(*ParseTolerance("0", Timestamp(1)), 0);
  EXPECT_EQ(*ParseTolerance("3d", Kind(KeyKind::kDate)), 3);
  EXPECT_EQ(*ParseTolerance("3", Kind(KeyKind::kDate)), 3);
  EXPECT_EQ(*ParseTolerance("5", Kind(KeyKind::kInteger)), 5);
  EXPECT_FALSE(ParseTolerance("2h", Kind(KeyKind::kInteger)).ok());
  EXPECT_FALSE(ParseTolerance("36h", Kind(KeyKind::kDate)).ok());
  EXPECT_FALSE(ParseTolerance("-5", Kind(KeyKind::kInteger)).ok());
  EXPECT_FALSE(ParseTolerance("soon", Timestamp(1)).ok());
}

TEST(TableKeyRange, AsofWidensDownByTheTolerance) {
  KeyRange spine;
  spine.active = true;
  spine.lo = 1000;
  spine.hi = 2000;
  KeyRange exact = TableKeyRange(spine, false, -1);
  EXPECT_EQ(exact.lo, 1000);
  EXPECT_EQ(exact.hi, 2000);
  EXPECT_EQ(TableKeyRange(spine, true, 300).lo, 700);
  EXPECT_EQ(TableKeyRange(spine, true, -1).lo, INT64_MIN);  // unlimited: no lower bound
  EXPECT_EQ(TableKeyRange(spine, true, 300).hi, 2000);
}

// Three row groups of 1,000 millisecond keys 0, 10, 20, ... in small pages.
class RangeFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    parquet::ColumnDescriptor col;
    col.name = "k";
    col.type = parquet::Type::kInt64;
    col.nullable = false;
    col.logical_type.kind = parquet::LogicalType::Kind::kTimestamp;
    col.logical_type.unit = parquet::TimeUnit::kMillis;
    col.logical_type.is_adjusted_to_utc = true;
    parquet::WriterOptions options;
    options.compression = parquet::Compression::kUncompressed;
    options.dictionary = false;
    options.data_page_size = 800;  // about 100 keys per page
    path_ = dir_.Join("t.parquet");
    auto file = io::DefaultFileSystem()->CreateForAppend(path_);
    ASSERT_TRUE(file.ok());
    auto writer = parquet::ParquetFileWriter::Create(file->get(), parquet::Schema({col}), options);
    ASSERT_TRUE(writer.ok());
    for (int rg = 0; rg < 3; rg++) {
      parquet::ColumnData data(parquet::Type::kInt64, 0);
      for (int64_t i = 0; i < 1000; i++) data.Append<int64_t>((rg * 1000 + i) * 10);
      parquet::EncodedChunk chunk;
      ASSERT_TRUE(parquet::ColumnChunkWriter(col, options).Write(data, 0, 1000, &chunk).ok());
      ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
      ASSERT_TRUE((*writer)->CloseRowGroup(1000).ok());
    }
    ASSERT_TRUE((*writer)->Finish({}).ok());
    ASSERT_TRUE((*file)->Close().ok());
    auto reader = parquet::ParquetFileReader::Open(io::DefaultFileSystem(), path_);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    reader_ = std::move(reader).value();
  }
  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<parquet::ParquetFileReader> reader_;
};

TEST_F(RangeFilterTest, SkipsRowGroupsAndPagesOutsideTheRange) {
  const KeyType type = Timestamp(1000000);
  KeyRange range;
  range.active = true;
  range.lo = 12000LL * 1000000;  // row 1200
  range.hi = 15000LL * 1000000;  // row 1500 (exclusive)
  KeyReadStats stats;
  parquet::ChunkReadStats pages;
  auto keys = ReadKeyColumn(*reader_, 0, type, nullptr, false,
                            RangeRowFilter(*reader_, 0, type, range, &stats), &pages);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(stats.row_groups_read, 1);
  EXPECT_EQ(stats.row_groups_skipped, 2);
  EXPECT_GT(pages.pages_skipped, 0);
  EXPECT_LT(pages.pages_read, 8);  // of about 10 pages in the row group
  ASSERT_EQ(keys->values.size(), 3000u);
  for (int64_t r = 0; r < 3000; r++) {
    const int64_t key = r * 10 * 1000000;
    if (range.Contains(key)) {
      ASSERT_TRUE(keys->IsValid(static_cast<size_t>(r))) << r;
      ASSERT_EQ(keys->values[static_cast<size_t>(r)], key);
    }
  }
  EXPECT_FALSE(keys->IsValid(0));
  EXPECT_FALSE(keys->IsValid(2999));
  EXPECT_TRUE(keys->sorted);
}

TEST_F(RangeFilterTest, AnUnboundedRangeReadsEverything) {
  const KeyType type = Timestamp(1000000);
  KeyRange range;
  range.active = true;
  KeyReadStats stats;
  auto keys = ReadKeyColumn(*reader_, 0, type, nullptr, false,
                            RangeRowFilter(*reader_, 0, type, range, &stats));
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(stats.row_groups_read, 3);
  EXPECT_EQ(keys->null_count, 0);
  EXPECT_EQ(keys->values[2999], 29990LL * 1000000);
}

}  // namespace
}  // namespace featmerge::merge

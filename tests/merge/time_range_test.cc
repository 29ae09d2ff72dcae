#include "merge/time_range.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>

#include "io/file.h"
#include "merge/merge.h"
#include "parquet/column_data.h"
#include "parquet/column_reader.h"
#include "parquet/column_writer.h"
#include "parquet/file_writer.h"
#include "parquet/value_text.h"
#include "testing/parquet_files.h"
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

// The source bytes the executor read (ProgressSnapshot::bytes_read; MergeSummary has no such
// field): the largest value reported, as it only grows during a run.
class BytesReadObserver : public MergeObserver {
 public:
  void OnProgress(const ProgressSnapshot& snapshot) override {
    uint64_t seen = bytes_read_.load();
    while (snapshot.bytes_read > seen &&
           !bytes_read_.compare_exchange_weak(seen, snapshot.bytes_read)) {
    }
  }
  uint64_t bytes_read() const { return bytes_read_.load(); }

 private:
  std::atomic<uint64_t> bytes_read_{0};
};

// A spine and one feature table of 6,000 minute keys each, in one row group of small pages
// (a few hundred per chunk), so that a range of 10% of the rows needs about 10% of the pages.
class RangeMergeTest : public ::testing::Test {
 protected:
  static constexpr int64_t kRows = 6000;
  static constexpr int64_t kMinute = 60 * kSecond;

  void SetUp() override {
    in_ = dir_.Join("in");
    ASSERT_TRUE(io::DefaultFileSystem()->CreateDirs(in_).ok());
    parquet::ColumnDescriptor key;
    key.name = "interval_time";
    key.type = parquet::Type::kInt64;
    key.nullable = false;
    key.logical_type.kind = parquet::LogicalType::Kind::kTimestamp;
    key.logical_type.unit = parquet::TimeUnit::kNanos;
    key.logical_type.is_adjusted_to_utc = true;
    parquet::ColumnDescriptor target = Column("target", parquet::Type::kDouble);
    parquet::ColumnDescriptor price = Column("price", parquet::Type::kDouble);
    parquet::ColumnDescriptor label = Column("label", parquet::Type::kByteArray);
    label.logical_type.kind = parquet::LogicalType::Kind::kString;
    WriteTable("targets.parquet", {key, target});
    WriteTable("feat.parquet", {key, price, label});
  }

  static parquet::ColumnDescriptor Column(const std::string& name, parquet::Type type) {
    parquet::ColumnDescriptor c;
    c.name = name;
    c.type = type;
    c.nullable = true;
    return c;
  }

  void WriteTable(const std::string& name, const std::vector<parquet::ColumnDescriptor>& cols) {
    parquet::WriterOptions options;
    options.data_page_size = 400;  // 50 doubles a page
    auto file = io::DefaultFileSystem()->CreateForAppend(io::JoinPath(in_, name));
    ASSERT_TRUE(file.ok());
    auto writer = parquet::ParquetFileWriter::Create(file->get(), parquet::Schema(cols), options);
    ASSERT_TRUE(writer.ok());
    for (const parquet::ColumnDescriptor& c : cols) {
      parquet::ColumnData data(c.type, 0);
      for (int64_t r = 0; r < kRows; r++) {
        if (c.name == "interval_time") {
          data.Append<int64_t>(kJan2024 + r * kMinute);
        } else if (r % 11 == 5) {
          data.AppendNull();
        } else if (c.type == parquet::Type::kDouble) {
          data.Append<double>(static_cast<double>(r) * 0.25 + (c.name == "price" ? 1000 : 0));
        } else {
          const std::string text = "label-" + std::to_string(r * 7919 % 100000);
          data.AppendValue(AsBytes(text));
        }
      }
      parquet::EncodedChunk chunk;
      ASSERT_TRUE(parquet::ColumnChunkWriter(c, options).Write(data, 0, kRows, &chunk).ok());
      ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
    }
    ASSERT_TRUE((*writer)->CloseRowGroup(kRows).ok());
    ASSERT_TRUE((*writer)->Finish({}).ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  MergeOptions Options(const std::string& out_name) const {
    MergeOptions o;
    o.input_dir = in_;
    o.output = dir_.Join(out_name);
    o.check_memory = false;
    o.threads = 2;
    o.row_group_rows = 2000;
    o.copy_chunks = false;  // both merges decode their sources: the column reader's bytes
    return o;
  }

  testing::TempDir dir_;
  std::string in_;
};

TEST_F(RangeMergeTest, ARangeReadsOnlyTheSourcePagesOfItsRows) {
  BytesReadObserver all_bytes, range_bytes;
  MergeOptions all = Options("all.parquet");
  auto full = RunMerge(all, MergeEnv{nullptr, &all_bytes, nullptr});
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  MergeOptions o = Options("range.parquet");
  o.from = std::to_string(kJan2024 + 2400 * kMinute);  // rows [2400, 3000): 10%
  o.to = std::to_string(kJan2024 + 3000 * kMinute);
  auto r = RunMerge(o, MergeEnv{nullptr, &range_bytes, nullptr});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows, 600);

  // The output: the full merge's rows in the range.
  auto want = testing::ReadCells(all.output);
  auto got = testing::ReadCells(o.output);
  ASSERT_EQ(got.size(), 4u);
  for (const auto& [name, cells] : want) {
    ASSERT_EQ(cells.size(), static_cast<size_t>(kRows)) << name;
    EXPECT_EQ(got[name], std::vector<std::string>(cells.begin() + 2400, cells.begin() + 3000))
        << name;
  }
  // Source bytes: each source chunk is one row group of 6,000 rows, so before the offset index
  // was used the range read every chunk whole, as many bytes as the full merge.
  const uint64_t full_bytes = all_bytes.bytes_read(), ranged = range_bytes.bytes_read();
  RecordProperty("source_bytes_full", std::to_string(full_bytes));
  RecordProperty("source_bytes_range", std::to_string(ranged));
  EXPECT_GT(full_bytes, 0u);
  EXPECT_GT(ranged, 0u);
  EXPECT_LT(ranged, full_bytes / 5) << ranged << " of " << full_bytes << " bytes";
  EXPECT_LT(r->pages_read, full->pages_read / 5);
}

}  // namespace
}  // namespace featmerge::merge

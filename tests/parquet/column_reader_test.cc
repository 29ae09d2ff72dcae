// ColumnChunkReader reading a sub-range of a chunk: with an offset index only the pages holding
// the rows (and the dictionary page) are read from the file, and the values equal a full read's
// slice; without one, or with an offset index that contradicts the chunk, the whole chunk is
// read; an offset index that disagrees with the page headers is Corruption, never wrong values.
#include "parquet/column_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "io/file.h"
#include "parquet/column_data.h"
#include "parquet/column_writer.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"
#include "parquet/format/thrift_codec.h"
#include "testing/parquet_files.h"
#include "testing/temp_dir.h"

namespace featmerge::parquet {
namespace {

constexpr int64_t kRows = 2000;

// Columns: INT64 (required), DOUBLE with nulls, STRING with nulls.
Schema TestSchema() {
  ColumnDescriptor i;
  i.name = "i";
  i.type = Type::kInt64;
  i.nullable = false;
  ColumnDescriptor d;
  d.name = "d";
  d.type = Type::kDouble;
  d.nullable = true;
  ColumnDescriptor s;
  s.name = "s";
  s.type = Type::kByteArray;
  s.logical_type.kind = LogicalType::Kind::kString;
  s.nullable = true;
  return Schema({i, d, s});
}

// Low-cardinality values when `few_values` (the writer then picks a dictionary), else unique.
ColumnData Values(const ColumnDescriptor& c, int64_t rows, bool few_values) {
  ColumnData data(c.type, c.type_length);
  for (int64_t r = 0; r < rows; r++) {
    const int64_t v = few_values ? r % 37 : r;
    if (c.nullable && (r % 7 == 3 || (r >= 500 && r < 560))) {
      data.AppendNull();  // scattered nulls and one all-null stretch
    } else if (c.type == Type::kInt64) {
      data.Append<int64_t>(v * 3 - 1000);
    } else if (c.type == Type::kDouble) {
      data.Append<double>(static_cast<double>(v) / 4.0);
    } else {
      const std::string text = "value-" + std::to_string(v) + (v % 5 == 0 ? "-longer" : "");
      data.AppendValue(AsBytes(text));
    }
  }
  return data;
}

struct FileSpec {
  bool dictionary = false;
  bool page_index = true;
  Compression compression = Compression::kZstd;
  int64_t data_page_size = 256;
  bool write_crc = true;
};

// Writes one row group of kRows rows of TestSchema() with small pages.
void WriteFile(const std::string& path, const FileSpec& spec) {
  WriterOptions options;
  options.dictionary = spec.dictionary;
  options.write_page_index = spec.page_index;
  options.compression = spec.compression;
  options.data_page_size = spec.data_page_size;
  options.write_crc = spec.write_crc;
  const Schema schema = TestSchema();
  auto file = io::DefaultFileSystem()->CreateForAppend(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto writer = ParquetFileWriter::Create(file->get(), schema, options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  for (int c = 0; c < schema.num_columns(); c++) {
    EncodedChunk chunk;
    ColumnData data = Values(schema.column(c), kRows, spec.dictionary);
    ASSERT_TRUE(ColumnChunkWriter(schema.column(c), options).Write(data, 0, kRows, &chunk).ok());
    ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
  }
  ASSERT_TRUE((*writer)->CloseRowGroup(kRows).ok());
  ASSERT_TRUE((*writer)->Finish({}).ok());
  ASSERT_TRUE((*file)->Close().ok());
}

std::unique_ptr<ParquetFileReader> Open(const std::string& path) {
  auto reader = ParquetFileReader::Open(io::DefaultFileSystem(), path);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return reader.ok() ? std::move(reader).value() : nullptr;
}

// One cell as text: "null", or the value's bytes in hex.
std::string Cell(const ColumnData& data, int64_t row) {
  if (!data.IsValid(row)) return "null";
  ByteView v = data.width() > 0 ? ByteView(data.fixed_value(row), static_cast<size_t>(data.width()))
                                : data.binary_value(row);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : v) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::vector<std::string> Cells(const ColumnData& data, int64_t begin, int64_t end) {
  std::vector<std::string> out;
  for (int64_t r = begin; r < end; r++) out.push_back(Cell(data, r));
  return out;
}

ColumnData ReadAllOf(const ParquetFileReader& file, int column) {
  const ColumnDescriptor& c = file.schema().column(column);
  ColumnData data(c.type, c.type_length);
  Status s = ColumnChunkReader(&file, 0, column).ReadAll(&data);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return data;
}

// Rows [begin, end) of `column` read by a fresh reader (what the merge executor does, which
// also promises a single pass: partly used pages decode only the rows asked for).
Result<ColumnData> ReadRange(const ParquetFileReader& file, int column, int64_t begin, int64_t end,
                             ChunkReadStats* stats = nullptr, bool single_pass = false) {
  const ColumnDescriptor& c = file.schema().column(column);
  ColumnData data(c.type, c.type_length);
  ColumnChunkReader reader(&file, 0, column);
  reader.set_single_pass(single_pass);
  FM_RETURN_IF_ERROR(reader.ReadRows(begin, end, &data));
  if (stats != nullptr) *stats = reader.stats();
  return data;
}

std::vector<PageLocation> Locations(const ParquetFileReader& file, int column) {
  auto index = file.ReadOffsetIndex(0, column);
  EXPECT_TRUE(index.ok() && index->has_value());
  return index.ok() && index->has_value() ? (*index)->page_locations : std::vector<PageLocation>();
}

// Ranges around every page boundary, single rows, the first and last pages, the whole chunk.
std::vector<std::pair<int64_t, int64_t>> RangesFor(const std::vector<PageLocation>& pages) {
  std::vector<std::pair<int64_t, int64_t>> out = {
      {0, kRows},     {0, 1},     {kRows - 1, kRows}, {kRows / 3, 2 * kRows / 3},
      {1, kRows - 1}, {500, 560}, {499, 561}};
  for (size_t p = 0; p < pages.size(); p++) {
    const int64_t first = pages[p].first_row_index;
    const int64_t next = p + 1 < pages.size() ? pages[p + 1].first_row_index : kRows;
    out.push_back({first, next});                          // exactly one page
    out.push_back({first, first + 1});                     // its first row
    out.push_back({next - 1, next});                       // its last row
    if (first > 0) out.push_back({first - 1, first + 1});  // across a boundary
    if (next < kRows) out.push_back({first, std::min(kRows, next + 1)});
    if (p + 3 < pages.size()) out.push_back({first + 1, pages[p + 3].first_row_index - 1});
  }
  return out;
}

struct Case {
  const char* name;
  FileSpec spec;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class SubRangeTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    path_ = dir_.Join("t.parquet");
    WriteFile(path_, GetParam().spec);
    file_ = Open(path_);
    ASSERT_NE(file_, nullptr);
  }
  uint64_t ChunkLength(int column) const {
    uint64_t start = 0, length = 0;
    file_->ChunkRange(0, column, &start, &length);
    return length;
  }
  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<ParquetFileReader> file_;
};

TEST_P(SubRangeTest, EveryRangeEqualsTheFullReadsSlice) {
  for (int column = 0; column < file_->num_columns(); column++) {
    SCOPED_TRACE(file_->schema().column(column).name);
    const ColumnData full = ReadAllOf(*file_, column);
    ASSERT_EQ(full.num_rows(), kRows);
    std::vector<PageLocation> pages;
    if (GetParam().spec.page_index) {
      pages = Locations(*file_, column);
      ASSERT_GE(pages.size(), 20u) << "pages too large for the test";
    } else {
      for (int64_t r = 0; r < kRows; r += 97) pages.push_back({0, 0, r});
    }
    if (GetParam().spec.dictionary) {
      ASSERT_TRUE(file_->column_meta(0, column).dictionary_page_offset.has_value());
    }
    for (const auto& [begin, end] : RangesFor(pages)) {
      for (bool single_pass : {false, true}) {
        auto got = ReadRange(*file_, column, begin, end, nullptr, single_pass);
        ASSERT_TRUE(got.ok()) << begin << ".." << end << ": " << got.status().ToString();
        ASSERT_EQ(Cells(*got, 0, got->num_rows()), Cells(full, begin, end))
            << begin << ".." << end << (single_pass ? " (single pass)" : "");
      }
    }
  }
}

TEST_P(SubRangeTest, AMiddleRangeReadsOnlyItsPages) {
  for (int column = 0; column < file_->num_columns(); column++) {
    SCOPED_TRACE(file_->schema().column(column).name);
    ChunkReadStats stats;
    auto got = ReadRange(*file_, column, 900, 1100, &stats);  // 10% of the rows
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    const uint64_t length = ChunkLength(column);
    if (!GetParam().spec.page_index) {
      EXPECT_EQ(stats.bytes_read, length);  // no offset index: the whole chunk
      continue;
    }
    // Exactly the dictionary region and the pages holding rows 900..1099.
    const std::vector<PageLocation> pages = Locations(*file_, column);
    uint64_t start = 0, unused = 0;
    file_->ChunkRange(0, column, &start, &unused);
    uint64_t expected = static_cast<uint64_t>(pages[0].offset) - start;
    int64_t skipped = 0;
    for (size_t p = 0; p < pages.size(); p++) {
      const int64_t next = p + 1 < pages.size() ? pages[p + 1].first_row_index : kRows;
      if (next > 900 && pages[p].first_row_index < 1100) {
        expected += static_cast<uint64_t>(pages[p].compressed_page_size);
      } else if (next <= 900) {
        skipped++;
      }
    }
    EXPECT_EQ(stats.bytes_read, expected);
    EXPECT_EQ(stats.pages_skipped, skipped);
    RecordProperty(file_->schema().column(column).name + "_bytes",
                   std::to_string(stats.bytes_read) + " of " + std::to_string(length));
    // Roughly proportional: 10% of the rows, a little more for the pages at both ends.
    EXPECT_LT(stats.bytes_read, length / 5) << stats.bytes_read << " of " << length;
    EXPECT_GT(stats.bytes_read, length / 20) << stats.bytes_read << " of " << length;
  }
}

TEST_P(SubRangeTest, BatchedReadsReadTheChunkOnce) {
  // cat's pattern: consecutive batches on one reader.
  for (int column = 0; column < file_->num_columns(); column++) {
    SCOPED_TRACE(file_->schema().column(column).name);
    const ColumnData full = ReadAllOf(*file_, column);
    const ColumnDescriptor& c = file_->schema().column(column);
    ColumnChunkReader reader(file_.get(), 0, column);
    ColumnData got(c.type, c.type_length);
    for (int64_t begin = 0; begin < kRows; begin += 150) {
      ASSERT_TRUE(reader.ReadRows(begin, std::min(kRows, begin + 150), &got).ok());
    }
    EXPECT_EQ(Cells(got, 0, got.num_rows()), Cells(full, 0, kRows));
    EXPECT_EQ(reader.stats().bytes_read, ChunkLength(column));
  }
}

TEST_P(SubRangeTest, JumpsAndStepsBackOnOneReaderStayCorrect) {
  // The key reads of --from/--to (ranges going forward), then rows before them (whole chunk).
  const std::vector<std::pair<int64_t, int64_t>> calls = {{300, 340},   {335, 400},   {1200, 1300},
                                                          {1250, 1260}, {1300, 1301}, {1900, 2000},
                                                          {100, 120},   {0, 2000},    {1999, 2000}};
  for (int column = 0; column < file_->num_columns(); column++) {
    SCOPED_TRACE(file_->schema().column(column).name);
    const ColumnData full = ReadAllOf(*file_, column);
    const ColumnDescriptor& c = file_->schema().column(column);
    ColumnChunkReader reader(file_.get(), 0, column);
    for (const auto& [begin, end] : calls) {
      ColumnData got(c.type, c.type_length);
      Status s = reader.ReadRows(begin, end, &got);
      ASSERT_TRUE(s.ok()) << begin << ".." << end << ": " << s.ToString();
      ASSERT_EQ(Cells(got, 0, got.num_rows()), Cells(full, begin, end)) << begin << ".." << end;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, SubRangeTest,
    ::testing::Values(Case{"PlainZstd", {false, true, Compression::kZstd, 256}},
                      Case{"DictionaryZstd", {true, true, Compression::kZstd, 48}},
                      Case{"PlainUncompressed", {false, true, Compression::kUncompressed, 256}},
                      Case{"DictionarySnappy", {true, true, Compression::kSnappy, 48}},
                      Case{"NoOffsetIndex", {true, false, Compression::kZstd, 48}}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

// Files whose offset index is replaced: the index is appended after the pages and the footer
// points at it (the pages themselves are unchanged).
class BadOffsetIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Join("t.parquet");
    FileSpec spec;
    spec.dictionary = true;
    spec.data_page_size = 48;
    WriteFile(path_, spec);
    auto file = Open(path_);
    ASSERT_NE(file, nullptr);
    for (int c = 0; c < file->num_columns(); c++) {
      full_.push_back(ReadAllOf(*file, c));
      pages_.push_back(Locations(*file, c));
      ASSERT_GE(pages_.back().size(), 20u);
    }
  }

  // Rewrites the file with `pages` as the offset index of column 2 (the strings).
  std::unique_ptr<ParquetFileReader> WithIndex(const std::vector<PageLocation>& pages) {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    const uint32_t footer_len =
        LoadLE<uint32_t>(reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size() - 8);
    const size_t footer_start = bytes.size() - 8 - footer_len;
    auto md = DecodeFileMetaData(
        ByteView(reinterpret_cast<const uint8_t*>(bytes.data()) + footer_start, footer_len));
    EXPECT_TRUE(md.ok());
    OffsetIndex index;
    index.page_locations = pages;
    ByteBuffer encoded;
    EncodeOffsetIndex(index, &encoded);
    std::string body = bytes.substr(4, footer_start - 4);
    ColumnChunk& chunk = md->row_groups[0].columns[2];
    chunk.offset_index_offset = static_cast<int64_t>(4 + body.size());
    chunk.offset_index_length = static_cast<int32_t>(encoded.size());
    body.append(reinterpret_cast<const char*>(encoded.data()), encoded.size());
    const std::string edited = dir_.Join("edited.parquet");
    std::ofstream(edited, std::ios::binary | std::ios::trunc) << testing::AssembleFile(body, *md);
    return Open(edited);
  }

  // Every range either fails with Corruption or returns the right values; returns how many
  // failed with the offset index named.
  int ReadEveryRange(const ParquetFileReader& file) {
    int disagreements = 0;
    for (const auto& [begin, end] : RangesFor(pages_[2])) {
      auto got = ReadRange(file, 2, begin, end);
      if (got.ok()) {
        EXPECT_EQ(Cells(*got, 0, got->num_rows()), Cells(full_[2], begin, end))
            << begin << ".." << end;
      } else {
        EXPECT_TRUE(got.status().IsCorruption()) << got.status().ToString();
        const std::string& m = got.status().message();
        EXPECT_NE(m.find("column 's'"), std::string::npos) << m;
        if (m.find("offset index disagrees with page headers") != std::string::npos) {
          disagreements++;
        }
      }
    }
    return disagreements;
  }

  testing::TempDir dir_;
  std::string path_;
  std::vector<ColumnData> full_;
  std::vector<std::vector<PageLocation>> pages_;
};

TEST_F(BadOffsetIndexTest, TheRewrittenSoundIndexIsUsed) {
  auto file = WithIndex(pages_[2]);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(ReadEveryRange(*file), 0);
  ChunkReadStats stats;
  ASSERT_TRUE(ReadRange(*file, 2, 900, 1000, &stats).ok());
  uint64_t start = 0, length = 0;
  file->ChunkRange(0, 2, &start, &length);
  EXPECT_LT(stats.bytes_read, length / 4);
}

TEST_F(BadOffsetIndexTest, IndexesThatContradictTheChunkAreIgnored) {
  uint64_t start = 0, length = 0;
  {
    auto file = WithIndex(pages_[2]);
    ASSERT_NE(file, nullptr);
    file->ChunkRange(0, 2, &start, &length);
  }
  std::vector<std::vector<PageLocation>> bad;
  bad.push_back(pages_[1]);  // another column's pages: outside this chunk
  bad.push_back(pages_[2]);
  bad.back()[0].first_row_index = 1;  // must start at row 0
  bad.push_back(pages_[2]);
  std::swap(bad.back()[3], bad.back()[4]);  // not in file order
  bad.push_back(pages_[2]);
  bad.back()[5].compressed_page_size += 1;  // overlaps the next page
  bad.push_back(pages_[2]);
  bad.back().back().compressed_page_size += 1000000;  // past the chunk's end
  bad.push_back(pages_[2]);
  bad.back()[7].first_row_index = bad.back()[6].first_row_index;  // rows not increasing
  bad.push_back(pages_[2]);
  bad.back().back().first_row_index = kRows;  // a page starting past the last row
  bad.push_back({});                          // no pages
  for (size_t i = 0; i < bad.size(); i++) {
    SCOPED_TRACE("index " + std::to_string(i));
    auto file = WithIndex(bad[i]);
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(ReadEveryRange(*file), 0);
    ChunkReadStats stats;
    auto got = ReadRange(*file, 2, 900, 1000, &stats);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(stats.bytes_read, length);  // the whole chunk
  }
}

TEST_F(BadOffsetIndexTest, IndexesThatDisagreeWithThePagesAreCorruption) {
  std::vector<std::vector<PageLocation>> bad;
  bad.push_back(pages_[2]);
  bad.back()[10].first_row_index += 1;  // page 9 one row longer, page 10 one shorter
  bad.push_back(pages_[2]);
  bad.back().erase(bad.back().begin() + 10);  // pages 9 and 10 as one
  bad.push_back(pages_[2]);
  bad.back()[10].compressed_page_size -= 1;  // one byte short
  bad.push_back(pages_[2]);
  bad.back()[10].offset += 1;  // inside the page header
  bad.back()[10].compressed_page_size -= 1;
  bad.push_back(pages_[2]);
  bad.back()[0].offset += 1;  // the dictionary region one byte longer
  bad.back()[0].compressed_page_size -= 1;
  for (size_t i = 0; i < bad.size(); i++) {
    SCOPED_TRACE("index " + std::to_string(i));
    auto file = WithIndex(bad[i]);
    ASSERT_NE(file, nullptr);
    ReadEveryRange(*file);
    // A range over the altered page fails, naming the file, row group and column.
    const int64_t row = pages_[2][i == 4 ? 0 : 10].first_row_index;
    auto got = ReadRange(*file, 2, row, row + 1);
    ASSERT_FALSE(got.ok());
    EXPECT_TRUE(got.status().IsCorruption()) << got.status().ToString();
    EXPECT_NE(got.status().message().find("edited.parquet', row group 0, column 's'"),
              std::string::npos)
        << got.status().ToString();
  }
  // Rows, merged pages and sizes are found by comparing the page headers with the index.
  for (size_t i : {0, 1, 2}) {
    auto file = WithIndex(bad[i]);
    ASSERT_NE(file, nullptr);
    const int64_t row = pages_[2][10].first_row_index;
    auto got = ReadRange(*file, 2, row, row + 1);
    ASSERT_FALSE(got.ok()) << i;
    EXPECT_NE(got.status().message().find("offset index disagrees with page headers"),
              std::string::npos)
        << got.status().ToString();
  }
}

// First rows shifted by one from page 10 on: every page from 10 still holds as many rows as the
// index gives it, except page 9 (one more) and the last (one fewer). A range inside page 12
// reads neither, so the run's start must be checked against the headers of the pages before
// it: an error, never the rows one place off.
TEST_F(BadOffsetIndexTest, ShiftedFirstRowsBeforeARunAreCorruption) {
  std::vector<PageLocation> shifted = pages_[2];
  ASSERT_GT(shifted.size(), 14u);
  for (size_t i = 10; i < shifted.size(); i++) shifted[i].first_row_index += 1;
  auto file = WithIndex(shifted);
  ASSERT_NE(file, nullptr);
  const int64_t row = pages_[2][12].first_row_index + 2;
  auto got = ReadRange(*file, 2, row, row + 3);
  ASSERT_FALSE(got.ok()) << "rows read through a shifted offset index";
  EXPECT_TRUE(got.status().IsCorruption()) << got.status().ToString();
  EXPECT_NE(got.status().message().find("offset index disagrees with page headers: data page 9"),
            std::string::npos)
      << got.status().ToString();
  ReadEveryRange(*file);  // every other range: right rows or Corruption
}

// A single-pass read of part of a page decodes only that part's values, but checks the whole
// page as a whole read does: damage after the range is still an error, never unnoticed.
TEST(SinglePass, DamageAfterTheRangeInAPartlyReadPageIsStillAnError) {
  testing::TempDir dir;
  FileSpec spec;
  spec.dictionary = true;
  spec.compression = Compression::kUncompressed;  // page bytes editable as they are
  spec.write_crc = false;                         // nothing but decoding notices the damage
  const std::string path = dir.Join("t.parquet");
  WriteFile(path, spec);
  auto file = Open(path);
  ASSERT_NE(file, nullptr);
  // The last dictionary indices of page 3 of column "i" become all one bits: past the
  // dictionary. The range read is the page's first two rows.
  const std::vector<PageLocation> pages = Locations(*file, 0);
  ASSERT_GT(pages.size(), 4u);
  const PageLocation& page = pages[3];
  auto bytes = io::ReadWholeFile(io::DefaultFileSystem(), path, 1ull << 30);
  ASSERT_TRUE(bytes.ok());
  std::string data = *bytes;
  for (int k = 1; k <= 8; k++) {
    data[static_cast<size_t>(page.offset + page.compressed_page_size - k)] = '\xff';
  }
  const std::string damaged = dir.Join("damaged.parquet");
  ASSERT_TRUE(io::WriteFileAtomic(io::DefaultFileSystem(), damaged, AsBytes(data)).ok());
  auto bad = Open(damaged);
  ASSERT_NE(bad, nullptr);
  const int64_t first = page.first_row_index;
  for (bool single_pass : {false, true}) {
    auto got = ReadRange(*bad, 0, first, first + 2, nullptr, single_pass);
    ASSERT_FALSE(got.ok()) << (single_pass ? "single pass: " : "")
                           << "damage after the range went unnoticed";
    EXPECT_TRUE(got.status().IsCorruption()) << got.status().ToString();
  }
  EXPECT_TRUE(ReadRange(*bad, 0, 0, 2, nullptr, true).ok());  // other pages read fine
}

// Files of other writers: wherever they have an offset index, sub-ranges equal the full read.
TEST(SubRangeInterop, OtherWritersOffsetIndexesGiveTheFullReadsSlices) {
  std::ifstream manifest(testing::InteropDir() + "/MANIFEST.tsv");
  ASSERT_TRUE(manifest.good()) << testing::InteropDir();
  std::string line;
  std::getline(manifest, line);  // header
  int with_index = 0, without_index = 0;
  while (std::getline(manifest, line)) {
    std::istringstream fields(line);
    std::string name, writer, version, features, expected;
    std::getline(fields, name, '\t');
    std::getline(fields, writer, '\t');
    std::getline(fields, version, '\t');
    std::getline(fields, features, '\t');
    std::getline(fields, expected, '\t');
    if (expected != "ok") continue;
    SCOPED_TRACE(name);
    auto file = Open(testing::InteropDir() + "/" + name);
    ASSERT_NE(file, nullptr);
    for (int rg = 0; rg < file->num_row_groups(); rg++) {
      const int64_t rows = file->row_group(rg).num_rows;
      for (int c = 0; c < file->num_columns(); c++) {
        const ColumnDescriptor& d = file->schema().column(c);
        ColumnData full(d.type, d.type_length);
        ASSERT_TRUE(ColumnChunkReader(file.get(), rg, c).ReadAll(&full).ok());
        auto index = file->ReadOffsetIndex(rg, c);
        const bool has_index = index.ok() && index->has_value();
        (has_index ? with_index : without_index)++;
        std::vector<std::pair<int64_t, int64_t>> ranges = {
            {0, 1}, {rows / 2, rows / 2 + 1}, {rows / 3, rows - rows / 3}, {rows - 1, rows}};
        if (has_index) {
          for (const PageLocation& p : (*index)->page_locations) {
            if (p.first_row_index > 0 && p.first_row_index < rows) {
              ranges.push_back({p.first_row_index - 1, std::min(rows, p.first_row_index + 2)});
            }
          }
        }
        for (const auto& [begin, end] : ranges) {
          if (begin < 0 || begin >= end || end > rows) continue;
          for (bool single_pass : {false, true}) {
            ColumnData got(d.type, d.type_length);
            ColumnChunkReader reader(file.get(), rg, c);
            reader.set_single_pass(single_pass);
            Status s = reader.ReadRows(begin, end, &got);
            ASSERT_TRUE(s.ok()) << d.name << " " << begin << ".." << end << ": " << s.ToString();
            ASSERT_EQ(Cells(got, 0, got.num_rows()), Cells(full, begin, end))
                << d.name << " " << begin << ".." << end << (single_pass ? " (single pass)" : "");
          }
        }
      }
    }
  }
  // The corpus has both kinds (parquet-rs writes page indexes by default).
  EXPECT_GT(with_index, 0);
  EXPECT_GT(without_index, 0);
}

}  // namespace
}  // namespace featmerge::parquet

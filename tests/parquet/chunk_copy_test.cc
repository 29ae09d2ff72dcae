// CopyColumnChunk: a chunk copied as stored into another file reads back with the same values
// (dictionary and plain pages, nulls, strings), gets a correct offset index, and is refused
// (not copied) when its bytes would mean something else in the target column; a damaged page
// is an error, never copied.
#include "parquet/chunk_copy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/file.h"
#include "parquet/column_data.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"
#include "parquet/value_text.h"
#include "testing/temp_dir.h"

namespace featmerge::parquet {
namespace {

Schema TestSchema() {
  std::vector<ColumnDescriptor> cols(4);
  cols[0].name = "low_cardinality";  // dictionary-encoded
  cols[0].type = Type::kDouble;
  cols[1].name = "distinct";         // falls back to PLAIN
  cols[1].type = Type::kDouble;
  cols[2].name = "text";
  cols[2].type = Type::kByteArray;
  cols[2].logical_type.kind = LogicalType::Kind::kString;
  cols[3].name = "required";
  cols[3].type = Type::kInt64;
  cols[3].nullable = false;
  return Schema(std::move(cols));
}

ColumnData Values(const ColumnDescriptor& d, int c, int64_t rows, int seed) {
  ColumnData data(d.type, 0);
  for (int64_t i = 0; i < rows; i++) {
    if (d.nullable && (i + seed) % 9 == 0) {
      data.AppendNull();
    } else if (c == 0) {
      data.Append<double>(static_cast<double>((i + seed) % 13) / 4.0);
    } else if (c == 1) {
      data.Append<double>(static_cast<double>(i * 7919 + seed) / 3.0);
    } else if (c == 2) {
      const std::string v = "s" + std::to_string((i * 31 + seed) % 1000);
      data.AppendValue(ByteView(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
    } else {
      data.Append<int64_t>(i * 3 + seed);
    }
  }
  return data;
}

// Writes `groups` row groups of `rows` rows with small pages (several per chunk).
void WriteSource(const std::string& path, const Schema& schema, int groups, int64_t rows,
                 const WriterOptions& options) {
  auto file = io::DefaultFileSystem()->CreateForAppend(path);
  ASSERT_TRUE(file.ok());
  auto writer = ParquetFileWriter::Create(file->get(), schema, options);
  ASSERT_TRUE(writer.ok());
  for (int g = 0; g < groups; g++) {
    for (int c = 0; c < schema.num_columns(); c++) {
      ColumnChunkWriter cw(schema.column(c), options);
      EncodedChunk chunk;
      ASSERT_TRUE(cw.Write(Values(schema.column(c), c, rows, g * 100), 0, rows, &chunk).ok());
      ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
    }
    ASSERT_TRUE((*writer)->CloseRowGroup(rows).ok());
  }
  ASSERT_TRUE((*writer)->Finish({}).ok());
  ASSERT_TRUE((*file)->Close().ok());
}

std::vector<std::string> Cells(const ParquetFileReader& r, int rg, int c) {
  const ColumnDescriptor& d = r.schema().column(c);
  ColumnData data(d.type, d.type_length);
  ColumnChunkReader reader(&r, rg, c);
  Status s = reader.ReadAll(&data);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> out;
  for (int64_t row = 0; row < data.num_rows(); row++) {
    std::string text;
    AppendJsonValue(d, ValueKindOf(d), data, row, &text);
    out.push_back(text);
  }
  return out;
}

class ChunkCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.data_page_size = 2048;  // several pages per chunk
    WriteSource(dir_.Join("src.parquet"), schema_, 3, 1000, options_);
    auto r = ParquetFileReader::Open(io::DefaultFileSystem(), dir_.Join("src.parquet"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    src_ = std::move(r).value();
  }
  testing::TempDir dir_;
  Schema schema_ = TestSchema();
  WriterOptions options_;
  std::unique_ptr<ParquetFileReader> src_;
};

TEST_F(ChunkCopyTest, CopiedChunksReadBackEqualWithAnOffsetIndex) {
  // The target: the same columns renamed, row groups 2 and 0 of the source in that order.
  std::vector<ColumnDescriptor> cols;
  for (int c = 0; c < schema_.num_columns(); c++) {
    ColumnDescriptor d = schema_.column(c);
    d.name = "copy_" + d.name;
    cols.push_back(d);
  }
  const Schema target(cols);
  const std::string out_path = dir_.Join("out.parquet");
  auto file = io::DefaultFileSystem()->CreateForAppend(out_path);
  ASSERT_TRUE(file.ok());
  auto writer = ParquetFileWriter::Create(file->get(), target, options_);
  ASSERT_TRUE(writer.ok());
  ByteBuffer scratch;
  ChunkReadStats stats;
  for (int rg : {2, 0}) {
    for (int c = 0; c < target.num_columns(); c++) {
      EncodedChunk chunk;
      auto copied = CopyColumnChunk(*src_, rg, c, target.column(c), options_.compression,
                                    &scratch, &chunk, &stats);
      ASSERT_TRUE(copied.ok()) << copied.status().ToString();
      ASSERT_TRUE(*copied) << "column " << c;
      // Several pages (the dictionary-encoded column's indexes fit in one).
      EXPECT_GT(chunk.offset_index.page_locations.size(), c == 0 ? 0u : 1u) << "column " << c;
      ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
    }
    ASSERT_TRUE((*writer)->CloseRowGroup(1000).ok());
  }
  ASSERT_TRUE((*writer)->Finish({}).ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_GT(stats.bytes_read, 0u);

  auto out = ParquetFileReader::Open(io::DefaultFileSystem(), out_path);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)->num_rows(), 2000);
  for (int c = 0; c < target.num_columns(); c++) {
    EXPECT_EQ((*out)->schema().column(c).name, "copy_" + schema_.column(c).name);
    EXPECT_EQ(Cells(**out, 0, c), Cells(*src_, 2, c)) << "column " << c;
    EXPECT_EQ(Cells(**out, 1, c), Cells(*src_, 0, c)) << "column " << c;
    // The rebuilt offset index points at real pages with the right first rows.
    for (int rg = 0; rg < 2; rg++) {
      auto index = (*out)->ReadOffsetIndex(rg, c);
      ASSERT_TRUE(index.ok() && index->has_value());
      const std::vector<PageLocation>& pages = (*index)->page_locations;
      ASSERT_FALSE(pages.empty());
      EXPECT_EQ(pages[0].first_row_index, 0);
      uint64_t start = 0, length = 0;
      (*out)->ChunkRange(rg, c, &start, &length);
      EXPECT_GE(static_cast<uint64_t>(pages[0].offset), start);
      const PageLocation& last = pages.back();
      EXPECT_EQ(static_cast<uint64_t>(last.offset + last.compressed_page_size), start + length);
      for (size_t i = 1; i < pages.size(); i++) {
        EXPECT_GT(pages[i].first_row_index, pages[i - 1].first_row_index);
        EXPECT_EQ(pages[i].offset, pages[i - 1].offset + pages[i - 1].compressed_page_size);
      }
    }
  }
}

TEST_F(ChunkCopyTest, ChunksThatWouldMeanSomethingElseAreNotCopied) {
  ColumnDescriptor other_type = schema_.column(0);
  other_type.type = Type::kInt64;
  EXPECT_EQ(CanCopyColumnChunk(*src_, 0, 0, other_type, options_.compression), CopyRefusal::kType);
  ColumnDescriptor other_logical = schema_.column(2);
  other_logical.logical_type.kind = LogicalType::Kind::kNone;
  EXPECT_EQ(CanCopyColumnChunk(*src_, 0, 2, other_logical, options_.compression), CopyRefusal::kType);
  // A REQUIRED column has no definition levels: its pages cannot serve an OPTIONAL column.
  ColumnDescriptor optional = schema_.column(3);
  optional.nullable = true;
  EXPECT_EQ(CanCopyColumnChunk(*src_, 0, 3, optional, options_.compression),
            CopyRefusal::kNullability);
  EXPECT_EQ(CanCopyColumnChunk(*src_, 0, 0, schema_.column(0), Compression::kSnappy),
            CopyRefusal::kCodec);
  EXPECT_EQ(CanCopyColumnChunk(*src_, 0, 0, schema_.column(0), options_.compression),
            CopyRefusal::kNone);
  ByteBuffer scratch;
  ChunkReadStats stats;
  EncodedChunk chunk;
  auto copied = CopyColumnChunk(*src_, 0, 3, optional, options_.compression, &scratch, &chunk, &stats);
  ASSERT_TRUE(copied.ok());
  EXPECT_FALSE(*copied);
  EXPECT_EQ(stats.bytes_read, 0u);  // refused before reading anything
}

// Damages the zstd frame header of the first data page of chunk (0, 1) and returns the file.
// (A flipped literal byte inside a frame without checksum decompresses to other values: no
// reader can notice that without a page CRC, copying or not.)
std::unique_ptr<ParquetFileReader> Damaged(const std::string& from, const std::string& to) {
  auto r = ParquetFileReader::Open(io::DefaultFileSystem(), from);
  EXPECT_TRUE(r.ok());
  auto index = (*r)->ReadOffsetIndex(0, 1);
  EXPECT_TRUE(index.ok() && index->has_value());
  const PageLocation& page = (*index)->page_locations[0];
  auto bytes = io::ReadWholeFile(io::DefaultFileSystem(), from, 1ull << 30);
  EXPECT_TRUE(bytes.ok());
  std::string data = *bytes;
  const size_t magic = data.find("\x28\xb5\x2f\xfd", static_cast<size_t>(page.offset));
  EXPECT_LT(magic, static_cast<size_t>(page.offset + page.compressed_page_size));
  data[magic] ^= 0x5a;
  EXPECT_TRUE(io::WriteFileAtomic(io::DefaultFileSystem(), to, AsBytes(data)).ok());
  auto damaged = ParquetFileReader::Open(io::DefaultFileSystem(), to);
  EXPECT_TRUE(damaged.ok());
  return damaged.ok() ? std::move(damaged).value() : nullptr;
}

// Copies chunk (0, 1) of `source` after damaging it (see Damaged).
Result<bool> CopyDamaged(const std::string& source, const std::string& damaged_path,
                         const ColumnDescriptor& column, Compression codec) {
  auto damaged = Damaged(source, damaged_path);
  if (damaged == nullptr) return Status::Internal("the damaged copy does not open");
  ByteBuffer scratch;
  ChunkReadStats stats;
  EncodedChunk chunk;
  return CopyColumnChunk(*damaged, 0, 1, column, codec, &scratch, &chunk, &stats);
}

TEST_F(ChunkCopyTest, DamagedPageIsAnErrorWithCrc) {
  auto copied = CopyDamaged(dir_.Join("src.parquet"), dir_.Join("damaged.parquet"),
                            schema_.column(1), options_.compression);
  ASSERT_FALSE(copied.ok());
  EXPECT_TRUE(copied.status().IsCorruption()) << copied.status().ToString();
  EXPECT_NE(copied.status().message().find("damaged.parquet"), std::string::npos);
}

TEST_F(ChunkCopyTest, DamagedPageIsAnErrorWithoutCrc) {
  options_.write_crc = false;
  WriteSource(dir_.Join("nocrc.parquet"), schema_, 1, 1000, options_);
  // Without a CRC the page must prove it decompresses: zstd notices the damage.
  auto copied = CopyDamaged(dir_.Join("nocrc.parquet"), dir_.Join("damaged.parquet"),
                            schema_.column(1), options_.compression);
  EXPECT_FALSE(copied.ok());
}

}  // namespace
}  // namespace featmerge::parquet

// ParquetFileWriter: the footer it streams equals EncodeFileMetaData of the same metadata, and
// a writer that does not keep its chunk records (the merge keeps them in its journal) writes
// the same bytes as one that does, while holding none of them in memory.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/file.h"
#include "parquet/column_data.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"
#include "parquet/format/thrift_codec.h"
#include "testing/temp_dir.h"

namespace featmerge::parquet {
namespace {

Schema WideSchema(int columns) {
  std::vector<ColumnDescriptor> cols;
  for (int c = 0; c < columns; c++) {
    ColumnDescriptor d;
    d.name = "col_" + std::to_string(c);
    d.type = c % 3 == 2 ? Type::kByteArray : Type::kDouble;
    if (d.type == Type::kByteArray) d.logical_type.kind = LogicalType::Kind::kString;
    d.nullable = c != 0;
    cols.push_back(d);
  }
  return Schema(std::move(cols));
}

ColumnData Values(const ColumnDescriptor& d, int64_t rows, int seed) {
  ColumnData data(d.type, 0);
  for (int64_t i = 0; i < rows; i++) {
    if (d.nullable && (i + seed) % 7 == 0) {
      data.AppendNull();
    } else if (d.type == Type::kDouble) {
      data.Append<double>(static_cast<double>(i * 31 + seed) / 8.0);
    } else {
      const std::string v = "v" + std::to_string((i + seed) % 5);
      data.AppendValue(ByteView(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
    }
  }
  return data;
}

// Writes `groups` row groups of `rows` rows; with drop_records the writer keeps no chunk
// records and Finish() reads them from `journal` (what the merge does with its journal).
// Returns the file's bytes.
ByteBuffer WriteFile(const std::string& path, const Schema& schema, int groups, int64_t rows,
                     bool drop_records, size_t* records_held) {
  auto file = io::DefaultFileSystem()->CreateForAppend(path);
  EXPECT_TRUE(file.ok());
  WriterOptions options;
  auto writer = ParquetFileWriter::Create(file->get(), schema, options);
  EXPECT_TRUE(writer.ok());
  if (drop_records) (*writer)->DropChunkRecords();
  std::vector<ByteBuffer> journal;
  for (int g = 0; g < groups; g++) {
    for (int c = 0; c < schema.num_columns(); c++) {
      ColumnChunkWriter cw(schema.column(c), options);
      EncodedChunk chunk;
      ColumnData data = Values(schema.column(c), rows, g * 100 + c);
      EXPECT_TRUE(cw.Write(data, 0, rows, &chunk).ok());
      EXPECT_TRUE((*writer)->AppendChunk(chunk).ok());
      ByteView rec = (*writer)->last_chunk_record();
      journal.emplace_back(rec.begin(), rec.end());
    }
    EXPECT_TRUE((*writer)->CloseRowGroup(rows).ok());
  }
  *records_held = (*writer)->state().records.size();
  Status s = (*writer)->Finish({{"k", std::string("v")}}, nullptr,
                               [&](const std::function<Status(ByteView)>& fn) -> Status {
                                 for (const ByteBuffer& r : journal) FM_RETURN_IF_ERROR(fn(r));
                                 return Status::OK();
                               });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE((*file)->Close().ok());
  auto bytes = io::ReadWholeFile(io::DefaultFileSystem(), path, 1ull << 30);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? ByteBuffer(bytes->begin(), bytes->end()) : ByteBuffer();
}

TEST(FileWriter, DroppedChunkRecordsGiveTheSameFileAndHoldNoMemory) {
  testing::TempDir dir;
  const Schema schema = WideSchema(40);
  size_t kept = 0, dropped = 0;
  ByteBuffer a = WriteFile(dir.Join("kept.parquet"), schema, 5, 300, false, &kept);
  ByteBuffer b = WriteFile(dir.Join("dropped.parquet"), schema, 5, 300, true, &dropped);
  EXPECT_EQ(a, b);
  EXPECT_GT(kept, 40u * 5u * 50u);  // every chunk's metadata, about 100+ bytes each
  EXPECT_EQ(dropped, 0u);
}

TEST(FileWriter, StreamedFooterEqualsEncodedMetadataAndReadsBack) {
  testing::TempDir dir;
  const Schema schema = WideSchema(25);
  size_t held = 0;
  ByteBuffer bytes = WriteFile(dir.Join("f.parquet"), schema, 4, 123, true, &held);
  ASSERT_GT(bytes.size(), 12u);
  const uint32_t footer_len = LoadLE<uint32_t>(bytes.data() + bytes.size() - 8);
  ByteView footer(bytes.data() + bytes.size() - 8 - footer_len, footer_len);
  auto md = DecodeFileMetaData(footer);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  ByteBuffer again;
  EncodeFileMetaData(*md, &again);
  EXPECT_EQ(ByteBuffer(footer.begin(), footer.end()), again);
  EXPECT_EQ(md->num_rows, 4 * 123);
  ASSERT_EQ(md->row_groups.size(), 4u);
  for (size_t g = 0; g < md->row_groups.size(); g++) {
    EXPECT_EQ(md->row_groups[g].ordinal.value_or(-1), static_cast<int>(g));
    ASSERT_EQ(md->row_groups[g].columns.size(), 25u);
    for (const ColumnChunk& cc : md->row_groups[g].columns) {
      EXPECT_TRUE(cc.offset_index_offset.has_value());
    }
  }
  // And our reader opens it and reads every column of every row group.
  auto reader = ParquetFileReader::Open(io::DefaultFileSystem(), dir.Join("f.parquet"));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->num_rows(), 4 * 123);
}

TEST(FileWriter, FinishRefusesMissingOrExtraRecords) {
  testing::TempDir dir;
  const Schema schema = WideSchema(3);
  auto file = io::DefaultFileSystem()->CreateForAppend(dir.Join("x.parquet"));
  ASSERT_TRUE(file.ok());
  auto writer = ParquetFileWriter::Create(file->get(), schema, {});
  ASSERT_TRUE(writer.ok());
  (*writer)->DropChunkRecords();
  for (int c = 0; c < 3; c++) {
    EncodedChunk chunk;
    ASSERT_TRUE(ColumnChunkWriter(schema.column(c), {}).Write(Values(schema.column(c), 10, c), 0, 10, &chunk).ok());
    ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
  }
  ASSERT_TRUE((*writer)->CloseRowGroup(10).ok());
  // No source at all, then a source with too few records: errors, never a footer.
  EXPECT_FALSE((*writer)->Finish({}).ok());
}

}  // namespace
}  // namespace featmerge::parquet

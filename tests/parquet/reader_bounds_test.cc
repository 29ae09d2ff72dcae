// Counts and lengths read from a file never size an allocation unchecked: a page header cannot
// declare more uncompressed bytes than its stored bytes can produce with its codec, an all-null
// page cannot ask for terabytes of slots, and index offsets near INT64_MAX are refused without
// overflowing. Each test is a file or page a damaged writer could produce.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <limits>

#include "io/file.h"
#include "parquet/column_reader.h"
#include "parquet/compression.h"
#include "parquet/file_reader.h"
#include "parquet/format/thrift_codec.h"
#include "parquet/page_reader.h"
#include "testing/parquet_files.h"
#include "testing/temp_dir.h"

namespace featmerge::parquet {
namespace {

// One DATA_PAGE header followed by `body`.
ByteBuffer PageBytes(int32_t uncompressed, const ByteBuffer& body, int32_t num_values) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = uncompressed;
  h.compressed_page_size = static_cast<int32_t>(body.size());
  h.data_page_header = DataPageHeader();
  h.data_page_header->num_values = num_values;
  h.data_page_header->encoding = Encoding::kPlain;
  h.data_page_header->definition_level_encoding = Encoding::kRle;
  h.data_page_header->repetition_level_encoding = Encoding::kRle;
  ByteBuffer out;
  EncodePageHeader(h, &out);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Status NextPageStatus(Compression codec, int32_t uncompressed, size_t stored) {
  const ByteBuffer chunk = PageBytes(uncompressed, ByteBuffer(stored, 0x11), 10);
  PageReader reader(ByteView(chunk), 4, 10, codec, false, "test chunk");
  Page page;
  auto more = reader.Next(&page);
  return more.ok() ? Status::OK() : more.status();
}

TEST(PageReaderBounds, UncompressedSizeBeyondTheCodecsExpansionIsCorruption) {
  // 16 stored bytes cannot become 512 MiB with any of these codecs.
  for (Compression codec : {Compression::kUncompressed, Compression::kSnappy, Compression::kGzip,
                            Compression::kLz4Raw, Compression::kZstd}) {
    Status s = NextPageStatus(codec, 512 << 20, 16);
    EXPECT_TRUE(s.IsCorruption()) << CompressionName(codec) << ": " << s.ToString();
    EXPECT_NE(s.message().find("can hold"), std::string::npos) << s.ToString();
  }
  // One byte more than stored is already impossible without compression.
  EXPECT_TRUE(NextPageStatus(Compression::kUncompressed, 17, 16).IsCorruption());
}

TEST(PageReaderBounds, SizesWithinTheCodecsExpansionAreAccepted) {
  EXPECT_TRUE(NextPageStatus(Compression::kUncompressed, 16, 16).ok());
  EXPECT_TRUE(NextPageStatus(Compression::kZstd, 1 << 20, 100).ok());     // 10486x: an RLE run
  EXPECT_TRUE(NextPageStatus(Compression::kGzip, 100 * 1000, 100).ok());  // 1000x
  EXPECT_TRUE(NextPageStatus(Compression::kSnappy, 2000, 100).ok());      // 20x
}

TEST(PageReaderBounds, RealPagesStayWithinTheBound) {
  // Highly compressible data, compressed by the libraries themselves, stays under the bound.
  const ByteBuffer zeros(1 << 20, 0);
  for (Compression codec : {Compression::kSnappy, Compression::kGzip, Compression::kLz4Raw,
                            Compression::kLz4, Compression::kZstd, Compression::kBrotli}) {
    auto made = MakeCodec(codec, 0);
    ASSERT_TRUE(made.ok());
    ByteBuffer compressed;
    ASSERT_TRUE((*made)->Compress(zeros, &compressed).ok());
    EXPECT_LE(zeros.size(), MaxDecompressedSize(codec, compressed.size()))
        << CompressionName(codec) << " compressed 1 MiB of zeros to " << compressed.size();
  }
}

class FileBoundsTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

TEST_F(FileBoundsTest, AllNullPageOfWideFixedLenValuesIsRefused) {
  // 2000 NULLs of FIXED_LEN_BYTE_ARRAY(1 MiB): 7 bytes on disk, 2000 MiB of slots in memory.
  const int32_t rows = 2000;
  const ByteBuffer levels = {3, 0, 0, 0, 0xA0, 0x1F, 0x00};  // RLE run: 2000 x level 0
  const ByteBuffer page = PageBytes(static_cast<int32_t>(levels.size()), levels, rows);
  FileMetaData md;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 1;
  SchemaElement u;
  u.name = "u";
  u.type = Type::kFixedLenByteArray;
  u.type_length = 1 << 20;
  u.repetition = Repetition::kOptional;
  md.schema = {root, u};
  md.num_rows = rows;
  ColumnMetaData cm;
  cm.type = Type::kFixedLenByteArray;
  cm.encodings = {Encoding::kPlain, Encoding::kRle};
  cm.path_in_schema = {"u"};
  cm.num_values = rows;
  cm.total_compressed_size = cm.total_uncompressed_size = static_cast<int64_t>(page.size());
  cm.data_page_offset = 4;
  RowGroup rg;
  rg.num_rows = rows;
  rg.columns.resize(1);
  rg.columns[0].file_offset = 4;
  rg.columns[0].meta_data = cm;
  md.row_groups = {rg};
  const std::string path = dir_.Join("wide_nulls.parquet");
  std::ofstream(path, std::ios::binary)
      << testing::AssembleFile(std::string(page.begin(), page.end()), md);

  auto file = ParquetFileReader::Open(io::DefaultFileSystem(), path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ColumnData data;
  data.Reset(Type::kFixedLenByteArray, 1 << 20);
  Status s = ColumnChunkReader(file->get(), 0, 0).ReadAll(&data);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("page limit"), std::string::npos) << s.ToString();
}

TEST_F(FileBoundsTest, IndexOffsetsNearInt64MaxAreCorruptionNotOverflow) {
  const std::string path = dir_.Join("index.parquet");
  testing::WriteInt64File(path, "k", 10);
  testing::EditFooter(path, [](FileMetaData* md) {
    ColumnChunk& c = md->row_groups[0].columns[0];
    c.offset_index_offset = std::numeric_limits<int64_t>::max() - 4;
    c.offset_index_length = 100;
    c.column_index_offset = std::numeric_limits<int64_t>::max() - 4;
    c.column_index_length = 100;
  });
  auto file = ParquetFileReader::Open(io::DefaultFileSystem(), path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto offsets = (*file)->ReadOffsetIndex(0, 0);
  EXPECT_TRUE(offsets.status().IsCorruption()) << offsets.status().ToString();
  auto columns = (*file)->ReadColumnIndex(0, 0);
  EXPECT_TRUE(columns.status().IsCorruption()) << columns.status().ToString();
}

}  // namespace
}  // namespace featmerge::parquet

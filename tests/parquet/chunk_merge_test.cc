// MergeColumnChunks: the chunks of several row groups become one chunk that reads back as their
// rows in order (dictionaries united, the later row groups' indices remapped; plain pages
// concatenated), with a correct offset index, for our files under every codec and for other
// writers' files (DuckDB, Polars, parquet-rs, hyparquet); chunks that cannot be joined are
// refused (the caller re-encodes them); a damaged page is an error.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "io/file.h"
#include "parquet/chunk_copy.h"
#include "parquet/encoding/bit_packing.h"
#include "parquet/encoding/rle_bit_packed.h"
#include "parquet/format/thrift_codec.h"
#include "parquet/column_data.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"
#include "parquet/value_text.h"
#include "testing/parquet_files.h"
#include "testing/temp_dir.h"

namespace featmerge::parquet {
namespace {

constexpr int kRowGroups = 4;
constexpr int64_t kRows = 1000;

Schema MergeSchema() {
  std::vector<ColumnDescriptor> cols(6);
  cols[0].name = "dict_double";
  cols[0].type = Type::kDouble;
  cols[1].name = "dict_text";
  cols[1].type = Type::kByteArray;
  cols[1].logical_type.kind = LogicalType::Kind::kString;
  cols[2].name = "dict_int32_required";
  cols[2].type = Type::kInt32;
  cols[2].nullable = false;
  cols[3].name = "plain_double";  // distinct values: PLAIN pages
  cols[3].type = Type::kDouble;
  cols[4].name = "dict_flba16";   // wider than 8 bytes: the general dictionary path
  cols[4].type = Type::kFixedLenByteArray;
  cols[4].type_length = 16;
  cols[5].name = "sparse";        // mostly null
  cols[5].type = Type::kDouble;
  return Schema(std::move(cols));
}

// Row group g's values: the low-cardinality columns take values from a window that moves with
// g, so each row group's dictionary shares some values with the others, in another order.
ColumnData Values(const ColumnDescriptor& d, int c, int g) {
  ColumnData data(d.type, d.type_length);
  for (int64_t i = 0; i < kRows; i++) {
    const int64_t v = (i * 7 + g * 13) % 40 + g * 10;
    if (d.nullable && (c == 5 ? i % 50 != 0 : (i + g) % 11 == 0)) {
      data.AppendNull();
    } else if (c == 0 || c == 5) {
      data.Append<double>(static_cast<double>(v) / 8.0);
    } else if (c == 1) {
      const std::string s = "value-" + std::to_string(v);
      data.AppendValue(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    } else if (c == 2) {
      data.Append<int32_t>(static_cast<int32_t>(v));
    } else if (c == 3) {
      data.Append<double>(static_cast<double>(i * 7919 + g) / 3.0);
    } else {
      std::string s = "flba-" + std::to_string(v);
      s.resize(16, '.');
      data.AppendValue(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    }
  }
  return data;
}

// Writes `groups` row groups with Values(c, g) per column, or make(c, g) when given.
void WriteFile(const std::string& path, const Schema& schema, int groups,
               const WriterOptions& options,
               const std::function<ColumnData(int c, int g)>& make = nullptr) {
  auto file = io::DefaultFileSystem()->CreateForAppend(path);
  ASSERT_TRUE(file.ok());
  auto writer = ParquetFileWriter::Create(file->get(), schema, options);
  ASSERT_TRUE(writer.ok());
  for (int g = 0; g < groups; g++) {
    int64_t rows = 0;
    for (int c = 0; c < schema.num_columns(); c++) {
      ColumnChunkWriter cw(schema.column(c), options);
      EncodedChunk chunk;
      ColumnData data = make ? make(c, g) : Values(schema.column(c), c, g);
      rows = data.num_rows();
      ASSERT_TRUE(cw.Write(data, 0, rows, &chunk).ok());
      ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
    }
    ASSERT_TRUE((*writer)->CloseRowGroup(rows).ok());
  }
  ASSERT_TRUE((*writer)->Finish({}).ok());
  ASSERT_TRUE((*file)->Close().ok());
}

std::unique_ptr<ParquetFileReader> Open(const std::string& path) {
  auto r = ParquetFileReader::Open(io::DefaultFileSystem(), path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

std::vector<std::string> Cells(const ParquetFileReader& r, int rg, int c) {
  const ColumnDescriptor& d = r.schema().column(c);
  ColumnData data(d.type, d.type_length);
  Status s = ColumnChunkReader(&r, rg, c).ReadAll(&data);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> out;
  for (int64_t row = 0; row < data.num_rows(); row++) {
    std::string text;
    AppendJsonValue(d, ValueKindOf(d), data, row, &text);
    out.push_back(std::move(text));
  }
  return out;
}

std::vector<std::string> CellsOf(const ParquetFileReader& r, int rg_begin, int rg_end, int c) {
  std::vector<std::string> out;
  for (int rg = rg_begin; rg < rg_end; rg++) {
    std::vector<std::string> part = Cells(r, rg, c);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

// The offset index of chunk (rg, c) covers the chunk's pages back to back, from row 0 up.
void ExpectSoundOffsetIndex(const ParquetFileReader& r, int rg, int c) {
  auto index = r.ReadOffsetIndex(rg, c);
  ASSERT_TRUE(index.ok() && index->has_value());
  const std::vector<PageLocation>& pages = (*index)->page_locations;
  ASSERT_FALSE(pages.empty());
  EXPECT_EQ(pages[0].first_row_index, 0);
  uint64_t start = 0, length = 0;
  r.ChunkRange(rg, c, &start, &length);
  EXPECT_GE(static_cast<uint64_t>(pages[0].offset), start);
  EXPECT_EQ(static_cast<uint64_t>(pages.back().offset + pages.back().compressed_page_size),
            start + length);
  for (size_t i = 1; i < pages.size(); i++) {
    EXPECT_GT(pages[i].first_row_index, pages[i - 1].first_row_index);
    EXPECT_EQ(pages[i].offset, pages[i - 1].offset + pages[i - 1].compressed_page_size);
  }
}

struct Range {
  int begin, end;
};

class ChunkMergeTest : public ::testing::TestWithParam<std::tuple<Compression, bool>> {
 protected:
  void SetUp() override {
    options_.compression = std::get<0>(GetParam());
    options_.write_crc = std::get<1>(GetParam());
    options_.data_page_size = 2048;  // several pages per chunk
    WriteFile(dir_.Join("src.parquet"), schema_, kRowGroups, options_);
    src_ = Open(dir_.Join("src.parquet"));
    ASSERT_NE(src_, nullptr);
  }
  ChunkMergeOptions MergeOptions() const {
    ChunkMergeOptions o;
    o.codec = options_.compression;
    o.compression_level = options_.compression_level;
    o.write_crc = options_.write_crc;
    return o;
  }
  testing::TempDir dir_;
  Schema schema_ = MergeSchema();
  WriterOptions options_;
  std::unique_ptr<ParquetFileReader> src_;
};

TEST_P(ChunkMergeTest, MergedChunksReadBackAsTheirRowsInOrder) {
  ASSERT_NE(src_, nullptr);
  // Every column but the plain one is dictionary-encoded in every row group of the source.
  for (int c = 0; c < schema_.num_columns(); c++) {
    for (int rg = 0; rg < kRowGroups; rg++) {
      EXPECT_EQ(src_->column_meta(rg, c).dictionary_page_offset.has_value(), c != 3)
          << "column " << c << " row group " << rg;
    }
  }
  std::vector<ColumnDescriptor> cols;
  for (int c = 0; c < schema_.num_columns(); c++) {
    ColumnDescriptor d = schema_.column(c);
    d.name = "merged_" + d.name;
    cols.push_back(d);
  }
  const Schema target(cols);
  const std::string out_path = dir_.Join("out.parquet");
  auto file = io::DefaultFileSystem()->CreateForAppend(out_path);
  ASSERT_TRUE(file.ok());
  auto writer = ParquetFileWriter::Create(file->get(), target, options_);
  ASSERT_TRUE(writer.ok());
  ChunkMergeScratch scratch;  // one for every call, as a worker keeps it
  ChunkReadStats stats;
  const std::vector<Range> ranges = {{0, kRowGroups}, {1, 3}, {2, 3}, {3, 4}};
  if (options_.compression == Compression::kUncompressed && !options_.write_crc) {
    // Pages stored plainly without CRC: nothing short of decoding them checks the pages that
    // would be copied as they are, so the chunks are refused (and re-encoded by the caller).
    EncodedChunk chunk;
    auto merged = MergeColumnChunks(*src_, 0, kRowGroups, 0, target.column(0), MergeOptions(),
                                    &scratch, &chunk, &stats);
    ASSERT_TRUE(merged.ok());
    EXPECT_FALSE(*merged);
    return;
  }
  for (const Range& range : ranges) {
    for (int c = 0; c < target.num_columns(); c++) {
      EncodedChunk chunk;
      auto merged = MergeColumnChunks(*src_, range.begin, range.end, c, target.column(c),
                                      MergeOptions(), &scratch, &chunk, &stats);
      ASSERT_TRUE(merged.ok()) << merged.status().ToString();
      ASSERT_TRUE(*merged) << "column " << c << " row groups " << range.begin << ".." << range.end;
      int64_t sources = 0;
      for (int rg = range.begin; rg < range.end; rg++) {
        sources += src_->column_meta(rg, c).total_compressed_size;
      }
      if (c != 3 && range.end - range.begin > 1) {
        // One dictionary instead of one per row group.
        EXPECT_TRUE(chunk.meta.dictionary_page_offset.has_value());
        EXPECT_LT(chunk.meta.total_compressed_size, sources) << "column " << c;
      } else if (c == 3) {
        EXPECT_FALSE(chunk.meta.dictionary_page_offset.has_value());
      }
      EXPECT_EQ(chunk.meta.num_values, (range.end - range.begin) * kRows);
      ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
    }
    ASSERT_TRUE((*writer)->CloseRowGroup((range.end - range.begin) * kRows).ok());
  }
  ASSERT_TRUE((*writer)->Finish({}).ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_GT(stats.bytes_read, 0u);

  auto out = Open(out_path);
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(out->num_row_groups(), static_cast<int>(ranges.size()));
  for (size_t i = 0; i < ranges.size(); i++) {
    for (int c = 0; c < target.num_columns(); c++) {
      SCOPED_TRACE("row group " + std::to_string(i) + ", column " + std::to_string(c));
      EXPECT_EQ(Cells(*out, static_cast<int>(i), c), CellsOf(*src_, ranges[i].begin, ranges[i].end, c));
      ExpectSoundOffsetIndex(*out, static_cast<int>(i), c);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Codecs, ChunkMergeTest,
    ::testing::Combine(::testing::Values(Compression::kZstd, Compression::kSnappy,
                                         Compression::kUncompressed),
                       ::testing::Bool()),
    [](const ::testing::TestParamInfo<std::tuple<Compression, bool>>& info) {
      return std::string(CompressionName(std::get<0>(info.param))) +
             (std::get<1>(info.param) ? "_crc" : "_no_crc");
    });

class ChunkMergeRefusalTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  WriterOptions options_;
  ChunkMergeScratch scratch_;
  ChunkReadStats stats_;
  EncodedChunk chunk_;
};

TEST_F(ChunkMergeRefusalTest, ChunksThatCannotBeJoinedAreRefused) {
  const Schema schema = MergeSchema();
  WriteFile(dir_.Join("src.parquet"), schema, 2, options_);
  auto src = Open(dir_.Join("src.parquet"));
  ASSERT_NE(src, nullptr);
  ChunkMergeOptions o;
  // Another type, another codec, no row groups at all.
  ColumnDescriptor other = schema.column(0);
  other.type = Type::kInt64;
  EXPECT_FALSE(*MergeColumnChunks(*src, 0, 2, 0, other, o, &scratch_, &chunk_, &stats_));
  o.codec = Compression::kSnappy;
  EXPECT_FALSE(*MergeColumnChunks(*src, 0, 2, 0, schema.column(0), o, &scratch_, &chunk_, &stats_));
  o.codec = Compression::kZstd;
  EXPECT_FALSE(*MergeColumnChunks(*src, 1, 1, 0, schema.column(0), o, &scratch_, &chunk_, &stats_));
  EXPECT_EQ(stats_.bytes_read, 0u);  // refused from the metadata: nothing read
  // A united dictionary over the limit (and over each source's): re-encoded instead.
  o.max_dictionary_bytes = 8;
  EXPECT_FALSE(*MergeColumnChunks(*src, 0, 2, 0, schema.column(0), o, &scratch_, &chunk_, &stats_));
  o.max_dictionary_bytes = 4 << 20;
  EXPECT_TRUE(*MergeColumnChunks(*src, 0, 2, 0, schema.column(0), o, &scratch_, &chunk_, &stats_));
}

TEST_F(ChunkMergeRefusalTest, DictionaryAndPlainRowGroupsAreNotJoined) {
  // Row group 0 repeats few values (dictionary), row group 1 has only distinct ones (PLAIN):
  // one chunk can hold one dictionary and pages of either kind, but joining them would mix a
  // writer's fallback into another's dictionary pages; the caller re-encodes.
  std::vector<ColumnDescriptor> cols(1);
  cols[0].name = "x";
  cols[0].type = Type::kDouble;
  const Schema schema(cols);
  WriteFile(dir_.Join("mixed.parquet"), schema, 2, options_, [](int, int g) {
    ColumnData d(Type::kDouble, 0);
    for (int64_t i = 0; i < kRows; i++) d.Append<double>(g == 0 ? static_cast<double>(i % 5) : i * 1.5);
    return d;
  });
  auto src = Open(dir_.Join("mixed.parquet"));
  ASSERT_NE(src, nullptr);
  ASSERT_TRUE(src->column_meta(0, 0).dictionary_page_offset.has_value());
  ASSERT_FALSE(src->column_meta(1, 0).dictionary_page_offset.has_value());
  ChunkMergeOptions o;
  auto merged = MergeColumnChunks(*src, 0, 2, 0, schema.column(0), o, &scratch_, &chunk_, &stats_);
  ASSERT_TRUE(merged.ok());
  EXPECT_FALSE(*merged);
  // Each alone is still copied.
  EXPECT_TRUE(*MergeColumnChunks(*src, 0, 1, 0, schema.column(0), o, &scratch_, &chunk_, &stats_));
  EXPECT_TRUE(*MergeColumnChunks(*src, 1, 2, 0, schema.column(0), o, &scratch_, &chunk_, &stats_));
}

TEST_F(ChunkMergeRefusalTest, DamagedPageOfALaterRowGroupIsAnError) {
  const Schema schema = MergeSchema();
  WriteFile(dir_.Join("src.parquet"), schema, 2, options_);
  auto src = Open(dir_.Join("src.parquet"));
  ASSERT_NE(src, nullptr);
  // Flip a byte inside the last data page of row group 1's dictionary-encoded chunk (one whose
  // indices would be rewritten): its CRC no longer matches.
  auto index = src->ReadOffsetIndex(1, 0);
  ASSERT_TRUE(index.ok() && index->has_value());
  const PageLocation& page = (*index)->page_locations.back();
  auto bytes = io::ReadWholeFile(io::DefaultFileSystem(), dir_.Join("src.parquet"), 1ull << 30);
  ASSERT_TRUE(bytes.ok());
  std::string data = *bytes;
  data[static_cast<size_t>(page.offset + page.compressed_page_size - 2)] ^= 0x5a;
  ASSERT_TRUE(io::WriteFileAtomic(io::DefaultFileSystem(), dir_.Join("damaged.parquet"),
                                  AsBytes(data)).ok());
  auto damaged = Open(dir_.Join("damaged.parquet"));
  ASSERT_NE(damaged, nullptr);
  auto merged = MergeColumnChunks(*damaged, 0, 2, 0, schema.column(0), ChunkMergeOptions(),
                                  &scratch_, &chunk_, &stats_);
  ASSERT_FALSE(merged.ok());
  EXPECT_TRUE(merged.status().IsCorruption()) << merged.status().ToString();
  EXPECT_NE(merged.status().message().find("damaged.parquet"), std::string::npos);
  EXPECT_NE(merged.status().message().find("CRC"), std::string::npos);
}

TEST_F(ChunkMergeRefusalTest, OneEntryDictionariesGrowTheirIndexWidth) {
  // Each row group holds one value (bit width 0 indices); joined, the chunk needs 1 bit, then
  // 2; nulls in between; and row groups whose dictionary equals the first's stay as stored.
  std::vector<ColumnDescriptor> cols(1);
  cols[0].name = "x";
  cols[0].type = Type::kInt64;
  const Schema schema(cols);
  const int64_t constants[] = {7, 9, 7, 11};
  WriteFile(dir_.Join("const.parquet"), schema, 4, options_, [&](int, int g) {
    ColumnData d(Type::kInt64, 0);
    for (int64_t i = 0; i < kRows; i++) {
      if (i % 3 == 0) d.AppendNull();
      else d.Append<int64_t>(constants[g]);
    }
    return d;
  });
  auto src = Open(dir_.Join("const.parquet"));
  ASSERT_NE(src, nullptr);
  for (const Range range : {Range{0, 2}, Range{0, 3}, Range{0, 4}, Range{1, 4}}) {
    EncodedChunk chunk;
    auto merged = MergeColumnChunks(*src, range.begin, range.end, 0, schema.column(0),
                                    ChunkMergeOptions(), &scratch_, &chunk, &stats_);
    ASSERT_TRUE(merged.ok() && *merged) << range.begin << ".." << range.end;
    const std::string path = dir_.Join("joined.parquet");
    auto file = io::DefaultFileSystem()->CreateForAppend(path);
    ASSERT_TRUE(file.ok());
    auto writer = ParquetFileWriter::Create(file->get(), schema, options_);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
    ASSERT_TRUE((*writer)->CloseRowGroup((range.end - range.begin) * kRows).ok());
    ASSERT_TRUE((*writer)->Finish({}).ok());
    ASSERT_TRUE((*file)->Close().ok());
    auto out = Open(path);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(Cells(*out, 0, 0), CellsOf(*src, range.begin, range.end, 0))
        << range.begin << ".." << range.end;
    // The stats count one dictionary page and every data page.
    int dictionary_pages = 0;
    for (const PageEncodingStats& e : out->column_meta(0, 0).encoding_stats) {
      if (e.page_type == PageType::kDictionaryPage) dictionary_pages += e.count;
    }
    EXPECT_EQ(dictionary_pages, 1);
  }
}

// A hand-made one-column INT32 file (snappy, no CRC): row groups of a dictionary page and one
// v1 data page each, for pages our writer never produces.
class HandMadeDictionaryFile {
 public:
  explicit HandMadeDictionaryFile(bool nullable) : nullable_(nullable) {
    SchemaElement root;
    root.name = "schema";
    root.num_children = 1;
    SchemaElement x;
    x.name = "x";
    x.type = Type::kInt32;
    x.repetition = nullable ? Repetition::kOptional : Repetition::kRequired;
    md_.schema = {root, x};
  }

  // `indices` packed at `width` bits; a nullable column's page has `levels` (the RLE/bit-packed
  // definition levels, without their length prefix) in front, one per index.
  void AddRowGroup(const std::vector<int32_t>& dictionary, const std::vector<uint32_t>& indices,
                   int width, const ByteBuffer& levels = {}) {
    const int64_t start = 4 + static_cast<int64_t>(pages_.size());
    PageHeader dict;
    dict.type = PageType::kDictionaryPage;
    dict.dictionary_page_header = DictionaryPageHeader{static_cast<int32_t>(dictionary.size()),
                                                       Encoding::kPlain, std::nullopt};
    ByteBuffer plain(dictionary.size() * 4);
    for (size_t i = 0; i < dictionary.size(); i++) StoreLE<int32_t>(plain.data() + 4 * i, dictionary[i]);
    AppendPage(dict, plain);
    const int64_t data_offset = 4 + static_cast<int64_t>(pages_.size());
    PageHeader data;
    data.type = PageType::kDataPage;
    DataPageHeader dp;
    dp.num_values = static_cast<int32_t>(indices.size());
    dp.encoding = Encoding::kRleDictionary;
    data.data_page_header = dp;
    ByteBuffer body;
    if (nullable_) {
      body.resize(4);
      StoreLE<uint32_t>(body.data(), static_cast<uint32_t>(levels.size()));
      body.insert(body.end(), levels.begin(), levels.end());
    }
    body.push_back(static_cast<uint8_t>(width));
    RleBitPackedEncoder encoder(width);
    for (uint32_t v : indices) encoder.Put(v);
    encoder.Finish(&body);
    AppendPage(data, body);
    ColumnMetaData cm;
    cm.type = Type::kInt32;
    cm.encodings = {Encoding::kPlain, Encoding::kRleDictionary};
    cm.path_in_schema = {"x"};
    cm.codec = Compression::kSnappy;
    cm.num_values = static_cast<int64_t>(indices.size());
    cm.total_compressed_size = cm.total_uncompressed_size = 4 + static_cast<int64_t>(pages_.size()) - start;
    cm.dictionary_page_offset = start;
    cm.data_page_offset = data_offset;
    RowGroup rg;
    rg.num_rows = static_cast<int64_t>(indices.size());
    rg.columns.resize(1);
    rg.columns[0].file_offset = start;
    rg.columns[0].meta_data = cm;
    md_.row_groups.push_back(rg);
    md_.num_rows += rg.num_rows;
  }

  std::unique_ptr<ParquetFileReader> Write(const std::string& path) {
    const std::string bytes = testing::AssembleFile(pages_, md_);
    EXPECT_TRUE(io::WriteFileAtomic(io::DefaultFileSystem(), path, AsBytes(bytes)).ok());
    return Open(path);
  }

 private:
  void AppendPage(PageHeader h, const ByteBuffer& body) {
    ByteBuffer compressed;
    ASSERT_TRUE(codec_->Compress(body, &compressed).ok());
    h.uncompressed_page_size = static_cast<int32_t>(body.size());
    h.compressed_page_size = static_cast<int32_t>(compressed.size());
    ByteBuffer header;
    EncodePageHeader(h, &header);
    pages_.append(header.begin(), header.end());
    pages_.append(compressed.begin(), compressed.end());
  }

  bool nullable_;
  std::unique_ptr<Codec> codec_ = std::move(MakeCodec(Compression::kSnappy)).value();
  std::string pages_;
  FileMetaData md_;
};

// A page (snappy, no CRC) whose index points past its own two-entry dictionary. Read alone it
// is an error; joined with a row group that adds two values, copying it as stored would make
// the index name one of those: the join is refused instead, and re-encoding reports the error.
TEST_F(ChunkMergeRefusalTest, IndexPastItsOwnDictionaryIsNotCopiedIntoAUnitedOne) {
  HandMadeDictionaryFile file(/*nullable=*/false);
  file.AddRowGroup({10, 20}, {0, 1, 3, 0, 1, 0, 1, 0}, 2);  // index 3: past a 2-entry dictionary
  file.AddRowGroup({30, 40}, {0, 1, 1, 0, 1, 0, 1, 0}, 1);
  auto src = file.Write(dir_.Join("bad_index.parquet"));
  ASSERT_NE(src, nullptr);
  ColumnData data(Type::kInt32, 0);
  Status read = ColumnChunkReader(src.get(), 0, 0).ReadAll(&data);
  EXPECT_TRUE(read.IsCorruption()) << read.ToString();
  EXPECT_EQ(Cells(*src, 1, 0).size(), 8u);  // the other row group is sound
  ChunkMergeOptions o;
  o.codec = Compression::kSnappy;
  auto merged = MergeColumnChunks(*src, 0, 2, 0, src->schema().column(0), o, &scratch_, &chunk_,
                                  &stats_);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_FALSE(*merged);
}

// Definition levels that are one RLE run of 1s skip level decoding when a page is rewritten;
// a run header over 32 bits is corruption to the decoder and to other readers, so such a page
// is not rewritten with its levels as they are: the join is refused and re-encoding reports
// it. The same levels with a sound header are joined.
TEST_F(ChunkMergeRefusalTest, OverlongLevelRunHeaderIsNotRewrittenAsItIs) {
  // RLE run of 8 ones: header (8 << 1) as a 1-byte varint, or with bit 33 set as 5 bytes.
  const ByteBuffer sound = {0x10, 0x01};
  const ByteBuffer overlong = {0x90, 0x80, 0x80, 0x80, 0x20, 0x01};
  for (bool bad : {false, true}) {
    SCOPED_TRACE(bad ? "overlong header" : "sound header");
    HandMadeDictionaryFile file(/*nullable=*/true);
    file.AddRowGroup({10, 20}, {0, 1, 1, 0, 1, 0, 1, 0}, 1, sound);
    file.AddRowGroup({30, 20}, {0, 1, 1, 0, 1, 0, 1, 0}, 1, bad ? overlong : sound);
    auto src = file.Write(dir_.Join(bad ? "overlong.parquet" : "sound.parquet"));
    ASSERT_NE(src, nullptr);
    ColumnData data(Type::kInt32, 0);
    Status read = ColumnChunkReader(src.get(), 1, 0).ReadAll(&data);
    EXPECT_EQ(read.IsCorruption(), bad) << read.ToString();
    ChunkMergeOptions o;
    o.codec = Compression::kSnappy;
    auto merged = MergeColumnChunks(*src, 0, 2, 0, src->schema().column(0), o, &scratch_,
                                    &chunk_, &stats_);
    ASSERT_TRUE(merged.ok()) << merged.status().ToString();
    EXPECT_EQ(*merged, !bad);
  }
}

// Other writers' files with several row groups: every chunk that is joined reads back as the
// row groups' rows. Among them are dictionaries of DuckDB (PLAIN_DICTIONARY, v1 pages),
// Polars and parquet-rs (RLE_DICTIONARY) and hyparquet's plain DATA_PAGE_V2 pages.
TEST(ChunkMergeInterop, OtherWritersChunksJoinedReadBackEqual) {
  std::ifstream manifest(testing::InteropDir() + "/MANIFEST.tsv");
  ASSERT_TRUE(manifest.good()) << testing::InteropDir();
  testing::TempDir dir;
  std::string line;
  std::getline(manifest, line);  // header
  int united = 0, concatenated = 0, files = 0;
  while (std::getline(manifest, line)) {
    std::istringstream fields(line);
    std::string name, writer_name, version, features, expected;
    std::getline(fields, name, '\t');
    std::getline(fields, writer_name, '\t');
    std::getline(fields, version, '\t');
    std::getline(fields, features, '\t');
    std::getline(fields, expected, '\t');
    if (expected != "ok") continue;
    auto src = Open(testing::InteropDir() + "/" + name);
    ASSERT_NE(src, nullptr);
    if (src->num_row_groups() < 2 || src->num_columns() == 0) continue;
    SCOPED_TRACE(name);
    files++;
    const int groups = src->num_row_groups();
    for (int c = 0; c < src->num_columns(); c++) {
      const ColumnDescriptor& d = src->schema().column(c);
      const Compression codec = src->column_meta(0, c).codec;
      for (const Range range : {Range{0, groups}, Range{1, 3}}) {
        ChunkMergeOptions o;
        o.codec = codec;
        ChunkMergeScratch scratch;
        ChunkReadStats stats;
        EncodedChunk chunk;
        auto merged = MergeColumnChunks(*src, range.begin, range.end, c, d, o, &scratch, &chunk, &stats);
        ASSERT_TRUE(merged.ok()) << d.name << ": " << merged.status().ToString();
        if (!*merged) continue;
        (chunk.meta.dictionary_page_offset ? united : concatenated)++;
        // Into a one-column file of its own, read back.
        const std::string path = dir.Join("merged.parquet");
        auto file = io::DefaultFileSystem()->CreateForAppend(path);
        ASSERT_TRUE(file.ok());
        WriterOptions wo;
        wo.compression = codec;
        auto writer = ParquetFileWriter::Create(file->get(), Schema({d}), wo);
        ASSERT_TRUE(writer.ok());
        ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
        int64_t rows = 0;
        for (int rg = range.begin; rg < range.end; rg++) rows += src->row_group(rg).num_rows;
        ASSERT_TRUE((*writer)->CloseRowGroup(rows).ok());
        ASSERT_TRUE((*writer)->Finish({}).ok());
        ASSERT_TRUE((*file)->Close().ok());
        auto out = Open(path);
        ASSERT_NE(out, nullptr);
        EXPECT_EQ(Cells(*out, 0, 0), CellsOf(*src, range.begin, range.end, c))
            << d.name << " row groups " << range.begin << ".." << range.end;
        ExpectSoundOffsetIndex(*out, 0, 0);
      }
    }
  }
  EXPECT_GE(files, 4);
  EXPECT_GT(united, 10);
  EXPECT_GT(concatenated, 5);
}

}  // namespace
}  // namespace featmerge::parquet

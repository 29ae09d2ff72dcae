#include "testing/parquet_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/byte_view.h"
#include "io/file.h"
#include "parquet/column_data.h"
#include "parquet/column_reader.h"
#include "parquet/column_writer.h"
#include "parquet/file_writer.h"
#include "parquet/file_reader.h"
#include "parquet/format/thrift_codec.h"
#include "parquet/value_text.h"

namespace featmerge::testing {

void WriteInt64File(const std::string& path, const std::string& name, int64_t rows) {
  parquet::ColumnDescriptor col;
  col.name = name;
  col.type = parquet::Type::kInt64;
  col.nullable = false;
  parquet::WriterOptions options;
  options.compression = parquet::Compression::kUncompressed;
  auto file = io::DefaultFileSystem()->CreateForAppend(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto writer = parquet::ParquetFileWriter::Create(file->get(), parquet::Schema({col}), options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  parquet::ColumnData data(parquet::Type::kInt64, 0);
  for (int64_t i = 0; i < rows; i++) data.Append<int64_t>(i);
  parquet::EncodedChunk chunk;
  ASSERT_TRUE(parquet::ColumnChunkWriter(col, options).Write(data, 0, rows, &chunk).ok());
  ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
  ASSERT_TRUE((*writer)->CloseRowGroup(rows).ok());
  ASSERT_TRUE((*writer)->Finish({}).ok());
  ASSERT_TRUE((*file)->Close().ok());
}

void EditFooter(const std::string& path, const std::function<void(parquet::FileMetaData*)>& edit) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  ASSERT_GE(bytes.size(), 12u);
  const uint32_t footer_len =
      LoadLE<uint32_t>(reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size() - 8);
  ASSERT_LE(footer_len, bytes.size() - 12);
  const size_t footer_start = bytes.size() - 8 - footer_len;
  auto md = parquet::DecodeFileMetaData(
      ByteView(reinterpret_cast<const uint8_t*>(bytes.data()) + footer_start, footer_len));
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  edit(&*md);
  const std::string pages = bytes.substr(4, footer_start - 4);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << AssembleFile(pages, *md);
}

std::string AssembleFile(const std::string& pages, const parquet::FileMetaData& md) {
  ByteBuffer footer;
  parquet::EncodeFileMetaData(md, &footer);
  std::string out = "PAR1" + pages;
  out.append(reinterpret_cast<const char*>(footer.data()), footer.size());
  const uint32_t len = static_cast<uint32_t>(footer.size());
  for (int shift = 0; shift < 32; shift += 8)
    out.push_back(static_cast<char>((len >> shift) & 0xFF));
  return out + "PAR1";
}

std::map<std::string, std::vector<std::string>> ReadCells(const std::string& path) {
  std::map<std::string, std::vector<std::string>> out;
  auto file = parquet::ParquetFileReader::Open(io::DefaultFileSystem(), path);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) return out;
  const parquet::ParquetFileReader& r = **file;
  for (int c = 0; c < r.num_columns(); c++) {
    const parquet::ColumnDescriptor& d = r.schema().column(c);
    const parquet::ValueKind kind = parquet::ValueKindOf(d);
    std::vector<std::string>& cells = out[d.name];
    for (int rg = 0; rg < r.num_row_groups(); rg++) {
      parquet::ColumnData data(d.type, d.type_length);
      parquet::ColumnChunkReader reader(&r, rg, c);
      EXPECT_TRUE(reader.ReadAll(&data).ok());
      for (int64_t row = 0; row < data.num_rows(); row++) {
        std::string text;
        parquet::AppendJsonValue(d, kind, data, row, &text);
        cells.push_back(text);
      }
    }
  }
  return out;
}

}  // namespace featmerge::testing

// ParquetFileReader: opens a Parquet file, decodes and validates its footer, and hands out
// column chunk readers. Validation here means every offset and size in the footer is checked
// against the file size once, so the readers below can trust them.
// Thread-safety: after Open(), const methods are thread-safe (the file reads are positional).
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "io/file.h"
#include "parquet/format/metadata.h"
#include "parquet/schema.h"

namespace featmerge::parquet {

struct ReaderOptions {
  bool verify_crc = true;  // check page CRCs when the writer stored them
  // Footers larger than this are refused (Arrow and parquet-java refuse Thrift over 100 MB).
  uint64_t max_footer_bytes = 256ull << 20;
};

class ParquetFileReader {
 public:
  // Opens and validates `path`. Errors name the file and what is wrong.
  static Result<std::unique_ptr<ParquetFileReader>> Open(io::FileSystem* fs,
                                                         const std::string& path,
                                                         const ReaderOptions& options = {});
  // For an already opened file (takes ownership).
  static Result<std::unique_ptr<ParquetFileReader>> Open(std::unique_ptr<io::RandomAccessFile> file,
                                                         const ReaderOptions& options = {});

  const std::string& path() const { return file_->path(); }
  const FileMetaData& metadata() const { return metadata_; }
  const Schema& schema() const { return schema_; }
  int64_t num_rows() const { return metadata_.num_rows; }
  int num_row_groups() const { return static_cast<int>(metadata_.row_groups.size()); }
  int num_columns() const { return schema_.num_columns(); }
  const RowGroup& row_group(int i) const { return metadata_.row_groups[static_cast<size_t>(i)]; }
  const ColumnMetaData& column_meta(int row_group, int column) const {
    return *row_group_columns(row_group)[static_cast<size_t>(column)].meta_data;
  }
  const std::vector<ColumnChunk>& row_group_columns(int i) const { return row_group(i).columns; }
  // First row of row group i within the file.
  int64_t row_group_first_row(int i) const { return row_group_starts_[static_cast<size_t>(i)]; }
  uint64_t file_size() const { return file_->size(); }
  uint32_t footer_size() const { return footer_size_; }
  const io::RandomAccessFile& file() const { return *file_; }
  const ReaderOptions& options() const { return options_; }

  // Byte range [start, start + length) of a column chunk's pages (dictionary page included).
  void ChunkRange(int row_group, int column, uint64_t* start, uint64_t* length) const;

  // The page indexes of a chunk, when the writer stored them (nullopt otherwise).
  Result<std::optional<OffsetIndex>> ReadOffsetIndex(int row_group, int column) const;
  Result<std::optional<ColumnIndex>> ReadColumnIndex(int row_group, int column) const;

  // "file 'x.parquet', row group 2, column 'price'" for messages.
  std::string Where(int row_group, int column) const;

 private:
  ParquetFileReader(std::unique_ptr<io::RandomAccessFile> file, const ReaderOptions& options)
      : file_(std::move(file)), options_(options) {}
  Status ReadFooter();
  Status Validate();

  std::unique_ptr<io::RandomAccessFile> file_;
  ReaderOptions options_;
  FileMetaData metadata_;
  Schema schema_;
  uint32_t footer_size_ = 0;
  std::vector<int64_t> row_group_starts_;
};

}  // namespace featmerge::parquet

#include "parquet/file_reader.h"

#include <cstring>

#include "parquet/format/thrift_codec.h"

namespace featmerge::parquet {
namespace {

constexpr uint8_t kMagic[4] = {'P', 'A', 'R', '1'};
constexpr uint8_t kEncryptedMagic[4] = {'P', 'A', 'R', 'E'};

// True when [offset, offset + length) lies between the leading magic and the footer length.
// Both values come from the footer: compared without computing offset + length, which could
// overflow.
bool RangeInFile(int64_t offset, int64_t length, uint64_t file_size) {
  const uint64_t data_end = file_size - 8;  // file_size >= 12 once the footer is read
  return offset >= 4 && length > 0 && static_cast<uint64_t>(offset) <= data_end &&
         static_cast<uint64_t>(length) <= data_end - static_cast<uint64_t>(offset);
}

}  // namespace

Result<std::unique_ptr<ParquetFileReader>> ParquetFileReader::Open(io::FileSystem* fs,
                                                                   const std::string& path,
                                                                   const ReaderOptions& options) {
  FM_ASSIGN_OR_RETURN(auto file, fs->OpenForRead(path));
  return Open(std::move(file), options);
}

Result<std::unique_ptr<ParquetFileReader>> ParquetFileReader::Open(
    std::unique_ptr<io::RandomAccessFile> file, const ReaderOptions& options) {
  std::unique_ptr<ParquetFileReader> reader(new ParquetFileReader(std::move(file), options));
  Status s = reader->ReadFooter();
  if (s.ok()) s = reader->Validate();
  if (!s.ok()) return s.WithContext("'" + reader->path() + "'");
  return reader;
}

Status ParquetFileReader::ReadFooter() {
  const uint64_t size = file_->size();
  // Smallest valid file: magic, footer length, magic (an empty footer is still corrupt below).
  if (size < 12) {
    return Status::Corruption("not a Parquet file: " + std::to_string(size) +
                              " bytes is too small (at least 12 expected)");
  }
  uint8_t head[4];
  uint8_t tail[8];
  FM_RETURN_IF_ERROR(file_->ReadAt(0, 4, head));
  FM_RETURN_IF_ERROR(file_->ReadAt(size - 8, 8, tail));
  if (std::memcmp(tail + 4, kEncryptedMagic, 4) == 0) {
    return Status::NotSupported("the file is encrypted (PARE footer); featmerge reads plaintext files only");
  }
  if (std::memcmp(tail + 4, kMagic, 4) != 0) {
    return Status::Corruption("not a Parquet file: no 'PAR1' magic at the end (truncated or another format)");
  }
  if (std::memcmp(head, kMagic, 4) != 0) {
    return Status::Corruption("not a Parquet file: no 'PAR1' magic at the start");
  }
  uint32_t footer_len;
  std::memcpy(&footer_len, tail, 4);
  if (footer_len == 0 || footer_len > size - 12) {
    return Status::Corruption("footer length " + std::to_string(footer_len) +
                              " does not fit in a file of " + std::to_string(size) + " bytes");
  }
  if (footer_len > options_.max_footer_bytes) {
    return Status::ResourceExhausted("footer of " + std::to_string(footer_len) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(options_.max_footer_bytes));
  }
  footer_size_ = footer_len;
  ByteBuffer footer;
  FM_RETURN_IF_ERROR(file_->ReadAt(size - 8 - footer_len, footer_len, &footer));
  FM_ASSIGN_OR_RETURN(metadata_, DecodeFileMetaData(footer));
  if (metadata_.encrypted) {
    return Status::NotSupported("the file is encrypted; featmerge reads plaintext files only");
  }
  FM_ASSIGN_OR_RETURN(schema_, Schema::FromElements(metadata_.schema));
  return Status::OK();
}

Status ParquetFileReader::Validate() {
  const uint64_t data_end = file_->size() - 8 - footer_size_;
  const size_t num_columns = static_cast<size_t>(schema_.num_columns());
  if (metadata_.num_rows < 0) {
    return Status::Corruption("footer has a negative row count " + std::to_string(metadata_.num_rows));
  }
  int64_t rows = 0;
  row_group_starts_.reserve(metadata_.row_groups.size());
  for (size_t rg = 0; rg < metadata_.row_groups.size(); rg++) {
    const RowGroup& group = metadata_.row_groups[rg];
    row_group_starts_.push_back(rows);
    std::string where = "row group " + std::to_string(rg);
    if (group.num_rows < 0 || group.num_rows > metadata_.num_rows - rows) {
      return Status::Corruption(where + " claims " + std::to_string(group.num_rows) +
                                " rows, more than the footer's total of " +
                                std::to_string(metadata_.num_rows));
    }
    rows += group.num_rows;
    if (group.columns.size() != num_columns) {
      return Status::Corruption(where + " has " + std::to_string(group.columns.size()) +
                                " column chunks, the schema has " + std::to_string(num_columns) +
                                " columns");
    }
    for (size_t c = 0; c < num_columns; c++) {
      const ColumnChunk& chunk = group.columns[c];
      std::string cwhere = where + ", column '" + schema_.column(static_cast<int>(c)).name + "'";
      if (chunk.encrypted) return Status::NotSupported(cwhere + " is encrypted");
      if (chunk.file_path && !chunk.file_path->empty()) {
        return Status::NotSupported(cwhere + " lives in another file ('" + *chunk.file_path +
                                    "'); external column chunks are not supported");
      }
      if (!chunk.meta_data) return Status::Corruption(cwhere + " has no column metadata");
      const ColumnMetaData& md = *chunk.meta_data;
      if (md.type != schema_.column(static_cast<int>(c)).type) {
        return Status::Corruption(cwhere + " has physical type " + TypeName(md.type) +
                                  " but the schema says " +
                                  TypeName(schema_.column(static_cast<int>(c)).type));
      }
      if (!IsKnownCompression(static_cast<int32_t>(md.codec))) {
        return Status::NotSupported(cwhere + " uses unknown compression codec id " +
                                    std::to_string(static_cast<int32_t>(md.codec)));
      }
      if (md.num_values < 0 || md.total_compressed_size < 0 || md.data_page_offset < 4) {
        return Status::Corruption(cwhere + " has invalid sizes or offsets in its metadata");
      }
      if (group.num_rows > 0 && md.num_values != group.num_rows) {
        // Flat columns have exactly one value (or null) per row.
        return Status::Corruption(cwhere + " has " + std::to_string(md.num_values) +
                                  " values for " + std::to_string(group.num_rows) + " rows");
      }
      uint64_t start, length;
      ChunkRange(static_cast<int>(rg), static_cast<int>(c), &start, &length);
      if (start < 4 || start > data_end || length > data_end - start) {
        return Status::Corruption(cwhere + " spans bytes [" + std::to_string(start) + ", " +
                                  std::to_string(start + length) +
                                  ") outside the data area of the file (4 to " +
                                  std::to_string(data_end) + ")");
      }
    }
  }
  if (rows != metadata_.num_rows) {
    return Status::Corruption("row groups hold " + std::to_string(rows) +
                              " rows but the footer says " + std::to_string(metadata_.num_rows));
  }
  return Status::OK();
}

void ParquetFileReader::ChunkRange(int row_group, int column, uint64_t* start,
                                   uint64_t* length) const {
  const ColumnMetaData& md = column_meta(row_group, column);
  int64_t first = md.data_page_offset;
  // Some writers store dictionary_page_offset = 0 for "no dictionary"; only a positive offset
  // before the first data page is a real dictionary page.
  if (md.dictionary_page_offset && *md.dictionary_page_offset > 0 &&
      *md.dictionary_page_offset < first) {
    first = *md.dictionary_page_offset;
  }
  *start = static_cast<uint64_t>(first);
  *length = static_cast<uint64_t>(md.total_compressed_size);
}

Result<std::optional<OffsetIndex>> ParquetFileReader::ReadOffsetIndex(int row_group,
                                                                      int column) const {
  const ColumnChunk& chunk = row_group_columns(row_group)[static_cast<size_t>(column)];
  if (!chunk.offset_index_offset || !chunk.offset_index_length) return std::optional<OffsetIndex>();
  int64_t off = *chunk.offset_index_offset;
  int64_t len = *chunk.offset_index_length;
  if (!RangeInFile(off, len, file_->size())) {
    return Status::Corruption(Where(row_group, column) + ": offset index lies outside the file");
  }
  ByteBuffer buf;
  FM_RETURN_IF_ERROR(file_->ReadAt(static_cast<uint64_t>(off), static_cast<uint64_t>(len), &buf));
  auto decoded = DecodeOffsetIndex(buf);
  if (!decoded.ok()) return decoded.status().WithContext(Where(row_group, column));
  return std::optional<OffsetIndex>(std::move(decoded).value());
}

Result<std::optional<ColumnIndex>> ParquetFileReader::ReadColumnIndex(int row_group,
                                                                      int column) const {
  const ColumnChunk& chunk = row_group_columns(row_group)[static_cast<size_t>(column)];
  if (!chunk.column_index_offset || !chunk.column_index_length) return std::optional<ColumnIndex>();
  int64_t off = *chunk.column_index_offset;
  int64_t len = *chunk.column_index_length;
  if (!RangeInFile(off, len, file_->size())) {
    return Status::Corruption(Where(row_group, column) + ": column index lies outside the file");
  }
  ByteBuffer buf;
  FM_RETURN_IF_ERROR(file_->ReadAt(static_cast<uint64_t>(off), static_cast<uint64_t>(len), &buf));
  auto decoded = DecodeColumnIndex(buf);
  if (!decoded.ok()) return decoded.status().WithContext(Where(row_group, column));
  return std::optional<ColumnIndex>(std::move(decoded).value());
}

std::string ParquetFileReader::Where(int row_group, int column) const {
  return "row group " + std::to_string(row_group) + ", column '" + schema_.column(column).name + "'";
}

}  // namespace featmerge::parquet

#include "parquet/file_writer.h"

#include <algorithm>

#include "parquet/format/thrift_codec.h"

namespace featmerge::parquet {
namespace {
constexpr uint8_t kMagic[4] = {'P', 'A', 'R', '1'};
}  // namespace

void CloseOpenRowGroup(WriterState* state, int64_t num_rows) {
  RowGroup rg;
  rg.num_rows = num_rows;
  int64_t total = 0, compressed = 0;
  for (const ColumnChunk& cc : state->open_chunks) {
    total += cc.meta_data->total_uncompressed_size;
    compressed += cc.meta_data->total_compressed_size;
  }
  rg.total_byte_size = total;
  rg.total_compressed_size = compressed;
  rg.file_offset = state->open_chunks.empty() ? static_cast<int64_t>(state->length)
                                              : state->open_chunks.front().file_offset;
  rg.ordinal = static_cast<int16_t>(std::min<size_t>(state->row_groups.size(), 32767));
  rg.columns = std::move(state->open_chunks);
  state->open_chunks.clear();
  state->row_groups.push_back(std::move(rg));
}

Result<std::unique_ptr<ParquetFileWriter>> ParquetFileWriter::Create(io::AppendFile* file,
                                                                     Schema schema,
                                                                     WriterOptions options) {
  std::unique_ptr<ParquetFileWriter> w(
      new ParquetFileWriter(file, std::move(schema), std::move(options)));
  FM_RETURN_IF_ERROR(file->Append(ByteView(kMagic, 4)));
  w->state_.length = 4;
  return w;
}

Result<std::unique_ptr<ParquetFileWriter>> ParquetFileWriter::Resume(io::AppendFile* file,
                                                                     Schema schema,
                                                                     WriterOptions options,
                                                                     WriterState state) {
  if (file->size() != state.length) {
    return Status::Internal("resume: file has " + std::to_string(file->size()) +
                            " bytes, state expects " + std::to_string(state.length));
  }
  std::unique_ptr<ParquetFileWriter> w(
      new ParquetFileWriter(file, std::move(schema), std::move(options)));
  w->state_ = std::move(state);
  return w;
}

Status ParquetFileWriter::AppendChunk(const EncodedChunk& chunk) {
  FM_RETURN_IF_ERROR(status_);
  if (state_.open_chunks.size() >= static_cast<size_t>(schema_.num_columns())) {
    return status_ = Status::Internal("more column chunks than columns in a row group");
  }
  const int64_t base = static_cast<int64_t>(state_.length);
  ColumnChunk cc;
  cc.meta_data = chunk.meta;
  ColumnMetaData& md = *cc.meta_data;
  md.data_page_offset += base;
  if (md.dictionary_page_offset) *md.dictionary_page_offset += base;
  cc.file_offset = md.dictionary_page_offset.value_or(md.data_page_offset);
  Status s = file_->Append(chunk.bytes);
  if (!s.ok()) return status_ = s;
  state_.length += chunk.bytes.size();

  ByteBuffer ci;
  if (chunk.column_index) EncodeColumnIndex(*chunk.column_index, &ci);
  OffsetIndex oi = chunk.offset_index;
  for (PageLocation& loc : oi.page_locations) loc.offset += base;
  ByteBuffer oi_bytes;
  if (options_.write_page_index) EncodeOffsetIndex(oi, &oi_bytes);
  state_.column_indexes.push_back(std::move(ci));
  state_.offset_indexes.push_back(std::move(oi_bytes));
  state_.open_chunks.push_back(std::move(cc));
  return Status::OK();
}

Status ParquetFileWriter::CloseRowGroup(int64_t num_rows) {
  FM_RETURN_IF_ERROR(status_);
  if (state_.open_chunks.size() != static_cast<size_t>(schema_.num_columns())) {
    return status_ = Status::Internal("row group closed with " +
                                      std::to_string(state_.open_chunks.size()) + " of " +
                                      std::to_string(schema_.num_columns()) + " column chunks");
  }
  CloseOpenRowGroup(&state_, num_rows);
  return Status::OK();
}

Status ParquetFileWriter::Finish(const std::vector<KeyValue>& key_value) {
  FM_RETURN_IF_ERROR(status_);
  if (!state_.open_chunks.empty()) {
    return status_ = Status::Internal("Finish() with an open row group");
  }
  FileMetaData md;
  md.version = 1;
  md.schema = schema_.ToElements();
  md.created_by = options_.created_by;
  md.key_value_metadata = key_value;
  md.column_orders.assign(static_cast<size_t>(schema_.num_columns()), true);
  int64_t rows = 0;
  for (const RowGroup& rg : state_.row_groups) rows += rg.num_rows;
  md.num_rows = rows;
  // Moved, not copied: with 17,000 columns x many row groups the chunk metadata is the largest
  // thing the writer holds, and Finish() is the last use of the state's row groups.
  md.row_groups = std::move(state_.row_groups);
  state_.row_groups.clear();

  // Page indexes go after all row groups, column indexes first (as parquet-mr and Arrow do).
  size_t k = 0;
  for (RowGroup& rg : md.row_groups) {
    for (ColumnChunk& cc : rg.columns) {
      const ByteBuffer& ci = state_.column_indexes[k++];
      if (ci.empty()) continue;
      cc.column_index_offset = static_cast<int64_t>(state_.length);
      cc.column_index_length = static_cast<int32_t>(ci.size());
      Status s = file_->Append(ci);
      if (!s.ok()) return status_ = s;
      state_.length += ci.size();
    }
  }
  k = 0;
  for (RowGroup& rg : md.row_groups) {
    for (ColumnChunk& cc : rg.columns) {
      const ByteBuffer& oi = state_.offset_indexes[k++];
      if (oi.empty()) continue;
      cc.offset_index_offset = static_cast<int64_t>(state_.length);
      cc.offset_index_length = static_cast<int32_t>(oi.size());
      Status s = file_->Append(oi);
      if (!s.ok()) return status_ = s;
      state_.length += oi.size();
    }
  }
  ByteBuffer footer;
  EncodeFileMetaData(md, &footer);
  footer_bytes_ = footer.size();
  uint8_t len[4];
  StoreLE<uint32_t>(len, static_cast<uint32_t>(footer.size()));
  footer.insert(footer.end(), len, len + 4);
  footer.insert(footer.end(), kMagic, kMagic + 4);
  Status s = file_->Append(footer);
  if (!s.ok()) return status_ = s;
  state_.length += footer.size();
  return Status::OK();
}

}  // namespace featmerge::parquet

#include "parquet/file_writer.h"

#include <algorithm>

#include "parquet/format/thrift_codec.h"

namespace featmerge::parquet {
namespace {
constexpr uint8_t kMagic[4] = {'P', 'A', 'R', '1'};

// Appends a u32 length and then what `encode` appends to *out.
template <typename Encode>
void AppendBlob(ByteBuffer* out, Encode encode) {
  const size_t at = out->size();
  out->resize(at + 4);
  encode(out);
  StoreLE<uint32_t>(out->data() + at, static_cast<uint32_t>(out->size() - at - 4));
}

// Reads the chunk record at *pos of `data` into its three blobs and moves *pos past it.
bool ReadChunkRecord(ByteView data, size_t* pos, ByteView* chunk, ByteView* column_index,
                     ByteView* offset_index) {
  for (ByteView* part : {chunk, column_index, offset_index}) {
    if (data.size() - *pos < 4) return false;
    const uint32_t n = LoadLE<uint32_t>(data.data() + *pos);
    *pos += 4;
    if (data.size() - *pos < n) return false;
    *part = data.subspan(*pos, n);
    *pos += n;
  }
  return true;
}

}  // namespace

void MakeChunkRecord(ByteView chunk, ByteView column_index, ByteView offset_index,
                     ByteBuffer* out) {
  for (ByteView part : {chunk, column_index, offset_index}) {
    AppendBlob(out, [&](ByteBuffer* b) { AppendBytes(b, part); });
  }
}

bool SplitChunkRecord(ByteView record, ByteView* chunk, ByteView* column_index,
                      ByteView* offset_index) {
  size_t pos = 0;
  return ReadChunkRecord(record, &pos, chunk, column_index, offset_index) && pos == record.size();
}

void AddChunkRecord(WriterState* state, const ColumnChunk& meta, ByteView record) {
  if (state->open_chunks == 0) {
    state->open = WriterState::Group();
    state->open.file_offset = meta.file_offset;
  }
  if (meta.meta_data) {
    state->open.total_byte_size += meta.meta_data->total_uncompressed_size;
    state->open.total_compressed_size += meta.meta_data->total_compressed_size;
  }
  if (state->keep_records) AppendBytes(&state->records, record);
  state->open_chunks++;
  state->num_chunks++;
}

void CloseOpenRowGroup(WriterState* state, int64_t num_rows) {
  WriterState::Group g;
  if (state->open_chunks > 0) g = state->open;
  else g.file_offset = static_cast<int64_t>(state->length);
  g.num_rows = num_rows;
  state->groups.push_back(g);
  state->open = WriterState::Group();
  state->open_chunks = 0;
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
  if (state_.open_chunks >= schema_.num_columns()) {
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

  scratch_.clear();
  AppendBlob(&scratch_, [&](ByteBuffer* b) { EncodeColumnChunk(cc, b); });
  AppendBlob(&scratch_, [&](ByteBuffer* b) {
    if (chunk.column_index) EncodeColumnIndex(*chunk.column_index, b);
  });
  AppendBlob(&scratch_, [&](ByteBuffer* b) {
    if (!options_.write_page_index) return;
    OffsetIndex oi = chunk.offset_index;
    for (PageLocation& loc : oi.page_locations) loc.offset += base;
    EncodeOffsetIndex(oi, b);
  });
  AddChunkRecord(&state_, cc, scratch_);
  return Status::OK();
}

Status ParquetFileWriter::CloseRowGroup(int64_t num_rows) {
  FM_RETURN_IF_ERROR(status_);
  if (state_.open_chunks != schema_.num_columns()) {
    return status_ = Status::Internal("row group closed with " +
                                      std::to_string(state_.open_chunks) + " of " +
                                      std::to_string(schema_.num_columns()) + " column chunks");
  }
  CloseOpenRowGroup(&state_, num_rows);
  return Status::OK();
}

Status ParquetFileWriter::Finish(const std::vector<KeyValue>& key_value,
                                 const std::function<Status()>& check,
                                 const ChunkRecordSource& source) {
  FM_RETURN_IF_ERROR(status_);
  if (state_.open_chunks != 0) {
    return status_ = Status::Internal("Finish() with an open row group");
  }
  const size_t ncols = static_cast<size_t>(schema_.num_columns());
  // Walks the chunk records in file order: fn(index, chunk, column_index, offset_index).
  if (!state_.keep_records && !source) {
    return status_ = Status::Internal("Finish() without the chunk records");
  }
  // Walks the chunk records in file order: fn(index, chunk, column_index, offset_index).
  auto for_each_record = [&](auto fn) -> Status {
    size_t k = 0;
    const size_t expected = state_.groups.size() * ncols;
    auto visit = [&](ByteView record) -> Status {
      if (k >= expected) {
        return Status::Internal("more chunk records than the " + std::to_string(expected) +
                                " column chunks written");
      }
      ByteView chunk, ci, oi;
      if (!SplitChunkRecord(record, &chunk, &ci, &oi)) {
        return Status::Internal("malformed chunk record in the writer state");
      }
      FM_RETURN_IF_ERROR(fn(k, chunk, ci, oi));
      k++;
      if (check && k % 4096 == 0) FM_RETURN_IF_ERROR(check());
      return Status::OK();
    };
    if (state_.keep_records) {
      const ByteView rec(state_.records);
      size_t pos = 0;
      while (pos < rec.size()) {
        const size_t start = pos;
        ByteView chunk, ci, oi;
        if (!ReadChunkRecord(rec, &pos, &chunk, &ci, &oi)) {
          return Status::Internal("malformed chunk record in the writer state");
        }
        FM_RETURN_IF_ERROR(visit(rec.subspan(start, pos - start)));
      }
    } else {
      FM_RETURN_IF_ERROR(source(visit));
    }
    if (k != expected) {
      return Status::Internal("writer state holds " + std::to_string(k) + " column chunks for " +
                              std::to_string(state_.groups.size()) + " row groups of " +
                              std::to_string(ncols) + " columns");
    }
    return Status::OK();
  };
  auto append = [&](ByteView bytes) -> Status {
    Status s = file_->Append(bytes);
    if (!s.ok()) return s;
    state_.length += bytes.size();
    return Status::OK();
  };

  // Page indexes go after all row groups, column indexes first (as parquet-mr and Arrow do).
  const uint64_t column_indexes_start = state_.length;
  Status s = for_each_record([&](size_t, ByteView, ByteView ci, ByteView) {
    return ci.empty() ? Status::OK() : append(ci);
  });
  const uint64_t offset_indexes_start = state_.length;
  if (s.ok()) {
    s = for_each_record([&](size_t, ByteView, ByteView, ByteView oi) {
      return oi.empty() ? Status::OK() : append(oi);
    });
  }
  if (!s.ok()) return status_ = s;

  // The footer, streamed to the file in pieces of about 256 KiB.
  FileMetaData md;
  md.version = 1;
  md.schema = schema_.ToElements();
  md.created_by = options_.created_by;
  md.key_value_metadata = key_value;
  md.column_orders.assign(ncols, true);
  for (const WriterState::Group& g : state_.groups) md.num_rows += g.num_rows;
  ByteBuffer buf;
  FooterEncoder enc(&buf);
  uint64_t footer_size = 0;
  auto drain = [&](size_t threshold) -> Status {
    if (buf.size() < threshold) return Status::OK();
    footer_size += buf.size();
    Status a = append(buf);
    buf.clear();
    return a;
  };
  enc.Begin(md, state_.groups.size());
  uint64_t ci_pos = column_indexes_start, oi_pos = offset_indexes_start;
  s = for_each_record([&](size_t k, ByteView chunk_bytes, ByteView ci, ByteView oi) -> Status {
    const size_t g = k / ncols;
    if (k % ncols == 0) enc.BeginRowGroup(ncols);
    auto decoded = DecodeColumnChunk(chunk_bytes);
    if (!decoded.ok()) return decoded.status().WithContext("writer state");
    ColumnChunk& cc = *decoded;
    if (!ci.empty()) {
      cc.column_index_offset = static_cast<int64_t>(ci_pos);
      cc.column_index_length = static_cast<int32_t>(ci.size());
      ci_pos += ci.size();
    }
    if (!oi.empty()) {
      cc.offset_index_offset = static_cast<int64_t>(oi_pos);
      cc.offset_index_length = static_cast<int32_t>(oi.size());
      oi_pos += oi.size();
    }
    enc.AddColumnChunk(cc);
    if (k % ncols == ncols - 1) {
      const WriterState::Group& group = state_.groups[g];
      RowGroup rg;
      rg.num_rows = group.num_rows;
      rg.total_byte_size = group.total_byte_size;
      rg.total_compressed_size = group.total_compressed_size;
      rg.file_offset = group.file_offset;
      rg.ordinal = static_cast<int16_t>(std::min<size_t>(g, 32767));
      enc.EndRowGroup(rg);
    }
    return drain(256 << 10);
  });
  if (!s.ok()) return status_ = s;
  enc.End(md);
  footer_size += buf.size();
  if (footer_size > 0xFFFFFFFFull) {
    return status_ = Status::NotSupported("footer of " + std::to_string(footer_size) +
                                          " bytes exceeds Parquet's 4 GiB limit; write fewer "
                                          "row groups or split the output");
  }
  footer_bytes_ = footer_size;
  uint8_t len[4];
  StoreLE<uint32_t>(len, static_cast<uint32_t>(footer_size));
  buf.insert(buf.end(), len, len + 4);
  buf.insert(buf.end(), kMagic, kMagic + 4);
  s = append(buf);
  if (!s.ok()) return status_ = s;
  return Status::OK();
}

}  // namespace featmerge::parquet

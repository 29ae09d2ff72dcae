#include "merge/journal.h"

#include <cstring>

#include "merge/journal_format.h"
#include "parquet/compression.h"
#include "parquet/format/thrift_codec.h"

namespace featmerge::merge {
namespace {

void PutU32(ByteBuffer* b, uint32_t v) { AppendLE(b, v); }
void PutU64(ByteBuffer* b, uint64_t v) { AppendLE(b, v); }
void PutBlob(ByteBuffer* b, ByteView v) {
  PutU32(b, static_cast<uint32_t>(v.size()));
  AppendBytes(b, v);
}

// Bounds-checked cursor over a record payload.
struct Cursor {
  ByteView data;
  size_t pos = 0;
  bool ok = true;
  uint64_t U64() {
    if (data.size() - pos < 8) return ok = false, 0;
    uint64_t v = LoadLE<uint64_t>(data.data() + pos);
    pos += 8;
    return v;
  }
  uint32_t U32() {
    if (data.size() - pos < 4) return ok = false, 0;
    uint32_t v = LoadLE<uint32_t>(data.data() + pos);
    pos += 4;
    return v;
  }
  ByteView Blob() {
    uint32_t n = U32();
    if (!ok || data.size() - pos < n) return ok = false, ByteView();
    ByteView v = data.subspan(pos, n);
    pos += n;
    return v;
  }
};

}  // namespace

Result<std::unique_ptr<JournalWriter>> JournalWriter::Create(io::FileSystem* fs,
                                                             const std::string& path,
                                                             const std::string& fingerprint) {
  FM_ASSIGN_OR_RETURN(auto file, fs->CreateForAppend(path));
  ByteBuffer header(journal::kMagic, journal::kMagic + 8);
  PutU32(&header, journal::kVersion);
  PutBlob(&header, AsBytes(fingerprint));
  FM_RETURN_IF_ERROR(file->Append(header));
  FM_RETURN_IF_ERROR(file->Sync());
  FM_RETURN_IF_ERROR(fs->SyncDir(io::DirName(path)));
  return std::unique_ptr<JournalWriter>(new JournalWriter(std::move(file)));
}

Result<std::unique_ptr<JournalWriter>> JournalWriter::Reopen(io::FileSystem* fs,
                                                             const std::string& path,
                                                             uint64_t valid_length) {
  FM_ASSIGN_OR_RETURN(auto file, fs->ReopenForAppend(path, valid_length));
  return std::unique_ptr<JournalWriter>(new JournalWriter(std::move(file)));
}

void JournalWriter::AddRecord(const ByteBuffer& payload) {
  PutU32(&pending_, static_cast<uint32_t>(payload.size()));
  PutU32(&pending_, parquet::PageCrc32(payload));
  AppendBytes(&pending_, payload);
}

Status JournalWriter::AddChunk(uint64_t file_length, const parquet::ColumnChunk& chunk,
                               const ByteBuffer& column_index, const ByteBuffer& offset_index) {
  ByteBuffer payload;
  payload.push_back(journal::kChunk);
  PutU64(&payload, file_length);
  ByteBuffer encoded;
  parquet::EncodeColumnChunk(chunk, &encoded);
  PutBlob(&payload, encoded);
  PutBlob(&payload, column_index);
  PutBlob(&payload, offset_index);
  AddRecord(payload);
  return Status::OK();
}

Status JournalWriter::AddRowGroupEnd(int64_t num_rows) {
  ByteBuffer payload;
  payload.push_back(journal::kRowGroupEnd);
  PutU64(&payload, static_cast<uint64_t>(num_rows));
  AddRecord(payload);
  return Status::OK();
}

Status JournalWriter::AddFinished(uint64_t file_length) {
  ByteBuffer payload;
  payload.push_back(journal::kFinished);
  PutU64(&payload, file_length);
  AddRecord(payload);
  return Status::OK();
}

Status JournalWriter::Commit() {
  if (pending_.empty()) return Status::OK();
  FM_RETURN_IF_ERROR(file_->Append(pending_));
  pending_.clear();
  return file_->Sync();
}

Status JournalWriter::Close() { return file_->Close(); }

Result<JournalContents> ReadJournal(io::FileSystem* fs, const std::string& path,
                                    uint64_t* valid_length) {
  FM_ASSIGN_OR_RETURN(auto file, fs->OpenForRead(path));
  ByteBuffer bytes;
  FM_RETURN_IF_ERROR(file->ReadAt(0, file->size(), &bytes));
  JournalContents out;
  Cursor head{ByteView(bytes)};
  if (bytes.size() < 12 || std::memcmp(bytes.data(), journal::kMagic, 8) != 0) {
    return Status::Corruption("'" + path + "' is not a featmerge journal (bad header)");
  }
  head.pos = 8;
  uint32_t version = head.U32();
  if (version != journal::kVersion) {
    return Status::NotSupported("journal '" + path + "' has version " + std::to_string(version) +
                                ", this featmerge reads version " + std::to_string(journal::kVersion));
  }
  ByteView fp = head.Blob();
  if (!head.ok) return Status::Corruption("journal '" + path + "' has a truncated header");
  out.fingerprint = std::string(AsStringView(fp));
  size_t pos = head.pos;
  out.state.length = 4;
  while (bytes.size() - pos >= journal::kRecordHeaderSize) {
    uint32_t len = LoadLE<uint32_t>(bytes.data() + pos);
    uint32_t crc = LoadLE<uint32_t>(bytes.data() + pos + 4);
    if (len == 0 || len > journal::kMaxRecordSize ||
        len > bytes.size() - pos - journal::kRecordHeaderSize) {
      break;  // torn tail
    }
    ByteView payload(bytes.data() + pos + journal::kRecordHeaderSize, len);
    if (parquet::PageCrc32(payload) != crc) break;
    Cursor c{payload, 1};
    switch (payload[0]) {
      case journal::kChunk: {
        uint64_t length = c.U64();
        ByteView chunk_bytes = c.Blob();
        ByteView ci = c.Blob();
        ByteView oi = c.Blob();
        if (!c.ok) return Status::Corruption("journal '" + path + "': malformed chunk record");
        auto chunk = parquet::DecodeColumnChunk(chunk_bytes);
        if (!chunk.ok()) return chunk.status().WithContext("journal '" + path + "'");
        out.state.open_chunks.push_back(std::move(chunk).value());
        out.state.column_indexes.emplace_back(ci.begin(), ci.end());
        out.state.offset_indexes.emplace_back(oi.begin(), oi.end());
        out.state.length = length;
        break;
      }
      case journal::kRowGroupEnd: {
        uint64_t rows = c.U64();
        if (!c.ok) return Status::Corruption("journal '" + path + "': malformed row group record");
        parquet::CloseOpenRowGroup(&out.state, static_cast<int64_t>(rows));
        break;
      }
      case journal::kFinished: {
        out.finished_length = c.U64();
        out.finished = c.ok;
        break;
      }
      default:
        return Status::Corruption("journal '" + path + "': unknown record type " +
                                  std::to_string(payload[0]));
    }
    pos += journal::kRecordHeaderSize + len;
    out.records++;
  }
  *valid_length = pos;
  return out;
}

}  // namespace featmerge::merge

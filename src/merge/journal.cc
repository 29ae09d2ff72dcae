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

Status JournalWriter::AddChunk(uint64_t file_length, ByteView chunk_record) {
  ByteBuffer payload;
  payload.reserve(9 + chunk_record.size());
  payload.push_back(journal::kChunk);
  PutU64(&payload, file_length);
  AppendBytes(&payload, chunk_record);  // three length-prefixed blobs: chunk, column/offset index
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

namespace {

// Reads a journal front to back in blocks of 256 KiB (memory: one block, or one record if
// larger), calling fn(type, payload) for each whole record with a valid CRC. A torn or damaged
// tail ends the scan quietly; *valid_length says where the last whole record ends.
Status ScanJournal(io::FileSystem* fs, const std::string& path, std::string* fingerprint,
                   uint64_t* valid_length,
                   const std::function<Status(uint8_t type, ByteView payload)>& fn) {
  FM_ASSIGN_OR_RETURN(auto file, fs->OpenForRead(path));
  const uint64_t size = file->size();
  ByteBuffer buf;
  uint64_t buf_start = 0;
  // Makes [pos, pos + n) available in buf; false when the file ends first.
  auto ensure = [&](uint64_t pos, uint64_t n) -> Result<bool> {
    if (pos >= buf_start && pos + n <= buf_start + buf.size()) return true;
    if (n > size || pos > size - n) return false;
    const uint64_t want = std::min<uint64_t>(size - pos, std::max<uint64_t>(n, 256u << 10));
    buf_start = pos;
    FM_RETURN_IF_ERROR(file->ReadAt(pos, want, &buf));
    return true;
  };
  auto view = [&](uint64_t pos, uint64_t n) {
    return ByteView(buf.data() + (pos - buf_start), static_cast<size_t>(n));
  };

  FM_ASSIGN_OR_RETURN(bool have_header, ensure(0, 16));
  if (!have_header || std::memcmp(buf.data(), journal::kMagic, 8) != 0) {
    return Status::Corruption("'" + path + "' is not a featmerge journal (bad header)");
  }
  const uint32_t version = LoadLE<uint32_t>(buf.data() + 8);
  if (version != journal::kVersion) {
    return Status::NotSupported("journal '" + path + "' has version " + std::to_string(version) +
                                ", this featmerge reads version " + std::to_string(journal::kVersion));
  }
  const uint32_t fp_len = LoadLE<uint32_t>(buf.data() + 12);
  FM_ASSIGN_OR_RETURN(bool have_fp, ensure(16, fp_len));
  if (fp_len > 4096 || !have_fp) {
    return Status::Corruption("journal '" + path + "' has a truncated header");
  }
  *fingerprint = std::string(AsStringView(view(16, fp_len)));
  uint64_t pos = 16 + fp_len;
  for (;;) {
    FM_ASSIGN_OR_RETURN(bool have, ensure(pos, journal::kRecordHeaderSize));
    if (!have) break;
    const ByteView head = view(pos, journal::kRecordHeaderSize);
    const uint32_t len = LoadLE<uint32_t>(head.data());
    const uint32_t crc = LoadLE<uint32_t>(head.data() + 4);
    if (len == 0 || len > journal::kMaxRecordSize) break;  // torn tail
    FM_ASSIGN_OR_RETURN(have, ensure(pos, journal::kRecordHeaderSize + uint64_t{len}));
    if (!have) break;
    const ByteView payload = view(pos + journal::kRecordHeaderSize, len);
    if (parquet::PageCrc32(payload) != crc) break;
    FM_RETURN_IF_ERROR(fn(payload[0], payload));
    pos += journal::kRecordHeaderSize + uint64_t{len};
  }
  *valid_length = pos;
  return Status::OK();
}

// The chunk record inside a kChunk payload (after the type byte and the file length).
bool ChunkPayload(ByteView payload, uint64_t* file_length, ByteView* record) {
  Cursor c{payload, 1};
  *file_length = c.U64();
  if (!c.ok) return false;
  *record = payload.subspan(c.pos);
  return true;
}

}  // namespace

Result<JournalContents> ReadJournal(io::FileSystem* fs, const std::string& path,
                                    uint64_t* valid_length, bool keep_records) {
  JournalContents out;
  out.state.length = 4;
  out.state.keep_records = keep_records;
  Status s = ScanJournal(fs, path, &out.fingerprint, valid_length,
                         [&](uint8_t type, ByteView payload) -> Status {
    Cursor c{payload, 1};
    switch (type) {
      case journal::kChunk: {
        uint64_t length = 0;
        ByteView record, chunk_bytes, ci, oi;
        if (!ChunkPayload(payload, &length, &record) ||
            !parquet::SplitChunkRecord(record, &chunk_bytes, &ci, &oi)) {
          return Status::Corruption("journal '" + path + "': malformed chunk record");
        }
        auto chunk = parquet::DecodeColumnChunk(chunk_bytes);
        if (!chunk.ok()) return chunk.status().WithContext("journal '" + path + "'");
        parquet::AddChunkRecord(&out.state, *chunk, record);
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
                                  std::to_string(type));
    }
    out.records++;
    return Status::OK();
  });
  FM_RETURN_IF_ERROR(s);
  return out;
}

Status ForEachJournalChunk(io::FileSystem* fs, const std::string& path,
                           const std::function<Status(ByteView record)>& fn) {
  std::string fingerprint;
  uint64_t valid = 0;
  return ScanJournal(fs, path, &fingerprint, &valid,
                     [&](uint8_t type, ByteView payload) -> Status {
    if (type != journal::kChunk) return Status::OK();
    uint64_t length = 0;
    ByteView record;
    if (!ChunkPayload(payload, &length, &record)) {
      return Status::Corruption("journal '" + path + "': malformed chunk record");
    }
    return fn(record);
  });
}

}  // namespace featmerge::merge

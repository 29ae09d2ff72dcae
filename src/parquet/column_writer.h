// ColumnChunkWriter: encodes and compresses the values of one column for one row group into a
// self-contained EncodedChunk (pages + metadata + page indexes, offsets relative to the chunk's
// start). It touches no file: workers encode, one committer appends chunks in schema order, so
// output bytes do not depend on the thread count. Thread-safety: none; one writer per thread.
#pragma once

#include <memory>
#include <string>

#include "parquet/column_data.h"
#include "parquet/compression.h"
#include "parquet/encoding/encoding.h"
#include "parquet/format/metadata.h"
#include "parquet/schema.h"

namespace featmerge::parquet {

struct WriterOptions {
  Compression compression = Compression::kZstd;
  int compression_level = 1;
  int64_t data_page_size = 1 << 20;        // target uncompressed bytes per data page
  int64_t dictionary_page_size = 1 << 20;  // larger dictionaries fall back to PLAIN
  bool dictionary = true;                  // chosen per chunk by cardinality
  bool write_crc = true;                   // CRC-32 on every page header
  bool write_statistics = true;            // chunk min/max/null_count in the footer
  bool write_page_index = true;            // column index + offset index
  // Byte-array min/max longer than this are left out of statistics (keeps footers small).
  int max_statistics_bytes = 64;
  std::string created_by = "featmerge";
};

// One encoded column chunk. Offsets in `meta` and `offset_index` are relative to the first
// byte of `bytes`; the file writer rebases them.
struct EncodedChunk {
  ByteBuffer bytes;
  ColumnMetaData meta;
  std::optional<ColumnIndex> column_index;  // absent when some page lacks min/max
  OffsetIndex offset_index;
};

class ColumnChunkWriter {
 public:
  ColumnChunkWriter(const ColumnDescriptor& column, const WriterOptions& options);
  // Switches to another column, keeping the codec context and buffers (workers reuse one
  // writer for every chunk they encode). With `statistics` false the column gets neither
  // chunk statistics nor a column index (its offset index stays), whatever the options say:
  // a footer of 17,000 columns stays small, and no min/max is computed.
  void SetColumn(const ColumnDescriptor& column, bool statistics = true);

  // Encodes rows [begin, end) of `data` (of this column's type) into *out (reusing its buffers).
  Status Write(const ColumnData& data, int64_t begin, int64_t end, EncodedChunk* out);

 private:
  struct PageStats;
  bool BuildDictionary(const ColumnData& data, int64_t begin, int64_t end);
  bool BuildFixedDictionary(const ColumnData& data, int64_t begin, int64_t end);
  template <int kWidth>  // 0: the data's width (at most 8)
  bool BuildFixedDictionaryOf(const ColumnData& data, int64_t begin, int64_t end);
  Status EmitPage(const ColumnData& data, int64_t begin, int64_t end, bool use_dict,
                  EncodedChunk* out, PageStats* stats);
  Status AppendPage(PageHeader header, ByteView uncompressed, EncodedChunk* out);
  void UpdateStats(const ColumnData& data, int64_t row, PageStats* stats) const;

  ColumnDescriptor column_;
  const WriterOptions options_;
  bool statistics_ = true;  // this column's statistics and column index (see SetColumn)
  std::unique_ptr<Codec> codec_;
  std::unique_ptr<Encoder> plain_;
  // Dictionary state for the current chunk.
  std::vector<uint32_t> dict_index_;   // per non-null row in the chunk range: its entry
  struct Slot {
    uint64_t key;
    int32_t id;  // -1: empty
  };
  std::vector<Slot> slots_;  // open-addressing table of BuildFixedDictionaryOf
  ColumnData dict_values_;
  ByteBuffer page_body_;
  ByteBuffer compressed_;
  ByteBuffer dense_;
  std::vector<uint32_t> levels_;
  ByteBuffer header_buf_;
  int64_t chunk_begin_ = 0;  // first row of the chunk being written
  int64_t dict_cursor_ = 0;  // next entry of dict_index_ to emit
};

// Statistics helpers shared with the reader-side tools: compare two plain-encoded values of
// `column`'s type in its sort order (<0, 0, >0). REQUIRES: SupportsMinMax(column).
bool SupportsMinMax(const ColumnDescriptor& column);
int CompareValues(const ColumnDescriptor& column, ByteView a, ByteView b);

}  // namespace featmerge::parquet

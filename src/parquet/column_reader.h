// ColumnChunkReader: decodes the values of one column chunk (one column of one row group) into
// ColumnData, page by page, for a range of rows; pages outside the range are skipped without
// decompression. Page iteration (PageReader) and value decoding (Decoder) are separate objects.
// Thread-safety: none; one reader per thread. The ParquetFileReader must outlive it.
#pragma once

#include <map>
#include <memory>

#include "base/memory_budget.h"
#include "parquet/column_data.h"
#include "parquet/encoding/encoding.h"
#include "parquet/file_reader.h"
#include "parquet/page_reader.h"

namespace featmerge::parquet {

struct ChunkReadStats {
  int64_t pages_read = 0;     // decompressed and decoded
  int64_t pages_skipped = 0;  // outside the requested rows: header only
  uint64_t bytes_read = 0;    // compressed bytes read from the file
};

class ColumnChunkReader {
 public:
  ColumnChunkReader(const ParquetFileReader* file, int row_group, int column);

  // Appends rows [begin, end) of this chunk (0-based within the row group) to *out, which must
  // have been Reset() to this column's type. REQUIRES: 0 <= begin <= end <= row group rows.
  Status ReadRows(int64_t begin, int64_t end, ColumnData* out);
  Status ReadAll(ColumnData* out);

  const ChunkReadStats& stats() const { return stats_; }

 private:
  Status Load();  // reads the chunk's bytes (once)
  Status Restart();
  Status ReadDictionary(const Page& page);
  // Appends all rows of a data page to *dest.
  Status DecodeDataPage(const Page& page, ColumnData* dest);
  Status DecodeValues(Encoding encoding, ByteView data, int64_t num_values, ColumnData* dest,
                      int64_t first_slot, const std::string& at);
  std::string Where() const;

  const ParquetFileReader* file_;
  const int row_group_;
  const int column_;
  const ColumnDescriptor& descr_;
  ByteBuffer chunk_;
  uint64_t chunk_offset_ = 0;
  bool loaded_ = false;
  std::unique_ptr<PageReader> pages_;
  int64_t next_row_ = 0;  // first row of the next page PageReader returns
  // Rows [cached_begin_, cached_end_) of the last partially used page, decoded in scratch_.
  int64_t cached_begin_ = -1;
  int64_t cached_end_ = -1;

  bool has_dictionary_ = false;
  ColumnData dictionary_;
  ByteBuffer page_buf_;
  std::vector<uint8_t> levels_;
  std::vector<uint32_t> indices_;
  ColumnData scratch_;
  ByteArrayVector binary_scratch_;
  std::map<Encoding, std::unique_ptr<Decoder>> decoders_;
  ChunkReadStats stats_;
};

}  // namespace featmerge::parquet

// ColumnChunkReader: decodes the values of one column chunk (one column of one row group) into
// ColumnData, page by page, for a range of rows; pages outside the range are skipped without
// decompression and, when the chunk has an offset index, without being read from the file.
// Page iteration (PageReader) and value decoding (Decoder) are separate objects.
// Thread-safety: none; one reader per thread. The ParquetFileReader must outlive it.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "base/memory_budget.h"
#include "parquet/column_data.h"
#include "parquet/encoding/encoding.h"
#include "parquet/file_reader.h"
#include "parquet/page_reader.h"

namespace featmerge::parquet {

struct ChunkReadStats {
  int64_t pages_read = 0;     // decompressed and decoded
  // Outside the requested rows: header only, or not even read (located by the offset index).
  int64_t pages_skipped = 0;
  // Page bytes read from the file (compressed, headers included; a page read twice counts
  // twice). The offset index itself (a few bytes a page, read once) is not counted.
  uint64_t bytes_read = 0;
  // Headers of the pages before a page run, read to check the offset index's row numbers
  // (bytes_read does not include them).
  uint64_t header_bytes_read = 0;
};

// True when an offset index can be trusted to cut page runs from a chunk of `rows` rows stored
// in [start, start + length): at least one page, pages inside the chunk, in file order without
// overlapping, and first rows that start at 0 and increase strictly below `rows`. Whether each
// page really holds the rows the index says is checked as the pages are read.
bool UsableOffsetIndex(const std::vector<PageLocation>& pages, uint64_t start, uint64_t length,
                       int64_t rows);

class ColumnChunkReader {
 public:
  ColumnChunkReader(const ParquetFileReader* file, int row_group, int column);

  // Appends rows [begin, end) of this chunk (0-based within the row group) to *out, which must
  // have been Reset() to this column's type. REQUIRES: 0 <= begin <= end <= row group rows.
  // Calls may follow each other in any order. The first call on a reader reads the whole chunk
  // when it asks for every row; for fewer rows, only the pages holding them (and the
  // dictionary page) when the chunk has a usable offset index. Later calls read more pages as
  // they need them: a call going on where the pages read end (batched reads) reads the rest of
  // the chunk, a jump ahead only the pages it needs, a step back before them the whole chunk.
  // An offset index that contradicts itself or the chunk's extent is ignored; one that passes
  // those checks but disagrees with the page headers is Corruption.
  Status ReadRows(int64_t begin, int64_t end, ColumnData* out);
  Status ReadAll(ColumnData* out);

  // Promises that no later call asks for rows of a page an earlier call used part of (a
  // merge reads one range per reader): a page partly in the range then decodes only the rows
  // asked for, where its encoding allows (dictionary indices, PLAIN fixed-width values), and
  // is not kept for a next call. Without it, a partly used page is decoded whole and kept.
  void set_single_pass(bool single_pass) { single_pass_ = single_pass; }

  const ChunkReadStats& stats() const { return stats_; }

 private:
  enum class Loaded { kNothing, kWholeChunk, kPageRun };
  void Unload();
  Status LoadWholeChunk();
  // Reads the pages holding rows [begin, end) (to the chunk's end with `to_chunk_end`) as a
  // page run, or the whole chunk when there is no usable offset index or the run is all of it.
  Status LoadPages(int64_t begin, int64_t end, bool to_chunk_end);
  Status ReadPageLocations();  // once: fills page_locations_ when the offset index is usable
  Status ReadDictionaryRegion();  // the pages before the first indexed page
  Status CheckPageLocation(const Page& page);  // a data page of a page run against the index
  // Reads the headers of indexed pages [verified_pages_, first) and checks that each holds the
  // rows the offset index gives it, so that the first row of page `first` is right.
  Status VerifyPagesBefore(size_t first);
  Status Restart();  // iterates the loaded bytes again from their first page
  Status ReadDictionary(const Page& page);
  // Appends rows [lo, hi) of a data page to *dest (hi < 0: to the page's end). A strict part
  // REQUIRES PartlyDecodable(page).
  Status DecodeDataPage(const Page& page, ColumnData* dest, int64_t lo = 0, int64_t hi = -1);
  bool PartlyDecodable(const Page& page) const;
  // Appends values skip .. skip + num_values of the `page_values` values in `data` (-1: no
  // more than those), checking all of them. Taking part of the values REQUIRES a dictionary
  // encoding or PLAIN of a fixed width.
  Status DecodeValues(Encoding encoding, ByteView data, int64_t num_values, ColumnData* dest,
                      int64_t first_slot, const std::string& at, int64_t skip = 0,
                      int64_t page_values = -1);
  std::string Where() const;

  const ParquetFileReader* file_;
  const int row_group_;
  const int column_;
  const ColumnDescriptor& descr_;
  const int64_t num_rows_;  // of the row group (footer)
  uint64_t chunk_start_ = 0;   // the chunk's bytes in the file (ChunkRange)
  uint64_t chunk_length_ = 0;
  ByteBuffer chunk_;           // the bytes loaded: the whole chunk or a page run
  uint64_t chunk_offset_ = 0;  // file offset of chunk_[0]
  Loaded loaded_ = Loaded::kNothing;
  // Page run: offset index pages from run_first_page_ on, rows [run_begin_row_, run_end_row_).
  size_t run_first_page_ = 0;
  int run_page_number_ = 0;  // of its first page in messages (the dictionary page counts)
  int64_t run_begin_row_ = 0;
  int64_t run_end_row_ = 0;
  bool index_read_ = false;
  std::vector<PageLocation> page_locations_;  // empty: no usable offset index
  bool dictionary_region_read_ = false;
  std::unique_ptr<PageReader> pages_;
  int64_t next_row_ = 0;  // first row of the next page PageReader returns
  size_t next_page_ = 0;  // offset index number of the next data page PageReader returns
  size_t verified_pages_ = 0;  // leading indexed pages whose headers agree with the index
  // Rows [cached_begin_, cached_end_) of the last partially used page, decoded in scratch_.
  int64_t cached_begin_ = -1;
  int64_t cached_end_ = -1;
  bool single_pass_ = false;

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

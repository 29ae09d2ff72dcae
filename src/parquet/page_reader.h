// PageReader: iterates the pages of one column chunk in file order, from a buffer holding the
// chunk's bytes (or a run of its pages located with the offset index). It validates each page
// header against the bytes left, verifies CRCs, and decompresses on request, so pages that are
// not needed are skipped without decompression. Thread-safety: none; one reader per thread.
#pragma once

#include <memory>
#include <string>

#include "base/byte_view.h"
#include "base/status.h"
#include "parquet/compression.h"
#include "parquet/format/metadata.h"

namespace featmerge::parquet {

struct Page {
  PageHeader header;
  uint64_t file_offset = 0;  // where the page header starts in the file
  uint32_t header_size = 0;
  ByteView body;             // the page body as stored (compressed), a view into the chunk
  int64_t first_row = 0;     // values before this page in the buffer (whole chunk: its row)
  int64_t num_rows = 0;      // data pages: rows (== values for flat columns); 0 otherwise
};

class PageReader {
 public:
  // `chunk` holds the chunk's bytes starting at file offset `chunk_offset` and must outlive the
  // reader. `where` prefixes messages ("'f.parquet', row group 0, column 'x'").
  PageReader(ByteView chunk, uint64_t chunk_offset, int64_t num_values, Compression codec,
             bool verify_crc, std::string where);

  // The buffer holds a run of whole pages cut from the chunk with its offset index, starting at
  // a page boundary (`chunk_offset` is that page's offset), rather than the whole chunk:
  // iteration ends where the bytes end, `num_values` only bounds the values the pages may hold,
  // a dictionary page is not checked to come first (the caller knows where the chunk's
  // dictionary is), and pages are numbered from `first_page_index` in messages. REQUIRES: no
  // Next() call yet.
  void SetPageRun(int first_page_index);

  // Decompresses with the codec held in *slot (made there on first use, remade when of another
  // kind) instead of one of its own: readers made one after another for small chunks then
  // share one library context. *slot must outlive the reader.
  void ShareCodec(std::unique_ptr<Codec>* slot) { shared_codec_ = slot; }

  // Reads the next page header; false at the end of the chunk (all values seen), or of the run.
  Result<bool> Next(Page* page);
  // Decompresses the body of `page` (a page returned by Next) into *out, which is resized to
  // the uncompressed size. For DATA_PAGE_V2 the uncompressed level bytes are copied in front,
  // so the result always has the v1 layout [rep levels][def levels][values] of the header's
  // uncompressed size.
  Status Decompress(const Page& page, ByteBuffer* out);

  const std::string& where() const { return where_; }

 private:
  ByteView chunk_;
  uint64_t chunk_offset_;
  int64_t num_values_;
  Compression codec_id_;
  bool verify_crc_;
  std::string where_;
  size_t pos_ = 0;
  int64_t values_seen_ = 0;
  int page_index_ = 0;
  bool page_run_ = false;
  std::unique_ptr<Codec> own_codec_;
  std::unique_ptr<Codec>* shared_codec_ = nullptr;  // see ShareCodec
};

// Pages decompress to at most this many bytes; a larger header value is treated as corrupt
// rather than allocated (no writer we know produces pages near this size).
inline constexpr int64_t kMaxPageBytes = 1ll << 30;

}  // namespace featmerge::parquet

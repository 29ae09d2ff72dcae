#include "parquet/column_reader.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "parquet/encoding/rle_bit_packed.h"
#include "parquet/format/thrift_codec.h"

namespace featmerge::parquet {
namespace {
// No writer we know puts anywhere near this many rows in one page; a larger count is treated
// as damage instead of sizing buffers by it.
constexpr int64_t kMaxPageRows = 1ll << 27;

}  // namespace

bool UsableOffsetIndex(const std::vector<PageLocation>& pages, uint64_t start, uint64_t length,
                       int64_t rows) {
  if (pages.empty() || pages[0].first_row_index != 0) return false;
  const uint64_t end = start + length;  // validated against the file size by the file reader
  uint64_t prev_end = start;
  int64_t prev_row = -1;
  for (const PageLocation& page : pages) {
    if (page.offset < 0 || static_cast<uint64_t>(page.offset) < prev_end ||
        page.compressed_page_size <= 0 || static_cast<uint64_t>(page.offset) > end ||
        static_cast<uint64_t>(page.compressed_page_size) >
            end - static_cast<uint64_t>(page.offset) ||
        page.first_row_index <= prev_row || page.first_row_index >= rows) {
      return false;
    }
    prev_end =
        static_cast<uint64_t>(page.offset) + static_cast<uint64_t>(page.compressed_page_size);
    prev_row = page.first_row_index;
  }
  return true;
}

ColumnChunkReader::ColumnChunkReader(const ParquetFileReader* file, int row_group, int column)
    : file_(file),
      row_group_(row_group),
      column_(column),
      descr_(file->schema().column(column)),
      num_rows_(file->row_group(row_group).num_rows) {
  file_->ChunkRange(row_group_, column_, &chunk_start_, &chunk_length_);
}

std::string ColumnChunkReader::Where() const {
  return "'" + file_->path() + "', " + file_->Where(row_group_, column_);
}

void ColumnChunkReader::Unload() {
  // Until a read succeeds, nothing refers to chunk_ (it may have been reallocated).
  loaded_ = Loaded::kNothing;
  pages_.reset();
}

Status ColumnChunkReader::LoadWholeChunk() {
  Unload();
  FM_RETURN_IF_ERROR(file_->file().ReadAt(chunk_start_, chunk_length_, &chunk_));
  stats_.bytes_read += chunk_length_;
  chunk_offset_ = chunk_start_;
  loaded_ = Loaded::kWholeChunk;
  return Restart();
}

Status ColumnChunkReader::ReadPageLocations() {
  if (index_read_) return Status::OK();
  index_read_ = true;
  auto index = file_->ReadOffsetIndex(row_group_, column_);
  if (!index.ok()) {
    // An offset index outside the file or not decodable is treated as absent: the pages
    // themselves are still readable (the same as `check` does). A failing read is not.
    if (index.status().IsIOError()) return index.status();
    return Status::OK();
  }
  if (!index->has_value()) return Status::OK();
  std::vector<PageLocation>& pages = (*index)->page_locations;
  if (UsableOffsetIndex(pages, chunk_start_, chunk_length_, num_rows_)) {
    page_locations_ = std::move(pages);
  }
  return Status::OK();
}

Status ColumnChunkReader::LoadPages(int64_t begin, int64_t end, bool to_chunk_end) {
  FM_RETURN_IF_ERROR(ReadPageLocations());
  const std::vector<PageLocation>& pages = page_locations_;
  if (pages.empty()) return LoadWholeChunk();
  // The last page starting at or before a row holds it (first rows are strictly increasing).
  auto page_of = [&pages](int64_t row) {
    auto it = std::upper_bound(
        pages.begin(), pages.end(), std::max<int64_t>(row, 0),
        [](int64_t r, const PageLocation& p) { return r < p.first_row_index; });
    return static_cast<size_t>(it - pages.begin()) - 1;
  };
  const size_t first = page_of(begin);
  const size_t last = to_chunk_end ? pages.size() - 1 : std::max(first, page_of(end - 1));
  if (first == 0 && last == pages.size() - 1) return LoadWholeChunk();  // the same bytes
  // The run's first row comes from the index: the pages before it must agree with it.
  FM_RETURN_IF_ERROR(VerifyPagesBefore(first));
  // Pages between the ones read so far and the run are never read: skipped.
  if (first > next_page_) stats_.pages_skipped += static_cast<int64_t>(first - next_page_);

  uint64_t start = static_cast<uint64_t>(pages[first].offset);
  const uint64_t stop = static_cast<uint64_t>(pages[last].offset) +
                        static_cast<uint64_t>(pages[last].compressed_page_size);
  int first_page_index = static_cast<int>(first);
  const bool has_region = static_cast<uint64_t>(pages[0].offset) > chunk_start_;
  if (has_region && !dictionary_region_read_) {
    if (first == 0) {
      start = chunk_start_;  // the dictionary page and the run in one read
    } else {
      FM_RETURN_IF_ERROR(ReadDictionaryRegion());
    }
  }
  dictionary_region_read_ = true;
  if (start == chunk_start_) {
    first_page_index = 0;
  } else if (has_region) {
    first_page_index++;  // messages count the dictionary page, as for a whole chunk
  }
  Unload();
  FM_RETURN_IF_ERROR(file_->file().ReadAt(start, stop - start, &chunk_));
  stats_.bytes_read += stop - start;
  chunk_offset_ = start;
  loaded_ = Loaded::kPageRun;
  run_first_page_ = first;
  run_page_number_ = first_page_index;
  run_begin_row_ = pages[first].first_row_index;
  run_end_row_ = last + 1 < pages.size() ? pages[last + 1].first_row_index : num_rows_;
  return Restart();
}

Status ColumnChunkReader::VerifyPagesBefore(size_t first) {
  const std::vector<PageLocation>& pages = page_locations_;
  // Headers are small; one with long statistics may need the whole page.
  constexpr uint64_t kHeaderProbe = 1024;
  ByteBuffer probe;
  for (size_t i = verified_pages_; i < first; i++) {
    const PageLocation& loc = pages[i];
    const uint64_t size = static_cast<uint64_t>(loc.compressed_page_size);
    uint32_t header_size = 0;
    auto read_header = [&](uint64_t want) -> Result<PageHeader> {
      FM_RETURN_IF_ERROR(file_->file().ReadAt(static_cast<uint64_t>(loc.offset), want, &probe));
      stats_.header_bytes_read += want;
      return DecodePageHeader(ByteView(probe), &header_size);
    };
    Result<PageHeader> header = read_header(std::min(size, kHeaderProbe));
    if (!header.ok() && header.status().IsIOError()) return header.status();
    if (!header.ok() && size > kHeaderProbe) header = read_header(size);
    if (!header.ok() && header.status().IsIOError()) return header.status();
    const int64_t rows = pages[i + 1].first_row_index - loc.first_row_index;
    int64_t values = -1;
    if (header.ok() && header->type == PageType::kDataPage && header->data_page_header) {
      values = header->data_page_header->num_values;
    } else if (header.ok() && header->type == PageType::kDataPageV2 && header->data_page_header_v2) {
      values = header->data_page_header_v2->num_values;
    }
    if (values != rows || !header.ok() ||
        static_cast<uint64_t>(header_size) + static_cast<uint64_t>(header->compressed_page_size) !=
            size) {
      return Status::Corruption(
          Where() + ": offset index disagrees with page headers: data page " + std::to_string(i) +
          " at offset " + std::to_string(loc.offset) + " should hold " + std::to_string(rows) +
          " rows in " + std::to_string(size) + " bytes, but its header " +
          (header.ok() ? "says " + std::to_string(values) + " values in " +
                             std::to_string(header_size + static_cast<uint64_t>(
                                                              header->compressed_page_size)) +
                             " bytes"
                       : "does not decode (" + header.status().message() + ")"));
    }
  }
  verified_pages_ = std::max(verified_pages_, first);
  return Status::OK();
}

// The pages before the first one the offset index lists: the dictionary page, when the chunk
// has one (its offset in the footer is not needed: some writers leave it out).
Status ColumnChunkReader::ReadDictionaryRegion() {
  const uint64_t length = static_cast<uint64_t>(page_locations_[0].offset) - chunk_start_;
  Unload();
  FM_RETURN_IF_ERROR(file_->file().ReadAt(chunk_start_, length, &chunk_));
  stats_.bytes_read += length;
  const ColumnMetaData& md = file_->column_meta(row_group_, column_);
  // The pages_ member, because ReadDictionary decompresses with it; the caller loads pages next.
  pages_ = std::make_unique<PageReader>(ByteView(chunk_), chunk_start_, md.num_values, md.codec,
                                        file_->options().verify_crc, Where());
  pages_->SetPageRun(0);
  Page page;
  bool dictionary_seen = false;
  while (true) {
    FM_ASSIGN_OR_RETURN(bool more, pages_->Next(&page));
    if (!more) return Status::OK();
    const PageType type = page.header.type;
    if (type == PageType::kIndexPage) continue;
    if (type != PageType::kDictionaryPage || dictionary_seen) {
      return Status::Corruption(Where() + ": offset index disagrees with page headers: its first " +
                                "page is at offset " + std::to_string(page_locations_[0].offset) +
                                ", but a " + (type == PageType::kDictionaryPage
                                                  ? std::string("second dictionary")
                                                  : std::string("data")) +
                                " page starts at offset " + std::to_string(page.file_offset));
    }
    dictionary_seen = true;
    FM_RETURN_IF_ERROR(ReadDictionary(page));
  }
}

Status ColumnChunkReader::CheckPageLocation(const Page& page) {
  const std::vector<PageLocation>& pages = page_locations_;
  const size_t i = next_page_;
  const uint64_t size = page.header_size + page.body.size();
  if (i < pages.size()) {
    const int64_t next = i + 1 < pages.size() ? pages[i + 1].first_row_index : num_rows_;
    const int64_t rows = next - pages[i].first_row_index;
    if (static_cast<uint64_t>(pages[i].offset) == page.file_offset &&
        static_cast<uint64_t>(pages[i].compressed_page_size) == size && rows == page.num_rows) {
      return Status::OK();
    }
    return Status::Corruption(
        Where() + ": offset index disagrees with page headers: data page " + std::to_string(i) +
        " is at offset " + std::to_string(page.file_offset) + " with " + std::to_string(size) +
        " bytes and " + std::to_string(page.num_rows) + " rows; the offset index says offset " +
        std::to_string(pages[i].offset) + ", " + std::to_string(pages[i].compressed_page_size) +
        " bytes, " + std::to_string(rows) + " rows from row " +
        std::to_string(pages[i].first_row_index));
  }
  return Status::Corruption(Where() + ": offset index disagrees with page headers: it lists " +
                            std::to_string(pages.size()) + " data pages, but another one starts " +
                            "at offset " + std::to_string(page.file_offset));
}

Status ColumnChunkReader::Restart() {
  const ColumnMetaData& md = file_->column_meta(row_group_, column_);
  pages_ = std::make_unique<PageReader>(ByteView(chunk_), chunk_offset_, md.num_values, md.codec,
                                        file_->options().verify_crc, Where());
  if (loaded_ == Loaded::kPageRun) {
    pages_->SetPageRun(run_page_number_);
    next_row_ = run_begin_row_;
    next_page_ = run_first_page_;
  } else {
    next_row_ = 0;
    next_page_ = 0;
  }
  cached_begin_ = cached_end_ = -1;
  return Status::OK();
}

Status ColumnChunkReader::ReadAll(ColumnData* out) {
  return ReadRows(0, num_rows_, out);
}

Status ColumnChunkReader::ReadRows(int64_t begin, int64_t end, ColumnData* out) {
  if (begin >= end) return Status::OK();
  if (loaded_ == Loaded::kNothing) {
    if (begin <= 0 && end >= num_rows_) {
      FM_RETURN_IF_ERROR(LoadWholeChunk());
    } else {
      FM_RETURN_IF_ERROR(LoadPages(begin, end, false));
    }
  }
  if (begin < next_row_) {
    // Batched reads (cat, check) start inside the page the previous batch ended in: serve that
    // part from the page still decoded in scratch_ instead of walking the chunk again.
    if (begin >= cached_begin_ && begin < cached_end_ && next_row_ == cached_end_) {
      const int64_t hi = std::min(end, cached_end_);
      out->AppendRange(scratch_, begin - cached_begin_, hi - begin);
      begin = hi;
      if (begin >= end) return Status::OK();
    } else if (loaded_ == Loaded::kPageRun && begin < run_begin_row_) {
      FM_RETURN_IF_ERROR(LoadWholeChunk());  // before the pages read: rare, read them all
    } else {
      FM_RETURN_IF_ERROR(Restart());
    }
  }
  if (loaded_ == Loaded::kPageRun && end > run_end_row_) {
    // Rows past the pages read. A reader going on where they end (cat's batches) will want the
    // rest of the chunk: one read. A jump ahead (the key ranges of --from/--to) reads only the
    // pages it needs.
    FM_RETURN_IF_ERROR(LoadPages(begin, end, begin <= run_end_row_));
  }
  // A hint only: the rows come from the footer, so at most 1M rows and 64 MiB are reserved
  // ahead (a wide FIXED_LEN_BYTE_ARRAY must not reserve GBs for rows the pages may not hold).
  const int64_t width = std::max(1, descr_.width());
  out->Reserve(out->num_rows() +
               std::min<int64_t>({end - begin, int64_t{1} << 20, (int64_t{64} << 20) / width}));
  Page page;
  while (next_row_ < end) {
    FM_ASSIGN_OR_RETURN(bool more, pages_->Next(&page));
    if (!more) {
      return Status::Corruption(Where() + ": the chunk ends at row " + std::to_string(next_row_) +
                                " before row " + std::to_string(end));
    }
    const PageType type = page.header.type;
    if (type == PageType::kDictionaryPage) {
      if (loaded_ == Loaded::kPageRun && page.file_offset != chunk_start_) {
        return Status::Corruption(Where() + ": offset index disagrees with page headers: a " +
                                  "dictionary page at offset " + std::to_string(page.file_offset) +
                                  " where it locates data pages");
      }
      FM_RETURN_IF_ERROR(ReadDictionary(page));
      continue;
    }
    if (type == PageType::kIndexPage) continue;
    if (loaded_ == Loaded::kPageRun) FM_RETURN_IF_ERROR(CheckPageLocation(page));
    next_page_++;
    const int64_t page_begin = next_row_;
    const int64_t page_end = next_row_ + page.num_rows;
    next_row_ = page_end;
    if (page_end <= begin) {
      stats_.pages_skipped++;
      continue;
    }
    stats_.pages_read++;
    if (page_begin >= begin && page_end <= end) {
      cached_begin_ = cached_end_ = -1;
      FM_RETURN_IF_ERROR(DecodeDataPage(page, out));
    } else if (single_pass_ && PartlyDecodable(page)) {
      cached_begin_ = cached_end_ = -1;
      FM_RETURN_IF_ERROR(DecodeDataPage(page, out, std::max(begin, page_begin) - page_begin,
                                        std::min(end, page_end) - page_begin));
    } else {
      cached_begin_ = cached_end_ = -1;
      scratch_.Reset(descr_.type, descr_.type_length);
      FM_RETURN_IF_ERROR(DecodeDataPage(page, &scratch_));
      int64_t lo = std::max(begin, page_begin) - page_begin;
      int64_t hi = std::min(end, page_end) - page_begin;
      out->AppendRange(scratch_, lo, hi - lo);
      cached_begin_ = page_begin;
      cached_end_ = page_end;
    }
  }
  return Status::OK();
}

Status ColumnChunkReader::ReadDictionary(const Page& page) {
  const DictionaryPageHeader& dh = *page.header.dictionary_page_header;
  std::string at = Where() + ", dictionary page at offset " + std::to_string(page.file_offset);
  if (dh.encoding != Encoding::kPlain && dh.encoding != Encoding::kPlainDictionary) {
    return Status::NotSupported(at + ": dictionary encoded as " + EncodingName(dh.encoding));
  }
  FM_RETURN_IF_ERROR(pages_->Decompress(page, &page_buf_));
  // Check the claimed count against the bytes before anything is sized by it.
  const uint64_t max_values = descr_.type == Type::kBoolean ? page_buf_.size() * 8
                              : descr_.width() > 0 ? page_buf_.size() / static_cast<uint64_t>(descr_.width())
                                                   : page_buf_.size() / 4;
  if (dh.num_values < 0 || static_cast<uint64_t>(dh.num_values) > max_values) {
    return Status::Corruption(at + ": " + std::to_string(dh.num_values) +
                              " dictionary values do not fit in " +
                              std::to_string(page_buf_.size()) + " bytes");
  }
  dictionary_.Reset(descr_.type, descr_.type_length);
  FM_RETURN_IF_ERROR(DecodeValues(Encoding::kPlain, page_buf_, dh.num_values, &dictionary_, 0, at));
  dictionary_.SetRowsFromBuffers(dh.num_values, 0);
  has_dictionary_ = true;
  return Status::OK();
}

bool ColumnChunkReader::PartlyDecodable(const Page& page) const {
  const Encoding e = page.header.type == PageType::kDataPageV2
                         ? page.header.data_page_header_v2->encoding
                         : page.header.data_page_header->encoding;
  if (e == Encoding::kPlainDictionary || e == Encoding::kRleDictionary) return true;
  // PLAIN fixed-width values can be skipped by offset (BOOLEAN's are bits).
  return e == Encoding::kPlain && descr_.width() > 0 && descr_.type != Type::kBoolean;
}

Status ColumnChunkReader::DecodeDataPage(const Page& page, ColumnData* dest, int64_t lo,
                                         int64_t hi) {
  const PageHeader& h = page.header;
  std::string at = Where() + ", page at offset " + std::to_string(page.file_offset);
  const int64_t n = page.num_rows;
  if (n > kMaxPageRows) {
    return Status::Corruption(at + ": page claims " + std::to_string(n) + " rows (limit " +
                              std::to_string(kMaxPageRows) + ")");
  }
  // Nulls take no bytes in the page but a slot each in memory: the slots of one page are held
  // to the page limit, so an all-null page of wide FIXED_LEN_BYTE_ARRAY (up to 1 MiB a value)
  // cannot ask for terabytes.
  if (descr_.width() > 0 && static_cast<uint64_t>(n) * static_cast<uint64_t>(descr_.width()) >
                                static_cast<uint64_t>(kMaxPageBytes)) {
    return Status::Corruption(at + ": " + std::to_string(n) + " rows of " +
                              std::to_string(descr_.width()) + " bytes exceed the page limit of " +
                              std::to_string(kMaxPageBytes) + " bytes");
  }
  FM_RETURN_IF_ERROR(pages_->Decompress(page, &page_buf_));
  ByteView body(page_buf_);
  Encoding encoding;
  int64_t non_null = n;
  levels_.resize(static_cast<size_t>(n));
  if (h.type == PageType::kDataPage) {
    const DataPageHeader& dp = *h.data_page_header;
    encoding = dp.encoding;
    if (descr_.nullable) {
      if (dp.definition_level_encoding == Encoding::kRle) {
        if (body.size() < 4) return Status::Corruption(at + ": definition levels truncated");
        uint32_t len = LoadLE<uint32_t>(body.data());
        if (len > body.size() - 4) {
          return Status::Corruption(at + ": definition levels of " + std::to_string(len) +
                                    " bytes exceed the page's " + std::to_string(body.size() - 4));
        }
        RleBitPackedDecoder dec;
        FM_RETURN_IF_ERROR(dec.Init(body.subspan(4, len), 1));
        indices_.resize(static_cast<size_t>(n));
        Status s = dec.GetBatch(indices_.data(), n);
        if (!s.ok()) return s.WithContext(at + ", definition levels");
        body = body.subspan(4 + len);
      } else if (dp.definition_level_encoding == Encoding::kBitPacked) {
        size_t len = static_cast<size_t>((n + 7) / 8);
        if (len > body.size()) return Status::Corruption(at + ": definition levels truncated");
        indices_.resize(static_cast<size_t>(n));
        // Deprecated BIT_PACKED levels: most significant bit first.
        for (int64_t i = 0; i < n; i++) {
          indices_[static_cast<size_t>(i)] = (body[static_cast<size_t>(i / 8)] >> (7 - i % 8)) & 1;
        }
        body = body.subspan(len);
      } else {
        return Status::NotSupported(at + ": definition levels encoded as " +
                                    EncodingName(dp.definition_level_encoding));
      }
    }
  } else {
    const DataPageHeaderV2& v2 = *h.data_page_header_v2;
    encoding = v2.encoding;
    size_t rep_len = static_cast<size_t>(v2.repetition_levels_byte_length);
    size_t def_len = static_cast<size_t>(v2.definition_levels_byte_length);
    if (rep_len != 0) {
      return Status::Corruption(at + ": repetition levels in a flat column");
    }
    if (descr_.nullable) {
      RleBitPackedDecoder dec;
      FM_RETURN_IF_ERROR(dec.Init(body.subspan(rep_len, def_len), 1));
      indices_.resize(static_cast<size_t>(n));
      Status s = dec.GetBatch(indices_.data(), n);
      if (!s.ok()) return s.WithContext(at + ", definition levels");
    }
    body = body.subspan(rep_len + def_len);
  }
  if (descr_.nullable) {
    non_null = 0;
    for (int64_t i = 0; i < n; i++) {
      uint32_t level = indices_[static_cast<size_t>(i)];
      if (level > 1) {
        return Status::Corruption(at + ": definition level " + std::to_string(level) +
                                  " exceeds the maximum of 1");
      }
      levels_[static_cast<size_t>(i)] = static_cast<uint8_t>(level);
      non_null += level;
    }
  } else {
    std::memset(levels_.data(), 1, levels_.size());
  }

  // Rows [lo, hi) of the page: the values before them are skipped, not copied.
  if (hi < 0) hi = n;
  int64_t skip = 0, take = non_null;
  if (lo > 0 || hi < n) {
    skip = 0;
    for (int64_t i = 0; i < lo; i++) skip += levels_[static_cast<size_t>(i)];
    take = 0;
    for (int64_t i = lo; i < hi; i++) take += levels_[static_cast<size_t>(i)];
  }
  const int64_t rows = hi - lo;
  // Append the validity, make room for the values, decode them into place.
  const int64_t first_slot = dest->num_rows();
  auto& validity = dest->mutable_validity();
  validity.insert(validity.end(), levels_.begin() + lo, levels_.begin() + hi);
  if (descr_.width() > 0) {
    dest->mutable_fixed().resize(dest->mutable_fixed().size() +
                                 static_cast<size_t>(rows) * static_cast<size_t>(descr_.width()));
  }
  Status s = DecodeValues(encoding, body, take, dest, first_slot, at, skip, non_null);
  if (!s.ok()) return s;
  dest->SetRowsFromBuffers(first_slot + rows, dest->null_count() + (rows - take));
  return Status::OK();
}

// Decodes `num_values` non-null values and spreads them over the rows from `first_slot` on,
// following the validity bytes already appended. For fixed-width types the slots exist.
Status ColumnChunkReader::DecodeValues(Encoding encoding, ByteView data, int64_t num_values,
                                       ColumnData* dest, int64_t first_slot, const std::string& at,
                                       int64_t skip, int64_t page_values) {
  if (page_values < 0) page_values = skip + num_values;
  const int width = descr_.width();
  const bool dict = encoding == Encoding::kPlainDictionary || encoding == Encoding::kRleDictionary;
  const bool fill_validity = dest->validity().size() == static_cast<size_t>(first_slot);
  if (fill_validity) {
    // Dictionary page: all values present.
    dest->mutable_validity().resize(static_cast<size_t>(first_slot + num_values), 1);
    if (width > 0) {
      dest->mutable_fixed().resize(static_cast<size_t>(first_slot + num_values) *
                                   static_cast<size_t>(width));
    }
  }
  const int64_t rows = static_cast<int64_t>(dest->validity().size()) - first_slot;
  const uint8_t* valid = dest->validity().data() + first_slot;

  if (dict) {
    if (!has_dictionary_) {
      return Status::Corruption(at + ": dictionary-encoded page without a dictionary page");
    }
    // Every index of the page is unpacked and checked, as a whole read would (a damaged page
    // is an error whichever rows are asked for); only the taken ones are looked up.
    const int64_t decoded = std::max(page_values, skip + num_values);
    if (decoded > 0) {
      if (data.empty()) return Status::Corruption(at + ": dictionary indices missing");
      int bit_width = data[0];
      if (bit_width > 32) {
        return Status::Corruption(at + ": dictionary index bit width " + std::to_string(bit_width));
      }
      RleBitPackedDecoder dec;
      FM_RETURN_IF_ERROR(dec.Init(data.subspan(1), bit_width));
      indices_.resize(static_cast<size_t>(decoded));
      Status s = dec.GetBatch(indices_.data(), decoded);
      if (!s.ok()) return s.WithContext(at + ", dictionary indices");
    }
    const uint64_t dict_size = static_cast<uint64_t>(dictionary_.num_rows());
    for (int64_t i = 0; i < decoded; i++) {
      if (indices_[static_cast<size_t>(i)] >= dict_size) {
        return Status::Corruption(at + ": dictionary index " +
                                  std::to_string(indices_[static_cast<size_t>(i)]) +
                                  " out of range (dictionary has " + std::to_string(dict_size) +
                                  " values)");
      }
    }
    const uint32_t* idx = indices_.data() + (decoded > 0 ? skip : 0);
    int64_t j = 0;
    if (width > 0) {
      uint8_t* out = dest->mutable_fixed().data() + static_cast<size_t>(first_slot) * width;
      const uint8_t* d = dictionary_.fixed().data();
      // Widths known at compile time copy as one load and store, not a library call a value.
      auto gather = [&](auto w) {
        constexpr size_t kW = decltype(w)::value;
        const size_t width_bytes = kW > 0 ? kW : static_cast<size_t>(width);
        if (rows == num_values) {
          for (int64_t i = 0; i < rows; i++) {
            std::memcpy(out + static_cast<size_t>(i) * width_bytes,
                        d + static_cast<size_t>(idx[i]) * width_bytes, width_bytes);
          }
          return;
        }
        for (int64_t i = 0; i < rows; i++) {
          if (valid[i]) {
            std::memcpy(out + static_cast<size_t>(i) * width_bytes,
                        d + static_cast<size_t>(idx[j++]) * width_bytes, width_bytes);
          }
        }
      };
      switch (width) {
        case 4: gather(std::integral_constant<size_t, 4>()); break;
        case 8: gather(std::integral_constant<size_t, 8>()); break;
        case 12: gather(std::integral_constant<size_t, 12>()); break;
        default: gather(std::integral_constant<size_t, 0>()); break;
      }
    } else {
      ByteArrayVector& out = dest->mutable_binary();
      for (int64_t i = 0; i < rows; i++) {
        if (valid[i]) out.Append(dictionary_.binary_value(idx[j++]));
        else out.AppendEmpty();
      }
    }
    return Status::OK();
  }

  auto it = decoders_.find(encoding);
  if (it == decoders_.end()) {
    auto made = MakeDecoder(encoding, descr_.type, descr_.type_length);
    if (!made.ok()) return made.status().WithContext(at);
    it = decoders_.emplace(encoding, std::move(made).value()).first;
  }
  Decoder* decoder = it->second.get();
  if (page_values > num_values) {
    // Part of a page, PLAIN of a fixed width (see PartlyDecodable): the skipped values are
    // bytes to step over, and the page must hold all the values its levels say it has.
    const uint64_t all = static_cast<uint64_t>(std::max(page_values, skip + num_values)) *
                         static_cast<uint64_t>(std::max(width, 0));
    if (width <= 0 || encoding != Encoding::kPlain || all > data.size()) {
      return Status::Corruption(at + ": " + std::to_string(page_values) + " " +
                                EncodingName(encoding) + " values do not fit in " +
                                std::to_string(data.size()) + " bytes");
    }
    data = data.subspan(static_cast<size_t>(skip) * static_cast<size_t>(width));
  }
  Status s = decoder->SetData(data, num_values);
  if (!s.ok()) return s.WithContext(at);
  if (width > 0) {
    // Decode densely into the last num_values slots, then spread forward (see DESIGN: the
    // source slot j never trails the destination slot i, so the in-place move is safe).
    uint8_t* base = dest->mutable_fixed().data() + static_cast<size_t>(first_slot) * width;
    const int64_t offset = rows - num_values;
    s = decoder->DecodeFixed(num_values, base + offset * width);
    if (!s.ok()) return s.WithContext(at);
    if (offset > 0) {
      auto spread = [&](auto w) {
        constexpr size_t kW = decltype(w)::value;
        const size_t width_bytes = kW > 0 ? kW : static_cast<size_t>(width);
        int64_t j = offset;
        for (int64_t i = 0; i < rows; i++) {
          uint8_t* to = base + static_cast<size_t>(i) * width_bytes;
          if (valid[i]) {
            // j >= i: one value moves forward (one load and store when the width is known).
            if (j != i) std::memmove(to, base + static_cast<size_t>(j) * width_bytes, width_bytes);
            j++;
          } else {
            std::memset(to, 0, width_bytes);
          }
        }
      };
      switch (width) {
        case 4: spread(std::integral_constant<size_t, 4>()); break;
        case 8: spread(std::integral_constant<size_t, 8>()); break;
        default: spread(std::integral_constant<size_t, 0>()); break;
      }
    }
  } else {
    binary_scratch_.Clear();
    s = decoder->DecodeByteArray(num_values, &binary_scratch_);
    if (!s.ok()) return s.WithContext(at);
    ByteArrayVector& out = dest->mutable_binary();
    if (out.data_size() + binary_scratch_.data_size() > ByteArrayVector::kMaxDataBytes) {
      return Status::ResourceExhausted(at + ": more than 4 GiB of string data in one column chunk");
    }
    int64_t j = 0;
    for (int64_t i = 0; i < rows; i++) {
      if (valid[i]) out.Append(binary_scratch_[static_cast<size_t>(j++)]);
      else out.AppendEmpty();
    }
  }
  return Status::OK();
}

}  // namespace featmerge::parquet

#include "parquet/page_reader.h"

#include <cstring>

#include "parquet/format/thrift_codec.h"

namespace featmerge::parquet {

PageReader::PageReader(ByteView chunk, uint64_t chunk_offset, int64_t num_values,
                       Compression codec, bool verify_crc, std::string where)
    : chunk_(chunk),
      chunk_offset_(chunk_offset),
      num_values_(num_values),
      codec_id_(codec),
      verify_crc_(verify_crc),
      where_(std::move(where)) {}

void PageReader::SetPageRun(int first_page_index) {
  page_run_ = true;
  page_index_ = first_page_index;
}

Result<bool> PageReader::Next(Page* page) {
  if (page_run_) {
    if (pos_ >= chunk_.size()) return false;
  } else {
    if (values_seen_ >= num_values_) return false;
    if (pos_ >= chunk_.size()) {
      return Status::Corruption(where_ + ": column chunk ends after " +
                                std::to_string(values_seen_) + " of " +
                                std::to_string(num_values_) + " values");
    }
  }
  std::string at = where_ + ", page " + std::to_string(page_index_) + " at offset " +
                   std::to_string(chunk_offset_ + pos_) + (page_run_ ? " (offset index)" : "");
  uint32_t header_size = 0;
  auto header = DecodePageHeader(chunk_.subspan(pos_), &header_size);
  if (!header.ok()) return header.status().WithContext(at);
  PageHeader& h = *header;
  if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 ||
      h.uncompressed_page_size > kMaxPageBytes) {
    return Status::Corruption(at + ": invalid page sizes (compressed " +
                              std::to_string(h.compressed_page_size) + ", uncompressed " +
                              std::to_string(h.uncompressed_page_size) + ")");
  }
  size_t body_start = pos_ + header_size;
  if (static_cast<uint64_t>(h.compressed_page_size) > chunk_.size() - body_start) {
    if (page_run_) {
      return Status::Corruption(at + ": offset index disagrees with page headers: a page of " +
                                std::to_string(h.compressed_page_size) +
                                " bytes runs past the pages the offset index locates (" +
                                std::to_string(chunk_.size() - body_start) + " bytes left)");
    }
    return Status::Corruption(at + ": page of " + std::to_string(h.compressed_page_size) +
                              " bytes runs past the end of the column chunk (" +
                              std::to_string(chunk_.size() - body_start) + " bytes left)");
  }
  // The declared uncompressed size sizes a buffer later: it must be one the stored bytes can
  // produce with this codec, so a damaged header cannot make a small file allocate ~1 GiB.
  const bool stored_plain = h.type == PageType::kDataPageV2 && h.data_page_header_v2 &&
                            !h.data_page_header_v2->is_compressed;
  const uint64_t max_uncompressed =
      stored_plain ? static_cast<uint64_t>(h.compressed_page_size)
                   : MaxDecompressedSize(codec_id_, static_cast<uint64_t>(h.compressed_page_size));
  if (static_cast<uint64_t>(h.uncompressed_page_size) > max_uncompressed) {
    return Status::Corruption(at + ": page header declares " +
                              std::to_string(h.uncompressed_page_size) +
                              " uncompressed bytes, more than " +
                              std::to_string(h.compressed_page_size) + " bytes of " +
                              CompressionName(codec_id_) + " can hold (at most " +
                              std::to_string(max_uncompressed) + ")");
  }
  page->header = std::move(h);
  page->file_offset = chunk_offset_ + pos_;
  page->header_size = header_size;
  page->body = chunk_.subspan(body_start, static_cast<size_t>(page->header.compressed_page_size));
  page->first_row = values_seen_;
  page->num_rows = 0;

  const PageHeader& ph = page->header;
  int64_t values = 0;
  switch (ph.type) {
    case PageType::kDataPage:
      if (!ph.data_page_header) return Status::Corruption(at + ": DATA_PAGE without its header");
      values = ph.data_page_header->num_values;
      break;
    case PageType::kDataPageV2:
      if (!ph.data_page_header_v2) return Status::Corruption(at + ": DATA_PAGE_V2 without its header");
      values = ph.data_page_header_v2->num_values;
      break;
    case PageType::kDictionaryPage:
      if (!ph.dictionary_page_header) {
        return Status::Corruption(at + ": DICTIONARY_PAGE without its header");
      }
      if (page_index_ != 0 && !page_run_) {
        return Status::Corruption(at + ": dictionary page after data pages");
      }
      break;
    case PageType::kIndexPage:
      break;  // skipped by the column reader
    default:
      return Status::Corruption(at + ": unknown page type " +
                                std::to_string(static_cast<int32_t>(ph.type)));
  }
  if (values < 0 || values > num_values_ - values_seen_) {
    return Status::Corruption(at + ": page holds " + std::to_string(values) +
                              " values, but only " + std::to_string(num_values_ - values_seen_) +
                              " of the chunk's " + std::to_string(num_values_) + " remain");
  }
  page->num_rows = values;
  values_seen_ += values;

  if (verify_crc_ && ph.crc) {
    // The CRC covers the page body exactly as stored (after compression), per the format spec.
    uint32_t crc = PageCrc32(page->body);
    if (static_cast<int32_t>(crc) != *ph.crc) {
      return Status::Corruption(at + ": page CRC mismatch (stored " +
                                std::to_string(static_cast<uint32_t>(*ph.crc)) + ", computed " +
                                std::to_string(crc) + "): the page is damaged");
    }
  }
  pos_ = body_start + page->body.size();
  page_index_++;
  return true;
}

Status PageReader::Decompress(const Page& page, ByteBuffer* out) {
  const PageHeader& h = page.header;
  const size_t uncompressed = static_cast<size_t>(h.uncompressed_page_size);
  std::string at = where_ + ", page at offset " + std::to_string(page.file_offset);
  size_t level_bytes = 0;
  bool compressed = codec_id_ != Compression::kUncompressed;
  if (h.type == PageType::kDataPageV2) {
    const DataPageHeaderV2& v2 = *h.data_page_header_v2;
    if (v2.definition_levels_byte_length < 0 || v2.repetition_levels_byte_length < 0) {
      return Status::Corruption(at + ": negative level lengths in DATA_PAGE_V2 header");
    }
    level_bytes = static_cast<size_t>(v2.definition_levels_byte_length) +
                  static_cast<size_t>(v2.repetition_levels_byte_length);
    if (level_bytes > page.body.size() || level_bytes > uncompressed) {
      return Status::Corruption(at + ": DATA_PAGE_V2 level bytes (" + std::to_string(level_bytes) +
                                ") exceed the page size");
    }
    compressed = compressed && v2.is_compressed;
  }
  std::unique_ptr<Codec>& codec = shared_codec_ != nullptr ? *shared_codec_ : own_codec_;
  if (compressed && codec && codec->id() != codec_id_) codec.reset();
  if (compressed && !codec) {
    // Before the buffer is sized: a codec we cannot read fails without allocating.
    auto made = MakeCodec(codec_id_);
    if (!made.ok()) return made.status().WithContext(at);
    codec = std::move(made).value();
  }
  out->resize(uncompressed);
  if (level_bytes > 0) std::memcpy(out->data(), page.body.data(), level_bytes);
  ByteView values_in = page.body.subspan(level_bytes);
  size_t values_out = uncompressed - level_bytes;
  if (!compressed) {
    if (values_in.size() != values_out) {
      return Status::Corruption(at + ": uncompressed page body has " +
                                std::to_string(values_in.size()) + " bytes, header says " +
                                std::to_string(values_out));
    }
    if (values_out > 0) std::memcpy(out->data() + level_bytes, values_in.data(), values_out);
    return Status::OK();
  }
  Status s = codec->Decompress(values_in, out->data() + level_bytes, values_out);
  if (!s.ok()) return s.WithContext(at);
  return Status::OK();
}

}  // namespace featmerge::parquet

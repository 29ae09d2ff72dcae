#include "parquet/chunk_copy.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "parquet/encoding/rle_bit_packed.h"
#include "parquet/format/thrift_codec.h"
#include "parquet/page_reader.h"

namespace featmerge::parquet {

CopyRefusal CanCopyColumnChunk(const ParquetFileReader& file, int row_group, int column,
                               const ColumnDescriptor& target, Compression codec) {
  const ColumnDescriptor& source = file.schema().column(column);
  if (source.type != target.type || source.type_length != target.type_length ||
      source.logical_type != target.logical_type || source.scale != target.scale ||
      source.precision != target.precision) {
    return CopyRefusal::kType;
  }
  if (source.nullable != target.nullable) return CopyRefusal::kNullability;
  const ColumnMetaData& md = file.column_meta(row_group, column);
  if (md.codec != codec) return CopyRefusal::kCodec;
  // Flat columns: one value (or null) per row.
  if (md.num_values != file.row_group(row_group).num_rows) return CopyRefusal::kLayout;
  return CopyRefusal::kNone;
}

namespace {

// CopyColumnChunk; with `decompressor` non-null, pages are decompressed with the codec kept there.
Result<bool> CopyOneChunk(const ParquetFileReader& file, int row_group, int column,
                          const ColumnDescriptor& target, Compression codec, ByteBuffer* scratch,
                          std::unique_ptr<Codec>* decompressor, EncodedChunk* out,
                          ChunkReadStats* stats) {
  if (CanCopyColumnChunk(file, row_group, column, target, codec) != CopyRefusal::kNone) {
    return false;
  }
  const ColumnMetaData& source = file.column_meta(row_group, column);
  const int64_t rows = file.row_group(row_group).num_rows;
  uint64_t start = 0, length = 0;
  file.ChunkRange(row_group, column, &start, &length);
  FM_RETURN_IF_ERROR(file.file().ReadAt(start, length, &out->bytes));
  stats->bytes_read += length;

  const std::string where = "'" + file.path() + "', " + file.Where(row_group, column);
  PageReader pages(ByteView(out->bytes), start, source.num_values, source.codec,
                   file.options().verify_crc, where);
  if (decompressor != nullptr) pages.ShareCodec(decompressor);
  OffsetIndex& index = out->offset_index;
  index.page_locations.clear();
  std::optional<int64_t> dictionary_offset;
  int64_t first_data_offset = -1;
  int64_t uncompressed_total = 0;
  int64_t next_row = 0;
  uint64_t used = 0;  // end of the last page, relative to the chunk's start
  Page page;
  for (;;) {
    FM_ASSIGN_OR_RETURN(bool more, pages.Next(&page));
    if (!more) break;
    const int64_t at = static_cast<int64_t>(page.file_offset - start);
    switch (page.header.type) {
      case PageType::kDictionaryPage:
        dictionary_offset = at;
        break;
      case PageType::kDataPage:
      case PageType::kDataPageV2: {
        // An empty page would give two offset-index entries the same first row.
        if (page.num_rows == 0) return false;
        if (first_data_offset < 0) first_data_offset = at;
        PageLocation loc;
        loc.offset = at;
        loc.compressed_page_size = static_cast<int32_t>(page.header_size + page.body.size());
        loc.first_row_index = next_row;
        index.page_locations.push_back(loc);
        next_row += page.num_rows;
        break;
      }
      default:
        return false;  // index pages: rare, and not worth carrying into a new file
    }
    // A page whose CRC was just verified holds the bytes its writer stored. Any other page
    // must prove it decompresses (the codec's checks, the declared size) before the output
    // depends on it. The values are not decoded either way.
    if (!(page.header.crc && file.options().verify_crc)) {
      // Stored without compression and without CRC, nothing short of decoding the values
      // checks a page: such a chunk is re-encoded instead (decoding checks it).
      const bool stored_plain =
          source.codec == Compression::kUncompressed ||
          (page.header.data_page_header_v2 && !page.header.data_page_header_v2->is_compressed);
      if (stored_plain) return false;
      FM_RETURN_IF_ERROR(pages.Decompress(page, scratch));
    }
    stats->pages_read++;
    uncompressed_total += page.header_size + page.header.uncompressed_page_size;
    used = static_cast<uint64_t>(at) + page.header_size + page.body.size();
  }
  // Bytes after the last page (padding some writers leave) are not copied.
  if (first_data_offset < 0 || next_row != rows || used > out->bytes.size()) return false;
  out->bytes.resize(used);

  ColumnMetaData& md = out->meta;
  md = ColumnMetaData();
  md.type = source.type;
  md.encodings = source.encodings;
  md.path_in_schema = {target.name};
  md.codec = source.codec;
  md.num_values = source.num_values;
  md.total_uncompressed_size = uncompressed_total;
  md.total_compressed_size = static_cast<int64_t>(used);
  md.data_page_offset = first_data_offset;
  md.dictionary_page_offset = dictionary_offset;
  md.encoding_stats = source.encoding_stats;
  out->column_index.reset();
  return true;
}

}  // namespace

Result<bool> CopyColumnChunk(const ParquetFileReader& file, int row_group, int column,
                             const ColumnDescriptor& target, Compression codec,
                             ByteBuffer* scratch, EncodedChunk* out, ChunkReadStats* stats) {
  return CopyOneChunk(file, row_group, column, target, codec, scratch, nullptr, out, stats);
}

namespace {

// A data page of one of the chunks being merged, as found by the first pass.
struct SourcePage {
  size_t chunk = 0;  // which source
  size_t at = 0;     // where its header starts in that chunk's bytes
  Page page;
};

bool IsDictionaryEncoding(Encoding e) {
  return e == Encoding::kPlainDictionary || e == Encoding::kRleDictionary;
}

// The entries of a PLAIN dictionary page: fixed-width slices, or BYTE_ARRAY values after their
// 4-byte lengths. false when the bytes do not hold exactly `count` entries.
bool SplitDictionary(ByteView bytes, int64_t count, int width, std::vector<std::string_view>* out) {
  out->clear();
  if (count < 0) return false;
  const char* base = reinterpret_cast<const char*>(bytes.data());
  if (width > 0) {
    if (static_cast<uint64_t>(count) * static_cast<uint64_t>(width) != bytes.size()) return false;
    out->reserve(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; i++) {
      out->emplace_back(base + static_cast<size_t>(i) * static_cast<size_t>(width),
                        static_cast<size_t>(width));
    }
    return true;
  }
  size_t pos = 0;
  for (int64_t i = 0; i < count; i++) {
    if (bytes.size() - pos < 4) return false;
    const uint32_t len = LoadLE<uint32_t>(bytes.data() + pos);
    pos += 4;
    if (len > bytes.size() - pos) return false;
    out->emplace_back(base + pos, len);
    pos += len;
  }
  return pos == bytes.size();
}

// Appends a page with `header` (sizes and CRC filled in here) whose uncompressed bytes are
// `body`; the first `plain_prefix` bytes (DATA_PAGE_V2 levels) are stored uncompressed, and
// with `compress` false nothing is. Returns the uncompressed bytes the page adds.
Result<int64_t> AppendRewrittenPage(PageHeader header, ByteView body, size_t plain_prefix,
                                    bool compress, const ChunkMergeOptions& options,
                                    ChunkMergeScratch* scratch, EncodedChunk* out) {
  ByteView stored = body;
  if (compress && options.codec != Compression::kUncompressed) {
    FM_RETURN_IF_ERROR(scratch->codec->Compress(body.subspan(plain_prefix), &scratch->compressed));
    if (plain_prefix > 0) {
      scratch->compressed.insert(scratch->compressed.begin(), body.begin(),
                                 body.begin() + static_cast<std::ptrdiff_t>(plain_prefix));
    }
    stored = scratch->compressed;
  }
  header.uncompressed_page_size = static_cast<int32_t>(body.size());
  header.compressed_page_size = static_cast<int32_t>(stored.size());
  if (options.write_crc) {
    header.crc = static_cast<int32_t>(PageCrc32(stored));
  } else {
    header.crc.reset();
  }
  scratch->header.clear();
  EncodePageHeader(header, &scratch->header);
  AppendBytes(&out->bytes, scratch->header);
  AppendBytes(&out->bytes, stored);
  return static_cast<int64_t>(scratch->header.size() + body.size());
}

// Decodes the definition levels and dictionary indices of a dictionary-encoded data page
// decompressed into scratch->page: the indices into scratch->values, *level_bytes = the bytes
// of levels in front of them; with `remap` (`entries` long) each index mapped through it.
// false when its layout is one this does not handle or its levels or indices do not decode,
// or an index is `entries` or more (the re-encoding path then reads the page and reports what
// is wrong).
bool DecodeIndices(const SourcePage& sp, const ColumnDescriptor& target, uint32_t entries,
                   const uint32_t* remap, ChunkMergeScratch* scratch, size_t* level_bytes,
                   int64_t* non_null) {
  const PageHeader& h = sp.page.header;
  const ByteView page(scratch->page);
  const int64_t n = sp.page.num_rows;
  *level_bytes = 0;
  ByteView levels;
  if (h.type == PageType::kDataPage) {
    if (target.nullable) {
      if (h.data_page_header->definition_level_encoding != Encoding::kRle || page.size() < 4) {
        return false;
      }
      const uint32_t len = LoadLE<uint32_t>(page.data());
      if (len > page.size() - 4) return false;
      levels = page.subspan(4, len);
      *level_bytes = 4 + len;
    }
  } else {
    const DataPageHeaderV2& dh = *h.data_page_header_v2;
    if (dh.repetition_levels_byte_length != 0) return false;
    *level_bytes = static_cast<size_t>(dh.definition_levels_byte_length);
    if (*level_bytes > page.size() || (!target.nullable && *level_bytes != 0)) return false;
    levels = page.subspan(0, *level_bytes);
  }
  std::vector<uint32_t>& values = scratch->values;
  *non_null = n;
  RleBitPackedDecoder level_decoder;
  uint32_t level = 0;
  if (target.nullable && level_decoder.Init(levels, 1).ok() &&
      level_decoder.NextValuesRepeat(n, &level)) {
    // One RLE run: no nulls (or all null), nothing to count.
    *non_null = level == 0 ? 0 : n;
  } else if (target.nullable) {
    values.resize(static_cast<size_t>(n));
    if (!level_decoder.Init(levels, 1).ok() || !level_decoder.GetBatch(values.data(), n).ok()) {
      return false;
    }
    *non_null = 0;
    for (int64_t i = 0; i < n; i++) {
      if (values[static_cast<size_t>(i)] > 1) return false;
      *non_null += values[static_cast<size_t>(i)];
    }
  }
  values.resize(static_cast<size_t>(*non_null));
  if (*non_null == 0) return true;
  const ByteView encoded = page.subspan(*level_bytes);
  if (encoded.empty() || encoded[0] > 32) return false;
  RleBitPackedDecoder dec;
  if (!dec.Init(encoded.subspan(1), encoded[0]).ok() ||
      !dec.GetBatch(values.data(), *non_null).ok()) {
    return false;
  }
  if (remap == nullptr) {
    // Out-of-range indices are noticed after the loop, which stays free of branches.
    uint32_t out_of_range = 0;
    for (int64_t i = 0; i < *non_null; i++) {
      out_of_range |= static_cast<uint32_t>(values[static_cast<size_t>(i)] >= entries);
    }
    return out_of_range == 0;
  }
  // Checked and mapped in one pass; an out-of-range index reads entry 0 until the end.
  uint32_t* v = values.data();
  uint32_t out_of_range = 0;
  for (int64_t i = 0; i < *non_null; i++) {
    const uint32_t index = v[i];
    const uint32_t bad = static_cast<uint32_t>(index >= entries);
    out_of_range |= bad;
    v[i] = remap[bad ? 0 : index];
  }
  return out_of_range == 0;
}

// Rewrites a dictionary-encoded data page (decompressed into scratch->page) with its indices
// mapped through `remap` and packed at `bit_width`; false as DecodeIndices, or when the
// rewritten page would exceed the page limit.
Result<bool> RewriteIndices(const SourcePage& sp, const ColumnDescriptor& target,
                            const std::vector<uint32_t>& remap, int bit_width,
                            const ChunkMergeOptions& options, ChunkMergeScratch* scratch,
                            EncodedChunk* out, int64_t* uncompressed) {
  size_t level_bytes = 0;
  int64_t non_null = 0;
  if (remap.empty() ||
      !DecodeIndices(sp, target, static_cast<uint32_t>(remap.size()), remap.data(), scratch,
                     &level_bytes, &non_null)) {
    return false;
  }
  const ByteView page(scratch->page);
  ByteBuffer& body = scratch->body;
  body.assign(page.begin(), page.begin() + static_cast<std::ptrdiff_t>(level_bytes));
  body.push_back(static_cast<uint8_t>(bit_width));
  if (non_null > 0) {
    RleBitPackedEncoder indices(bit_width);
    indices.PutBatch(scratch->values.data(), non_null);
    indices.Finish(&body);
  }
  // Wider indices can make a page larger than its source: beyond the limit readers (ours
  // included) refuse, so such a chunk is re-encoded.
  if (body.size() > static_cast<uint64_t>(kMaxPageBytes)) return false;
  const bool v2 = sp.page.header.type == PageType::kDataPageV2;
  const bool compress = !v2 || sp.page.header.data_page_header_v2->is_compressed;
  FM_ASSIGN_OR_RETURN(*uncompressed, AppendRewrittenPage(sp.page.header, body,
                                                         v2 ? level_bytes : 0, compress, options,
                                                         scratch, out));
  return true;
}

// UniteDictionaries for fixed-width values of at most 8 bytes (kWidth, or `width` when kWidth
// is 0): the values as 64-bit keys in an open-addressing table, without allocating per entry.
// *n enters as the first source's entry count and leaves as the united count.
template <int kWidth>
bool UniteFixed(int width, const std::vector<int64_t>& counts, uint64_t limit,
                ChunkMergeScratch* s, int64_t* n) {
  const size_t w = kWidth > 0 ? static_cast<size_t>(kWidth) : static_cast<size_t>(width);
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  int bits = 4;
  while ((int64_t{1} << bits) < total * 2) bits++;
  const size_t mask = (size_t{1} << bits) - 1;
  // Slots of an earlier call (another generation) count as empty: no clearing per call.
  if (s->slots.size() < mask + 1 || ++s->generation == 0) {
    s->slots.assign(std::max(s->slots.size(), mask + 1), ChunkMergeScratch::Slot{0, 0, 0});
    s->generation = 1;
  }
  const uint32_t gen = s->generation;
  ChunkMergeScratch::Slot* slots = s->slots.data();
  const int shift = 64 - bits;
  // The entry of `value`, or `id` after adding it (*added).
  auto find_or_add = [&](const uint8_t* value, int32_t id, bool* added) {
    uint64_t key = 0;
    std::memcpy(&key, value, w);
    for (size_t h = (key * 0x9E3779B97F4A7C15ull) >> shift;; h = (h + 1) & mask) {
      ChunkMergeScratch::Slot& slot = slots[h];
      if (slot.generation != gen) {
        slot = {key, id, gen};
        *added = true;
        return id;
      }
      if (slot.key == key) {
        *added = false;
        return slot.id;
      }
    }
  };
  s->united.reserve(std::min<uint64_t>(static_cast<uint64_t>(total) * w, limit + w));
  bool added = false;
  const uint8_t* first = s->dictionaries[0].data();
  for (int64_t i = 0; i < counts[0]; i++) {
    find_or_add(first + static_cast<size_t>(i) * w, static_cast<int32_t>(i), &added);
  }
  for (size_t j = 1; j < counts.size(); j++) {
    const uint8_t* d = s->dictionaries[j].data();
    std::vector<uint32_t>& remap = s->remap[j];
    remap.resize(static_cast<size_t>(counts[j]));
    bool identity = true;
    for (int64_t i = 0; i < counts[j]; i++) {
      const uint8_t* v = d + static_cast<size_t>(i) * w;
      const int32_t id = find_or_add(v, static_cast<int32_t>(*n), &added);
      if (added) {
        s->united.insert(s->united.end(), v, v + w);
        ++*n;
        if (s->united.size() > limit) return false;
      }
      remap[static_cast<size_t>(i)] = static_cast<uint32_t>(id);
      identity &= id == i;
    }
    s->identity[j] = identity ? 1 : 0;
  }
  return true;
}

// Unites the sources' dictionaries (decompressed PLAIN pages in scratch->dictionaries, counts[j]
// entries each) into scratch->united: the first source's entries as they are, so its pages stay
// valid, then each value another source adds, in order. scratch->remap[j][i] is entry i of
// source j in it, scratch->identity[j] whether that is i for every entry. false when the united
// dictionary would exceed `limit` bytes or does not split into its entries.
bool UniteDictionaries(int width, const std::vector<int64_t>& counts, uint64_t limit,
                       ChunkMergeScratch* s, int64_t* united_count) {
  const size_t k = counts.size();
  s->remap.resize(k);
  s->identity.assign(k, 1);
  const ByteBuffer& first = s->dictionaries[0];
  s->united.assign(first.begin(), first.end());
  int64_t n = counts[0];
  if (width == 8) {
    if (!UniteFixed<8>(8, counts, limit, s, &n)) return false;
  } else if (width == 4) {
    if (!UniteFixed<4>(4, counts, limit, s, &n)) return false;
  } else if (width > 0 && width <= 8) {
    if (!UniteFixed<0>(width, counts, limit, s, &n)) return false;
  } else {
    // BYTE_ARRAY (4-byte length, then the bytes) and wide fixed-length values.
    std::vector<std::string_view> entries;
    std::unordered_map<std::string_view, uint32_t> index;
    if (!SplitDictionary(first, counts[0], width, &entries)) return false;
    index.reserve(entries.size() * 2);
    for (size_t i = 0; i < entries.size(); i++) index.emplace(entries[i], static_cast<uint32_t>(i));
    for (size_t j = 1; j < k; j++) {
      if (!SplitDictionary(s->dictionaries[j], counts[j], width, &entries)) return false;
      std::vector<uint32_t>& remap = s->remap[j];
      remap.resize(entries.size());
      for (size_t i = 0; i < entries.size(); i++) {
        auto [it, added] = index.emplace(entries[i], static_cast<uint32_t>(n));
        if (added) {
          if (width == 0) {
            uint8_t len[4];
            StoreLE<uint32_t>(len, static_cast<uint32_t>(entries[i].size()));
            s->united.insert(s->united.end(), len, len + 4);
          }
          s->united.insert(s->united.end(), entries[i].begin(), entries[i].end());
          n++;
          if (s->united.size() > limit) return false;
        }
        remap[i] = it->second;
        if (it->second != i) s->identity[j] = 0;
      }
    }
  }
  *united_count = n;
  return n <= std::numeric_limits<int32_t>::max();
}

}  // namespace

Result<bool> MergeColumnChunks(const ParquetFileReader& file, int rg_begin, int rg_end,
                               int column, const ColumnDescriptor& target,
                               const ChunkMergeOptions& options, ChunkMergeScratch* scratch,
                               EncodedChunk* out, ChunkReadStats* stats) {
  if (rg_end - rg_begin == 1) {
    return CopyOneChunk(file, rg_begin, column, target, options.codec, &scratch->page,
                        &scratch->decompressor, out, stats);
  }
  if (rg_end <= rg_begin) return false;
  if (rg_end - rg_begin > kMaxJoinedRowGroups) return false;
  for (int rg = rg_begin; rg < rg_end; rg++) {
    if (CanCopyColumnChunk(file, rg, column, target, options.codec) != CopyRefusal::kNone) {
      return false;
    }
    // Chunks the metadata says are encoded differently (a dictionary in some, none in others)
    // are refused before anything is read. (Writers that leave dictionary_page_offset out are
    // caught by the pages.)
    if (file.column_meta(rg, column).dictionary_page_offset.has_value() !=
        file.column_meta(rg_begin, column).dictionary_page_offset.has_value()) {
      return false;
    }
  }
  const size_t k = static_cast<size_t>(rg_end - rg_begin);
  const int width = target.width();
  scratch->chunks.resize(k);
  scratch->dictionaries.resize(k);
  std::vector<std::unique_ptr<PageReader>> readers(k);
  std::vector<int64_t> counts(k, 0);
  std::vector<SourcePage> pages;
  bool any_dictionary_page = false, any_plain_page = false;
  uint64_t largest_dictionary = 0;

  // First pass: every source chunk read, its pages' headers parsed (CRCs verified) and its
  // dictionary decompressed.
  for (size_t j = 0; j < k; j++) {
    const int rg = rg_begin + static_cast<int>(j);
    const ColumnMetaData& md = file.column_meta(rg, column);
    uint64_t start = 0, length = 0;
    file.ChunkRange(rg, column, &start, &length);
    FM_RETURN_IF_ERROR(file.file().ReadAt(start, length, &scratch->chunks[j]));
    stats->bytes_read += length;
    readers[j] = std::make_unique<PageReader>(ByteView(scratch->chunks[j]), start, md.num_values,
                                              md.codec, file.options().verify_crc,
                                              "'" + file.path() + "', " + file.Where(rg, column));
    readers[j]->ShareCodec(&scratch->decompressor);
    bool has_dictionary = false;
    int64_t rows = 0, dictionary_pages = 0, plain_pages = 0;
    SourcePage sp;
    sp.chunk = j;
    for (;;) {
      FM_ASSIGN_OR_RETURN(bool more, readers[j]->Next(&sp.page));
      if (!more) break;
      sp.at = static_cast<size_t>(sp.page.file_offset - start);
      if (sp.page.header.type == PageType::kDictionaryPage) {
        const DictionaryPageHeader& dh = *sp.page.header.dictionary_page_header;
        if (has_dictionary || rows > 0 || target.type == Type::kBoolean ||
            (dh.encoding != Encoding::kPlain && dh.encoding != Encoding::kPlainDictionary)) {
          return false;
        }
        FM_RETURN_IF_ERROR(readers[j]->Decompress(sp.page, &scratch->dictionaries[j]));
        if (dh.num_values < 0 ||
            (width > 0 && static_cast<uint64_t>(dh.num_values) * static_cast<uint64_t>(width) !=
                              scratch->dictionaries[j].size())) {
          return false;  // the re-encoding path says what is wrong with it
        }
        counts[j] = dh.num_values;
        has_dictionary = true;
        largest_dictionary = std::max<uint64_t>(largest_dictionary, scratch->dictionaries[j].size());
        stats->pages_read++;
        continue;
      }
      if (sp.page.header.type != PageType::kDataPage &&
          sp.page.header.type != PageType::kDataPageV2) {
        return false;  // index pages
      }
      if (sp.page.num_rows == 0) return false;
      const Encoding e = sp.page.header.type == PageType::kDataPage
                             ? sp.page.header.data_page_header->encoding
                             : sp.page.header.data_page_header_v2->encoding;
      (IsDictionaryEncoding(e) ? dictionary_pages : plain_pages)++;
      rows += sp.page.num_rows;
      pages.push_back(sp);
    }
    if (rows != file.row_group(rg).num_rows) return false;
    // Every chunk all dictionary-encoded (one dictionary each), or none with a dictionary.
    // A writer's fallback to PLAIN part way through a chunk is re-encoded.
    if (has_dictionary ? plain_pages > 0 || dictionary_pages == 0 : dictionary_pages > 0) {
      return false;
    }
    (has_dictionary ? any_dictionary_page : any_plain_page) = true;
  }
  const bool unite = any_dictionary_page;
  if (unite && any_plain_page) return false;  // some chunks with a dictionary, some without

  int64_t united = 0;
  if (unite) {
    const uint64_t limit =
        std::max<uint64_t>(static_cast<uint64_t>(options.max_dictionary_bytes), largest_dictionary);
    if (!UniteDictionaries(width, counts, limit, scratch, &united)) return false;
  }

  if (!scratch->codec || scratch->codec->id() != options.codec ||
      scratch->codec_level != options.compression_level) {
    FM_ASSIGN_OR_RETURN(scratch->codec, MakeCodec(options.codec, options.compression_level));
    scratch->codec_level = options.compression_level;
  }
  out->bytes.clear();
  out->offset_index.page_locations.clear();
  out->column_index.reset();
  ColumnMetaData& md = out->meta;
  md = ColumnMetaData();
  int64_t uncompressed_total = 0;
  int bit_width = 0;
  if (unite) {
    PageHeader header;
    header.type = PageType::kDictionaryPage;
    DictionaryPageHeader dh;
    dh.num_values = static_cast<int32_t>(united);
    dh.encoding = Encoding::kPlain;
    header.dictionary_page_header = dh;
    md.dictionary_page_offset = 0;
    FM_ASSIGN_OR_RETURN(int64_t added,
                        AppendRewrittenPage(std::move(header), scratch->united, 0, true, options,
                                            scratch, out));
    uncompressed_total += added;
    bit_width = BitWidthFor(static_cast<uint32_t>(united == 0 ? 0 : united - 1));
  }
  md.data_page_offset = static_cast<int64_t>(out->bytes.size());

  // Second pass: pages in order, as stored where their bytes stay valid, else rewritten.
  int64_t next_row = 0;
  for (const SourcePage& sp : pages) {
    const Page& page = sp.page;
    const int64_t page_start = static_cast<int64_t>(out->bytes.size());
    PageReader& reader = *readers[sp.chunk];
    if (!unite || sp.chunk == 0 || scratch->identity[sp.chunk]) {
      // As CopyColumnChunk: a page whose CRC was verified is what its writer stored; any other
      // must decompress, and one stored plainly without CRC is not copied.
      if (!(page.header.crc && file.options().verify_crc)) {
        const bool stored_plain =
            options.codec == Compression::kUncompressed ||
            (page.header.data_page_header_v2 && !page.header.data_page_header_v2->is_compressed);
        if (stored_plain) return false;
        FM_RETURN_IF_ERROR(reader.Decompress(page, &scratch->page));
        // In the united dictionary an index past its own dictionary's end would name another
        // source's value instead of failing: unchecked pages prove theirs are in range.
        size_t level_bytes = 0;
        int64_t non_null = 0;
        if (unite && !DecodeIndices(sp, target, static_cast<uint32_t>(counts[sp.chunk]), nullptr,
                                    scratch, &level_bytes, &non_null)) {
          return false;
        }
      }
      const ByteBuffer& chunk = scratch->chunks[sp.chunk];
      const size_t size = page.header_size + page.body.size();
      out->bytes.insert(out->bytes.end(), chunk.begin() + static_cast<std::ptrdiff_t>(sp.at),
                        chunk.begin() + static_cast<std::ptrdiff_t>(sp.at + size));
      uncompressed_total += page.header_size + page.header.uncompressed_page_size;
    } else {
      FM_RETURN_IF_ERROR(reader.Decompress(page, &scratch->page));
      int64_t added = 0;
      FM_ASSIGN_OR_RETURN(bool rewritten, RewriteIndices(sp, target, scratch->remap[sp.chunk], bit_width,
                                                         options, scratch, out, &added));
      if (!rewritten) return false;
      uncompressed_total += added;
    }
    stats->pages_read++;
    PageLocation loc;
    loc.offset = page_start;
    loc.compressed_page_size = static_cast<int32_t>(static_cast<int64_t>(out->bytes.size()) - page_start);
    loc.first_row_index = next_row;
    out->offset_index.page_locations.push_back(loc);
    next_row += page.num_rows;
  }

  md.type = target.type;
  for (int rg = rg_begin; rg < rg_end; rg++) {
    for (Encoding e : file.column_meta(rg, column).encodings) {
      if (std::find(md.encodings.begin(), md.encodings.end(), e) == md.encodings.end()) {
        md.encodings.push_back(e);
      }
    }
  }
  if (unite && std::find(md.encodings.begin(), md.encodings.end(), Encoding::kPlain) == md.encodings.end()) {
    md.encodings.push_back(Encoding::kPlain);
  }
  // Page counts by kind and encoding (parquet-mr, for one, decides from them that every data
  // page uses the dictionary).
  auto count_page = [&md](PageType type, Encoding encoding) {
    for (PageEncodingStats& e : md.encoding_stats) {
      if (e.page_type == type && e.encoding == encoding) {
        e.count++;
        return;
      }
    }
    md.encoding_stats.push_back(PageEncodingStats{type, encoding, 1});
  };
  if (unite) count_page(PageType::kDictionaryPage, Encoding::kPlain);
  for (const SourcePage& sp : pages) {
    const PageHeader& h = sp.page.header;
    count_page(h.type, h.type == PageType::kDataPage ? h.data_page_header->encoding
                                                     : h.data_page_header_v2->encoding);
  }
  md.path_in_schema = {target.name};
  md.codec = options.codec;
  md.num_values = next_row;
  md.total_uncompressed_size = uncompressed_total;
  md.total_compressed_size = static_cast<int64_t>(out->bytes.size());
  return true;
}

}  // namespace featmerge::parquet

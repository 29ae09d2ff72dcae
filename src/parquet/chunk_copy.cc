#include "parquet/chunk_copy.h"

#include <algorithm>

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

Result<bool> CopyColumnChunk(const ParquetFileReader& file, int row_group, int column,
                             const ColumnDescriptor& target, Compression codec,
                             ByteBuffer* scratch, EncodedChunk* out, ChunkReadStats* stats) {
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

}  // namespace featmerge::parquet

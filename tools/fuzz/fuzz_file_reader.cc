// libFuzzer target for the whole read path of a Parquet file (src/parquet/file_reader.cc,
// page_reader.cc, column_reader.cc and the decoders and codecs under them): the input is a file.
// Opening validates the footer; then every column chunk of the first row groups is decoded, in
// one pass, in two overlapping batches (the batched path cat and check use) and as a middle
// range (the pages the offset index points at; partly used pages decode only the range's rows,
// as in a merge), the page indexes are read, the chunk is copied as stored (chunk_copy.cc: the
// merge's path for row groups that map one to one), and the chunks of the first row groups are
// joined as one (MergeColumnChunks: united dictionaries, rewritten indices). Every failure must
// be a Status: no crash, no out-of-bounds access, no allocation beyond libFuzzer's limit. Row
// groups claiming more than 2^20 rows are only opened: a page may legitimately hold up to 2^27
// NULLs in a few bytes, and decoding one takes GBs.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "io/memory_file.h"
#include "parquet/chunk_copy.h"
#include "parquet/column_data.h"
#include "parquet/column_reader.h"
#include "parquet/file_reader.h"

namespace {

constexpr int kMaxRowGroups = 4;
constexpr int kMaxColumns = 32;
constexpr int64_t kMaxRowsDecoded = int64_t{1} << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using featmerge::parquet::ColumnChunkReader;
  using featmerge::parquet::ColumnData;
  auto file = std::make_unique<featmerge::io::MemoryFile>("fuzz.parquet",
                                                          featmerge::ByteBuffer(data, data + size));
  auto reader = featmerge::parquet::ParquetFileReader::Open(std::move(file));
  if (!reader.ok()) return 0;
  const featmerge::parquet::ParquetFileReader& r = **reader;
  ColumnData values;
  featmerge::ByteBuffer scratch;
  for (int rg = 0; rg < r.num_row_groups() && rg < kMaxRowGroups; rg++) {
    const int64_t rows = r.row_group(rg).num_rows;
    if (rows > kMaxRowsDecoded) continue;
    for (int c = 0; c < r.num_columns() && c < kMaxColumns; c++) {
      const auto& column = r.schema().column(c);
      values.Reset(column.type, column.type_length);
      ColumnChunkReader whole(&r, rg, c);
      (void)whole.ReadAll(&values);
      values.Reset(column.type, column.type_length);
      ColumnChunkReader batched(&r, rg, c);
      if (batched.ReadRows(0, rows / 2 + 1, &values).ok()) {
        (void)batched.ReadRows(rows / 3, rows, &values);
      }
      values.Reset(column.type, column.type_length);
      ColumnChunkReader middle(&r, rg, c);
      middle.set_single_pass(true);  // as the merge reads: partly used pages decode only the rows
      (void)middle.ReadRows(rows / 3, std::min(rows, rows / 3 + rows / 4 + 1), &values);
      (void)r.ReadOffsetIndex(rg, c);
      (void)r.ReadColumnIndex(rg, c);
      featmerge::parquet::EncodedChunk copy;
      featmerge::parquet::ChunkReadStats stats;
      (void)featmerge::parquet::CopyColumnChunk(r, rg, c, column, r.column_meta(rg, c).codec,
                                                &scratch, &copy, &stats);
    }
  }
  // The first row groups' chunks joined, as a merge does for small source row groups.
  const int groups = std::min(r.num_row_groups(), kMaxRowGroups);
  int64_t joined_rows = 0;
  for (int rg = 0; rg < groups; rg++) joined_rows += r.row_group(rg).num_rows;
  if (groups >= 2 && joined_rows <= kMaxRowsDecoded) {
    featmerge::parquet::ChunkMergeScratch merge_scratch;
    for (int c = 0; c < r.num_columns() && c < kMaxColumns; c++) {
      featmerge::parquet::ChunkMergeOptions options;
      options.codec = r.column_meta(0, c).codec;
      featmerge::parquet::EncodedChunk joined;
      featmerge::parquet::ChunkReadStats stats;
      (void)featmerge::parquet::MergeColumnChunks(r, 0, groups, c, r.schema().column(c), options,
                                                  &merge_scratch, &joined, &stats);
    }
  }
  return 0;
}

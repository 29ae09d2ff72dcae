#include "cli/merge_args.h"

#include "base/units.h"

namespace featmerge::cli {

void AddMergeOptions(CLI::App* cmd, MergeArgs* a) {
  cmd->add_option("--spine", a->spine, "Spine file in DIR (default targets.parquet)");
  cmd->add_option("--key", a->key, "Join key column (default interval_time)");
  cmd->add_option("--tables", a->tables, "Only tables matching these globs (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--manifest", a->manifest, "File listing the expected tables, one per line");
  cmd->add_option("--expect-tables", a->expect_tables, "Refuse unless exactly N tables are found");
  cmd->add_option("--require-marker", a->require_marker,
                  "Refuse a directory without this completion marker (e.g. _COMPLETE)");
  cmd->add_option("--memory-budget", a->memory_budget, "Peak memory limit (default 1GiB)");
  cmd->add_option("--threads", a->threads, "Worker threads (default: all cores)");
  cmd->add_option("--row-group-size", a->row_group_size,
                  "Target decoded size of an output row group, all columns (default 1GiB)");
  cmd->add_option("--row-group-rows", a->row_group_rows,
                  "Rows per output row group (overrides --row-group-size)");
  cmd->add_option("--compression", a->compression, "zstd|snappy|lz4|gzip|brotli|none (default zstd)");
  cmd->add_option("--compression-level", a->compression_level, "Codec level (default 1 for zstd)");
  cmd->add_option("--on-duplicate-key", a->on_duplicate_key, "error|first|last (default error)");
  cmd->add_option("--on-name-clash", a->on_name_clash, "error|prefix (default error)");
  cmd->add_option("--split-rows", a->split_rows,
                  "Write a directory of part files of at most N spine rows each (sorted spine)");
  cmd->add_option("--split-by", a->split_by,
                  "Write a directory of part files, one per day|month of the key (UTC)");
  cmd->add_option("--split-columns", a->split_columns,
                  "Write several files of at most N columns, each with the key");
  cmd->add_flag("--no-crc", a->no_crc,
                "Do not compute page CRCs (pages copied as stored keep the CRC their writer gave them)");
  cmd->add_flag("--no-page-index", a->no_page_index, "Do not write column/offset indexes");
  cmd->add_flag("--reencode", a->reencode,
                "Decode and re-encode every column chunk, even one that could be copied as stored");
  AddSelectionOptions(cmd, &a->selection);
  cmd->add_option("--statistics", a->statistics,
                  "Columns with min/max statistics and a column index: key|all|none (default key)");
}

Result<parquet::Compression> ParseCompression(const std::string& name) {
  using parquet::Compression;
  if (name == "zstd") return Compression::kZstd;
  if (name == "snappy") return Compression::kSnappy;
  if (name == "lz4" || name == "lz4_raw") return Compression::kLz4Raw;
  if (name == "gzip") return Compression::kGzip;
  if (name == "brotli") return Compression::kBrotli;
  if (name == "none" || name == "uncompressed") return Compression::kUncompressed;
  return Status::InvalidArgument("unknown compression '" + name +
                                 "' (use zstd, snappy, lz4, gzip, brotli or none)");
}

Status ApplyMergeArgs(const MergeArgs& a, merge::MergeOptions* o) {
  if (a.spine) o->spine = *a.spine;
  if (a.key) o->key = *a.key;
  if (!a.tables.empty()) o->table_globs = a.tables;
  if (a.manifest) o->manifest_file = *a.manifest;
  if (a.expect_tables) {
    if (*a.expect_tables < 0) return Status::InvalidArgument("--expect-tables must be >= 0");
    o->expect_tables = *a.expect_tables;
  }
  if (a.require_marker) o->require_marker = *a.require_marker;
  if (a.memory_budget) {
    auto size = ParseSize(*a.memory_budget);
    if (!size.ok()) return size.status().WithContext("--memory-budget");
    o->memory_budget = *size;
  }
  if (a.threads) {
    if (*a.threads < 1 || *a.threads > 1024) return Status::InvalidArgument("--threads must be 1 to 1024");
    o->threads = *a.threads;
  }
  if (a.row_group_size) {
    auto size = ParseSize(*a.row_group_size);
    if (!size.ok()) return size.status().WithContext("--row-group-size");
    if (*size < (1u << 20)) return Status::InvalidArgument("--row-group-size must be at least 1MiB");
    o->row_group_bytes = *size;
  }
  if (a.row_group_rows) {
    if (*a.row_group_rows < 1) return Status::InvalidArgument("--row-group-rows must be >= 1");
    o->row_group_rows = *a.row_group_rows;
  }
  if (a.compression) {
    FM_ASSIGN_OR_RETURN(o->compression, ParseCompression(*a.compression));
    if (!a.compression_level) o->compression_level = o->compression == parquet::Compression::kZstd ? 1 : 0;
  }
  if (a.compression_level) {
    int level = *a.compression_level;
    bool ok = true;
    switch (o->compression) {
      case parquet::Compression::kZstd: ok = level >= 1 && level <= 22; break;
      case parquet::Compression::kGzip: ok = level >= 1 && level <= 9; break;
      case parquet::Compression::kBrotli: ok = level >= 0 && level <= 11; break;
      default: ok = true;
    }
    if (!ok) return Status::InvalidArgument("--compression-level " + std::to_string(level) +
                                            " is out of range for " + parquet::CompressionName(o->compression));
    o->compression_level = level;
  }
  if (a.on_duplicate_key) {
    const std::string& v = *a.on_duplicate_key;
    if (v == "error") o->on_duplicate_key = merge::DuplicatePolicy::kError;
    else if (v == "first") o->on_duplicate_key = merge::DuplicatePolicy::kFirst;
    else if (v == "last") o->on_duplicate_key = merge::DuplicatePolicy::kLast;
    else return Status::InvalidArgument("--on-duplicate-key must be error, first or last, not '" + v + "'");
  }
  if (a.on_name_clash) {
    const std::string& v = *a.on_name_clash;
    if (v == "error") o->on_name_clash = merge::ClashPolicy::kError;
    else if (v == "prefix") o->on_name_clash = merge::ClashPolicy::kPrefix;
    else return Status::InvalidArgument("--on-name-clash must be error or prefix, not '" + v + "'");
  }
  if (a.split_rows) {
    if (*a.split_rows < 1) return Status::InvalidArgument("--split-rows must be >= 1");
    o->split_rows = *a.split_rows;
  }
  if (a.split_by) {
    if (*a.split_by == "day") o->split_by = merge::SplitBy::kDay;
    else if (*a.split_by == "month") o->split_by = merge::SplitBy::kMonth;
    else return Status::InvalidArgument("--split-by must be day or month, not '" + *a.split_by + "'");
  }
  if (o->split_rows > 0 && o->split_by != merge::SplitBy::kNone) {
    return Status::InvalidArgument("use --split-rows or --split-by, not both");
  }
  if (a.split_columns) {
    if (*a.split_columns < 2) return Status::InvalidArgument("--split-columns must be at least 2");
    o->split_columns = *a.split_columns;
  }
  if (a.no_crc) o->write_crc = false;
  if (a.no_page_index) o->page_index = false;
  if (a.reencode) o->copy_chunks = false;
  FM_RETURN_IF_ERROR(ApplySelectionArgs(a.selection, o));
  if (a.statistics) {
    FM_ASSIGN_OR_RETURN(o->statistics, merge::ParseStatisticsScope(*a.statistics));
  }
  return Status::OK();
}

}  // namespace featmerge::cli

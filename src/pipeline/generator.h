// Synthetic input for featmerge: per-pair directories holding a targets table and feature
// tables shaped like the real extraction (bqx profile) or plain wide doubles (uniform profile),
// with optional defects injected (duplicate keys, name clashes, key unit mismatches, unsorted
// rows). Output bytes depend only on the options, never on the thread count or timing.
// Thread-safety: Generate() may run concurrently for different out_dirs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "parquet/types.h"

namespace featmerge::pipeline {

struct GenOptions {
  enum class Profile { kBqx, kUniform };

  std::string out_dir;
  std::vector<std::string> pairs = {"eurusd"};  // one directory each; plain names, no '/'
  Profile profile = Profile::kBqx;
  int tables = 10;  // feature tables per pair
  // bqx: mean table width (0 = the real distribution: 4..232 columns, median ~14, mean ~25).
  // uniform: exact width (0 = 8).
  int cols = 0;
  int64_t rows = 10000;  // spine (targets) rows: one per minute
  uint64_t seed = 1;
  int row_group_rows = 0;        // 0 = ceil(rows / 4)
  std::string key_unit = "ns";   // "ns", "us" or "ms": the unit of every interval_time column
  double duplicate_rate = 0;     // > 0: ~10% of tables (at least 1) repeat this share of rows
  int name_clashes = 0;          // tables given a column named like another table's column
  int unit_mismatch_tables = 0;  // tables whose key uses another unit (ns -> us, us/ms -> ns)
  int unsorted_tables = -1;      // -1 = profile default (bqx: ~3%, at least 1 from 10 tables)
  parquet::Compression compression = parquet::Compression::kZstd;
  bool marker = true;      // write <pair>/_COMPLETE once all of the pair's files are in place
  bool overwrite = false;  // replace *.parquet in non-empty pair directories instead of failing
  int threads = 0;         // 0 = one per core
};

// What one file received: its shape and the defects it carries (for tests and demos).
struct GenTableInfo {
  std::string name;  // "targets" or the feature table's name (file name without .parquet)
  std::string path;
  int64_t rows = 0;  // rows written
  int columns = 0;   // including the key
  int row_groups = 0;
  uint64_t bytes = 0;
  bool gaps = false;        // some spine keys are missing
  bool extra_keys = false;  // keys outside the spine (before, after, or at +30 s)
  bool unsorted = false;
  bool duplicates = false;
  bool unit_mismatch = false;
  std::string clash_column;  // a column whose name another table also has, or ""
};

struct GenPairReport {
  std::string pair;
  std::string dir;
  // Targets first, then the feature tables in generation order (not sorted by name).
  std::vector<std::string> paths;
  std::vector<GenTableInfo> tables;  // tables[i] describes paths[i]
  int64_t files = 0;
  uint64_t bytes = 0;
  int64_t rows = 0;        // over all files
  int64_t spine_rows = 0;  // rows of targets.parquet
  double seconds = 0;      // from the pair's first file started to its marker
};

struct GenReport {
  std::vector<GenPairReport> pairs;
  int64_t files = 0;
  uint64_t bytes = 0;
  int64_t rows = 0;
  double seconds = 0;
};

// Writes OUT_DIR/<pair>/{targets.parquet, <table>.parquet..., _COMPLETE} for every pair. Each
// file goes to a temporary name first and is renamed once complete and synced, and _COMPLETE is
// written last, so an interrupted run never leaves a partial file or a marker over missing
// files. InvalidArgument for inconsistent options; AlreadyExists when a pair directory is not
// empty and overwrite is false; IOError from the file system. `report` may be null.
Status Generate(const GenOptions& options, GenReport* report);

// "ns"/"us"/"ms" <-> TimeUnit; InvalidArgument for anything else.
Result<parquet::TimeUnit> ParseKeyUnit(const std::string& text);

}  // namespace featmerge::pipeline

// Key alignment: for each feature table, which source row feeds each spine row. Sorted
// tables take one merge pass and are stored as runs of consecutive matches, so the common
// case "same keys with a few gaps" costs a few bytes; mappings that do not compress (unsorted
// tables) are spilled to a temporary file and read back one row group's slice at a time.
// Thread-safety: an Alignment is immutable once built; SpillFile reads are thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "io/file.h"
#include "merge/key_column.h"
#include "merge/options.h"

namespace featmerge::merge {

// Spine rows [spine_begin, spine_begin + length) take source rows [src_begin, ...+length).
struct MatchRun {
  int64_t spine_begin;
  int64_t src_begin;
  int64_t length;
};

// The spine's rows in key order, built once; duplicate spine keys are an error.
struct SpineIndex {
  std::vector<uint32_t> order;  // spine rows with a key, by key (identity when sorted)
  bool identity = false;
  int64_t rows = 0;
};
Result<SpineIndex> BuildSpineIndex(const KeyColumn& spine, const KeyType& type,
                                   const StringKeyDictionary* dict, const std::string& spine_name);

// How a table's rows are matched to the spine's (exact equality, or as-of: the latest key at
// or before the spine's, within a tolerance).
struct JoinSpec {
  bool asof = false;
  int64_t tolerance = -1;          // normalized key units; -1 = unlimited
  bool allow_exact_matches = true;  // as-of only
  DuplicatePolicy duplicates = DuplicatePolicy::kError;
};

struct DuplicateReport {
  int64_t duplicated_keys = 0;  // distinct keys that occur more than once and match the spine
  int64_t first_key = 0;        // the smallest such key (normalized)
};

// Append-only temporary file for mappings that do not compress; removed on destruction.
class SpillFile {
 public:
  SpillFile(io::FileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  ~SpillFile();
  // Appends values; returns their offset.
  Result<uint64_t> Append(const std::vector<int64_t>& values);
  Status Read(uint64_t offset, int64_t first, int64_t count, int64_t* out) const;
  uint64_t bytes() const { return size_; }

 private:
  io::FileSystem* fs_;
  std::string path_;
  std::unique_ptr<io::AppendFile> writer_;
  mutable std::unique_ptr<io::RandomAccessFile> reader_;
  mutable std::mutex mutex_;
  uint64_t size_ = 0;
};

class Alignment {
 public:
  int64_t matched_rows() const { return matched_rows_; }
  bool dense() const { return dense_; }
  size_t run_count() const { return runs_.size(); }
  // True when every spine row maps to the same source row index (same keys, same order).
  bool IsIdentity(int64_t spine_rows) const {
    return runs_.size() == 1 && runs_[0].spine_begin == 0 && runs_[0].src_begin == 0 &&
           runs_[0].length == spine_rows;
  }
  // The matches of spine rows [begin, end), as runs with spine_begin relative to `begin`.
  Status RunsFor(int64_t begin, int64_t end, const SpillFile* spill,
                 std::vector<MatchRun>* out) const;
  uint64_t MemoryUsage() const { return runs_.capacity() * sizeof(MatchRun); }
  // A run-list alignment (e.g. output rows to the spine rows a key range selects).
  // REQUIRES: runs sorted by spine_begin and disjoint.
  static Alignment FromRuns(std::vector<MatchRun> runs);

 private:
  friend Result<Alignment> AlignTable(const KeyColumn&, const SpineIndex&, const KeyColumn&,
                                      const JoinSpec&, SpillFile*, DuplicateReport*);
  int64_t matched_rows_ = 0;
  bool dense_ = false;
  std::vector<MatchRun> runs_;  // sorted by spine_begin (when !dense_)
  uint64_t spill_offset_ = 0;   // dense_: mapping of every spine row (-1 = none) in the spill
};

// Aligns one table. Duplicate keys that would match a spine row are counted in *dups; with
// the error policy the caller turns a non-zero count into the error (after all tables, so
// one message lists them all), and the first occurrence is used meanwhile.
Result<Alignment> AlignTable(const KeyColumn& spine, const SpineIndex& index,
                             const KeyColumn& table, const JoinSpec& spec, SpillFile* spill,
                             DuplicateReport* dups);

}  // namespace featmerge::merge

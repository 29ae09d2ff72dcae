// `featmerge concat`: joins the fragments written by `featmerge merge --shard K/N` into one
// Parquet file by copying their column-chunk bytes and rewriting only the footer (no decode, no
// recompression). The result is byte-identical to the file one `featmerge merge` writes with
// the same inputs and options. Fragments are checked to belong together (same schema, same
// plan fingerprint, shards 1..N each exactly once, contiguous row groups) and to be complete,
// before anything is written. Like merge, it writes OUT.partial under OUT.lock, fsyncs and
// renames, then writes OUT.manifest.json. Memory: the output's footer plus one copy buffer.
// Format of fragments: docs/sharding.md. Thread-safety: ConcatFragments may run concurrently
// for different outputs.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "io/file.h"

namespace featmerge::merge {

struct ConcatOptions {
  std::vector<std::string> fragments;  // in any order; sorted by their shard number
  std::string output;
  bool force = false;  // rebuild even when OUT is up to date with these fragments
  // Test hook: called with a point name as the run passes it (see ConcatFragments).
  std::function<void(const char*)> test_hook;
  uint64_t copy_buffer_bytes = 4ull << 20;  // the fixed buffer the column chunks stream through
};

struct ConcatSummary {
  std::string output;
  bool up_to_date = false;  // OUT already held these fragments' rows: nothing done
  int fragments = 0;
  int64_t rows = 0;
  int64_t columns = 0;
  int64_t row_groups = 0;
  uint64_t output_bytes = 0;
  uint64_t footer_bytes = 0;
  double seconds = 0;
  std::string fingerprint;  // the plan fingerprint the fragments share
};

// Joins options.fragments into options.output. Errors, all before the output is touched:
// InvalidArgument (no fragments, no output, an output path that is one of the fragments),
// Corruption / NotFound naming the fragment (damaged, not a fragment, missing), and
// InvalidArgument naming the fragments for a set that does not form one output (another
// merge's fragment, a different schema, a shard missing or given twice, row groups that do not
// follow on). AlreadyExists when another process holds OUT.lock; Cancelled when `interrupt`
// is set (nothing is left at OUT). Hook points: "concat-data-copied", "concat-footer-written",
// "concat-before-rename".
Result<ConcatSummary> ConcatFragments(const ConcatOptions& options, io::FileSystem* fs,
                                      const std::atomic<bool>* interrupt);

}  // namespace featmerge::merge

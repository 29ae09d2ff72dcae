// OUT.manifest.json: what a finished output was made from (inputs with sizes, mtimes and
// footer hashes), what it holds, how long it took. Written atomically after the rename; a
// later run with the same fingerprint skips the work. Format: docs/manifest_format.md.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "base/status.h"
#include "io/file.h"
#include "merge/plan.h"

namespace featmerge::merge {

struct MergeSummary;

std::string ManifestJson(const MergePlan& plan, const MergeSummary& summary);
Status WriteManifest(io::FileSystem* fs, const std::string& path, const std::string& json);
// The options a manifest records that decide the output's rows, columns and cells (key, spine,
// policies, --tables/--exclude-tables, --columns/--exclude, join rules, --from/--to), applied
// over *options; the others (compression, row-group size, statistics, splits) are recorded for
// people and are not read back. `path` names the manifest in messages. A manifest written before
// these were recorded leaves them at *options' values. Errors: Corruption (not a manifest, or a
// recorded option of the wrong shape).
Status ReadManifestOptions(const std::string& text, const std::string& path, MergeOptions* options);

// The fingerprint recorded in a manifest, or NotFound / Corruption.
Result<std::string> ReadManifestFingerprint(io::FileSystem* fs, const std::string& path,
                                            uint64_t* output_bytes);

}  // namespace featmerge::merge

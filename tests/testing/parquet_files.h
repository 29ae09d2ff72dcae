// Test helpers that write small Parquet files, sound or deliberately damaged: a file of one
// INT64 column written by our writer, and in-place edits of a file's footer (to forge counts,
// offsets and lengths that a reader must refuse). Thread-safety: none.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "parquet/format/metadata.h"

namespace featmerge::testing {

// Writes `rows` INT64 values 0..rows-1 of a required column `name` (one row group, UNCOMPRESSED)
// to `path`. Test failures are reported through GoogleTest.
void WriteInt64File(const std::string& path, const std::string& name, int64_t rows);

// Decodes the footer of `path`, applies `edit`, and writes the file back with the edited footer
// (the pages are kept as they are).
void EditFooter(const std::string& path, const std::function<void(parquet::FileMetaData*)>& edit);

// Every cell of the file at `path` as JSON text (as `featmerge cat --jsonl` prints it), by
// column name, all row groups in order.
std::map<std::string, std::vector<std::string>> ReadCells(const std::string& path);

// magic + `pages` + the encoded `md` + footer length + magic: a file whose pages start at
// offset 4. For hand-made files whose metadata points into `pages`.
std::string AssembleFile(const std::string& pages, const parquet::FileMetaData& md);

}  // namespace featmerge::testing

// Schema consistency across the outputs of a run: a model trains across pairs, so every
// training file must have the same columns with the same types in the same order. Reads an
// output's schema (names, physical and logical types; the table each column came from, from
// the output's manifest) and lists the exact differences from a reference.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "io/file.h"

namespace featmerge::pipeline {

struct ColumnType {
  std::string name;
  std::string physical;  // "DOUBLE", "FIXED_LEN_BYTE_ARRAY(16)"
  std::string logical;   // "TIMESTAMP(NANOS,utc)", "" when none
  std::string table;     // the input table it came from ("" when unknown)

  std::string TypeString() const { return logical.empty() ? physical : physical + " " + logical; }
};

struct TableColumns {
  std::string table;
  std::vector<std::string> columns;
};

struct TypeChange {
  std::string column;
  std::string expected;
  std::string found;
};

struct SchemaDiff {
  bool compared = false;                     // false: no output to compare (or no reference)
  std::string error;                         // the output's schema could not be read
  std::vector<TableColumns> missing_tables;  // reference tables none of whose columns are here
  std::vector<TableColumns> extra_tables;    // tables of this output unknown to the reference
  std::vector<ColumnType> missing_columns;   // other reference columns not here
  std::vector<ColumnType> extra_columns;     // other columns not in the reference
  std::vector<TypeChange> type_changed;
  bool order_differs = false;
  std::string order_detail;  // where the common columns' order first differs

  bool drift() const {
    return !error.empty() || !missing_tables.empty() || !extra_tables.empty() ||
           !missing_columns.empty() || !extra_columns.empty() || !type_changed.empty() ||
           order_differs;
  }
  // One line per kind of difference, naming the tables and columns.
  std::vector<std::string> Describe() const;
};

struct SchemaReport {
  std::string reference;            // "pair eurusd", or the --schema file
  std::vector<ColumnType> columns;  // the reference schema
  std::string error;                // the reference could not be read
  int drifted_pairs = 0;
  bool consistent() const { return error.empty() && drifted_pairs == 0; }
};

// The schema of a pair's output: the columns of every part in order (the key repeated at the
// head of parts after the first is dropped). `output` is the configured output path (its
// manifest maps columns to tables); `parts` the files written (just {output} without splits).
Result<std::vector<ColumnType>> ReadOutputSchema(io::FileSystem* fs, const std::string& output,
                                                 const std::vector<std::string>& parts);
// A reference schema: a Parquet file (its schema; tables from FILE.manifest.json if present),
// or JSON: a list of {"name", "physical_type", "logical_type"}, or an object holding such a list
// under "columns" or "schema": {"columns": ...} (so a run-report.json works too).
Result<std::vector<ColumnType>> ReadReferenceSchema(io::FileSystem* fs, const std::string& path);

SchemaDiff CompareSchemas(const std::vector<ColumnType>& reference,
                          const std::vector<ColumnType>& found);

}  // namespace featmerge::pipeline

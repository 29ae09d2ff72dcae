// `featmerge cat FILE [--columns a,b] [--head N] [--jsonl]`: rows as JSON Lines, one array per
// row, in the interop corpus' value representation. Streams in batches of rows, so memory is
// bounded by the batch, not the file.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "io/file.h"
#include "parquet/column_reader.h"
#include "parquet/file_reader.h"
#include "parquet/value_text.h"

namespace featmerge::cli {
namespace {

struct CatArgs {
  std::string file;
  std::vector<std::string> columns;
  int64_t head = -1;
  bool jsonl = true;
};

Status RunCat(const CatArgs& args) {
  using namespace parquet;
  FM_ASSIGN_OR_RETURN(auto reader, ParquetFileReader::Open(io::DefaultFileSystem(), args.file));
  const Schema& schema = reader->schema();
  std::vector<int> cols;
  if (args.columns.empty()) {
    for (int i = 0; i < schema.num_columns(); i++) cols.push_back(i);
  } else {
    for (const std::string& name : args.columns) {
      int idx = schema.FindColumn(name);
      if (idx < 0) {
        return Status::InvalidArgument("'" + args.file + "' has no column '" + name + "'");
      }
      cols.push_back(idx);
    }
  }
  std::vector<ValueKind> kinds;
  for (int c : cols) kinds.push_back(ValueKindOf(schema.column(c)));

  // Rows per batch: bounded so that wide files do not decode whole row groups at once.
  const int64_t batch_rows = std::max<int64_t>(64, (1 << 24) / std::max<size_t>(1, cols.size()) / 16);
  int64_t remaining = args.head < 0 ? reader->num_rows() : args.head;
  std::string line;
  std::vector<ColumnData> data(cols.size());
  for (int rg = 0; rg < reader->num_row_groups() && remaining > 0; rg++) {
    const int64_t rg_rows = reader->row_group(rg).num_rows;
    std::vector<std::unique_ptr<ColumnChunkReader>> readers;
    for (int c : cols) readers.push_back(std::make_unique<ColumnChunkReader>(reader.get(), rg, c));
    for (int64_t begin = 0; begin < rg_rows && remaining > 0; begin += batch_rows) {
      const int64_t end = std::min({rg_rows, begin + batch_rows, begin + remaining});
      for (size_t i = 0; i < cols.size(); i++) {
        data[i].Reset(schema.column(cols[i]).type, schema.column(cols[i]).type_length);
        FM_RETURN_IF_ERROR(readers[i]->ReadRows(begin, end, &data[i]));
      }
      for (int64_t r = 0; r < end - begin; r++) {
        line.clear();
        line.push_back('[');
        for (size_t i = 0; i < cols.size(); i++) {
          if (i) line.push_back(',');
          AppendJsonValue(schema.column(cols[i]), kinds[i], data[i], r, &line);
        }
        line.append("]\n");
        if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()) {
          return Status::IOError("cannot write to standard output");
        }
      }
      remaining -= end - begin;
    }
  }
  if (std::fflush(stdout) != 0) return Status::IOError("cannot write to standard output");
  return Status::OK();
}

}  // namespace

void AddCatCommand(CLI::App* app, Runner* runner) {
  auto args = std::make_shared<CatArgs>();
  CLI::App* cmd = app->add_subcommand("cat", "Print a Parquet file's rows as JSON Lines");
  cmd->add_option("file", args->file, "Parquet file")->required();
  cmd->add_option("--columns", args->columns, "Only these columns (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--head", args->head, "Only the first N rows");
  cmd->add_flag("--jsonl", args->jsonl, "JSON Lines output (one array per row; the default)");
  cmd->callback([args, runner] {
    *runner = [args] {
      Status s = RunCat(*args);
      return s.ok() ? kExitOk : ReportError(s);
    };
  });
}

}  // namespace featmerge::cli

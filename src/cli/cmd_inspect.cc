// `featmerge inspect FILE [--json] [--chunks]`: schema, shape and per-chunk encodings, codecs,
// sizes and statistics, from the footer only (no page is read).
#include <cstdio>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "base/units.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "io/file.h"
#include "parquet/column_data.h"
#include "parquet/column_reader.h"
#include "parquet/file_reader.h"
#include "parquet/value_text.h"

namespace featmerge::cli {
namespace {

struct InspectArgs {
  std::string file;
  bool json = false;
  bool no_chunks = false;
  bool footer_only = false;
};

// Statistics bytes (plain-encoded) rendered like `cat` renders values.
std::string StatText(const parquet::ColumnDescriptor& c, const std::string& bytes) {
  using namespace parquet;
  ColumnData one(c.type, c.type_length);
  if (c.type == Type::kByteArray) {
    one.AppendValue(AsBytes(bytes));
  } else {
    if (bytes.size() != static_cast<size_t>(one.width())) return "(invalid)";
    one.AppendValue(AsBytes(bytes));
  }
  std::string out;
  AppendJsonValue(c, ValueKindOf(c), one, 0, &out);
  return out;
}

nlohmann::json ChunkJson(const parquet::ParquetFileReader& r, int rg, int col) {
  using namespace parquet;
  const ColumnChunk& cc = r.row_group_columns(rg)[static_cast<size_t>(col)];
  const ColumnMetaData& md = *cc.meta_data;
  const ColumnDescriptor& c = r.schema().column(col);
  nlohmann::json j;
  j["column"] = c.name;
  j["codec"] = CompressionName(md.codec);
  auto& encs = j["encodings"] = nlohmann::json::array();
  for (Encoding e : md.encodings) encs.push_back(EncodingName(e));
  j["num_values"] = md.num_values;
  j["compressed_bytes"] = md.total_compressed_size;
  j["uncompressed_bytes"] = md.total_uncompressed_size;
  j["data_page_offset"] = md.data_page_offset;
  if (md.dictionary_page_offset) j["dictionary_page_offset"] = *md.dictionary_page_offset;
  j["page_index"] = cc.offset_index_offset.has_value();
  if (md.statistics) {
    const Statistics& st = *md.statistics;
    nlohmann::json s;
    if (st.null_count) s["null_count"] = *st.null_count;
    if (st.distinct_count) s["distinct_count"] = *st.distinct_count;
    const auto& mn = st.min_value ? st.min_value : st.min;
    const auto& mx = st.max_value ? st.max_value : st.max;
    if (mn) s["min"] = StatText(c, *mn);
    if (mx) s["max"] = StatText(c, *mx);
    j["statistics"] = s;
  }
  return j;
}

Status RunInspect(const InspectArgs& args) {
  using namespace parquet;
  FM_ASSIGN_OR_RETURN(auto r, ParquetFileReader::Open(io::DefaultFileSystem(), args.file));
  const FileMetaData& md = r->metadata();
  // Unless told otherwise, decode every page once (CRCs, decompression, values), so a damaged
  // file is reported here and not first by a training job. One chunk in memory at a time.
  int64_t pages = 0;
  if (!args.footer_only) {
    ColumnData scratch;
    for (int rg = 0; rg < r->num_row_groups(); rg++) {
      for (int c = 0; c < r->num_columns(); c++) {
        scratch.Reset(r->schema().column(c).type, r->schema().column(c).type_length);
        ColumnChunkReader chunk(r.get(), rg, c);
        FM_RETURN_IF_ERROR(chunk.ReadAll(&scratch));
        pages += chunk.stats().pages_read;
      }
    }
  }
  nlohmann::json j;
  j["file"] = args.file;
  j["file_bytes"] = r->file_size();
  j["footer_bytes"] = r->footer_size();
  j["created_by"] = md.created_by.value_or("");
  j["format_version"] = md.version;
  j["num_rows"] = md.num_rows;
  j["num_row_groups"] = r->num_row_groups();
  j["num_columns"] = r->num_columns();
  if (!args.footer_only) j["data_pages_verified"] = pages;
  auto& cols = j["columns"] = nlohmann::json::array();
  for (const ColumnDescriptor& c : r->schema().columns()) {
    nlohmann::json col;
    col["name"] = c.name;
    col["physical_type"] = TypeName(c.type);
    if (c.type == Type::kFixedLenByteArray) col["type_length"] = c.type_length;
    col["logical_type"] = c.LogicalTypeString();
    col["repetition"] = c.nullable ? "OPTIONAL" : "REQUIRED";
    col["value_kind"] = ValueKindName(ValueKindOf(c));
    cols.push_back(col);
  }
  auto& kv = j["key_value_metadata"] = nlohmann::json::object();
  for (const KeyValue& e : md.key_value_metadata) kv[e.key] = e.value.value_or("");
  auto& groups = j["row_groups"] = nlohmann::json::array();
  for (int rg = 0; rg < r->num_row_groups(); rg++) {
    nlohmann::json g;
    g["num_rows"] = r->row_group(rg).num_rows;
    g["total_byte_size"] = r->row_group(rg).total_byte_size;
    if (!args.no_chunks) {
      auto& chunks = g["chunks"] = nlohmann::json::array();
      for (int c = 0; c < r->num_columns(); c++) chunks.push_back(ChunkJson(*r, rg, c));
    }
    groups.push_back(g);
  }
  if (args.json) {
    std::string text = j.dump(2);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    return Status::OK();
  }
  fmt::print("file:        {}\n", args.file);
  fmt::print("size:        {} ({} bytes), footer {} bytes\n", FormatBytes(r->file_size()),
             r->file_size(), r->footer_size());
  fmt::print("created by:  {}\n", md.created_by.value_or("(unknown)"));
  fmt::print("rows:        {}\nrow groups:  {}\ncolumns:     {}\n", md.num_rows,
             r->num_row_groups(), r->num_columns());
  if (!args.footer_only) fmt::print("pages:       {} data pages decoded and verified\n", pages);
  fmt::print("\nschema:\n");
  for (const ColumnDescriptor& c : r->schema().columns()) {
    std::string phys = TypeName(c.type);
    if (c.type == Type::kFixedLenByteArray) phys += "(" + std::to_string(c.type_length) + ")";
    fmt::print("  {:<32} {:<24} {:<26} {}\n", c.name, phys, c.LogicalTypeString(),
               c.nullable ? "OPTIONAL" : "REQUIRED");
  }
  if (!md.key_value_metadata.empty()) {
    fmt::print("\nkey/value metadata:\n");
    for (const KeyValue& e : md.key_value_metadata) {
      std::string v = e.value.value_or("");
      if (v.size() > 80) v = v.substr(0, 77) + "...";
      fmt::print("  {}: {}\n", e.key, v);
    }
  }
  for (int rg = 0; rg < r->num_row_groups() && !args.no_chunks; rg++) {
    fmt::print("\nrow group {}: {} rows\n", rg, r->row_group(rg).num_rows);
    for (int c = 0; c < r->num_columns(); c++) {
      nlohmann::json ch = ChunkJson(*r, rg, c);
      std::string encs;
      for (auto& e : ch["encodings"]) encs += (encs.empty() ? "" : ",") + e.get<std::string>();
      std::string stats;
      if (ch.contains("statistics")) {
        auto& s = ch["statistics"];
        if (s.contains("null_count")) stats += "nulls=" + std::to_string(s["null_count"].get<int64_t>());
        if (s.contains("min")) stats += " min=" + s["min"].get<std::string>();
        if (s.contains("max")) stats += " max=" + s["max"].get<std::string>();
      }
      fmt::print("  {:<32} {:<8} {:<36} {:>10} -> {:>10} B  {}\n", ch["column"].get<std::string>(),
                 ch["codec"].get<std::string>(), encs, ch["uncompressed_bytes"].get<int64_t>(),
                 ch["compressed_bytes"].get<int64_t>(), stats);
    }
  }
  return Status::OK();
}

}  // namespace

void AddInspectCommand(CLI::App* app, Runner* runner) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* cmd = app->add_subcommand("inspect", "Show a Parquet file's schema, shape and chunks");
  cmd->add_option("file", args->file, "Parquet file")->required();
  cmd->add_flag("--json", args->json, "Machine-readable output");
  cmd->add_flag("--no-chunks", args->no_chunks, "Leave out the per-chunk details");
  cmd->add_flag("--footer-only", args->footer_only,
                "Read only the footer (fast); by default every page is decoded and verified");
  cmd->callback([args, runner] {
    *runner = [args] {
      Status s = RunInspect(*args);
      return s.ok() ? kExitOk : ReportError(s);
    };
  });
}

}  // namespace featmerge::cli

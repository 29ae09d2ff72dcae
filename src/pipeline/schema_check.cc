#include "pipeline/schema_check.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "merge/merge.h"
#include "parquet/file_reader.h"

namespace featmerge::pipeline {
namespace {

// Messages list at most this many names of one kind, then "... (N more)".
constexpr size_t kNamesListed = 50;

std::string NameList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kNamesListed; i++) out += (i ? ", " : "") + names[i];
  if (names.size() > kNamesListed)
    out += ", ... (" + std::to_string(names.size() - kNamesListed) + " more)";
  return out;
}

std::string ColumnList(const std::vector<ColumnType>& columns) {
  std::vector<std::string> names;
  for (const ColumnType& c : columns) {
    names.push_back(c.table.empty() ? c.name : c.name + " (table " + c.table + ")");
  }
  return NameList(names);
}

Result<std::vector<ColumnType>> ReadParquetColumns(io::FileSystem* fs, const std::string& path) {
  FM_ASSIGN_OR_RETURN(auto reader, parquet::ParquetFileReader::Open(fs, path));
  std::vector<ColumnType> out;
  for (const parquet::ColumnDescriptor& d : reader->schema().columns()) {
    ColumnType c;
    c.name = d.name;
    c.physical = parquet::TypeName(d.type);
    if (d.type == parquet::Type::kFixedLenByteArray)
      c.physical += "(" + std::to_string(d.type_length) + ")";
    c.logical = d.LogicalTypeString();
    out.push_back(std::move(c));
  }
  return out;
}

// Names the table of each column from a merge manifest: its inputs list, in output order, how
// many output columns each input gave (the spine's count includes the key). Leaves the tables
// unset when the manifest is missing or does not add up to the columns.
void AssignTables(io::FileSystem* fs, const std::string& manifest,
                  std::vector<ColumnType>* columns) {
  if (!fs->Exists(manifest)) return;
  auto text = io::ReadWholeFile(fs, manifest, 256ull << 20);
  if (!text.ok()) return;
  const nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("inputs") || !j["inputs"].is_array())
    return;
  std::vector<std::pair<std::string, size_t>> ranges;
  size_t total = 0;
  for (const nlohmann::json& input : j["inputs"]) {
    if (!input.is_object() || !input.contains("name") || !input["name"].is_string() ||
        !input.contains("columns") || !input["columns"].is_number_unsigned()) {
      return;
    }
    const size_t count = input["columns"].get<size_t>();
    ranges.emplace_back(input["name"].get<std::string>(), count);
    total += count;
  }
  if (total != columns->size()) return;
  size_t column_idx = 0;
  for (const auto& [table, count] : ranges) {
    for (size_t k = 0; k < count; k++) (*columns)[column_idx++].table = table;
  }
}

std::string JsonString(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

Result<std::vector<ColumnType>> ParseJsonSchema(const std::string& path, const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return Status::InvalidArgument("schema file '" + path + "' is neither Parquet nor JSON");
  if (j.is_object() && j.contains("schema") && j["schema"].is_object()) j = j["schema"];
  if (j.is_object() && j.contains("columns")) j = j["columns"];
  if (!j.is_array()) {
    return Status::InvalidArgument(
        "schema file '" + path + "': expected a JSON list of {name, physical_type, logical_type}");
  }
  std::vector<ColumnType> out;
  for (size_t i = 0; i < j.size(); i++) {
    const nlohmann::json& c = j[i];
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string() ||
        !c.contains("physical_type") || !c["physical_type"].is_string()) {
      return Status::InvalidArgument("schema file '" + path + "': entry " + std::to_string(i) +
                                     " needs a string \"name\" and \"physical_type\"");
    }
    out.push_back({c["name"].get<std::string>(), c["physical_type"].get<std::string>(),
                   JsonString(c, "logical_type"), JsonString(c, "table")});
  }
  return out;
}

// Moves the columns of tables that are wholly in `columns` (every column of the table, as
// `all` lists them, is there) into whole-table entries.
void GroupWholeTables(const std::vector<ColumnType>& all, std::vector<ColumnType>* columns,
                      std::vector<TableColumns>* tables) {
  std::map<std::string, size_t> in_all, in_list;
  for (const ColumnType& c : all) {
    if (!c.table.empty()) in_all[c.table]++;
  }
  for (const ColumnType& c : *columns) {
    if (!c.table.empty()) in_list[c.table]++;
  }
  std::set<std::string> whole;
  for (const auto& [table, count] : in_list) {
    if (in_all[table] == count) whole.insert(table);
  }
  if (whole.empty()) return;
  std::vector<ColumnType> rest;
  std::map<std::string, size_t> table_idx;
  for (ColumnType& c : *columns) {
    if (!whole.count(c.table)) {
      rest.push_back(std::move(c));
      continue;
    }
    auto [it, inserted] = table_idx.emplace(c.table, tables->size());
    if (inserted) tables->push_back({c.table, {}});
    (*tables)[it->second].columns.push_back(c.name);
  }
  *columns = std::move(rest);
}

}  // namespace

std::vector<std::string> SchemaDiff::Describe() const {
  std::vector<std::string> lines;
  if (!error.empty()) lines.push_back("schema unreadable: " + error);
  for (const TableColumns& t : missing_tables) {
    lines.push_back("missing table '" + t.table + "' (" + std::to_string(t.columns.size()) +
                    " columns: " + NameList(t.columns) + ")");
  }
  if (!missing_columns.empty()) {
    lines.push_back("missing columns (" + std::to_string(missing_columns.size()) +
                    "): " + ColumnList(missing_columns));
  }
  for (const TableColumns& t : extra_tables) {
    lines.push_back("extra table '" + t.table + "' (" + std::to_string(t.columns.size()) +
                    " columns: " + NameList(t.columns) + ")");
  }
  if (!extra_columns.empty()) {
    lines.push_back("extra columns (" + std::to_string(extra_columns.size()) +
                    "): " + ColumnList(extra_columns));
  }
  if (!type_changed.empty()) {
    std::vector<std::string> changes;
    for (const TypeChange& t : type_changed) {
      changes.push_back(t.column + " " + t.expected + " -> " + t.found);
    }
    lines.push_back("type changed (" + std::to_string(type_changed.size()) +
                    "): " + NameList(changes));
  }
  if (order_differs) lines.push_back("column order differs: " + order_detail);
  return lines;
}

Result<std::vector<ColumnType>> ReadOutputSchema(io::FileSystem* fs, const std::string& output,
                                                 const std::vector<std::string>& parts) {
  std::vector<ColumnType> out;
  for (size_t part_idx = 0; part_idx < parts.size(); part_idx++) {
    FM_ASSIGN_OR_RETURN(std::vector<ColumnType> columns, ReadParquetColumns(fs, parts[part_idx]));
    // Every part after the first starts with the key again.
    const size_t skip = part_idx > 0 && !columns.empty() ? 1 : 0;
    out.insert(out.end(), columns.begin() + static_cast<std::ptrdiff_t>(skip), columns.end());
  }
  AssignTables(fs, merge::ManifestPath(output), &out);
  return out;
}

Result<std::vector<ColumnType>> ReadReferenceSchema(io::FileSystem* fs, const std::string& path) {
  FM_ASSIGN_OR_RETURN(auto file, fs->OpenForRead(path));
  ByteBuffer magic;
  if (file->size() >= 4) FM_RETURN_IF_ERROR(file->ReadAt(0, 4, &magic));
  if (magic.size() == 4 && std::string(magic.begin(), magic.end()) == "PAR1") {
    FM_ASSIGN_OR_RETURN(std::vector<ColumnType> columns, ReadParquetColumns(fs, path));
    AssignTables(fs, merge::ManifestPath(path), &columns);
    return columns;
  }
  FM_ASSIGN_OR_RETURN(std::string text, io::ReadWholeFile(fs, path, 256ull << 20));
  return ParseJsonSchema(path, text);
}

SchemaDiff CompareSchemas(const std::vector<ColumnType>& reference,
                          const std::vector<ColumnType>& found) {
  SchemaDiff diff;
  diff.compared = true;
  std::map<std::string, size_t> ref_index, found_index;
  for (size_t i = 0; i < reference.size(); i++) ref_index.emplace(reference[i].name, i);
  for (size_t i = 0; i < found.size(); i++) found_index.emplace(found[i].name, i);
  std::vector<std::string> common_in_ref_order, common_in_found_order;
  for (const ColumnType& c : reference) {
    auto it = found_index.find(c.name);
    if (it == found_index.end()) {
      diff.missing_columns.push_back(c);
      continue;
    }
    common_in_ref_order.push_back(c.name);
    const ColumnType& f = found[it->second];
    if (f.physical != c.physical || f.logical != c.logical) {
      diff.type_changed.push_back({c.name, c.TypeString(), f.TypeString()});
    }
  }
  for (const ColumnType& c : found) {
    if (ref_index.count(c.name)) {
      common_in_found_order.push_back(c.name);
    } else {
      diff.extra_columns.push_back(c);
    }
  }
  for (size_t i = 0; i < common_in_ref_order.size(); i++) {
    if (common_in_ref_order[i] != common_in_found_order[i]) {
      diff.order_differs = true;
      diff.order_detail = "column " + std::to_string(found_index[common_in_found_order[i]]) +
                          " is '" + common_in_found_order[i] + "' where the reference has '" +
                          common_in_ref_order[i] + "'";
      break;
    }
  }
  GroupWholeTables(reference, &diff.missing_columns, &diff.missing_tables);
  GroupWholeTables(found, &diff.extra_columns, &diff.extra_tables);
  return diff;
}

}  // namespace featmerge::pipeline

#include "merge/plan.h"

#include <fnmatch.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "base/hash.h"
#include "base/units.h"
#include "io/probes.h"

namespace featmerge::merge {
namespace {

Result<std::string> FooterHash(const parquet::ParquetFileReader& reader);

std::string Stem(const std::string& file) {
  const std::string ext = ".parquet";
  if (file.size() > ext.size() && file.compare(file.size() - ext.size(), ext.size(), ext) == 0) {
    return file.substr(0, file.size() - ext.size());
  }
  return file;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) i++;
  return s.substr(i);
}

// The table file names to merge, in output order.
Result<std::vector<std::string>> SelectTables(const MergeOptions& o, io::FileSystem* fs,
                                              const std::vector<std::string>& listing) {
  std::vector<std::string> names;
  if (!o.manifest_file.empty()) {
    FM_ASSIGN_OR_RETURN(std::string text, io::ReadWholeFile(fs, o.manifest_file, 64ull << 20));
    std::set<std::string> present(listing.begin(), listing.end());
    std::vector<std::string> missing;
    std::set<std::string> seen;
    size_t pos = 0;
    int line_no = 0;
    while (pos <= text.size()) {
      size_t nl = text.find('\n', pos);
      std::string line = Trim(text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
      pos = nl == std::string::npos ? text.size() + 1 : nl + 1;
      line_no++;
      if (line.empty() || line[0] == '#') continue;
      std::string file = EndsWith(line, ".parquet") ? line : line + ".parquet";
      if (file == o.spine) continue;
      if (!seen.insert(file).second) {
        return Status::InvalidArgument("manifest '" + o.manifest_file + "' line " +
                                       std::to_string(line_no) + " lists '" + file + "' twice");
      }
      if (!present.count(file)) missing.push_back(file);
      names.push_back(file);
    }
    if (!missing.empty()) {
      std::string list;
      for (size_t i = 0; i < missing.size() && i < 20; i++) list += (i ? ", " : "") + missing[i];
      if (missing.size() > 20) list += ", ... (" + std::to_string(missing.size() - 20) + " more)";
      return Status::NotFound(std::to_string(missing.size()) + " table" +
                              (missing.size() > 1 ? "s" : "") + " of the manifest " +
                              (missing.size() > 1 ? "are" : "is") + " missing from '" +
                              o.input_dir + "': " + list);
    }
    return names;
  }
  for (const std::string& f : listing) {
    if (!EndsWith(f, ".parquet") || f == o.spine || f[0] == '.' || f[0] == '_') continue;
    if (!o.table_globs.empty()) {
      bool match = false;
      for (const std::string& g : o.table_globs) match = match || GlobMatch(g, f) || GlobMatch(g, Stem(f));
      if (!match) continue;
    }
    names.push_back(f);
  }
  return names;  // the listing is sorted: file-name order
}

int64_t UniformRowGroupRows(const parquet::ParquetFileReader& reader) {
  const int n = reader.num_row_groups();
  if (n == 0) return 0;
  const int64_t rows = reader.row_group(0).num_rows;
  for (int i = 1; i < n; i++) {
    const int64_t r = reader.row_group(i).num_rows;
    if (r != rows && !(i == n - 1 && r < rows)) return 0;
  }
  return rows;
}

// Runs fn(i) for every i in [begin, end) on `threads` threads (the caller's among them), each
// index once, and returns the status of the lowest index that failed. Indices past a failed
// one are skipped, while every index below it still runs: the error returned does not depend
// on timing, and it is the one a loop in order would return.
Status ForEachIndex(size_t begin, size_t end, int threads,
                    const std::function<Status(size_t)>& fn) {
  std::vector<Status> statuses(end > begin ? end - begin : 0);
  std::atomic<size_t> next{begin};
  std::atomic<size_t> first_failed{end};
  auto run = [&] {
    for (size_t i = next++; i < end; i = next++) {
      if (i > first_failed.load()) continue;
      Status s = fn(i);
      if (!s.ok()) {
        statuses[i - begin] = std::move(s);
        size_t seen = first_failed.load();
        while (i < seen && !first_failed.compare_exchange_weak(seen, i)) {
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (int k = 1; k < threads; k++) pool.emplace_back(run);
  run();
  for (std::thread& th : pool) th.join();
  for (Status& s : statuses) FM_RETURN_IF_ERROR(s);
  return Status::OK();
}

// Every row group's chunk of `column`, as stored.
Result<std::vector<ByteBuffer>> ReadKeyChunks(const parquet::ParquetFileReader& file, int column) {
  std::vector<ByteBuffer> chunks(static_cast<size_t>(file.num_row_groups()));
  for (int rg = 0; rg < file.num_row_groups(); rg++) {
    uint64_t start = 0, length = 0;
    file.ChunkRange(rg, column, &start, &length);
    FM_RETURN_IF_ERROR(file.file().ReadAt(start, length, &chunks[static_cast<size_t>(rg)]));
  }
  return chunks;
}

// True when table `t`'s key column holds the spine's keys because its chunks are the spine's
// key chunks byte for byte: same key type and unit, same row groups, same codec, same bytes.
// (Equal bytes decode to equal values; page CRCs inside them are the same too.)
Result<bool> SameKeyChunks(const parquet::ParquetFileReader& spine_file, const SourceTable& spine,
                           const std::vector<ByteBuffer>& spine_chunks,
                           const parquet::ParquetFileReader& file, const SourceTable& t) {
  const parquet::ColumnDescriptor& a = spine_file.schema().column(spine.key_column);
  const parquet::ColumnDescriptor& b = file.schema().column(t.key_column);
  if (spine_chunks.empty() || file.num_row_groups() != spine_file.num_row_groups() ||
      a.type != b.type || a.type_length != b.type_length || a.nullable != b.nullable ||
      !(a.logical_type == b.logical_type) || a.converted_type != b.converted_type ||
      spine.key_type.kind != t.key_type.kind || spine.key_type.to_nanos != t.key_type.to_nanos) {
    return false;
  }
  // Every row group's metadata first: a table that differs is known before any byte is read.
  for (int rg = 0; rg < file.num_row_groups(); rg++) {
    const parquet::ColumnMetaData& ma = spine_file.column_meta(rg, spine.key_column);
    const parquet::ColumnMetaData& mb = file.column_meta(rg, t.key_column);
    uint64_t start = 0, length = 0;
    file.ChunkRange(rg, t.key_column, &start, &length);
    if (file.row_group(rg).num_rows != spine_file.row_group(rg).num_rows || ma.codec != mb.codec ||
        ma.num_values != mb.num_values || length != spine_chunks[static_cast<size_t>(rg)].size()) {
      return false;
    }
  }
  ByteBuffer chunk;
  for (int rg = 0; rg < file.num_row_groups(); rg++) {
    uint64_t start = 0, length = 0;
    file.ChunkRange(rg, t.key_column, &start, &length);
    FM_RETURN_IF_ERROR(file.file().ReadAt(start, length, &chunk));
    if (chunk != spine_chunks[static_cast<size_t>(rg)]) return false;
  }
  return true;
}

// Output row groups that start where most sources' row groups start cost less: no source page
// is decoded for two output row groups, and where whole source row groups make an output row
// group (same rows, in order) their chunks are copied as stored. Returns `rows` (the size from
// the byte target) moved to the largest multiple up to `upper` of the row-group size shared by
// the tables holding most columns, when those tables have the spine's row count.
int64_t LineUpRowGroups(const MergePlan& plan, int64_t rows, int64_t upper, bool* lined_up) {
  *lined_up = false;
  std::map<int64_t, int64_t> columns_by_size;
  for (const SourceTable& t : plan.tables) {
    if (t.num_rows == plan.rows && t.uniform_row_group_rows > 0) {
      columns_by_size[t.uniform_row_group_rows] += std::max(1, t.num_output_columns);
    }
  }
  int64_t best = 0, best_columns = 0;
  for (const auto& [size, columns] : columns_by_size) {
    if (columns >= best_columns) best = size, best_columns = columns;
  }
  if (best == 0 || best_columns * 2 < static_cast<int64_t>(plan.columns.size())) return rows;
  if (best <= upper) {
    // The most whole source row groups that fit: chunks of several are copied as one, with
    // one dictionary (parquet/chunk_copy.h).
    const int64_t groups = std::min(upper / best, (plan.rows + best - 1) / best);
    *lined_up = true;
    return std::min(groups * best, plan.rows);
  }
  return rows;
}

// Opens an input, records what the plan needs of it, and returns the reader (the caller
// drops it once done, so only a planning thread's current footers are in memory at once).
Result<std::unique_ptr<parquet::ParquetFileReader>> OpenSource(io::FileSystem* fs,
                                                               const std::string& dir,
                                                               const std::string& file,
                                                               const std::string& key,
                                                               SourceTable* t) {
  t->name = Stem(file);
  t->path = io::JoinPath(dir, file);
  FM_ASSIGN_OR_RETURN(t->info, fs->Stat(t->path));
  FM_ASSIGN_OR_RETURN(auto reader, parquet::ParquetFileReader::Open(fs, t->path));
  t->schema = reader->schema();
  t->num_rows = reader->num_rows();
  t->uniform_row_group_rows = UniformRowGroupRows(*reader);
  t->key_column = reader->schema().FindColumn(key);
  if (t->key_column < 0) {
    return Status::NotFound("'" + t->path + "' has no key column '" + key + "'");
  }
  FM_ASSIGN_OR_RETURN(t->key_type, KeyTypeOf(reader->schema().column(t->key_column), t->path));
  FM_ASSIGN_OR_RETURN(t->footer_hash, FooterHash(*reader));
  return reader;
}

std::string WithCommas(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

Result<std::string> FooterHash(const parquet::ParquetFileReader& reader) {
  // Fingerprint of the footer: detects a file rewritten with the same size and mtime.
  ByteBuffer footer;
  const uint64_t size = reader.file_size();
  const uint64_t len = reader.footer_size();
  FM_RETURN_IF_ERROR(reader.file().ReadAt(size - 8 - len, len, &footer));
  return Fnv64().Add(footer).hex();
}

}  // namespace

Result<std::unique_ptr<parquet::ParquetFileReader>> ReopenSource(io::FileSystem* fs,
                                                                 const SourceTable& t) {
  auto reader = parquet::ParquetFileReader::Open(fs, t.path);
  if (!reader.ok()) {
    return Status::Corruption("input '" + t.path + "' changed or vanished while the merge ran (" +
                              reader.status().message() + "); nothing was written to the output, " +
                              "run again once the inputs are stable");
  }
  FM_ASSIGN_OR_RETURN(std::string hash, FooterHash(**reader));
  if ((*reader)->file_size() != t.info.size || hash != t.footer_hash) {
    return Status::Corruption("input '" + t.path + "' changed while the merge ran (size " +
                              std::to_string(t.info.size) + " -> " +
                              std::to_string((*reader)->file_size()) +
                              (hash != t.footer_hash ? ", footer differs" : "") +
                              "); run again once the inputs are stable");
  }
  return reader;
}

Result<std::shared_ptr<const parquet::ParquetFileReader>> ReaderCache::Get(const SourceTable& t) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = lru_.begin(); it != lru_.end(); ++it) {
      if (it->first == &t) {
        lru_.splice(lru_.begin(), lru_, it);
        return lru_.front().second;
      }
    }
  }
  // Open outside the lock: other workers keep reading meanwhile.
  FM_ASSIGN_OR_RETURN(auto opened, ReopenSource(fs_, t));
  std::shared_ptr<const parquet::ParquetFileReader> reader(std::move(opened));
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = lru_.begin(); it != lru_.end(); ++it) {
    if (it->first == &t) return it->second;  // another worker opened it first
  }
  lru_.emplace_front(&t, reader);
  while (lru_.size() > capacity_) lru_.pop_back();
  return reader;
}

bool GlobMatch(const std::string& pattern, const std::string& name) {
  return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

Result<std::unique_ptr<MergePlan>> BuildPlan(const MergeOptions& o, io::FileSystem* fs) {
  auto plan = std::make_unique<MergePlan>();
  plan->options = o;
  auto add_check = [&](std::string name, std::string detail) {
    plan->checks.push_back({std::move(name), std::move(detail)});
  };

  // Input directory, marker, spine, tables.
  auto dir_info = fs->Stat(o.input_dir);
  if (!dir_info.ok() || !dir_info->is_directory) {
    return Status::NotFound("input directory '" + o.input_dir + "' does not exist" +
                            (dir_info.ok() ? " (it is a file)" : ""));
  }
  FM_ASSIGN_OR_RETURN(std::vector<std::string> listing, fs->ListDir(o.input_dir));
  add_check("input directory", o.input_dir + " (" + std::to_string(listing.size()) + " entries)");
  if (!o.require_marker.empty()) {
    if (!fs->Exists(io::JoinPath(o.input_dir, o.require_marker))) {
      return Status::NotFound("'" + o.input_dir + "' has no completion marker '" +
                              o.require_marker + "': the extraction is not finished (or --require-marker is wrong)");
    }
    add_check("completion marker", o.require_marker);
  }
  if (!fs->Exists(io::JoinPath(o.input_dir, o.spine))) {
    return Status::NotFound("the spine '" + o.spine + "' is missing from '" + o.input_dir + "'");
  }
  FM_ASSIGN_OR_RETURN(std::vector<std::string> table_files, SelectTables(o, fs, listing));
  if (o.expect_tables >= 0 && static_cast<int64_t>(table_files.size()) != o.expect_tables) {
    return Status::NotFound("expected " + std::to_string(o.expect_tables) + " feature tables in '" +
                            o.input_dir + "', found " + std::to_string(table_files.size()));
  }
  add_check("feature tables", std::to_string(table_files.size()) + " found" +
                                  (o.expect_tables >= 0 ? " (as expected)" : ""));
  ExcludeTables(o, &table_files, &plan->selection);

  // Open every input: footer, schema, key column and type.
  plan->tables.resize(table_files.size() + 1);
  // Sizes for the output estimate, gathered while each footer is open.
  std::vector<uint64_t> data_bytes(plan->tables.size(), 0);
  // Per table and column: decoded bytes of the whole column (for row widths).
  std::vector<std::vector<uint64_t>> column_bytes(plan->tables.size());
  auto measure = [&](size_t i, const parquet::ParquetFileReader& r) {
    column_bytes[i].assign(static_cast<size_t>(r.num_columns()), 0);
    for (int rg = 0; rg < r.num_row_groups(); rg++) {
      for (int c = 0; c < r.num_columns(); c++) {
        column_bytes[i][static_cast<size_t>(c)] +=
            static_cast<uint64_t>(r.column_meta(rg, c).total_uncompressed_size);
        if (i != 0 && c == plan->tables[i].key_column) continue;
        if (!(i == 0 && c == plan->tables[0].key_column) &&
            !ColumnSelected(o, plan->tables[i].name, r.schema().column(c).name)) {
          continue;  // not in the output
        }
        data_bytes[i] += static_cast<uint64_t>(r.column_meta(rg, c).total_compressed_size);
      }
    }
  };
  {
    FM_ASSIGN_OR_RETURN(auto reader, OpenSource(fs, o.input_dir, o.spine, o.key, &plan->tables[0]));
    measure(0, *reader);
  }
  SourceTable& spine = plan->tables[0];
  plan->rows = spine.num_rows;
  FM_RETURN_IF_ERROR(PlanKeyRange(plan.get(), fs));
  {
    // The tables' footers are opened and measured on a few threads: with hundreds of tables
    // they are most of the planning time. Each thread holds one footer at a time, and a few
    // threads take most of the gain. The error is the first failed table's, and tables after
    // it are not opened (one that cannot be would only wait).
    constexpr int kMaxOpenThreads = 4;
    const size_t n = table_files.size();
    const int wanted = std::clamp(o.threads > 0 ? o.threads : io::CpuCount(), 1, kMaxOpenThreads);
    const int threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(wanted), std::max<size_t>(n, 1)));
    FM_RETURN_IF_ERROR(ForEachIndex(0, n, threads, [&](size_t i) -> Status {
      SourceTable& t = plan->tables[i + 1];
      FM_ASSIGN_OR_RETURN(auto reader, OpenSource(fs, o.input_dir, table_files[i], o.key, &t));
      measure(i + 1, *reader);
      t.join.duplicates = o.on_duplicate_key;
      return Status::OK();
    }));
  }
  std::vector<std::string> incompatible;
  for (size_t i = 1; i < plan->tables.size(); i++) {
    const SourceTable& t = plan->tables[i];
    if (!KeyTypesCompatible(spine.key_type, t.key_type)) {
      incompatible.push_back("'" + t.path + "' (" + t.key_type.description + ")");
    }
  }
  if (!incompatible.empty()) {
    std::string list;
    for (size_t i = 0; i < incompatible.size() && i < 10; i++) list += (i ? ", " : "") + incompatible[i];
    if (incompatible.size() > 10) list += ", ... (" + std::to_string(incompatible.size() - 10) + " more)";
    return Status::InvalidArgument("key '" + o.key + "' of the spine '" + spine.path + "' is " +
                                   spine.key_type.description + ", incompatible with " + list);
  }
  for (size_t i = 1; i < plan->tables.size(); i++) {
    SourceTable& t = plan->tables[i];
    FM_ASSIGN_OR_RETURN(t.join, ResolveJoinSpec(o, t.name, spine.key_type));
  }
  uint64_t input_bytes = 0;
  for (const SourceTable& t : plan->tables) input_bytes += t.info.size;
  plan->input_bytes = input_bytes;
  add_check("inputs readable", std::to_string(plan->tables.size()) + " Parquet files, " +
                                   FormatBytes(input_bytes) + ", key '" + o.key + "' " +
                                   spine.key_type.description);

  // Output columns: key, spine columns, then each table's non-key columns.
  std::map<std::string, std::vector<int>> owners;  // output name -> tables using it
  auto add_column = [&](int table, int source) {
    const SourceTable& t = plan->tables[static_cast<size_t>(table)];
    if (!(table == 0 && source == t.key_column) &&
        !ColumnSelected(o, t.name, t.schema.column(source).name)) {
      plan->selection.excluded_columns.push_back(t.name + "." + t.schema.column(source).name);
      return;
    }
    OutputColumn col;
    col.descr = t.schema.column(source);
    col.table = table;
    col.source_column = source;
    if (table != 0) col.descr.nullable = true;  // a left join gives NULL for missing keys
    col.descr.field_id.reset();
    owners[col.descr.name].push_back(table);
    plan->columns.push_back(std::move(col));
  };
  add_column(0, spine.key_column);
  for (int c = 0; c < spine.schema.num_columns(); c++) {
    if (c != spine.key_column) add_column(0, c);
  }
  spine.first_output_column = 0;
  spine.num_output_columns = static_cast<int>(plan->columns.size());
  for (size_t i = 1; i < plan->tables.size(); i++) {
    SourceTable& t = plan->tables[i];
    t.first_output_column = static_cast<int>(plan->columns.size());
    for (int c = 0; c < t.schema.num_columns(); c++) {
      if (c != t.key_column) add_column(static_cast<int>(i), c);
    }
    t.num_output_columns = static_cast<int>(plan->columns.size()) - t.first_output_column;
  }
  std::vector<std::string> clashes;
  for (const auto& [name, tables] : owners) {
    if (tables.size() < 2) continue;
    std::string who;
    for (size_t k = 0; k < tables.size(); k++) {
      who += (k ? ", " : "") + plan->tables[static_cast<size_t>(tables[k])].name;
    }
    clashes.push_back("'" + name + "' (" + who + ")");
  }
  if (!clashes.empty()) {
    if (o.on_name_clash == ClashPolicy::kError) {
      std::string list;
      for (size_t i = 0; i < clashes.size() && i < 50; i++) list += (i ? "; " : "") + clashes[i];
      if (clashes.size() > 50) list += "; ... (" + std::to_string(clashes.size() - 50) + " more)";
      return Status::InvalidArgument(std::to_string(clashes.size()) + " column name clash" +
                                     (clashes.size() > 1 ? "es" : "") + ": " + list +
                                     " (use --on-name-clash prefix to name them <table>__<column>)");
    }
    // Prefix every clashing column of a feature table with its table name.
    std::set<std::string> taken;
    for (const OutputColumn& c : plan->columns) taken.insert(c.descr.name);
    for (OutputColumn& c : plan->columns) {
      if (c.table == 0 || owners[c.descr.name].size() < 2) continue;
      std::string renamed = plan->tables[static_cast<size_t>(c.table)].name + "__" + c.descr.name;
      if (taken.count(renamed)) {
        return Status::InvalidArgument("column '" + c.descr.name + "' of table '" +
                                       plan->tables[static_cast<size_t>(c.table)].name +
                                       "' clashes, and its prefixed name '" + renamed +
                                       "' is taken too");
      }
      taken.insert(renamed);
      c.descr.name = renamed;
    }
    add_check("name clashes", std::to_string(clashes.size()) + " resolved by prefixing");
  } else {
    add_check("name clashes", "none");
  }
  std::vector<parquet::ColumnDescriptor> descrs;
  descrs.reserve(plan->columns.size());
  for (const OutputColumn& c : plan->columns) descrs.push_back(c.descr);
  plan->schema = parquet::Schema(std::move(descrs));

  // Sizes and resources. Output estimate: each table's data scaled to the spine's rows.
  uint64_t estimate = 0;
  for (size_t i = 0; i < plan->tables.size(); i++) {
    const SourceTable& t = plan->tables[i];
    const int64_t trows = std::max<int64_t>(1, t.num_rows);
    double scale = static_cast<double>(plan->rows) / static_cast<double>(trows);
    estimate += static_cast<uint64_t>(static_cast<double>(data_bytes[i]) * std::min(1.0, scale));
  }
  plan->estimated_output_bytes = estimate + 64 * plan->columns.size() + (1 << 20);
  // Decoded bytes per output row: of the whole row (row-group size) and of the widest column
  // (the working set of one column chunk). Fixed-width types by their width, byte arrays by
  // their average size in the source (plus the 4-byte length of PLAIN).
  uint64_t row_bytes = 0, widest_column = 1;
  for (const OutputColumn& c : plan->columns) {
    const SourceTable& t = plan->tables[static_cast<size_t>(c.table)];
    const int w = t.schema.column(c.source_column).width();
    uint64_t b = static_cast<uint64_t>(w);
    if (w <= 0) {
      const auto& sizes = column_bytes[static_cast<size_t>(c.table)];
      const uint64_t total = static_cast<size_t>(c.source_column) < sizes.size()
                                 ? sizes[static_cast<size_t>(c.source_column)] : 0;
      b = total / static_cast<uint64_t>(std::max<int64_t>(1, t.num_rows)) + 4;
    }
    row_bytes += b + 1;  // + the definition level
    widest_column = std::max(widest_column, b + 1);
  }
  plan->row_bytes = row_bytes;

  plan->threads = o.threads > 0 ? o.threads : io::CpuCount();
  // Per in-flight column chunk: source slice + gathered column + encoded bytes + page buffers,
  // about 4x the decoded size; the committer keeps up to 2 chunks per worker in flight.
  const uint64_t per_row = std::max<uint64_t>(16, widest_column) * 4;
  // The row-group size must not depend on the thread count (the output's bytes may not), so it
  // is sized for a fixed number of chunks in flight; the executor then keeps as many in flight
  // as the budget allows for the actual threads (max_in_flight below).
  constexpr uint64_t kPlannedInFlight = 6;
  const uint64_t in_flight = kPlannedInFlight;
  const uint64_t reserve = 64ull << 20;  // code, footers, alignment runs, I/O buffers
  uint64_t usable = o.memory_budget > reserve * 2 ? o.memory_budget - reserve : o.memory_budget / 2;
  int64_t rg_rows = o.row_group_rows;
  plan->row_group_limited_by_memory = false;
  if (rg_rows <= 0) {
    const int64_t by_size = static_cast<int64_t>(
        std::max<uint64_t>(1, o.row_group_bytes / std::max<uint64_t>(1, row_bytes)));
    const int64_t by_memory = static_cast<int64_t>(usable / in_flight / per_row);
    rg_rows = std::min(by_size, by_memory);
    plan->row_group_limited_by_memory = by_memory < by_size;
    rg_rows = std::clamp<int64_t>(rg_rows, 1024, 1 << 20);
    rg_rows = std::min<int64_t>(rg_rows, std::max<int64_t>(1, plan->rows));
    if (o.copy_chunks && o.from.empty() && o.to.empty()) {
      // Up to a quarter above the target. The bound does not depend on the budget, so neither
      // do the bytes; a lined-up size the budget cannot hold is not used (the budget limits).
      const int64_t upper =
          plan->row_group_limited_by_memory ? rg_rows : std::min<int64_t>(rg_rows + rg_rows / 4, 1 << 20);
      const int64_t lined = LineUpRowGroups(*plan, rg_rows, upper, &plan->row_groups_follow_sources);
      if (lined > by_memory) {
        plan->row_groups_follow_sources = false;
        plan->row_group_limited_by_memory = true;
      } else {
        rg_rows = lined;
      }
    }
  }
  plan->row_group_rows = std::max<int64_t>(1, rg_rows);
  const uint64_t chunk_bytes = per_row * static_cast<uint64_t>(plan->row_group_rows);
  // Chunks are handed from workers to the committer one by one: with small chunks (many
  // narrow tables, chunks copied as stored) a deep window keeps both sides busy instead of
  // waking each other per chunk. The budget still bounds it.
  constexpr uint64_t kMaxInFlight = 32;
  plan->max_in_flight = static_cast<int>(std::clamp<uint64_t>(usable / std::max<uint64_t>(1, chunk_bytes), 2,
                                                              kMaxInFlight));
  // The writer keeps each written chunk's metadata (about 200 bytes) until the footer.
  const uint64_t metadata = static_cast<uint64_t>(plan->num_row_groups()) * plan->columns.size() * 200;
  plan->estimated_peak_memory =
      reserve + static_cast<uint64_t>(plan->max_in_flight) * chunk_bytes + metadata;
  if (o.memory_budget < (48ull << 20)) {
    return Status::InvalidArgument("--memory-budget " + FormatBytes(o.memory_budget) +
                                   " is too small: featmerge needs at least 48 MiB");
  }

  // Output location: directory exists (created), writable, disk space.
  std::string out_dir = io::DirName(o.output);
  FM_RETURN_IF_ERROR(fs->CreateDirs(out_dir));
  if (o.check_disk) {
    FM_ASSIGN_OR_RETURN(uint64_t free_bytes, io::FreeDiskBytes(out_dir));
    uint64_t need = plan->estimated_output_bytes + plan->estimated_output_bytes / 10;
    if (free_bytes < need) {
      return Status::ResourceExhausted("not enough free disk at '" + out_dir + "': " +
                                       FormatBytes(free_bytes) + " free, the output needs about " +
                                       FormatBytes(need) + " (estimate + 10%)");
    }
    add_check("free disk", FormatBytes(free_bytes) + " free, about " + FormatBytes(need) + " needed");
  }
  if (o.check_memory) {
    auto avail = io::AvailableMemoryBytes();
    if (avail.ok() && *avail < o.memory_budget) {
      return Status::ResourceExhausted("available memory " + FormatBytes(*avail) +
                                       " is below --memory-budget " + FormatBytes(o.memory_budget) +
                                       "; lower the budget or free memory");
    }
    if (avail.ok()) add_check("memory", FormatBytes(*avail) + " available, budget " + FormatBytes(o.memory_budget));
  }
  add_check("plan", WithCommas(plan->rows) + " rows x " + WithCommas(static_cast<int64_t>(plan->columns.size())) +
                        " columns, row groups of " + WithCommas(plan->row_group_rows) + " rows");

  FinishSelection(plan.get());
  // Fingerprint: every input's identity, and every option that changes the output's bytes.
  Fnv64 fp;
  fp.Add("featmerge-plan-v1").Add(FEATMERGE_VERSION);
  for (const SourceTable& t : plan->tables) {
    fp.Add(t.name).AddInt(static_cast<int64_t>(t.info.size)).AddInt(t.info.mtime_ns).Add(t.footer_hash);
  }
  for (const OutputColumn& c : plan->columns) fp.Add(c.descr.name);
  fp.Add(o.key).AddInt(plan->row_group_rows).AddInt(static_cast<int>(o.compression))
      .AddInt(o.compression_level).AddInt(static_cast<int>(o.on_duplicate_key))
      .AddInt(o.write_crc).AddInt(o.page_index).AddInt(static_cast<int>(o.statistics))
      .AddInt(o.copy_chunks);
  AddSelectionFingerprint(*plan, &fp);
  plan->fingerprint = fp.hex();
  // Enough open readers for every worker's current table and the next one.
  plan->readers = std::make_unique<ReaderCache>(fs, static_cast<size_t>(plan->threads) * 2 + 2);
  return plan;
}

Status AlignTables(MergePlan* plan, SpillFile* spill) {
  SourceTable& spine = plan->tables[0];
  FM_ASSIGN_OR_RETURN(auto spine_reader, plan->readers->Get(spine));
  FM_ASSIGN_OR_RETURN(KeyColumn spine_keys, ReadSpineKeys(plan, *spine_reader));
  FM_ASSIGN_OR_RETURN(SpineIndex index, BuildSpineIndex(spine_keys, spine.key_type,
                                                        &plan->string_keys, spine.path));
  // The spine's key chunks as stored: a table whose key chunks are the same bytes (files
  // written by one pipeline over the same bars) has the spine's keys, without decoding them.
  std::vector<ByteBuffer> spine_key_chunks;
  if (!plan->range.active) {
    FM_ASSIGN_OR_RETURN(spine_key_chunks, ReadKeyChunks(*spine_reader, spine.key_column));
  }
  // Tables are aligned on every worker thread: each reads and aligns one table at a time
  // (its keys and row map are the only per-table memory). With --from/--to the key reads
  // update the plan's pruning counters, so they stay on one thread.
  const size_t n = plan->tables.size();
  std::vector<DuplicateReport> dups(n);
  auto align = [&](size_t i) -> Status {
    // Each table's keys are normalized with its own unit (ns, us, ms compare as instants).
    SourceTable& t = plan->tables[i];
    FM_ASSIGN_OR_RETURN(auto reader, plan->readers->Get(t));
    FM_ASSIGN_OR_RETURN(bool same,
                        SameKeyChunks(*spine_reader, spine, spine_key_chunks, *reader, t));
    if (same) {
      FM_ASSIGN_OR_RETURN(t.alignment,
                          AlignTable(spine_keys, index, spine_keys, t.join, spill, &dups[i]));
      return Status::OK();
    }
    FM_ASSIGN_OR_RETURN(KeyColumn keys, ReadTableKeys(plan, t, *reader));
    FM_ASSIGN_OR_RETURN(t.alignment, AlignTable(spine_keys, index, keys, t.join, spill, &dups[i]));
    return Status::OK();
  };
  // Per thread: a table's keys (8 bytes a row), its row order (4) and the spine's row map (8),
  // plus sort scratch: about 32 bytes a row of the larger of spine and table. A quarter of the
  // budget bounds the threads aligning at once.
  int64_t widest = plan->rows;
  for (const SourceTable& t : plan->tables) widest = std::max(widest, t.num_rows);
  const uint64_t per_thread = 32 * static_cast<uint64_t>(std::max<int64_t>(widest, 1));
  const int by_budget = static_cast<int>(
      std::clamp<uint64_t>(plan->options.memory_budget / 4 / per_thread, 1, 1024));
  const int threads = plan->range.active
                          ? 1
                          : std::max(1, std::min({plan->threads, static_cast<int>(n), by_budget}));
  // After a failure, tables past the first failed one are skipped; every table before it is
  // still aligned, so the error reported (the first table's) does not depend on timing.
  FM_RETURN_IF_ERROR(ForEachIndex(1, n, threads, align));
  std::vector<std::string> dup_tables;
  for (size_t i = 1; i < n; i++) {
    const SourceTable& t = plan->tables[i];
    if (dups[i].duplicated_keys > 0 && t.join.duplicates == DuplicatePolicy::kError) {
      dup_tables.push_back("'" + t.name + "' " + std::to_string(dups[i].duplicated_keys) +
                           " duplicated key" + (dups[i].duplicated_keys > 1 ? "s" : "") +
                           " (first: " + KeyText(spine.key_type, dups[i].first_key, &plan->string_keys) + ")");
    }
  }
  if (!dup_tables.empty()) {
    std::string list;
    for (size_t i = 0; i < dup_tables.size() && i < 20; i++) list += (i ? "; " : "") + dup_tables[i];
    if (dup_tables.size() > 20) list += "; ... (" + std::to_string(dup_tables.size() - 20) + " more tables)";
    return Status::InvalidArgument(std::to_string(dup_tables.size()) + " table" +
                                   (dup_tables.size() > 1 ? "s have" : " has") +
                                   " duplicate keys that would multiply spine rows: " + list +
                                   " (use --on-duplicate-key first|last to pick one row per key)");
  }
  return Status::OK();
}

}  // namespace featmerge::merge

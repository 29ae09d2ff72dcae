#include "pipeline/validate.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <set>
#include <type_traits>

#include "merge/manifest.h"
#include "merge/merge.h"
#include "merge/plan.h"
#include "parquet/column_reader.h"
#include "parquet/column_writer.h"
#include "parquet/file_reader.h"
#include "parquet/value_text.h"

namespace featmerge::pipeline {
namespace {

using parquet::ColumnData;
using parquet::ColumnDescriptor;
using parquet::Type;

constexpr const char* kDefaultKey = "interval_time";
constexpr const char* kDefaultSpine = "targets.parquet";
// Spine rows whose alignment is fetched at once when looking up the sample's source rows: a
// dense (spilled) alignment costs 8 bytes per row of the window.
constexpr int64_t kAlignmentWindowRows = 1 << 16;
// Column names listed in one problem message before "... (N more)".
constexpr size_t kNamesPerMessage = 20;

// The options of the merge that produced the file, for the key checks and the --against plan:
// --key/--spine first, then the manifest the merge wrote beside it (key, spine, policies, table
// and column selection, join rules, --from/--to), then the merge's defaults.
struct Settings {
  std::string key = kDefaultKey;
  std::string key_source = "default";
  std::string spine = kDefaultSpine;
  merge::MergeOptions merge;  // the output-affecting options; key and spine as above
};

void AddProblem(CheckReport* report, std::string message) {
  report->problem_count++;
  if (report->problems.size() < kMaxProblemsListed) report->problems.push_back(std::move(message));
}

std::string NameList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kNamesPerMessage; i++) {
    out += (i ? ", '" : "'") + names[i] + "'";
  }
  if (names.size() > kNamesPerMessage) {
    out += ", ... (" + std::to_string(names.size() - kNamesPerMessage) + " more)";
  }
  return out;
}

Settings ResolveSettings(const CheckOptions& o, io::FileSystem* fs, CheckReport* report) {
  Settings s;
  s.merge.key.clear();  // empty after reading: the manifest has none
  s.merge.spine.clear();
  const std::string manifest_path = merge::ManifestPath(o.file);
  if (fs->Exists(manifest_path)) {
    auto text = io::ReadWholeFile(fs, manifest_path, 256ull << 20);
    Status read =
        text.ok() ? merge::ReadManifestOptions(*text, manifest_path, &s.merge) : text.status();
    if (!read.ok()) {
      s.merge = merge::MergeOptions();
      s.merge.key.clear();
      s.merge.spine.clear();
      report->warnings.push_back("manifest '" + manifest_path + "' is unreadable (" +
                                 read.ToString() +
                                 "); using the default key, spine and merge options");
    } else {
      if (!s.merge.key.empty()) {
        s.key = s.merge.key;
        s.key_source = "manifest";
      }
      if (!s.merge.spine.empty()) s.spine = s.merge.spine;
    }
  }
  if (!o.key.empty()) {
    s.key = o.key;
    s.key_source = "option";
  }
  if (!o.spine.empty()) s.spine = o.spine;
  s.merge.key = s.key;
  s.merge.spine = s.spine;
  return s;
}

// N distinct rows of [0, rows) drawn with Floyd's algorithm from a Mersenne Twister (its output
// is fully specified by the standard, so the sample is the same on every platform), plus the
// first and the last row; sorted.
std::vector<int64_t> SampleRows(int64_t rows, int64_t n, uint64_t seed) {
  std::vector<int64_t> out;
  if (rows <= 0) return out;
  if (n >= rows - 2) {
    out.resize(static_cast<size_t>(rows));
    std::iota(out.begin(), out.end(), int64_t{0});
    return out;
  }
  std::mt19937_64 rng(seed);
  std::set<int64_t> chosen{0, rows - 1};
  std::set<int64_t> drawn;
  for (int64_t j = rows - n; j < rows; j++) {
    const int64_t t = static_cast<int64_t>(rng() % static_cast<uint64_t>(j + 1));
    drawn.insert(drawn.insert(t).second ? t : j);
  }
  chosen.insert(drawn.begin(), drawn.end());
  return std::vector<int64_t>(chosen.begin(), chosen.end());
}

ByteView ValueAt(const ColumnData& data, int64_t row) {
  return data.is_binary() ? data.binary_value(row)
                          : ByteView(data.fixed_value(row), static_cast<size_t>(data.width()));
}

bool SameCell(const ColumnData& a, int64_t row_a, const ColumnData& b, int64_t row_b) {
  if (a.IsValid(row_a) != b.IsValid(row_b)) return false;
  if (!a.IsValid(row_a)) return true;
  ByteView x = ValueAt(a, row_a), y = ValueAt(b, row_b);
  return x.size() == y.size() && (x.empty() || std::memcmp(x.data(), y.data(), x.size()) == 0);
}

std::string JsonText(const ColumnDescriptor& descr, const ColumnData& data, int64_t row) {
  std::string out;
  parquet::AppendJsonValue(descr, parquet::ValueKindOf(descr), data, row, &out);
  return out;
}

std::string JsonTextOf(const ColumnDescriptor& descr, ByteView value) {
  ColumnData one(descr.type, descr.type_length);
  one.AppendValue(value);
  return JsonText(descr, one, 0);
}

std::string TypeText(const ColumnDescriptor& descr) {
  std::string text = parquet::TypeName(descr.type);
  if (descr.type == Type::kFixedLenByteArray) text += "(" + std::to_string(descr.type_length) + ")";
  const std::string logical = descr.LogicalTypeString();
  return logical.empty() ? text : text + " " + logical;
}

// Min and max of the non-null, non-NaN values of a fixed-width numeric chunk, as plain bytes.
template <typename T>
bool TypedMinMax(const ColumnData& data, std::string* lo, std::string* hi) {
  bool any = false;
  T min{}, max{};
  for (int64_t row = 0; row < data.num_rows(); row++) {
    if (!data.IsValid(row)) continue;
    const T v = data.value<T>(row);
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) continue;
    }
    if (!any) {
      min = max = v;
      any = true;
    } else {
      min = v < min ? v : min;
      max = v > max ? v : max;
    }
  }
  if (any) {
    lo->assign(reinterpret_cast<const char*>(&min), sizeof(T));
    hi->assign(reinterpret_cast<const char*>(&max), sizeof(T));
  }
  return any;
}

bool ChunkMinMax(const ColumnDescriptor& descr, const ColumnData& data, std::string* lo,
                 std::string* hi) {
  const bool is_unsigned = descr.IsUnsignedInteger();
  switch (descr.type) {
    case Type::kInt32:
      return is_unsigned ? TypedMinMax<uint32_t>(data, lo, hi) : TypedMinMax<int32_t>(data, lo, hi);
    case Type::kInt64:
      return is_unsigned ? TypedMinMax<uint64_t>(data, lo, hi) : TypedMinMax<int64_t>(data, lo, hi);
    case Type::kFloat:
      return TypedMinMax<float>(data, lo, hi);
    case Type::kDouble:
      return TypedMinMax<double>(data, lo, hi);
    default:
      break;
  }
  bool any = false;
  for (int64_t row = 0; row < data.num_rows(); row++) {
    if (!data.IsValid(row)) continue;
    ByteView v = ValueAt(data, row);
    if (!any) {
      lo->assign(AsStringView(v));
      hi->assign(AsStringView(v));
      any = true;
    } else if (parquet::CompareValues(descr, v, AsBytes(*lo)) < 0) {
      lo->assign(AsStringView(v));
    } else if (parquet::CompareValues(descr, v, AsBytes(*hi)) > 0) {
      hi->assign(AsStringView(v));
    }
  }
  return any;
}

// What is known of one column while its chunks are scanned in row-group order.
struct ColumnScan {
  int64_t rows = 0;  // rows decoded
  int64_t nulls = 0;
  bool complete = true;
  bool constant = true;
  bool have_value = false;
  std::string first_value;
};

// Expected values from the inputs: the merge plan of the input directory with its alignments.
struct Against {
  std::unique_ptr<merge::MergePlan> plan;
  std::unique_ptr<merge::SpillFile> spill;
  std::vector<int> plan_column;     // per file column: its plan column, or -1 (not compared)
  std::vector<int64_t> samples;     // rows of the file, sorted
  int cached_table = -1;            // source rows of the samples for this table...
  std::vector<int64_t> cached_src;  // ...one per sample, -1 = no match (NULL expected)
};

class FileChecker {
 public:
  FileChecker(const CheckOptions& options, io::FileSystem* fs, CheckReport* report)
      : options_(options), fs_(fs), report_(report) {}

  void Run(const Settings& settings);

 private:
  void SetupAgainst(const Settings& settings);
  void ScanColumn(int column);
  void CheckStatistics(int row_group, int column, const ColumnData& data);
  void ScanKeyChunk(int64_t first_row, const ColumnData& data);
  void RecountKeyDuplicates();
  Status SourceRowsOf(int table);
  Status ExpectedValues(int plan_column, ColumnData* expected);
  void CompareSamples(int column, const ColumnData& actual, const std::vector<uint8_t>& have);

  const CheckOptions& options_;
  io::FileSystem* fs_;
  CheckReport* report_;
  std::unique_ptr<parquet::ParquetFileReader> reader_;
  int key_column_ = -1;
  bool have_prev_key_ = false;  // the last non-null key seen, across row groups
  std::string prev_key_;
  std::unique_ptr<Against> against_;
  ColumnData chunk_;
};

void FileChecker::Run(const Settings& settings) {
  auto opened = parquet::ParquetFileReader::Open(fs_, options_.file);
  if (!opened.ok()) {
    AddProblem(report_, "cannot read the file: " + opened.status().ToString());
    return;
  }
  reader_ = std::move(opened).value();
  const parquet::Schema& schema = reader_->schema();
  report_->rows = reader_->num_rows();
  report_->columns = schema.num_columns();
  report_->row_groups = reader_->num_row_groups();
  report_->bytes = reader_->file_size();
  report_->footer_bytes = reader_->footer_size();

  key_column_ = schema.FindColumn(settings.key);
  report_->key.present = key_column_ >= 0;
  if (key_column_ < 0) {
    std::string msg = "the file has no key column '" + settings.key + "'";
    if (settings.key_source == "default") {
      report_->warnings.push_back(msg + "; key checks skipped (use --key)");
    } else {
      AddProblem(report_, msg + " (key from the " + settings.key_source + ")");
    }
  }
  if (!options_.against_dir.empty()) SetupAgainst(settings);

  // Column by column, each chunk decoded in full and dropped before the next: memory stays
  // at one column chunk (plus the sample), whatever the file's width or length.
  for (int column = 0; column < schema.num_columns(); column++) ScanColumn(column);

  if (report_->key.present && !report_->key.sorted) RecountKeyDuplicates();
  if (report_->key.present) {
    const std::string key = "key '" + settings.key + "'";
    if (!report_->key.sorted) {
      report_->warnings.push_back(key + " is not sorted: row " +
                                  std::to_string(report_->key.first_unsorted_row) +
                                  " is below the row before it");
    }
    if (!report_->key.unique) {
      AddProblem(report_, key + " is not unique: " + std::to_string(report_->key.duplicate_rows) +
                              " row" + (report_->key.duplicate_rows > 1 ? "s repeat" : " repeats") +
                              " an earlier row's key (smallest: " + report_->key.first_duplicate +
                              ")");
    }
    if (report_->key.null_count > 0) {
      report_->warnings.push_back(key + " is NULL in " + std::to_string(report_->key.null_count) +
                                  " row" + (report_->key.null_count > 1 ? "s" : ""));
    }
  }
}

void FileChecker::SetupAgainst(const Settings& settings) {
  AgainstCheck& a = report_->against;
  a.file_rows = reader_->num_rows();
  // The merge's own options (from the manifest), so that as-of joins, table and column
  // selection and --from/--to give the plan the file was made with.
  merge::MergeOptions mo = settings.merge;
  mo.input_dir = options_.against_dir;
  mo.check_disk = false;
  mo.check_memory = false;
  // Never written: BuildPlan only creates its directory, which is the checked file's own. The
  // alignment spill of unsorted tables lives beside it, as in a merge, and is removed after.
  static std::atomic<int> counter{0};
  mo.output =
      io::JoinPath(io::DirName(options_.file), ".featmerge-check-" + std::to_string(getpid()) +
                                                   "-" + std::to_string(counter++) + ".parquet");
  const std::string prefix = "--against '" + options_.against_dir + "': ";
  auto plan = merge::BuildPlan(mo, fs_);
  if (!plan.ok()) {
    AddProblem(report_,
               prefix + "cannot plan the merge to compare with: " + plan.status().ToString());
    return;
  }
  auto against = std::make_unique<Against>();
  against->plan = std::move(plan).value();
  against->spill = std::make_unique<merge::SpillFile>(fs_, mo.output + ".align.tmp");
  Status aligned = merge::AlignTables(against->plan.get(), against->spill.get());
  if (!aligned.ok()) {
    AddProblem(report_, prefix + "cannot align the inputs' keys: " + aligned.ToString());
    return;
  }
  const merge::MergePlan& plan_ref = *against->plan;
  a.spine_rows = plan_ref.rows;
  if (a.spine_rows != a.file_rows) {
    AddProblem(report_, "the file has " + std::to_string(a.file_rows) + " rows, the spine '" +
                            plan_ref.tables[0].path + "' has " + std::to_string(a.spine_rows));
  }

  // Columns are matched by name; the merge's output has each name once.
  const parquet::Schema& schema = reader_->schema();
  std::map<std::string, int> plan_index;
  for (size_t i = 0; i < plan_ref.columns.size(); i++) {
    plan_index.emplace(plan_ref.columns[i].descr.name, static_cast<int>(i));
  }
  against->plan_column.assign(static_cast<size_t>(schema.num_columns()), -1);
  std::vector<int> common_order;
  for (int c = 0; c < schema.num_columns(); c++) {
    const ColumnDescriptor& descr = schema.column(c);
    auto it = plan_index.find(descr.name);
    if (it == plan_index.end()) {
      a.extra_columns.push_back(descr.name);
      continue;
    }
    common_order.push_back(it->second);
    const ColumnDescriptor& want = plan_ref.columns[static_cast<size_t>(it->second)].descr;
    if (want.type != descr.type || want.type_length != descr.type_length ||
        want.LogicalTypeString() != descr.LogicalTypeString()) {
      AddProblem(report_, "column '" + descr.name + "' is " + TypeText(descr) +
                              ", the inputs give " + TypeText(want));
      continue;
    }
    against->plan_column[static_cast<size_t>(c)] = it->second;
  }
  for (const merge::OutputColumn& oc : plan_ref.columns) {
    if (schema.FindColumn(oc.descr.name) < 0) a.missing_columns.push_back(oc.descr.name);
  }
  a.column_order_matches = std::is_sorted(common_order.begin(), common_order.end());
  if (!a.missing_columns.empty()) {
    AddProblem(report_, std::to_string(a.missing_columns.size()) +
                            " column(s) of the inputs are missing from the file: " +
                            NameList(a.missing_columns));
  }
  if (!a.extra_columns.empty()) {
    AddProblem(report_,
               std::to_string(a.extra_columns.size()) +
                   " column(s) of the file are not in the inputs: " + NameList(a.extra_columns));
  }
  if (!a.column_order_matches) {
    report_->warnings.push_back("the columns are not in the order the merge writes them");
  }
  against->samples =
      SampleRows(std::min(a.file_rows, a.spine_rows), options_.sample, options_.seed);
  a.rows_sampled = static_cast<int64_t>(against->samples.size());
  against_ = std::move(against);
}

void FileChecker::ScanColumn(int column) {
  const ColumnDescriptor& descr = reader_->schema().column(column);
  ColumnScan scan;
  const bool compare =
      against_ != nullptr && against_->plan_column[static_cast<size_t>(column)] >= 0;
  const std::vector<int64_t>* samples = compare ? &against_->samples : nullptr;
  ColumnData actual(descr.type, descr.type_length);
  std::vector<uint8_t> have;  // per sample: its value was decoded
  size_t next_sample = 0;

  for (int rg = 0; rg < reader_->num_row_groups(); rg++) {
    const int64_t first_row = reader_->row_group_first_row(rg);
    const int64_t end_row = first_row + reader_->row_group(rg).num_rows;
    parquet::ColumnChunkReader chunk_reader(reader_.get(), rg, column);
    chunk_.Reset(descr.type, descr.type_length);
    Status s = chunk_reader.ReadAll(&chunk_);
    report_->pages_read += chunk_reader.stats().pages_read;
    const bool ok = s.ok() && chunk_.num_rows() == end_row - first_row;
    if (!ok) {
      AddProblem(report_, s.ok() ? "'" + options_.file + "', " + reader_->Where(rg, column) +
                                       ": decoded " + std::to_string(chunk_.num_rows()) +
                                       " rows, the row group has " +
                                       std::to_string(end_row - first_row)
                                 : s.ToString());
      scan.complete = false;
      if (column == key_column_) have_prev_key_ = false;  // order unknown across the gap
    } else {
      scan.rows += chunk_.num_rows();
      scan.nulls += chunk_.null_count();
      for (int64_t row = 0; scan.constant && row < chunk_.num_rows(); row++) {
        if (!chunk_.IsValid(row)) continue;
        ByteView v = ValueAt(chunk_, row);
        if (!scan.have_value) {
          scan.first_value.assign(AsStringView(v));
          scan.have_value = true;
        } else if (AsStringView(v) != scan.first_value) {
          scan.constant = false;
        }
      }
      CheckStatistics(rg, column, chunk_);
      if (column == key_column_) ScanKeyChunk(first_row, chunk_);
    }
    if (samples != nullptr) {
      for (; next_sample < samples->size() && (*samples)[next_sample] < end_row; next_sample++) {
        if (ok) {
          actual.AppendFrom(chunk_, (*samples)[next_sample] - first_row);
        } else {
          actual.AppendNull();
        }
        have.push_back(ok ? 1 : 0);
      }
    }
  }

  ColumnCheck check;
  check.name = descr.name;
  check.type = TypeText(descr);
  check.null_count = scan.nulls;
  check.null_rate =
      scan.rows > 0 ? static_cast<double>(scan.nulls) / static_cast<double>(scan.rows) : 0;
  check.complete = scan.complete;
  check.all_null = scan.complete && scan.rows > 0 && scan.nulls == scan.rows;
  check.constant = scan.complete && scan.have_value && scan.constant;
  if (check.all_null) report_->all_null_columns.push_back(descr.name);
  if (check.constant) report_->constant_columns.push_back(descr.name);
  report_->column_checks.push_back(std::move(check));

  if (samples != nullptr) {
    have.resize(samples->size(), 0);  // rows past the file's end (a short footer) stay unknown
    while (actual.num_rows() < static_cast<int64_t>(samples->size())) actual.AppendNull();
    CompareSamples(column, actual, have);
  }
}

// The footer's chunk statistics must describe the decoded values: the null count exactly, and
// min/max must enclose them (writers may widen the bounds, e.g. by truncating strings).
void FileChecker::CheckStatistics(int row_group, int column, const ColumnData& data) {
  const parquet::ColumnMetaData& md = reader_->column_meta(row_group, column);
  if (!md.statistics) return;
  const parquet::Statistics& st = *md.statistics;
  const ColumnDescriptor& descr = reader_->schema().column(column);
  const std::string where = "'" + options_.file + "', " + reader_->Where(row_group, column);
  if (st.null_count && *st.null_count != data.null_count()) {
    AddProblem(report_, where + ": the footer's statistics count " +
                            std::to_string(*st.null_count) + " nulls, the pages hold " +
                            std::to_string(data.null_count()));
  }
  if (!parquet::SupportsMinMax(descr) || !st.min_value || !st.max_value) return;
  const size_t width = static_cast<size_t>(descr.width());
  if (width > 0 && (st.min_value->size() != width || st.max_value->size() != width)) {
    AddProblem(report_, where + ": statistics min/max of " + std::to_string(st.min_value->size()) +
                            "/" + std::to_string(st.max_value->size()) + " bytes for values of " +
                            std::to_string(width));
    return;
  }
  std::string lo, hi;
  if (!ChunkMinMax(descr, data, &lo, &hi)) return;
  if (parquet::CompareValues(descr, AsBytes(lo), AsBytes(*st.min_value)) < 0 ||
      parquet::CompareValues(descr, AsBytes(hi), AsBytes(*st.max_value)) > 0) {
    AddProblem(report_, where + ": values range over [" + JsonTextOf(descr, AsBytes(lo)) + ", " +
                            JsonTextOf(descr, AsBytes(hi)) + "] outside the statistics' [" +
                            JsonTextOf(descr, AsBytes(*st.min_value)) + ", " +
                            JsonTextOf(descr, AsBytes(*st.max_value)) + "]");
  }
}

void FileChecker::ScanKeyChunk(int64_t first_row, const ColumnData& data) {
  const ColumnDescriptor& descr = reader_->schema().column(key_column_);
  KeyCheck& key = report_->key;
  for (int64_t row = 0; row < data.num_rows(); row++) {
    if (!data.IsValid(row)) {
      key.null_count++;
      continue;
    }
    ByteView v = ValueAt(data, row);
    if (have_prev_key_) {
      const int cmp = parquet::CompareValues(descr, v, AsBytes(prev_key_));
      if (cmp < 0 && key.sorted) {
        key.sorted = false;
        key.first_unsorted_row = first_row + row;
      } else if (cmp == 0 && key.sorted) {
        // While sorted, equal neighbours are exactly the duplicates (else recounted after).
        if (key.unique) key.first_duplicate = JsonTextOf(descr, v);
        key.unique = false;
        key.duplicate_rows++;
      }
    }
    prev_key_.assign(AsStringView(v));
    have_prev_key_ = true;
  }
}

// An unsorted key: sort the keys (one column's values, as the merge's alignment holds them)
// and count equal neighbours.
void FileChecker::RecountKeyDuplicates() {
  const ColumnDescriptor& descr = reader_->schema().column(key_column_);
  parquet::ByteArrayVector keys;
  for (int rg = 0; rg < reader_->num_row_groups(); rg++) {
    parquet::ColumnChunkReader chunk_reader(reader_.get(), rg, key_column_);
    chunk_.Reset(descr.type, descr.type_length);
    if (!chunk_reader.ReadAll(&chunk_).ok()) continue;  // already a problem
    for (int64_t row = 0; row < chunk_.num_rows(); row++) {
      if (!chunk_.IsValid(row)) continue;
      ByteView v = ValueAt(chunk_, row);
      if (keys.data_size() + v.size() > parquet::ByteArrayVector::kMaxDataBytes) {
        report_->warnings.push_back("the key column is too large to count its duplicates");
        return;
      }
      keys.Append(v);
    }
  }
  chunk_.Reset(descr.type, descr.type_length);
  std::vector<uint32_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return parquet::CompareValues(descr, keys[a], keys[b]) < 0;
  });
  KeyCheck& key = report_->key;
  key.unique = true;
  key.duplicate_rows = 0;
  key.first_duplicate.clear();
  for (size_t i = 1; i < order.size(); i++) {
    if (parquet::CompareValues(descr, keys[order[i - 1]], keys[order[i]]) != 0) continue;
    if (key.unique) key.first_duplicate = JsonTextOf(descr, keys[order[i]]);
    key.unique = false;
    key.duplicate_rows++;
  }
}

// For each sample, the row of `table` that the merge puts there (-1: none, NULL expected).
Status FileChecker::SourceRowsOf(int table) {
  Against& a = *against_;
  if (a.cached_table == table) return Status::OK();
  a.cached_table = -1;
  a.cached_src.assign(a.samples.size(), -1);
  if (table == 0 && !a.plan->range.active) {  // the spine: the file's rows are the spine's rows
    std::copy(a.samples.begin(), a.samples.end(), a.cached_src.begin());
    a.cached_table = table;
    return Status::OK();
  }
  const merge::Alignment& alignment = a.plan->tables[static_cast<size_t>(table)].alignment;
  std::vector<merge::MatchRun> runs;
  for (size_t i = 0; i < a.samples.size();) {
    const int64_t begin = a.samples[i];
    const int64_t end = std::min(a.plan->rows, begin + kAlignmentWindowRows);
    FM_RETURN_IF_ERROR(alignment.RunsFor(begin, end, a.spill.get(), &runs));
    size_t run = 0;
    for (; i < a.samples.size() && a.samples[i] < end; i++) {
      const int64_t offset = a.samples[i] - begin;
      while (run < runs.size() && runs[run].spine_begin + runs[run].length <= offset) run++;
      if (run < runs.size() && runs[run].spine_begin <= offset) {
        a.cached_src[i] = runs[run].src_begin + (offset - runs[run].spine_begin);
      }
    }
  }
  a.cached_table = table;
  return Status::OK();
}

// The row group holding file row `row` (the last one starting at or before it).
// REQUIRES: the file has a row group.
int RowGroupOf(const parquet::ParquetFileReader& file, int64_t row) {
  int lo = 0, hi = file.num_row_groups() - 1;
  while (lo < hi) {
    const int mid = lo + (hi - lo + 1) / 2;
    if (file.row_group_first_row(mid) <= row) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

// Appends rows `rows` (sorted, distinct, within the row group) of one chunk to *out, decoding
// only the pages that hold them: rows are grouped by page with the offset index when the file
// has one (so no page is decoded twice), else read as one range.
Status ReadSparseRows(const parquet::ParquetFileReader& file, int row_group, int column,
                      const std::vector<int64_t>& rows, ColumnData* out) {
  const ColumnDescriptor& descr = file.schema().column(column);
  parquet::ColumnChunkReader reader(&file, row_group, column);
  std::vector<int64_t> page_starts;
  auto index = file.ReadOffsetIndex(row_group, column);
  if (index.ok() && index->has_value()) {
    for (const parquet::PageLocation& loc : (*index)->page_locations) {
      page_starts.push_back(loc.first_row_index);
    }
    if (!std::is_sorted(page_starts.begin(), page_starts.end())) page_starts.clear();
  }
  ColumnData span(descr.type, descr.type_length);
  for (size_t i = 0; i < rows.size();) {
    size_t j = rows.size();
    if (!page_starts.empty()) {
      auto next = std::upper_bound(page_starts.begin(), page_starts.end(), rows[i]);
      const int64_t page_end = next == page_starts.end() ? INT64_MAX : *next;
      j = i + 1;
      while (j < rows.size() && rows[j] < page_end) j++;
    }
    span.Reset(descr.type, descr.type_length);
    FM_RETURN_IF_ERROR(reader.ReadRows(rows[i], rows[j - 1] + 1, &span));
    if (span.num_rows() != rows[j - 1] + 1 - rows[i]) {
      return Status::Corruption("'" + file.path() + "', " + file.Where(row_group, column) +
                                ": rows " + std::to_string(rows[i]) + " to " +
                                std::to_string(rows[j - 1]) + " could not be read");
    }
    for (size_t k = i; k < j; k++) out->AppendFrom(span, rows[k] - rows[i]);
    i = j;
  }
  return Status::OK();
}

// The values the merge writes at the sampled rows for one of its output columns.
Status FileChecker::ExpectedValues(int plan_column, ColumnData* expected) {
  Against& a = *against_;
  const merge::OutputColumn& oc = a.plan->columns[static_cast<size_t>(plan_column)];
  const merge::SourceTable& table = a.plan->tables[static_cast<size_t>(oc.table)];
  FM_ASSIGN_OR_RETURN(auto src_reader, a.plan->readers->Get(table));
  const parquet::ParquetFileReader& src = *src_reader;
  FM_RETURN_IF_ERROR(SourceRowsOf(oc.table));
  // Distinct source rows in file order, read row group by row group.
  std::vector<int64_t> wanted;
  for (int64_t row : a.cached_src) {
    if (row >= 0) wanted.push_back(row);
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  const ColumnDescriptor& descr = src.schema().column(oc.source_column);
  ColumnData values(descr.type, descr.type_length);  // values[i] is row wanted[i]
  std::vector<int64_t> local;
  if (!wanted.empty() && src.num_row_groups() == 0) {
    return Status::Corruption("'" + src.path() + "' has no row groups");
  }
  for (size_t i = 0; i < wanted.size();) {
    const int rg = RowGroupOf(src, wanted[i]);
    const int64_t first = src.row_group_first_row(rg);
    const int64_t end = first + src.row_group(rg).num_rows;
    if (wanted[i] >= end) {
      return Status::Corruption("'" + src.path() + "' has no row " + std::to_string(wanted[i]));
    }
    local.clear();
    for (; i < wanted.size() && wanted[i] < end; i++) local.push_back(wanted[i] - first);
    FM_RETURN_IF_ERROR(ReadSparseRows(src, rg, oc.source_column, local, &values));
  }
  expected->Reset(descr.type, descr.type_length);
  for (int64_t row : a.cached_src) {
    if (row < 0) {
      expected->AppendNull();
    } else {
      auto it = std::lower_bound(wanted.begin(), wanted.end(), row);
      expected->AppendFrom(values, it - wanted.begin());
    }
  }
  return Status::OK();
}

void FileChecker::CompareSamples(int column, const ColumnData& actual,
                                 const std::vector<uint8_t>& have) {
  const ColumnDescriptor& descr = reader_->schema().column(column);
  const int plan_column = against_->plan_column[static_cast<size_t>(column)];
  ColumnData expected;
  Status s = ExpectedValues(plan_column, &expected);
  if (!s.ok()) {
    AddProblem(report_, "--against '" + options_.against_dir +
                            "': cannot read the inputs' values of column '" + descr.name +
                            "': " + s.ToString());
    return;
  }
  AgainstCheck& a = report_->against;
  const std::vector<int64_t>& samples = against_->samples;
  for (size_t i = 0; i < samples.size(); i++) {
    if (!have[i]) continue;
    const int64_t k = static_cast<int64_t>(i);
    a.cells_compared++;
    if (SameCell(actual, k, expected, k)) continue;
    a.mismatch_count++;
    if (a.mismatches.size() < kMaxMismatchesListed) {
      a.mismatches.push_back(
          {samples[i], descr.name, JsonText(descr, expected, k), JsonText(descr, actual, k)});
    }
  }
}

}  // namespace

Result<CheckReport> CheckFile(const CheckOptions& options, io::FileSystem* fs) {
  if (options.file.empty()) return Status::InvalidArgument("no file to check");
  if (options.sample < 0) {
    return Status::InvalidArgument("--sample must be 0 or more, not " +
                                   std::to_string(options.sample));
  }
  FM_ASSIGN_OR_RETURN(io::FileInfo info, fs->Stat(options.file));
  if (info.is_directory) return Status::InvalidArgument("'" + options.file + "' is a directory");
  if (!options.against_dir.empty()) {
    auto dir = fs->Stat(options.against_dir);
    if (!dir.ok() || !dir->is_directory) {
      return Status::NotFound("--against directory '" + options.against_dir + "' does not exist" +
                              (dir.ok() ? " (it is a file)" : ""));
    }
  }
  CheckReport report;
  report.file = options.file;
  report.bytes = info.size;
  const Settings settings = ResolveSettings(options, fs, &report);
  report.key.name = settings.key;
  report.key.source = settings.key_source;
  report.has_against = !options.against_dir.empty();
  report.against.dir = options.against_dir;
  report.against.spine = settings.spine;
  FileChecker checker(options, fs, &report);
  checker.Run(settings);
  double sum = 0;
  for (const ColumnCheck& c : report.column_checks) {
    sum += c.null_rate;
    if (report.null_rate_max_column.empty() || c.null_rate > report.null_rate_max) {
      report.null_rate_max = c.null_rate;
      report.null_rate_max_column = c.name;
    }
  }
  if (!report.column_checks.empty()) {
    report.null_rate_mean = sum / static_cast<double>(report.column_checks.size());
  }
  report.valid = report.problem_count == 0 && report.against.mismatch_count == 0;
  return report;
}

std::string CheckReportJson(const CheckReport& r) {
  using nlohmann::json;
  json j;
  j["file"] = r.file;
  j["valid"] = r.valid;
  j["problems"] = r.problems;
  j["problem_count"] = r.problem_count;
  j["warnings"] = r.warnings;
  j["rows"] = r.rows;
  j["columns"] = r.columns;
  j["row_groups"] = r.row_groups;
  j["bytes"] = r.bytes;
  j["footer_bytes"] = r.footer_bytes;
  j["pages_read"] = r.pages_read;
  j["key"] = {{"name", r.key.name},
              {"source", r.key.source},
              {"present", r.key.present},
              {"sorted", r.key.sorted},
              {"unique", r.key.unique},
              {"null_count", r.key.null_count},
              {"first_unsorted_row", r.key.first_unsorted_row},
              {"duplicate_rows", r.key.duplicate_rows},
              {"first_duplicate", r.key.first_duplicate}};
  json columns = json::array();
  for (const ColumnCheck& c : r.column_checks) {
    columns.push_back({{"name", c.name},
                       {"type", c.type},
                       {"null_count", c.null_count},
                       {"null_rate", c.null_rate},
                       {"all_null", c.all_null},
                       {"constant", c.constant},
                       {"complete", c.complete}});
  }
  j["null_rate"] = {
      {"mean", r.null_rate_mean}, {"max", r.null_rate_max}, {"max_column", r.null_rate_max_column}};
  j["all_null_columns"] = r.all_null_columns;
  j["constant_columns"] = r.constant_columns;
  j["column_checks"] = columns;
  if (r.has_against) {
    const AgainstCheck& a = r.against;
    json mismatches = json::array();
    for (const CellMismatch& m : a.mismatches) {
      mismatches.push_back(
          {{"row", m.row}, {"column", m.column}, {"expected", m.expected}, {"got", m.got}});
    }
    j["against"] = {{"dir", a.dir},
                    {"spine", a.spine},
                    {"spine_rows", a.spine_rows},
                    {"file_rows", a.file_rows},
                    {"missing_columns", a.missing_columns},
                    {"extra_columns", a.extra_columns},
                    {"column_order_matches", a.column_order_matches},
                    {"rows_sampled", a.rows_sampled},
                    {"cells_compared", a.cells_compared},
                    {"mismatch_count", a.mismatch_count},
                    {"mismatches", mismatches}};
  }
  // Names and messages come from files: invalid UTF-8 is replaced rather than thrown on.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace featmerge::pipeline

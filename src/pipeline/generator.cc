#include "pipeline/generator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "io/file.h"
#include "parquet/column_data.h"
#include "parquet/column_writer.h"
#include "parquet/file_writer.h"
#include "parquet/schema.h"
#include "pipeline/generator_data.h"

namespace featmerge::pipeline {
namespace {

using parquet::ColumnData;
using parquet::ColumnDescriptor;
using parquet::Schema;
using parquet::TimeUnit;
using parquet::Type;
using Clock = std::chrono::steady_clock;

constexpr int64_t kEpoch2024 = 1704067200;  // 2024-01-01T00:00:00Z in seconds
constexpr uint64_t kMaxStartOffsetMinutes = 30 * 24 * 60;
constexpr const char* kKeyName = "interval_time";
constexpr const char* kTargetsName = "targets";
constexpr const char* kMarkerName = "_COMPLETE";
constexpr const char* kTempSuffix = ".tmp";

ColumnDescriptor KeyColumn(TimeUnit unit) {
  ColumnDescriptor key;
  key.name = kKeyName;
  key.type = Type::kInt64;
  key.nullable = false;
  key.logical_type.kind = parquet::LogicalType::Kind::kTimestamp;
  key.logical_type.is_adjusted_to_utc = true;
  key.logical_type.unit = unit;
  // The legacy annotation too, as Arrow writes it: old readers know MILLIS and MICROS only.
  if (unit == TimeUnit::kMillis) key.converted_type = parquet::ConvertedType::kTimestampMillis;
  if (unit == TimeUnit::kMicros) key.converted_type = parquet::ConvertedType::kTimestampMicros;
  return key;
}

ColumnDescriptor FeatureColumn(const std::string& name, Type type) {
  ColumnDescriptor column;
  column.name = name;
  column.type = type;
  column.nullable = true;
  if (type == Type::kByteArray) {
    column.logical_type.kind = parquet::LogicalType::Kind::kString;
    column.converted_type = parquet::ConvertedType::kUtf8;
  }
  return column;
}

// ---- Writing one file -----------------------------------------------------------------------

// Appends rows [first, first + n) of column `column` to *out (Reset to its type).
using FillFn = std::function<void(int column, int64_t first, int64_t n, ColumnData* out)>;

// One per thread: encoders and buffers are reused across files.
class FileWorker {
 public:
  explicit FileWorker(parquet::WriterOptions options) : options_(std::move(options)) {}

  // Writes `rows` rows of `schema` to path + ".tmp", syncs it and renames it to `path`; on
  // failure removes the temporary. Fills info's path, rows, columns, row_groups and bytes.
  Status Write(const std::string& path, const Schema& schema, int64_t rows, int64_t row_group_rows,
               const std::vector<parquet::KeyValue>& key_value, const FillFn& fill,
               GenTableInfo* info) {
    io::FileSystem* fs = io::DefaultFileSystem();
    const std::string temp = path + kTempSuffix;
    FM_ASSIGN_OR_RETURN(std::unique_ptr<io::AppendFile> file, fs->CreateForAppend(temp));
    Status s = WriteTo(file.get(), schema, rows, row_group_rows, key_value, fill, info);
    if (s.ok()) s = file->Sync();
    if (s.ok()) {
      info->bytes = file->size();
      s = file->Close();
    }
    if (s.ok()) s = fs->RenameDurable(temp, path);
    if (!s.ok()) {
      file.reset();
      (void)fs->Remove(temp);  // best effort: the error worth reporting is s
      return s.WithContext("generating '" + path + "'");
    }
    info->path = path;
    info->rows = rows;
    info->columns = schema.num_columns();
    return Status::OK();
  }

 private:
  Status WriteTo(io::AppendFile* file, const Schema& schema, int64_t rows, int64_t row_group_rows,
                 const std::vector<parquet::KeyValue>& key_value, const FillFn& fill,
                 GenTableInfo* info) {
    FM_ASSIGN_OR_RETURN(auto writer, parquet::ParquetFileWriter::Create(file, schema, options_));
    info->row_groups = 0;
    for (int64_t begin = 0; begin < rows; begin += row_group_rows) {
      const int64_t n = std::min(row_group_rows, rows - begin);
      for (int column_idx = 0; column_idx < schema.num_columns(); column_idx++) {
        const ColumnDescriptor& column = schema.column(column_idx);
        data_.Reset(column.type, column.type_length);
        fill(column_idx, begin, n, &data_);
        FM_RETURN_IF_ERROR(EncoderFor(column)->Write(data_, 0, n, &chunk_));
        chunk_.meta.path_in_schema = {column.name};  // see EncoderFor
        FM_RETURN_IF_ERROR(writer->AppendChunk(chunk_));
      }
      FM_RETURN_IF_ERROR(writer->CloseRowGroup(n));
      info->row_groups++;
    }
    return writer->Finish(key_value);
  }

  // A ColumnChunkWriter owns a compression context (about 1 MB for zstd), so one per column of a
  // 232-column table would cost hundreds of MB per thread. Its chunks depend on the column's
  // type, annotations and nullability only, except path_in_schema, which WriteTo() sets.
  parquet::ColumnChunkWriter* EncoderFor(const ColumnDescriptor& column) {
    for (auto& [shape, writer] : encoders_) {
      if (shape.type == column.type && shape.type_length == column.type_length &&
          shape.nullable == column.nullable && shape.converted_type == column.converted_type &&
          shape.logical_type == column.logical_type) {
        return writer.get();
      }
    }
    encoders_.emplace_back(column, std::make_unique<parquet::ColumnChunkWriter>(column, options_));
    return encoders_.back().second.get();
  }

  const parquet::WriterOptions options_;
  std::vector<std::pair<ColumnDescriptor, std::unique_ptr<parquet::ColumnChunkWriter>>> encoders_;
  ColumnData data_;
  parquet::EncodedChunk chunk_;
};

// ---- Checks before writing ------------------------------------------------------------------

Status ValidateOptions(const GenOptions& o) {
  if (o.out_dir.empty()) return Status::InvalidArgument("gen: no output directory given");
  if (o.pairs.empty()) return Status::InvalidArgument("gen: no pairs given");
  std::set<std::string> seen;
  for (const std::string& pair : o.pairs) {
    if (pair.empty() || pair == "." || pair == ".." || pair.find('/') != std::string::npos ||
        pair.find('\0') != std::string::npos) {
      return Status::InvalidArgument("gen: '" + pair +
                                     "' is not a valid pair name (it names a directory)");
    }
    if (!seen.insert(pair).second) {
      return Status::InvalidArgument("gen: pair '" + pair + "' is listed twice");
    }
  }
  // 1e9 minutes (1900 years) keeps every key inside INT64 nanoseconds.
  if (o.rows < 1 || o.rows > 1000000000) {
    return Status::InvalidArgument("gen: rows must be in [1, 1e9], got " + std::to_string(o.rows));
  }
  if (o.tables < 0 || o.cols < 0 || o.row_group_rows < 0 || o.threads < 0) {
    return Status::InvalidArgument("gen: tables, cols, row group rows and threads must be >= 0");
  }
  if (!(o.duplicate_rate >= 0 && o.duplicate_rate <= 1)) {  // also refuses NaN
    return Status::InvalidArgument("gen: the duplicate rate must be in [0, 1], got " +
                                   std::to_string(o.duplicate_rate));
  }
  if (o.name_clashes < 0 || o.unit_mismatch_tables < 0 || o.unsorted_tables < -1) {
    return Status::InvalidArgument("gen: injection counts must be >= 0");
  }
  if (o.name_clashes > 0 && o.tables < 2) {
    return Status::InvalidArgument("gen: name clashes need at least 2 tables");
  }
  if (o.duplicate_rate > 0 && o.tables < 1) {
    return Status::InvalidArgument("gen: duplicates need at least 1 table");
  }
  for (int count : {o.name_clashes, o.unit_mismatch_tables, o.unsorted_tables}) {
    if (count > o.tables) {
      return Status::InvalidArgument("gen: cannot inject into " + std::to_string(count) +
                                     " tables out of " + std::to_string(o.tables));
    }
  }
  return Status::OK();
}

// The pair directory must be empty, or be cleaned when overwriting: a rerun must not mix old
// tables with new ones. The marker goes first, so the directory never claims to be complete
// while it is being replaced.
Status PreparePairDir(io::FileSystem* fs, const std::string& dir, bool overwrite) {
  FM_RETURN_IF_ERROR(fs->CreateDirs(dir));
  FM_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  if (names.empty()) return Status::OK();
  if (!overwrite) {
    return Status::AlreadyExists("gen: '" + dir + "' is not empty (" +
                                 std::to_string(names.size()) +
                                 " entries); pass --force to replace its .parquet files");
  }
  FM_RETURN_IF_ERROR(fs->Remove(io::JoinPath(dir, kMarkerName)));
  auto ends_with = [](const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
  };
  for (const std::string& name : names) {
    if (ends_with(name, ".parquet") || ends_with(name, std::string(".parquet") + kTempSuffix)) {
      FM_RETURN_IF_ERROR(fs->Remove(io::JoinPath(dir, name)));
    }
  }
  return Status::OK();
}

// ---- One run --------------------------------------------------------------------------------

struct PairContext {
  std::string pair;
  std::string dir;
  uint64_t seed = 0;          // hash of (seed, pair)
  int64_t start_seconds = 0;  // the first spine key
};

struct Task {
  int pair_idx;
  int table_idx;  // -1 = targets
  int64_t cost;   // cells, to write the big files first
};

// Workers take (pair, table) tasks from a shared counter; each file depends only on the options,
// so the output is the same for any thread count.
class Run {
 public:
  Run(const GenOptions& options, TimeUnit unit, GenReport* report)
      : options_(options),
        unit_(unit),
        // A mismatched table uses a unit a merge must convert (ns -> us, us/ms -> ns).
        mismatch_unit_(unit == TimeUnit::kNanos ? TimeUnit::kMicros : TimeUnit::kNanos),
        plans_(gen::PlanTables(options)),
        row_group_rows_(options.row_group_rows > 0 ? options.row_group_rows
                                                   : std::max<int64_t>(1, (options.rows + 3) / 4)),
        report_(report) {
    writer_options_.compression = options.compression;
  }

  Status Execute() {
    FM_RETURN_IF_ERROR(PreparePairs());
    PlanTasks();
    int threads = options_.threads > 0 ? options_.threads
                                       : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::clamp(threads, 1, std::max(1, static_cast<int>(tasks_.size())));
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; i++) pool.emplace_back([this] { Work(); });
    Work();
    for (std::thread& t : pool) t.join();
    FM_RETURN_IF_ERROR(first_error_);
    Summarize();
    return Status::OK();
  }

 private:
  Status PreparePairs() {
    io::FileSystem* fs = io::DefaultFileSystem();
    report_->pairs.resize(options_.pairs.size());
    for (size_t p = 0; p < options_.pairs.size(); p++) {
      PairContext ctx;
      ctx.pair = options_.pairs[p];
      ctx.dir = io::JoinPath(options_.out_dir, ctx.pair);
      ctx.seed = gen::Combine(options_.seed, gen::HashName(ctx.pair));
      // Pairs start at different minutes so that their files are not copies of each other.
      const uint64_t offset =
          gen::Combine(ctx.seed, gen::HashName("start")) % kMaxStartOffsetMinutes;
      ctx.start_seconds = kEpoch2024 + 60 * static_cast<int64_t>(offset);
      FM_RETURN_IF_ERROR(PreparePairDir(fs, ctx.dir, options_.overwrite));

      GenPairReport& pr = report_->pairs[p];
      pr.pair = ctx.pair;
      pr.dir = ctx.dir;
      pr.tables.resize(plans_.size() + 1);
      pr.tables[0].name = kTargetsName;
      for (size_t t = 0; t < plans_.size(); t++) {
        const gen::TablePlan& plan = plans_[t];
        GenTableInfo& info = pr.tables[t + 1];
        info.name = plan.name;
        info.gaps = plan.gaps;
        info.extra_keys = plan.extra_before || plan.extra_after || plan.extra_between;
        info.unsorted = plan.unsorted;
        info.duplicates = plan.duplicates;
        info.unit_mismatch = plan.unit_mismatch;
        info.clash_column = plan.clash_column;
      }
      pairs_.push_back(std::move(ctx));
    }
    remaining_.assign(pairs_.size(), static_cast<int64_t>(plans_.size() + 1));
    pair_begin_.assign(pairs_.size(), -1);
    return Status::OK();
  }

  // Pair by pair, so early pairs are complete (and marked) while later ones are written; within
  // a pair the widest files first, so that no thread is left alone with a big one at the end.
  void PlanTasks() {
    const int64_t targets_cost = static_cast<int64_t>(gen::TargetNames().size() + 1);
    for (size_t p = 0; p < pairs_.size(); p++) {
      const size_t first = tasks_.size();
      tasks_.push_back({static_cast<int>(p), -1, targets_cost * options_.rows});
      for (size_t t = 0; t < plans_.size(); t++) {
        tasks_.push_back({static_cast<int>(p), static_cast<int>(t),
                          static_cast<int64_t>(plans_[t].columns.size() + 1) * options_.rows});
      }
      std::stable_sort(tasks_.begin() + static_cast<ptrdiff_t>(first), tasks_.end(),
                       [](const Task& a, const Task& b) { return a.cost > b.cost; });
    }
  }

  void Work() {
    FileWorker worker(writer_options_);
    while (!failed_.load()) {
      const size_t task_idx = next_task_.fetch_add(1);
      if (task_idx >= tasks_.size()) return;
      const Task& task = tasks_[task_idx];
      const size_t p = static_cast<size_t>(task.pair_idx);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (pair_begin_[p] < 0) pair_begin_[p] = Elapsed();
      }
      Status s = task.table_idx < 0 ? WriteTargets(p, &worker)
                                    : WriteTable(p, static_cast<size_t>(task.table_idx), &worker);
      bool pair_done = false;
      if (s.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        pair_done = --remaining_[p] == 0;
      }
      // The last file of a pair writes the marker: every file is then under its final name.
      if (pair_done && options_.marker) {
        s = io::WriteFileAtomic(io::DefaultFileSystem(), io::JoinPath(pairs_[p].dir, kMarkerName),
                                ByteView());
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (pair_done) report_->pairs[p].seconds = Elapsed() - pair_begin_[p];
      if (!s.ok()) {
        if (first_error_.ok()) first_error_ = s;
        failed_ = true;
        return;
      }
    }
  }

  std::vector<parquet::KeyValue> KeyValue(const PairContext& pair, const std::string& table) const {
    const char* profile = options_.profile == GenOptions::Profile::kBqx ? "bqx" : "uniform";
    return {{"featmerge.gen", std::string("profile=") + profile +
                                  " seed=" + std::to_string(options_.seed) + " pair=" + pair.pair +
                                  " table=" + table}};
  }

  Status WriteTargets(size_t pair_idx, FileWorker* worker) {
    const PairContext& pair = pairs_[pair_idx];
    std::vector<ColumnDescriptor> columns = {KeyColumn(unit_)};
    for (const std::string& name : gen::TargetNames()) {
      columns.push_back(FeatureColumn(name, Type::kDouble));
    }
    const std::vector<double> path =
        gen::PricePath(options_.rows, gen::Combine(pair.seed, gen::HashName(kTargetsName)));
    const gen::KeyEncoding encoding = gen::MakeKeyEncoding(unit_, pair.start_seconds);
    std::vector<int64_t> spine(static_cast<size_t>(options_.rows));
    for (int64_t m = 0; m < options_.rows; m++) spine[static_cast<size_t>(m)] = 2 * m;
    const gen::RowOrder order{options_.rows, {}, {}};
    FillFn fill = [&](int column, int64_t first, int64_t n, ColumnData* data) {
      if (column == 0) return gen::FillKeys(spine, order, encoding, first, n, data);
      gen::FillTarget(path, column - 1, first, n, data);
    };
    GenTableInfo* info = &report_->pairs[pair_idx].tables[0];
    return worker->Write(io::JoinPath(pair.dir, std::string(kTargetsName) + ".parquet"),
                         Schema(std::move(columns)), options_.rows, row_group_rows_,
                         KeyValue(pair, kTargetsName), fill, info);
  }

  Status WriteTable(size_t pair_idx, size_t table_idx, FileWorker* worker) {
    const PairContext& pair = pairs_[pair_idx];
    const gen::TablePlan& plan = plans_[table_idx];
    const uint64_t table_seed = gen::Combine(pair.seed, gen::HashName(plan.name));
    gen::Rng key_rng(gen::Combine(table_seed, gen::HashName("keys")));
    const std::vector<int64_t> keys = gen::BuildKeys(plan, options_.rows, &key_rng);
    const gen::RowOrder order = gen::BuildRowOrder(plan, static_cast<int64_t>(keys.size()),
                                                   options_.duplicate_rate, &key_rng);
    const gen::KeyEncoding encoding =
        gen::MakeKeyEncoding(plan.unit_mismatch ? mismatch_unit_ : unit_, pair.start_seconds);
    std::vector<ColumnDescriptor> columns = {KeyColumn(encoding.unit)};
    std::vector<gen::ColumnGen> gens;
    gens.reserve(plan.columns.size());
    for (size_t c = 0; c < plan.columns.size(); c++) {
      columns.push_back(FeatureColumn(plan.columns[c].name, gen::TypeOf(plan.columns[c].kind)));
      gens.emplace_back(plan.columns[c], gen::Combine(table_seed, c));
    }
    FillFn fill = [&](int column, int64_t first, int64_t n, ColumnData* data) {
      if (column == 0) return gen::FillKeys(keys, order, encoding, first, n, data);
      const uint8_t* copy = order.copy.empty() ? nullptr : order.copy.data() + first;
      gens[static_cast<size_t>(column - 1)].Fill(first, n, copy, data);
    };
    GenTableInfo* info = &report_->pairs[pair_idx].tables[table_idx + 1];
    return worker->Write(io::JoinPath(pair.dir, plan.name + ".parquet"), Schema(std::move(columns)),
                         order.rows, row_group_rows_, KeyValue(pair, plan.name), fill, info);
  }

  void Summarize() {
    for (GenPairReport& pr : report_->pairs) {
      for (const GenTableInfo& info : pr.tables) {
        pr.paths.push_back(info.path);
        pr.bytes += info.bytes;
        pr.rows += info.rows;
      }
      pr.files = static_cast<int64_t>(pr.tables.size());
      pr.spine_rows = options_.rows;
      report_->files += pr.files;
      report_->bytes += pr.bytes;
      report_->rows += pr.rows;
    }
    report_->seconds = Elapsed();
  }

  double Elapsed() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }

  const GenOptions& options_;
  const TimeUnit unit_;
  const TimeUnit mismatch_unit_;
  const std::vector<gen::TablePlan> plans_;
  const int64_t row_group_rows_;
  GenReport* report_;
  parquet::WriterOptions writer_options_;
  const Clock::time_point started_ = Clock::now();
  std::vector<PairContext> pairs_;
  std::vector<Task> tasks_;

  // Shared between workers.
  std::atomic<size_t> next_task_{0};
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  Status first_error_;              // guarded by mu_
  std::vector<int64_t> remaining_;  // files left per pair; guarded by mu_
  std::vector<double> pair_begin_;  // guarded by mu_
};

}  // namespace

Result<TimeUnit> ParseKeyUnit(const std::string& text) {
  if (text == "ns") return TimeUnit::kNanos;
  if (text == "us") return TimeUnit::kMicros;
  if (text == "ms") return TimeUnit::kMillis;
  return Status::InvalidArgument("the key unit must be ns, us or ms, got '" + text + "'");
}

Status Generate(const GenOptions& options, GenReport* report) {
  FM_RETURN_IF_ERROR(ValidateOptions(options));
  FM_ASSIGN_OR_RETURN(const TimeUnit unit, ParseKeyUnit(options.key_unit));
  GenReport local;
  GenReport* out = report != nullptr ? report : &local;
  *out = GenReport();
  Run run(options, unit, out);
  return run.Execute();
}

}  // namespace featmerge::pipeline

#include "pipeline/validate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/file.h"
#include "merge/manifest.h"
#include "merge/merge.h"
#include "merge/split.h"
#include "parquet/column_reader.h"
#include "parquet/column_writer.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"
#include "pipeline/generator.h"
#include "testing/temp_dir.h"

namespace featmerge::pipeline {
namespace {

using parquet::ColumnData;
using parquet::ColumnDescriptor;
using parquet::Type;

constexpr int64_t kMinuteNs = 60'000'000'000;
constexpr int64_t kSpineRows = 300;

io::FileSystem* Fs() { return io::DefaultFileSystem(); }

ColumnDescriptor KeyDescr() {
  ColumnDescriptor d;
  d.name = "interval_time";
  d.type = Type::kInt64;
  d.nullable = false;
  d.logical_type.kind = parquet::LogicalType::Kind::kTimestamp;
  d.logical_type.unit = parquet::TimeUnit::kNanos;
  d.logical_type.is_adjusted_to_utc = true;
  return d;
}

ColumnDescriptor DoubleDescr(const std::string& name) {
  ColumnDescriptor d;
  d.name = name;
  d.type = Type::kDouble;
  return d;
}

ColumnDescriptor StringDescr(const std::string& name) {
  ColumnDescriptor d;
  d.name = name;
  d.type = Type::kByteArray;
  d.logical_type.kind = parquet::LogicalType::Kind::kString;
  return d;
}

// A table in memory: its schema and every row of every column.
struct Table {
  std::vector<ColumnDescriptor> columns;
  std::vector<ColumnData> data;

  void Add(const ColumnDescriptor& d) {
    columns.push_back(d);
    data.emplace_back(d.type, d.type_length);
  }
  int64_t rows() const { return data.empty() ? 0 : data[0].num_rows(); }
};

Table KeyTable(const std::vector<int64_t>& minutes) {
  Table t;
  t.Add(KeyDescr());
  for (int64_t m : minutes) t.data[0].Append<int64_t>(m * kMinuteNs);
  return t;
}

void WriteTable(const std::string& path, const Table& t, int64_t row_group_rows) {
  parquet::WriterOptions options;
  auto file = Fs()->CreateForAppend(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto writer =
      parquet::ParquetFileWriter::Create(file->get(), parquet::Schema(t.columns), options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  const int64_t rows = t.rows();
  for (int64_t begin = 0; begin < rows || begin == 0; begin += row_group_rows) {
    const int64_t end = std::min(rows, begin + row_group_rows);
    for (size_t c = 0; c < t.columns.size(); c++) {
      parquet::ColumnChunkWriter chunk_writer(t.columns[c], options);
      parquet::EncodedChunk chunk;
      ASSERT_TRUE(chunk_writer.Write(t.data[c], begin, end, &chunk).ok());
      ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
    }
    ASSERT_TRUE((*writer)->CloseRowGroup(end - begin).ok());
    if (rows == 0) break;
  }
  ASSERT_TRUE((*writer)->Finish({}).ok());
  ASSERT_TRUE((*file)->Close().ok());
}

Table ReadTable(const std::string& path) {
  Table t;
  auto reader = parquet::ParquetFileReader::Open(Fs(), path);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return t;
  for (int c = 0; c < (*reader)->num_columns(); c++) {
    t.Add((*reader)->schema().column(c));
    for (int rg = 0; rg < (*reader)->num_row_groups(); rg++) {
      parquet::ColumnChunkReader chunk(reader->get(), rg, c);
      EXPECT_TRUE(chunk.ReadAll(&t.data.back()).ok());
    }
  }
  return t;
}

// Inputs of one instrument: a spine of kSpineRows minutes, a table with gaps and extra keys,
// and an unsorted table with strings.
void WriteInputs(const std::string& dir) {
  ASSERT_TRUE(Fs()->CreateDirs(dir).ok());
  std::vector<int64_t> minutes;
  for (int64_t m = 0; m < kSpineRows; m++) minutes.push_back(m);
  Table targets = KeyTable(minutes);
  targets.Add(DoubleDescr("target"));
  for (int64_t m : minutes) targets.data[1].Append<double>(static_cast<double>(m) * 0.5);
  WriteTable(io::JoinPath(dir, "targets.parquet"), targets, 128);

  std::vector<int64_t> gappy;
  for (int64_t m = -5; m < kSpineRows + 5; m++) {
    if (m % 7 != 3) gappy.push_back(m);
  }
  Table a = KeyTable(gappy);
  a.Add(DoubleDescr("fa"));
  for (size_t i = 0; i < gappy.size(); i++) {
    if (i % 11 == 0) {
      a.data[1].AppendNull();
    } else {
      a.data[1].Append<double>(static_cast<double>(gappy[i]) * 1.25 + 0.1);
    }
  }
  WriteTable(io::JoinPath(dir, "a.parquet"), a, 100);

  std::vector<int64_t> shuffled;
  for (int64_t m = 0; m < kSpineRows; m += 2) shuffled.push_back((m * 37) % kSpineRows);
  Table b = KeyTable(shuffled);
  b.Add(StringDescr("sb"));
  for (int64_t m : shuffled) {
    std::string text = std::to_string(m);
    text.insert(text.begin(), 'v');
    b.data[1].AppendValue(AsBytes(text));
  }
  WriteTable(io::JoinPath(dir, "b.parquet"), b, 64);
}

// Merges `inputs` into `out` the way `featmerge merge` does, with small row groups.
void Merge(const std::string& inputs, const std::string& out) {
  merge::MergeOptions o;
  o.input_dir = inputs;
  o.output = out;
  o.row_group_rows = 70;
  o.threads = 2;
  o.check_disk = false;
  o.check_memory = false;
  auto summary = merge::RunMerge(o, merge::MergeEnv{});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
}

CheckReport Check(const std::string& file, const std::string& against = "", int64_t sample = 1000) {
  CheckOptions o;
  o.file = file;
  o.against_dir = against;
  o.sample = sample;
  auto report = CheckFile(o, Fs());
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? std::move(report).value() : CheckReport{};
}

std::string AllProblems(const CheckReport& r) {
  std::string out;
  for (const std::string& p : r.problems) out += p + "\n";
  return out;
}

bool AnyProblemContains(const CheckReport& r, const std::string& text) {
  return std::any_of(r.problems.begin(), r.problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

void CopyFile(const std::string& from, const std::string& to, uint64_t length = UINT64_MAX) {
  auto data = io::ReadWholeFile(Fs(), from, 1ull << 30);
  ASSERT_TRUE(data.ok());
  std::string bytes = data->substr(0, std::min<uint64_t>(length, data->size()));
  auto file = Fs()->CreateForAppend(to);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append(AsBytes(bytes)).ok());
  ASSERT_TRUE((*file)->Close().ok());
}

int RunCli(const std::string& args, std::string* output) {
  return testing::RunCommand(testing::FeatmergeBinary() + " check " + args, output);
}

class CheckFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteInputs(inputs_);
    Merge(inputs_, out_);
  }
  testing::TempDir dir_;
  std::string inputs_ = dir_.Join("in");
  std::string out_ = dir_.Join("out/merged.parquet");
};

TEST_F(CheckFileTest, MergedFilePassesAgainstItsInputs) {
  CheckReport r = Check(out_, inputs_);
  EXPECT_TRUE(r.valid) << AllProblems(r);
  EXPECT_EQ(r.problem_count, 0);
  EXPECT_EQ(r.rows, kSpineRows);
  EXPECT_EQ(r.columns, 4);
  EXPECT_EQ(r.row_groups, 5);
  EXPECT_GT(r.pages_read, 0);
  EXPECT_EQ(r.key.source, "manifest");
  EXPECT_TRUE(r.key.present);
  EXPECT_TRUE(r.key.sorted);
  EXPECT_TRUE(r.key.unique);
  ASSERT_TRUE(r.has_against);
  EXPECT_EQ(r.against.spine_rows, kSpineRows);
  EXPECT_EQ(r.against.file_rows, kSpineRows);
  EXPECT_TRUE(r.against.missing_columns.empty());
  EXPECT_TRUE(r.against.extra_columns.empty());
  EXPECT_TRUE(r.against.column_order_matches);
  EXPECT_EQ(r.against.rows_sampled, kSpineRows);
  EXPECT_EQ(r.against.cells_compared, kSpineRows * 4);
  EXPECT_EQ(r.against.mismatch_count, 0);
  // fa: NULL where the table has a gap or a NULL; sb: NULL on odd minutes.
  ASSERT_EQ(r.column_checks.size(), 4u);
  EXPECT_EQ(r.column_checks[3].name, "sb");
  EXPECT_EQ(r.column_checks[3].null_count, kSpineRows / 2);
  EXPECT_DOUBLE_EQ(r.column_checks[3].null_rate, 0.5);
  EXPECT_TRUE(r.all_null_columns.empty());
  EXPECT_TRUE(r.constant_columns.empty());

  std::string output;
  EXPECT_EQ(RunCli(out_ + " --against " + inputs_, &output), 0) << output;
  EXPECT_EQ(output.rfind("VALID", 0), 0u) << output;
}

TEST_F(CheckFileTest, SmallSampleIncludesFirstAndLastRowAndIsDeterministic) {
  CheckReport a = Check(out_, inputs_, 10);
  CheckReport b = Check(out_, inputs_, 10);
  EXPECT_TRUE(a.valid) << AllProblems(a);
  EXPECT_GE(a.against.rows_sampled, 10);
  EXPECT_LE(a.against.rows_sampled, 12);
  EXPECT_EQ(a.against.rows_sampled, b.against.rows_sampled);
  EXPECT_EQ(a.against.cells_compared, a.against.rows_sampled * 4);
}

TEST_F(CheckFileTest, FlippedByteInPageIsReported) {
  const std::string damaged = dir_.Join("out/damaged.parquet");
  CopyFile(out_, damaged);
  uint64_t start = 0, length = 0;
  {
    auto reader = parquet::ParquetFileReader::Open(Fs(), damaged);
    ASSERT_TRUE(reader.ok());
    (*reader)->ChunkRange(1, 2, &start, &length);  // row group 1, column 'fa'
  }
  auto bytes = io::ReadWholeFile(Fs(), damaged, 1ull << 30);
  ASSERT_TRUE(bytes.ok());
  std::string data = *bytes;
  data[start + length - 1] = static_cast<char>(data[start + length - 1] ^ 0x40);  // page body
  ASSERT_TRUE(io::WriteFileAtomic(Fs(), damaged, AsBytes(data)).ok());

  CheckReport r = Check(damaged);
  EXPECT_FALSE(r.valid);
  ASSERT_EQ(r.problem_count, 1) << AllProblems(r);
  EXPECT_NE(r.problems[0].find("CRC"), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[0].find("row group 1"), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[0].find("'fa'"), std::string::npos) << r.problems[0];
  // The other columns were still checked in full.
  ASSERT_EQ(r.column_checks.size(), 4u);
  EXPECT_FALSE(r.column_checks[2].complete);
  EXPECT_TRUE(r.column_checks[3].complete);
  EXPECT_TRUE(r.key.sorted);

  std::string output;
  EXPECT_EQ(RunCli(damaged, &output), 2) << output;
  EXPECT_EQ(output.rfind("INVALID", 0), 0u) << output;
  EXPECT_NE(output.find("CRC mismatch"), std::string::npos) << output;
}

TEST_F(CheckFileTest, TruncatedFileIsReported) {
  const std::string truncated = dir_.Join("out/truncated.parquet");
  auto info = Fs()->Stat(out_);
  ASSERT_TRUE(info.ok());
  CopyFile(out_, truncated, info->size / 2);
  CheckReport r = Check(truncated, inputs_);
  EXPECT_FALSE(r.valid);
  ASSERT_GE(r.problem_count, 1);
  EXPECT_NE(r.problems[0].find("cannot read the file"), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[0].find("PAR1"), std::string::npos) << r.problems[0];

  std::string output;
  EXPECT_EQ(RunCli(truncated, &output), 2) << output;
  EXPECT_EQ(output.rfind("INVALID", 0), 0u) << output;
}

TEST_F(CheckFileTest, FileWithFewerRowsThanTheSpineIsReported) {
  Table t = ReadTable(out_);
  Table shorter;
  for (size_t c = 0; c < t.columns.size(); c++) {
    shorter.Add(t.columns[c]);
    shorter.data[c].AppendRange(t.data[c], 0, kSpineRows - 10);
  }
  const std::string path = dir_.Join("out/short.parquet");
  WriteTable(path, shorter, 100);
  CheckReport r = Check(path, inputs_);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.against.file_rows, kSpineRows - 10);
  EXPECT_EQ(r.against.spine_rows, kSpineRows);
  EXPECT_TRUE(AnyProblemContains(r, "the file has 290 rows")) << AllProblems(r);
  // The rows it has still match.
  EXPECT_EQ(r.against.mismatch_count, 0);
  EXPECT_EQ(r.against.cells_compared, (kSpineRows - 10) * 4);
}

TEST_F(CheckFileTest, ModifiedCellIsCaughtBySampledComparison) {
  Table t = ReadTable(out_);
  ASSERT_EQ(t.columns[1].name, "target");
  const int64_t row = 123;
  ASSERT_TRUE(t.data[1].IsValid(row));
  StoreLE<double>(t.data[1].mutable_fixed().data() + row * 8, 999.5);
  const std::string path = dir_.Join("out/modified.parquet");
  WriteTable(path, t, 70);
  CheckReport r = Check(path, inputs_, kSpineRows);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.problem_count, 0) << AllProblems(r);
  EXPECT_EQ(r.against.mismatch_count, 1);
  ASSERT_EQ(r.against.mismatches.size(), 1u);
  const CellMismatch& m = r.against.mismatches[0];
  EXPECT_EQ(m.row, row);
  EXPECT_EQ(m.column, "target");
  EXPECT_EQ(m.expected, "\"61.5\"");  // float64_text of 123 * 0.5
  EXPECT_EQ(m.got, "\"999.5\"");

  std::string output;
  EXPECT_EQ(RunCli(path + " --against " + inputs_ + " --sample 1000 --json", &output), 2);
  nlohmann::json j = nlohmann::json::parse(output, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << output;
  EXPECT_EQ(j["valid"], false);
  EXPECT_EQ(j["against"]["mismatch_count"], 1);
  EXPECT_EQ(j["against"]["mismatches"][0]["row"], row);
}

TEST_F(CheckFileTest, NullWhereTheInputsHaveAValueIsAMismatch) {
  Table t = ReadTable(out_);
  ASSERT_EQ(t.columns[3].name, "sb");
  ColumnData& sb = t.data[3];
  // Row 0 matches key 0 of table b (a value); set it to NULL.
  ASSERT_TRUE(sb.IsValid(0));
  ColumnData changed(sb.type(), sb.type_length());
  changed.AppendNull();
  changed.AppendRange(sb, 1, sb.num_rows() - 1);
  sb = changed;
  t.columns[3].nullable = true;
  const std::string path = dir_.Join("out/nulled.parquet");
  WriteTable(path, t, 70);
  CheckReport r = Check(path, inputs_, 0);
  EXPECT_FALSE(r.valid);
  ASSERT_EQ(r.against.mismatches.size(), 1u);
  EXPECT_EQ(r.against.mismatches[0].row, 0);
  EXPECT_EQ(r.against.mismatches[0].expected, "\"v0\"");
  EXPECT_EQ(r.against.mismatches[0].got, "null");
}

TEST_F(CheckFileTest, MissingAndExtraColumnsAreReported) {
  Table t = ReadTable(out_);
  Table changed;
  for (size_t c = 0; c < t.columns.size(); c++) {
    if (t.columns[c].name == "fa") continue;
    changed.Add(t.columns[c]);
    changed.data.back() = t.data[c];
  }
  changed.Add(DoubleDescr("surprise"));
  for (int64_t i = 0; i < kSpineRows; i++) changed.data.back().Append<double>(1.0 * i);
  const std::string path = dir_.Join("out/columns.parquet");
  WriteTable(path, changed, 70);
  CheckReport r = Check(path, inputs_);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.against.missing_columns, std::vector<std::string>{"fa"});
  EXPECT_EQ(r.against.extra_columns, std::vector<std::string>{"surprise"});
  EXPECT_TRUE(AnyProblemContains(r, "missing from the file: 'fa'")) << AllProblems(r);
  EXPECT_TRUE(AnyProblemContains(r, "not in the inputs: 'surprise'")) << AllProblems(r);
  EXPECT_EQ(r.against.mismatch_count, 0);
}

TEST(CheckFile, AllNullAndConstantColumnsAreDetected) {
  testing::TempDir dir;
  Table t = KeyTable({1, 2, 3, 4, 5, 6, 7, 8});
  t.Add(DoubleDescr("empty"));
  t.Add(DoubleDescr("same"));
  t.Add(StringDescr("same_text"));
  t.Add(DoubleDescr("varies"));
  for (int i = 0; i < 8; i++) {
    t.data[1].AppendNull();
    if (i == 3) {
      t.data[2].AppendNull();  // NULLs do not break constancy
    } else {
      t.data[2].Append<double>(2.5);
    }
    t.data[3].AppendValue(AsBytes("x"));
    t.data[4].Append<double>(i);
  }
  const std::string path = dir.Join("t.parquet");
  WriteTable(path, t, 3);
  CheckReport r = Check(path);
  EXPECT_TRUE(r.valid) << AllProblems(r);
  EXPECT_EQ(r.all_null_columns, std::vector<std::string>{"empty"});
  EXPECT_EQ(r.constant_columns, (std::vector<std::string>{"same", "same_text"}));
  ASSERT_EQ(r.column_checks.size(), 5u);
  EXPECT_DOUBLE_EQ(r.column_checks[1].null_rate, 1.0);
  EXPECT_EQ(r.column_checks[2].null_count, 1);
  EXPECT_EQ(r.key.source, "default");
  EXPECT_TRUE(r.key.sorted);
  EXPECT_TRUE(r.key.unique);
}

TEST(CheckFile, UnsortedKeyIsFlaggedButValid) {
  testing::TempDir dir;
  Table t = KeyTable({1, 2, 3, 9, 4, 5, 6});
  const std::string path = dir.Join("t.parquet");
  WriteTable(path, t, 4);
  CheckReport r = Check(path);
  EXPECT_TRUE(r.valid) << AllProblems(r);
  EXPECT_FALSE(r.key.sorted);
  EXPECT_EQ(r.key.first_unsorted_row, 4);
  EXPECT_TRUE(r.key.unique);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("not sorted"), std::string::npos);
}

TEST(CheckFile, DuplicateKeyAcrossRowGroupsMakesFileInvalid) {
  testing::TempDir dir;
  Table t = KeyTable({1, 2, 3, 3, 4, 5, 5, 5});
  const std::string path = dir.Join("t.parquet");
  WriteTable(path, t, 3);  // the first 3 ends row group 0, its repeat starts row group 1
  CheckReport r = Check(path);
  EXPECT_FALSE(r.valid);
  EXPECT_TRUE(r.key.sorted);
  EXPECT_FALSE(r.key.unique);
  EXPECT_EQ(r.key.duplicate_rows, 3);
  EXPECT_EQ(r.key.first_duplicate, std::to_string(3 * kMinuteNs));
  EXPECT_TRUE(AnyProblemContains(r, "is not unique")) << AllProblems(r);
}

TEST(CheckFile, DuplicateInUnsortedKeyIsFound) {
  testing::TempDir dir;
  Table t = KeyTable({5, 1, 4, 2, 1, 3, 5});
  const std::string path = dir.Join("t.parquet");
  WriteTable(path, t, 4);
  CheckReport r = Check(path);
  EXPECT_FALSE(r.valid);
  EXPECT_FALSE(r.key.sorted);
  EXPECT_EQ(r.key.first_unsorted_row, 1);
  EXPECT_FALSE(r.key.unique);
  EXPECT_EQ(r.key.duplicate_rows, 2);
  EXPECT_EQ(r.key.first_duplicate, std::to_string(1 * kMinuteNs));
}

TEST(CheckFile, StringKeyComparesBytewise) {
  testing::TempDir dir;
  Table t;
  ColumnDescriptor key = StringDescr("id");
  key.nullable = false;
  t.Add(key);
  for (const char* s : {"a", "ab", "b", "b\xff", "c"}) t.data[0].AppendValue(AsBytes(s));
  const std::string path = dir.Join("t.parquet");
  WriteTable(path, t, 2);
  CheckOptions o;
  o.file = path;
  o.key = "id";
  auto r = CheckFile(o, Fs());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->valid) << AllProblems(*r);
  EXPECT_EQ(r->key.source, "option");
  EXPECT_TRUE(r->key.sorted);
  EXPECT_TRUE(r->key.unique);
}

TEST(CheckFile, ExplicitKeyMissingFromTheFileIsAProblem) {
  testing::TempDir dir;
  const std::string path = dir.Join("t.parquet");
  WriteTable(path, KeyTable({1, 2}), 10);
  CheckOptions o;
  o.file = path;
  o.key = "ts";
  auto r = CheckFile(o, Fs());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->valid);
  EXPECT_FALSE(r->key.present);
}

TEST(CheckFile, MissingFileIsAnError) {
  testing::TempDir dir;
  CheckOptions o;
  o.file = dir.Join("nope.parquet");
  auto r = CheckFile(o, Fs());
  EXPECT_FALSE(r.ok());
  std::string output;
  EXPECT_EQ(RunCli(o.file, &output), 2) << output;
  EXPECT_EQ(RunCli("", &output), 1) << output;  // usage: FILE is required
}

TEST(CheckFile, GeneratedPairMergesAndChecksClean) {
  testing::TempDir dir;
  GenOptions g;
  g.out_dir = dir.Join("gen");
  g.profile = GenOptions::Profile::kUniform;
  g.tables = 6;
  g.cols = 3;
  g.rows = 2500;
  g.unsorted_tables = 2;  // their alignments are spilled
  g.threads = 2;
  ASSERT_TRUE(Generate(g, nullptr).ok());
  const std::string inputs = io::JoinPath(g.out_dir, "eurusd");
  const std::string out = dir.Join("out/eurusd.parquet");
  Merge(inputs, out);
  CheckReport r = Check(out, inputs, 400);
  EXPECT_TRUE(r.valid) << AllProblems(r);
  EXPECT_EQ(r.against.spine_rows, 2500);
  EXPECT_GE(r.against.rows_sampled, 400);
  EXPECT_EQ(r.against.cells_compared, r.against.rows_sampled * r.columns);
  EXPECT_EQ(r.against.mismatch_count, 0);
}

// Outputs made with options that change the plan (as-of joins, selection, --from/--to, row
// splits): --against rebuilds the plan from the manifest beside the file.
class CheckOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteInputs(inputs_); }

  void MergeWith(const std::function<void(merge::MergeOptions*)>& set, const std::string& out) {
    merge::MergeOptions o;
    o.input_dir = inputs_;
    o.output = out;
    o.row_group_rows = 70;
    o.threads = 2;
    o.check_disk = false;
    o.check_memory = false;
    set(&o);
    auto summary = merge::RunMerge(o, merge::MergeEnv{});
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  }

  // A copy of `out` (with its manifest) where the double in column `name` at `row` is 999.5.
  std::string WithModifiedCell(const std::string& out, const std::string& name, int64_t row) {
    Table t = ReadTable(out);
    size_t column = 0;
    while (column < t.columns.size() && t.columns[column].name != name) column++;
    EXPECT_LT(column, t.columns.size()) << name;
    if (column == t.columns.size()) return out;
    EXPECT_TRUE(t.data[column].IsValid(row)) << name << " row " << row;
    StoreLE<double>(t.data[column].mutable_fixed().data() + row * 8, 999.5);
    const std::string path = dir_.Join("out/modified.parquet");
    WriteTable(path, t, 70);
    CopyFile(merge::ManifestPath(out), merge::ManifestPath(path));
    return path;
  }

  testing::TempDir dir_;
  std::string inputs_ = dir_.Join("in");
  std::string out_ = dir_.Join("out/merged.parquet");
};

// Table a has no row at minutes m % 7 == 3: an as-of join fills them from the minute before.
void AsofRules(merge::MergeOptions* o) {
  merge::JoinRule a;
  a.match = "a";
  a.asof = true;
  a.tolerance = "2m";
  merge::JoinRule b;
  b.match = "b*";
  b.asof = true;
  b.allow_exact_matches = false;
  o->join_rules = {a, b};
}

TEST_F(CheckOptionsTest, AsofOutputChecksValidAndAModifiedCellIsCaught) {
  MergeWith(AsofRules, out_);
  CheckReport r = Check(out_, inputs_);
  EXPECT_TRUE(r.valid) << AllProblems(r);
  EXPECT_EQ(r.against.spine_rows, kSpineRows);
  EXPECT_EQ(r.against.cells_compared, kSpineRows * 4);
  EXPECT_EQ(r.against.mismatch_count, 0);
  std::string output;
  EXPECT_EQ(RunCli(out_ + " --against " + inputs_, &output), 0) << output;

  // Minute 3 has no row in a: its value is the as-of match's (minute 2), and it is compared.
  const std::string modified = WithModifiedCell(out_, "fa", 3);
  r = Check(modified, inputs_);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.problem_count, 0) << AllProblems(r);
  ASSERT_EQ(r.against.mismatch_count, 1);
  EXPECT_EQ(r.against.mismatches[0].row, 3);
  EXPECT_EQ(r.against.mismatches[0].column, "fa");
  EXPECT_EQ(r.against.mismatches[0].expected, "\"2.6\"");  // 2 * 1.25 + 0.1
}

TEST_F(CheckOptionsTest, SelectedColumnsAndTablesCheckValidAndAModifiedCellIsCaught) {
  MergeWith(
      [](merge::MergeOptions* o) {
        o->exclude_table_globs = {"b"};
        o->column_globs = {"target", "a__*"};
      },
      out_);
  CheckReport r = Check(out_, inputs_);
  EXPECT_EQ(r.columns, 3);
  EXPECT_TRUE(r.valid) << AllProblems(r);
  EXPECT_TRUE(r.against.missing_columns.empty());
  EXPECT_EQ(r.against.cells_compared, kSpineRows * 3);

  r = Check(WithModifiedCell(out_, "target", 123), inputs_);
  EXPECT_FALSE(r.valid);
  ASSERT_EQ(r.against.mismatch_count, 1);
  EXPECT_EQ(r.against.mismatches[0].row, 123);
  EXPECT_EQ(r.against.mismatches[0].expected, "\"61.5\"");
}

TEST_F(CheckOptionsTest, TimeRangeOutputChecksValidAndAModifiedCellIsCaught) {
  MergeWith(
      [](merge::MergeOptions* o) {
        AsofRules(o);
        o->from = std::to_string(50 * kMinuteNs);
        o->to = std::to_string(250 * kMinuteNs);
      },
      out_);
  CheckReport r = Check(out_, inputs_);
  EXPECT_EQ(r.rows, 200);
  EXPECT_TRUE(r.valid) << AllProblems(r);
  EXPECT_EQ(r.against.spine_rows, 200);
  EXPECT_EQ(r.against.cells_compared, 200 * 4);

  // File row 10 is minute 60: target 30.
  r = Check(WithModifiedCell(out_, "target", 10), inputs_);
  EXPECT_FALSE(r.valid);
  ASSERT_EQ(r.against.mismatch_count, 1);
  EXPECT_EQ(r.against.mismatches[0].row, 10);
  EXPECT_EQ(r.against.mismatches[0].expected, "\"30\"");

  // Without the manifest, check compares with the whole spine, as before.
  ASSERT_TRUE(Fs()->Remove(merge::ManifestPath(out_)).ok());
  r = Check(out_, inputs_);
  EXPECT_FALSE(r.valid);
  EXPECT_TRUE(AnyProblemContains(r, "the file has 200 rows")) << AllProblems(r);
}

TEST_F(CheckOptionsTest, EveryPartOfARowSplitChecksValid) {
  const std::string dir = dir_.Join("out/split");
  MergeWith(
      [](merge::MergeOptions* o) {
        AsofRules(o);
        o->split_rows = 120;
      },
      dir);
  int64_t rows = 0;
  for (size_t part = 0; part < 3; part++) {
    const std::string path = merge::SplitPartPath(dir, part);
    CheckReport r = Check(path, inputs_);
    EXPECT_TRUE(r.valid) << path << "\n" << AllProblems(r);
    EXPECT_EQ(r.against.spine_rows, r.rows);
    EXPECT_EQ(r.against.cells_compared, r.rows * 4);
    rows += r.rows;
  }
  EXPECT_EQ(rows, kSpineRows);
  EXPECT_FALSE(Fs()->Exists(merge::SplitPartPath(dir, 3)));
}

TEST_F(CheckOptionsTest, UnreadableManifestOptionIsAWarningAndDefaultsApply) {
  MergeWith([](merge::MergeOptions*) {}, out_);
  const std::string manifest = merge::ManifestPath(out_);
  auto text = io::ReadWholeFile(Fs(), manifest, 1 << 20);
  ASSERT_TRUE(text.ok());
  nlohmann::json j = nlohmann::json::parse(*text);
  j["options"]["join"] = "asof";  // not a list of rules
  ASSERT_TRUE(merge::WriteManifest(Fs(), manifest, j.dump()).ok());
  CheckReport r = Check(out_, inputs_);
  EXPECT_TRUE(r.valid) << AllProblems(r);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("is unreadable"), std::string::npos) << r.warnings[0];
}

}  // namespace
}  // namespace featmerge::pipeline

// End-to-end tests of one merge through the library: semantics, policies, preflight errors,
// thread-count invariance, resume after interruption, up-to-date detection.
#include "merge/merge.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "io/probes.h"
#include "parquet/column_reader.h"
#include "parquet/column_writer.h"
#include "parquet/file_writer.h"
#include "parquet/file_reader.h"
#include "pipeline/generator.h"
#include "testing/parquet_files.h"
#include "testing/temp_dir.h"

namespace featmerge::merge {
namespace {

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class MergeTest : public ::testing::Test {
 protected:
  std::string Generate(pipeline::GenOptions g) {
    g.out_dir = dir_.Join("in");
    g.overwrite = true;
    g.threads = 2;
    Status s = pipeline::Generate(g, nullptr);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return g.out_dir + "/" + g.pairs[0];
  }
  MergeOptions Options(const std::string& input, const std::string& out_name) {
    MergeOptions o;
    o.input_dir = input;
    o.output = dir_.Join(out_name);
    o.check_memory = false;
    return o;
  }
  testing::TempDir dir_;
};

pipeline::GenOptions Small(int tables = 8, int64_t rows = 3000) {
  pipeline::GenOptions g;
  g.pairs = {"p"};
  g.tables = tables;
  g.cols = 5;
  g.rows = rows;
  g.seed = 3;
  return g;
}

TEST_F(MergeTest, OutputHasSpineRowsAndAllColumns) {
  std::string in = Generate(Small());
  auto r = RunMerge(Options(in, "out.parquet"), MergeEnv{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto file = parquet::ParquetFileReader::Open(io::DefaultFileSystem(), dir_.Join("out.parquet"));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->num_rows(), 3000);
  EXPECT_EQ((*file)->num_columns(), r->columns);
  EXPECT_EQ((*file)->schema().column(0).name, "interval_time");
  EXPECT_TRUE(io::DefaultFileSystem()->Exists(ManifestPath(dir_.Join("out.parquet"))));
  EXPECT_FALSE(io::DefaultFileSystem()->Exists(JournalPath(dir_.Join("out.parquet"))));
  EXPECT_FALSE(io::DefaultFileSystem()->Exists(PartialPath(dir_.Join("out.parquet"))));
}

TEST_F(MergeTest, OutputIsByteIdenticalForAnyThreadCount) {
  std::string in = Generate(Small(10, 5000));
  MergeOptions one = Options(in, "t1.parquet");
  one.threads = 1;
  one.row_group_rows = 1500;
  MergeOptions four = Options(in, "t4.parquet");
  four.threads = 4;
  four.row_group_rows = 1500;
  ASSERT_TRUE(RunMerge(one, MergeEnv{}).ok());
  ASSERT_TRUE(RunMerge(four, MergeEnv{}).ok());
  EXPECT_EQ(ReadBytes(one.output), ReadBytes(four.output));
}

// Sources whose row groups are the output's (feature files written per block of bars): the
// plan lines its row groups up with them and copies their chunks as stored; the cells equal a
// run that decodes and re-encodes everything, and the copy is as deterministic as encoding.
TEST_F(MergeTest, RowGroupsLineUpWithTheSourcesAndTheirChunksAreCopied) {
  pipeline::GenOptions g = Small(8, 4800);
  g.profile = pipeline::GenOptions::Profile::kUniform;  // every table on the spine's keys
  g.row_group_rows = 1200;
  std::string in = Generate(g);
  MergeOptions o = Options(in, "copied.parquet");
  o.row_group_bytes = 1;  // the smallest row groups allowed (1,024 rows): 1,200 is close enough
  auto copied = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(copied->row_groups, 4);
  // Every chunk but the key's (which gets statistics) is a source chunk.
  EXPECT_EQ(copied->chunks_copied, static_cast<int64_t>(copied->columns - 1) * 4);

  MergeOptions again = Options(in, "copied_again.parquet");
  again.row_group_bytes = 1;
  again.threads = 1;
  ASSERT_TRUE(RunMerge(again, MergeEnv{}).ok());
  EXPECT_EQ(ReadBytes(o.output), ReadBytes(again.output));

  MergeOptions reencoded = Options(in, "reencoded.parquet");
  reencoded.copy_chunks = false;
  reencoded.row_group_rows = 1200;
  auto decoded = RunMerge(reencoded, MergeEnv{});
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->chunks_copied, 0);
  EXPECT_EQ(decoded->row_groups, 4);
  EXPECT_NE(ReadBytes(o.output), ReadBytes(reencoded.output));
  EXPECT_EQ(testing::ReadCells(o.output), testing::ReadCells(reencoded.output));
}

// Sources with row groups smaller than the output's: an output row group takes several whole
// source row groups, whose chunks are joined as stored (one dictionary per chunk, the later
// row groups' indices remapped): fewer row groups than the sources, a smaller file than
// copying them one to one, the same cells as re-encoding, deterministic.
TEST_F(MergeTest, SmallSourceRowGroupsAreJoinedIntoOneOutputRowGroup) {
  pipeline::GenOptions g = Small(8, 4800);
  g.profile = pipeline::GenOptions::Profile::kUniform;
  g.row_group_rows = 600;
  std::string in = Generate(g);
  MergeOptions o = Options(in, "joined.parquet");
  o.row_group_bytes = 1;  // 1,024 rows at least, up to a quarter more: two sources' 600
  auto joined = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_EQ(joined->row_groups, 4);
  // Most are joined; in 600-row groups some columns are dictionary-encoded in one row group and
  // PLAIN in the next (the writer's choice by cardinality): those are re-encoded.
  const int64_t chunks = static_cast<int64_t>(joined->columns - 1) * 4;
  EXPECT_GT(joined->chunks_copied, chunks * 3 / 4);
  EXPECT_LT(joined->chunks_copied, chunks);

  MergeOptions again = Options(in, "joined_again.parquet");
  again.row_group_bytes = 1;
  again.threads = 1;
  ASSERT_TRUE(RunMerge(again, MergeEnv{}).ok());
  EXPECT_EQ(ReadBytes(o.output), ReadBytes(again.output));

  MergeOptions one_to_one = Options(in, "one_to_one.parquet");
  one_to_one.row_group_rows = 600;
  auto copied = RunMerge(one_to_one, MergeEnv{});
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(copied->row_groups, 8);
  EXPECT_LT(ReadBytes(o.output).size(), ReadBytes(one_to_one.output).size());

  MergeOptions reencoded = Options(in, "reencoded.parquet");
  reencoded.copy_chunks = false;
  reencoded.row_group_rows = 1200;
  auto decoded = RunMerge(reencoded, MergeEnv{});
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->chunks_copied, 0);
  const auto cells = testing::ReadCells(reencoded.output);
  EXPECT_EQ(testing::ReadCells(o.output), cells);
  EXPECT_EQ(testing::ReadCells(one_to_one.output), cells);
}

// Row groups that do not line up, and tables that are not one to one with the spine (the bqx
// profile has tables with gaps, extra keys, unsorted rows), are decoded and encoded.
TEST_F(MergeTest, ChunksAreCopiedOnlyWhereRowsMapOneToOne) {
  pipeline::GenOptions g = Small(8, 4800);
  g.row_group_rows = 1200;
  std::string in = Generate(g);
  MergeOptions lined_up = Options(in, "lined_up.parquet");
  lined_up.row_group_rows = 1200;
  auto some = RunMerge(lined_up, MergeEnv{});
  ASSERT_TRUE(some.ok()) << some.status().ToString();
  EXPECT_GT(some->chunks_copied, 0);
  EXPECT_LT(some->chunks_copied, static_cast<int64_t>(some->columns - 1) * 4);
  MergeOptions shifted = Options(in, "shifted.parquet");
  shifted.row_group_rows = 1000;  // output row groups straddle the sources'
  auto r = RunMerge(shifted, MergeEnv{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->chunks_copied, 0);
  MergeOptions ranged = Options(in, "ranged.parquet");
  ranged.row_group_rows = 1200;
  ranged.from = "0";  // a key range: the spine's rows no longer start at a source row group
  auto ranged_run = RunMerge(ranged, MergeEnv{});
  ASSERT_TRUE(ranged_run.ok()) << ranged_run.status().ToString();
  MergeOptions plain = Options(in, "plain.parquet");
  plain.row_group_rows = 1200;
  plain.copy_chunks = false;
  ASSERT_TRUE(RunMerge(plain, MergeEnv{}).ok());
  EXPECT_EQ(testing::ReadCells(lined_up.output), testing::ReadCells(plain.output));
  EXPECT_EQ(testing::ReadCells(shifted.output), testing::ReadCells(plain.output));
  EXPECT_EQ(testing::ReadCells(ranged.output), testing::ReadCells(plain.output));
}

TEST_F(MergeTest, SecondRunIsUpToDateAndForceRebuilds) {
  std::string in = Generate(Small());
  MergeOptions o = Options(in, "out.parquet");
  ASSERT_TRUE(RunMerge(o, MergeEnv{}).ok());
  auto again = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->up_to_date);
  o.force = true;
  auto forced = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(forced.ok());
  EXPECT_FALSE(forced->up_to_date);
}

// Interrupt at the Nth passage of a hook point, then run again: the result must equal an
// uninterrupted run byte for byte.
class ResumeTest : public MergeTest, public ::testing::WithParamInterface<std::pair<const char*, int>> {};

TEST_P(ResumeTest, InterruptedRunResumesByteIdentical) {
  std::string in = Generate(Small(12, 4000));
  MergeOptions ref = Options(in, "ref.parquet");
  ref.row_group_rows = 1000;
  ASSERT_TRUE(RunMerge(ref, MergeEnv{}).ok());

  MergeOptions o = Options(in, "out.parquet");
  o.row_group_rows = 1000;
  std::atomic<bool> interrupt{false};
  int hits = 0;
  const auto [point, nth] = GetParam();
  o.test_hook = [&, point = std::string(point), nth = nth](const char* at) {
    if (point == at && ++hits == nth) interrupt = true;
  };
  MergeEnv env;
  env.interrupt = &interrupt;
  auto first = RunMerge(o, env);
  ASSERT_FALSE(first.ok());
  EXPECT_TRUE(first.status().IsCancelled()) << first.status().ToString();
  EXPECT_FALSE(io::DefaultFileSystem()->Exists(o.output));
  o.test_hook = nullptr;
  interrupt = false;
  auto second = RunMerge(o, env);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->resumed);
  EXPECT_EQ(ReadBytes(ref.output), ReadBytes(o.output));
}

INSTANTIATE_TEST_SUITE_P(Points, ResumeTest,
                         ::testing::Values(std::make_pair("chunk-committed", 1),
                                           std::make_pair("chunk-committed", 17),
                                           std::make_pair("row-group-closed", 1),
                                           std::make_pair("row-group-closed", 3),
                                           std::make_pair("journal-created", 1)));

TEST_F(MergeTest, ChangedInputRefusesToResumeUnlessRestart) {
  std::string in = Generate(Small(6, 2000));
  MergeOptions o = Options(in, "out.parquet");
  o.row_group_rows = 500;
  std::atomic<bool> interrupt{false};
  o.test_hook = [&](const char* at) {
    if (std::string(at) == "row-group-closed") interrupt = true;
  };
  MergeEnv env;
  env.interrupt = &interrupt;
  ASSERT_FALSE(RunMerge(o, env).ok());
  // Rewrite the inputs with another seed: same names, different bytes.
  pipeline::GenOptions g = Small(6, 2000);
  g.seed = 99;
  Generate(g);
  o.test_hook = nullptr;
  interrupt = false;
  auto refused = RunMerge(o, env);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("--restart"), std::string::npos);
  o.restart = true;
  EXPECT_TRUE(RunMerge(o, env).ok());
}

TEST_F(MergeTest, DuplicateKeysAreAnErrorNamingTheTable) {
  pipeline::GenOptions g = Small(10, 2000);
  g.duplicate_rate = 0.01;
  std::string in = Generate(g);
  auto r = RunMerge(Options(in, "out.parquet"), MergeEnv{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("duplicate keys"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("first: 20"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(io::DefaultFileSystem()->Exists(dir_.Join("out.parquet")));
  MergeOptions first = Options(in, "first.parquet");
  first.on_duplicate_key = DuplicatePolicy::kFirst;
  auto ok = RunMerge(first, MergeEnv{});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->rows, 2000);
}

TEST_F(MergeTest, NameClashesAreListedOrPrefixed) {
  pipeline::GenOptions g = Small(8, 1000);
  g.name_clashes = 2;
  std::string in = Generate(g);
  auto r = RunMerge(Options(in, "out.parquet"), MergeEnv{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("2 column name clashes"), std::string::npos) << r.status().ToString();
  MergeOptions o = Options(in, "prefixed.parquet");
  o.on_name_clash = ClashPolicy::kPrefix;
  auto ok = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  auto file = parquet::ParquetFileReader::Open(io::DefaultFileSystem(), o.output);
  ASSERT_TRUE(file.ok());
  bool prefixed = false;
  for (const auto& c : (*file)->schema().columns()) prefixed = prefixed || c.name.find("__") != std::string::npos;
  EXPECT_TRUE(prefixed);
}

TEST_F(MergeTest, PreflightFailuresWriteNothing) {
  std::string in = Generate(Small(4, 500));
  MergeOptions o = Options(in, "out.parquet");
  o.expect_tables = 5;
  auto r = RunMerge(o, MergeEnv{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("expected 5 feature tables"), std::string::npos);
  o.expect_tables = -1;
  o.require_marker = "_DONE";
  r = RunMerge(o, MergeEnv{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("_DONE"), std::string::npos);
  o.require_marker = "";
  o.key = "no_such_key";
  r = RunMerge(o, MergeEnv{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no key column 'no_such_key'"), std::string::npos);
  o.key = "interval_time";
  o.input_dir = dir_.Join("missing");
  r = RunMerge(o, MergeEnv{});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound());
  auto listing = io::DefaultFileSystem()->ListDir(dir_.path());
  ASSERT_TRUE(listing.ok());
  for (const auto& name : *listing) EXPECT_EQ(name.find("out.parquet"), std::string::npos) << name;
}

TEST_F(MergeTest, IncompatibleKeyTypesNameBothFiles) {
  std::string in = Generate(Small(3, 200));
  // A table whose key is a plain INT64 (no timestamp annotation) next to a timestamp spine.
  parquet::ColumnDescriptor key;
  key.name = "interval_time";
  key.type = parquet::Type::kInt64;
  key.nullable = false;
  auto file = io::DefaultFileSystem()->CreateForAppend(in + "/zz_plain_key.parquet");
  ASSERT_TRUE(file.ok());
  auto writer = parquet::ParquetFileWriter::Create(file->get(), parquet::Schema({key}), {});
  ASSERT_TRUE(writer.ok());
  parquet::ColumnData data(parquet::Type::kInt64, 0);
  for (int64_t i = 0; i < 10; i++) data.Append<int64_t>(i);
  parquet::EncodedChunk chunk;
  ASSERT_TRUE(parquet::ColumnChunkWriter(key, {}).Write(data, 0, 10, &chunk).ok());
  ASSERT_TRUE((*writer)->AppendChunk(chunk).ok());
  ASSERT_TRUE((*writer)->CloseRowGroup(10).ok());
  ASSERT_TRUE((*writer)->Finish({}).ok());
  ASSERT_TRUE((*file)->Close().ok());
  auto r = RunMerge(Options(in, "out.parquet"), MergeEnv{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("targets.parquet"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("zz_plain_key.parquet"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("incompatible"), std::string::npos) << r.status().ToString();
}

TEST_F(MergeTest, NotEnoughDiskOrMemoryIsRefusedBeforeWriting) {
  std::string in = Generate(Small(3, 200));
  MergeOptions o = Options(in, "out.parquet");
  o.check_memory = true;
  o.memory_budget = 1ull << 50;  // 1 PiB: more than any machine has available
  auto r = RunMerge(o, MergeEnv{});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsResourceExhausted()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("available memory"), std::string::npos);
  EXPECT_FALSE(io::DefaultFileSystem()->Exists(o.output));
}

TEST_F(MergeTest, SecondWriterOnSameOutputIsRefused) {
  std::string in = Generate(Small(4, 500));
  MergeOptions o = Options(in, "out.parquet");
  auto lock = io::FileLock::Acquire(LockPath(o.output));
  ASSERT_TRUE(lock.ok());
  // flock is per open file description: a second Acquire in this process also conflicts.
  auto r = RunMerge(o, MergeEnv{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(MergeTest, SplitColumnsWritesPartsWithTheKey) {
  std::string in = Generate(Small(6, 800));
  MergeOptions o = Options(in, "split.parquet");
  o.split_columns = 10;
  auto r = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_GT(r->outputs.size(), 1u);
  int64_t total = 0;
  for (const auto& part : r->outputs) {
    auto f = parquet::ParquetFileReader::Open(io::DefaultFileSystem(), part);
    ASSERT_TRUE(f.ok()) << part;
    EXPECT_LE((*f)->num_columns(), 10);
    EXPECT_EQ((*f)->schema().column(0).name, "interval_time");
    total += (*f)->num_columns() - 1;
  }
  EXPECT_EQ(total + 1, r->columns);
}

}  // namespace
}  // namespace featmerge::merge

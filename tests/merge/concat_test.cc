// Shards and concat: `merge --shard K/N` fragments joined by ConcatFragments are byte-identical
// to one merge's output, for several K and shapes; fragment sets that do not form one output
// (a gap, an overlap, another merge's schema, a damaged fragment) are refused with one clear
// message and nothing at the output; a shard resumes after an interruption.
#include "merge/concat.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "merge/merge.h"
#include "merge/shard.h"
#include "parquet/file_reader.h"
#include "pipeline/generator.h"
#include "testing/temp_dir.h"

namespace featmerge::merge {
namespace {

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ConcatTest : public ::testing::Test {
 protected:
  std::string Generate(
      const std::string& name, int tables, int cols, int64_t rows,
      pipeline::GenOptions::Profile profile = pipeline::GenOptions::Profile::kUniform,
      uint64_t seed = 3) {
    pipeline::GenOptions g;
    g.out_dir = dir_.Join(name);
    g.pairs = {"p"};
    g.tables = tables;
    g.cols = cols;
    g.rows = rows;
    g.seed = seed;
    g.profile = profile;
    g.threads = 2;
    Status s = pipeline::Generate(g, nullptr);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return g.out_dir + "/p";
  }

  MergeOptions Options(const std::string& input, const std::string& out, int64_t rg_rows) {
    MergeOptions o;
    o.input_dir = input;
    o.output = dir_.Join(out);
    o.row_group_rows = rg_rows;
    o.check_memory = false;
    o.threads = 2;
    return o;
  }

  // Merges shards 1..n of `o` into <out>.shard-K-of-N.parquet; returns their paths.
  std::vector<std::string> Shards(MergeOptions o, int n) {
    std::vector<std::string> paths;
    const std::string whole = o.output;
    for (int k = 1; k <= n; k++) {
      o.shard = ShardSpec{k, n};
      o.output = FragmentPath(whole, o.shard);
      auto r = RunMerge(o, MergeEnv{});
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      paths.push_back(o.output);
    }
    return paths;
  }

  Result<ConcatSummary> Concat(std::vector<std::string> fragments, const std::string& out) {
    ConcatOptions c;
    c.fragments = std::move(fragments);
    c.output = dir_.Join(out);
    c.copy_buffer_bytes = 64 << 10;  // several buffers per chunk: the streaming path
    return ConcatFragments(c, nullptr, nullptr);
  }

  testing::TempDir dir_;
};

struct Shape {
  const char* name;
  int tables, cols;
  int64_t rows, row_group_rows;
  bool bqx;
  int shards[4];  // the K values to try (0 = unused)
};

class ConcatShapeTest : public ConcatTest, public ::testing::WithParamInterface<Shape> {};

TEST_P(ConcatShapeTest, FragmentsJoinByteIdenticalToOneMerge) {
  const Shape& shape = GetParam();
  const std::string in = Generate(
      "in", shape.tables, shape.cols, shape.rows,
      shape.bqx ? pipeline::GenOptions::Profile::kBqx : pipeline::GenOptions::Profile::kUniform);
  MergeOptions whole = Options(in, "whole.parquet", shape.row_group_rows);
  ASSERT_TRUE(RunMerge(whole, MergeEnv{}).ok());
  const std::string expected = ReadBytes(whole.output);
  ASSERT_FALSE(expected.empty());
  for (int n : shape.shards) {
    if (n == 0) continue;
    SCOPED_TRACE("K = " + std::to_string(n));
    MergeOptions o = Options(in, "frag" + std::to_string(n) + ".parquet", shape.row_group_rows);
    std::vector<std::string> fragments = Shards(o, n);
    // Each fragment is a valid Parquet file of its rows.
    int64_t rows = 0;
    for (const std::string& f : fragments) {
      auto reader = parquet::ParquetFileReader::Open(io::DefaultFileSystem(), f);
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      rows += (*reader)->num_rows();
    }
    EXPECT_EQ(rows, shape.rows);
    std::reverse(fragments.begin(), fragments.end());  // any order
    const std::string out = "joined" + std::to_string(n) + ".parquet";
    auto joined = Concat(fragments, out);
    ASSERT_TRUE(joined.ok()) << joined.status().ToString();
    EXPECT_EQ(joined->rows, shape.rows);
    EXPECT_EQ(joined->fragments, n);
    EXPECT_TRUE(ReadBytes(dir_.Join(out)) == expected) << "K = " << n << " differs";
    EXPECT_FALSE(std::filesystem::exists(PartialPath(dir_.Join(out))));
    EXPECT_FALSE(std::filesystem::exists(LockPath(dir_.Join(out))));
    // The manifest makes a later merge of the same inputs find the output up to date.
    MergeOptions again = whole;
    again.output = dir_.Join(out);
    auto up = RunMerge(again, MergeEnv{});
    ASSERT_TRUE(up.ok()) << up.status().ToString();
    EXPECT_TRUE(up->up_to_date);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConcatShapeTest,
    ::testing::Values(Shape{"uniform_even", 6, 4, 12000, 1000, false, {1, 2, 3, 12}},
                      Shape{"uniform_ragged_last_group", 5, 3, 10007, 999, false, {2, 4, 11, 0}},
                      Shape{"bqx_mixed_types", 8, 0, 9000, 1500, true, {2, 3, 6, 0}},
                      Shape{"one_row_group", 3, 2, 500, 4096, false, {1, 0, 0, 0}}),
    [](const ::testing::TestParamInfo<Shape>& info) { return std::string(info.param.name); });

TEST_F(ConcatTest, SecondConcatIsUpToDate) {
  const std::string in = Generate("in", 4, 3, 6000);
  std::vector<std::string> fragments = Shards(Options(in, "f.parquet", 1000), 3);
  ASSERT_TRUE(Concat(fragments, "out.parquet").ok());
  auto again = Concat(fragments, "out.parquet");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->up_to_date);
}

class ConcatRefusalTest : public ConcatTest {
 protected:
  void SetUp() override {
    in_ = Generate("in", 4, 3, 6000);
    fragments_ = Shards(Options(in_, "f.parquet", 1000), 3);
  }
  // Concat of `fragments` fails with `code` and a message containing every `parts`, and
  // leaves nothing at the output.
  void ExpectRefused(const std::vector<std::string>& fragments, StatusCode code,
                     const std::vector<std::string>& parts) {
    auto r = Concat(fragments, "refused.parquet");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    for (const std::string& part : parts) {
      EXPECT_NE(r.status().message().find(part), std::string::npos)
          << "'" << part << "' not in: " << r.status().message();
    }
    EXPECT_FALSE(std::filesystem::exists(dir_.Join("refused.parquet")));
    EXPECT_FALSE(std::filesystem::exists(PartialPath(dir_.Join("refused.parquet"))));
  }
  std::string in_;
  std::vector<std::string> fragments_;
};

TEST_F(ConcatRefusalTest, GapNamesTheMissingShard) {
  ExpectRefused({fragments_[0], fragments_[2]}, StatusCode::kInvalidArgument,
                {"1 of 3 shards missing: 2/3", "given: shards 1, 3"});
}

TEST_F(ConcatRefusalTest, OverlapNamesTheShardGivenTwice) {
  std::filesystem::copy_file(fragments_[1], dir_.Join("copy.parquet"));
  ExpectRefused({fragments_[0], fragments_[1], dir_.Join("copy.parquet"), fragments_[2]},
                StatusCode::kInvalidArgument, {"shard 2/3 is given twice", "copy.parquet"});
}

TEST_F(ConcatRefusalTest, FragmentsOfDifferentSplitsAreRefused) {
  std::vector<std::string> halves = Shards(Options(in_, "h.parquet", 1000), 2);
  ExpectRefused({fragments_[0], halves[1]}, StatusCode::kInvalidArgument,
                {"does not belong with", "different splits"});
}

TEST_F(ConcatRefusalTest, MismatchedSchemaIsRefused) {
  // Another pair's merge (other tables, so other columns): its shard 2/3 with our 1/3 and 3/3.
  const std::string other =
      Generate("other", 5, 2, 6000, pipeline::GenOptions::Profile::kUniform, 9);
  std::vector<std::string> theirs = Shards(Options(other, "o.parquet", 1000), 3);
  ExpectRefused({fragments_[0], theirs[1], fragments_[2]}, StatusCode::kInvalidArgument,
                {"o.shard-2-of-3.parquet", "does not belong with", "different schema"});
}

TEST_F(ConcatRefusalTest, AnotherMergeOfTheSameSchemaIsRefused) {
  // Same inputs, another row-group size: the same columns but another plan fingerprint.
  std::vector<std::string> theirs = Shards(Options(in_, "r.parquet", 1500), 3);
  ExpectRefused({fragments_[0], theirs[1], fragments_[2]}, StatusCode::kInvalidArgument,
                {"different merges", "plan fingerprint"});
}

TEST_F(ConcatRefusalTest, TruncatedFragmentIsRefused) {
  std::filesystem::resize_file(fragments_[1], std::filesystem::file_size(fragments_[1]) / 2);
  ExpectRefused(fragments_, StatusCode::kCorruption,
                {"fragment '" + fragments_[1] + "' is damaged or incomplete", "PAR1"});
}

TEST_F(ConcatRefusalTest, DamagedFooterIsRefused) {
  // Overwrite bytes in the middle of the footer (the length and magic stay valid).
  const uint64_t size = std::filesystem::file_size(fragments_[2]);
  std::fstream f(fragments_[2], std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(size - 12));
  char len_bytes[4];
  f.read(len_bytes, 4);
  uint32_t footer_len;
  std::memcpy(&footer_len, len_bytes, 4);
  f.seekp(static_cast<std::streamoff>(size - 8 - footer_len / 2));
  const std::string junk(64, '\xff');
  f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  f.close();
  auto r = Concat(fragments_, "refused.parquet");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(fragments_[2]), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("refused.parquet")));
}

TEST_F(ConcatRefusalTest, AWholeOutputIsNotAFragment) {
  MergeOptions whole = Options(in_, "whole.parquet", 1000);
  ASSERT_TRUE(RunMerge(whole, MergeEnv{}).ok());
  ExpectRefused({whole.output}, StatusCode::kInvalidArgument,
                {"is not a shard fragment", "featmerge.shard"});
}

TEST_F(ConcatRefusalTest, MissingFragmentIsNotFound) {
  ExpectRefused({fragments_[0], dir_.Join("nope.parquet"), fragments_[2]}, StatusCode::kNotFound,
                {"nope.parquet", "does not exist"});
}

TEST_F(ConcatTest, InterruptedConcatLeavesNothingAtTheOutputAndRunsAgain) {
  const std::string in = Generate("in", 4, 3, 6000);
  std::vector<std::string> fragments = Shards(Options(in, "f.parquet", 1000), 3);
  std::atomic<bool> interrupt{false};
  ConcatOptions c;
  c.fragments = fragments;
  c.output = dir_.Join("out.parquet");
  c.test_hook = [&interrupt](const char* point) {
    if (std::string(point) == "concat-data-copied") interrupt = true;
  };
  auto stopped = ConcatFragments(c, nullptr, &interrupt);
  ASSERT_FALSE(stopped.ok());
  EXPECT_TRUE(stopped.status().IsCancelled()) << stopped.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(c.output));
  EXPECT_FALSE(std::filesystem::exists(PartialPath(c.output)));
  EXPECT_FALSE(std::filesystem::exists(LockPath(c.output)));
  interrupt = false;
  c.test_hook = nullptr;
  auto again = ConcatFragments(c, nullptr, &interrupt);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->up_to_date);
  EXPECT_EQ(again->rows, 6000);
}

TEST_F(ConcatTest, TooManyShardsForTheRowGroupsIsRefused) {
  const std::string in = Generate("in", 3, 2, 3000);
  MergeOptions o = Options(in, "x.parquet", 1000);
  o.shard = ShardSpec{1, 4};
  auto r = RunMerge(o, MergeEnv{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("only 3 row groups"), std::string::npos)
      << r.status().ToString();
}

TEST_F(ConcatTest, InterruptedShardResumesByteIdentical) {
  const std::string in = Generate("in", 6, 4, 12000);
  MergeOptions whole = Options(in, "whole.parquet", 1000);
  ASSERT_TRUE(RunMerge(whole, MergeEnv{}).ok());
  MergeOptions o = Options(in, "s.parquet", 1000);
  std::vector<std::string> fragments = Shards(o, 3);
  // Shard 2 again, stopped after its first committed row group, then resumed.
  o.shard = ShardSpec{2, 3};
  o.output = dir_.Join("resumed.parquet");
  std::atomic<bool> interrupt{false};
  o.test_hook = [&interrupt](const char* point) {
    if (std::string(point) == "row-group-closed") interrupt = true;
  };
  MergeEnv env;
  env.interrupt = &interrupt;
  auto stopped = RunMerge(o, env);
  ASSERT_FALSE(stopped.ok());
  EXPECT_TRUE(stopped.status().IsCancelled()) << stopped.status().ToString();
  ASSERT_TRUE(std::filesystem::exists(JournalPath(o.output)));
  o.test_hook = nullptr;
  auto resumed = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_TRUE(resumed->resumed);
  EXPECT_EQ(ReadBytes(o.output), ReadBytes(fragments[1]));
  fragments[1] = o.output;
  ASSERT_TRUE(Concat(fragments, "joined.parquet").ok());
  EXPECT_TRUE(ReadBytes(dir_.Join("joined.parquet")) == ReadBytes(whole.output));
}

TEST(ShardSpec, ParsesKOfNAndRefusesTheRest) {
  auto spec = ParseShardSpec("2/3");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->index, 2);
  EXPECT_EQ(spec->count, 3);
  EXPECT_EQ(spec->Text(), "2/3");
  for (const char* bad : {"0/3", "4/3", "3", "/3", "1/", "a/b", "1/0", "-1/2", "1/10001"}) {
    EXPECT_FALSE(ParseShardSpec(bad).ok()) << bad;
  }
}

TEST(ShardSpec, RowGroupRangesAreContiguousAndBalanced) {
  for (int64_t total : {1, 2, 7, 10, 100}) {
    for (int n = 1; n <= total && n <= 12; n++) {
      int64_t next = 0;
      for (int k = 1; k <= n; k++) {
        int64_t first, end;
        ShardRowGroups(total, ShardSpec{k, n}, &first, &end);
        EXPECT_EQ(first, next);
        EXPECT_GE(end - first, total / n);
        EXPECT_LE(end - first, total / n + 1);
        next = end;
      }
      EXPECT_EQ(next, total);
    }
  }
  EXPECT_EQ(FragmentPath("/d/training_x.parquet", ShardSpec{2, 3}),
            "/d/training_x.shard-2-of-3.parquet");
}

}  // namespace
}  // namespace featmerge::merge

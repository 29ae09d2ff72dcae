// Tests of the `featmerge run` config: every option, defaults, relative paths, and one clear
// line with the file and the line for every mistake.
#include "pipeline/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "testing/temp_dir.h"

namespace featmerge::pipeline {
namespace {

const char* kMinimal = R"([paths]
input = "/data/{pair}"
output = "/out/training_{pair}.parquet"
[pairs]
list = ["eurusd", "gbpusd"]
)";

// The message of a config that must be refused.
std::string ErrorOf(const std::string& text, const std::string& path = "pipeline.toml") {
  auto config = ParseRunConfig(text, path);
  EXPECT_FALSE(config.ok()) << "accepted:\n" << text;
  if (config.ok()) return "";
  EXPECT_TRUE(config.status().IsInvalidArgument()) << config.status().ToString();
  EXPECT_EQ(config.status().message().find('\n'), std::string::npos) << "not one line";
  return config.status().message();
}

// kMinimal plus `section` (e.g. "[merge]\nkey = 1\n"), which starts at line 6.
std::string WithSection(const std::string& section) { return std::string(kMinimal) + section; }

TEST(RunConfig, MinimalConfigUsesMergeDefaults) {
  auto config = ParseRunConfig(kMinimal, "pipeline.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->input_pattern, "/data/{pair}");
  EXPECT_EQ(config->output_pattern, "/out/training_{pair}.parquet");
  EXPECT_EQ(config->pairs, (std::vector<std::string>{"eurusd", "gbpusd"}));
  const merge::MergeOptions defaults;
  EXPECT_EQ(config->merge.key, defaults.key);
  EXPECT_EQ(config->merge.spine, defaults.spine);
  EXPECT_EQ(config->merge.compression, defaults.compression);
  EXPECT_EQ(config->merge.expect_tables, -1);
  EXPECT_FALSE(config->memory_budget_set);
  EXPECT_EQ(config->jobs, 1);
  EXPECT_FALSE(config->fail_fast);
  EXPECT_TRUE(config->check);
  EXPECT_EQ(config->schema, "");
}

TEST(RunConfig, EveryOptionIsRead) {
  auto config = ParseRunConfig(WithSection(R"([merge]
key = "ts"
spine = "spine.parquet"
tables = ["bqx_*", "vol_*"]
manifest = "/lists/{pair}.txt"
expect_tables = 667
require_marker = "_COMPLETE"
memory_budget = "4GiB"
threads = 3
row_group_rows = 50000
compression = "gzip"
compression_level = 6
on_duplicate_key = "last"
on_name_clash = "prefix"
split_columns = 1000
crc = false
page_index = false
reencode = true
[run]
jobs = 4
fail_fast = true
check = false
schema = "/ref/schema.json"
)"),
                               "pipeline.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const merge::MergeOptions& m = config->merge;
  EXPECT_EQ(m.key, "ts");
  EXPECT_EQ(m.spine, "spine.parquet");
  EXPECT_EQ(m.table_globs, (std::vector<std::string>{"bqx_*", "vol_*"}));
  EXPECT_EQ(m.manifest_file, "/lists/{pair}.txt");
  EXPECT_EQ(m.expect_tables, 667);
  EXPECT_EQ(m.require_marker, "_COMPLETE");
  EXPECT_EQ(m.memory_budget, 4ull << 30);
  EXPECT_TRUE(config->memory_budget_set);
  EXPECT_EQ(m.threads, 3);
  EXPECT_EQ(m.row_group_rows, 50000);
  EXPECT_EQ(m.compression, parquet::Compression::kGzip);
  EXPECT_EQ(m.compression_level, 6);
  EXPECT_EQ(m.on_duplicate_key, merge::DuplicatePolicy::kLast);
  EXPECT_EQ(m.on_name_clash, merge::ClashPolicy::kPrefix);
  EXPECT_EQ(m.split_columns, 1000);
  EXPECT_FALSE(m.write_crc);
  EXPECT_FALSE(m.page_index);
  EXPECT_FALSE(m.copy_chunks);
  EXPECT_EQ(config->jobs, 4);
  EXPECT_TRUE(config->fail_fast);
  EXPECT_FALSE(config->check);
  EXPECT_EQ(config->schema, "/ref/schema.json");
}

TEST(RunConfig, MemoryBudgetMayBeAByteCount) {
  auto config = ParseRunConfig(WithSection("[merge]\nmemory_budget = 1000000000\n"), "p.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->merge.memory_budget, 1000000000u);
}

TEST(RunConfig, CompressionWithoutLevelGetsTheCodecsDefault) {
  auto snappy = ParseRunConfig(WithSection("[merge]\ncompression = \"snappy\"\n"), "p.toml");
  ASSERT_TRUE(snappy.ok()) << snappy.status().ToString();
  EXPECT_EQ(snappy->merge.compression, parquet::Compression::kSnappy);
  EXPECT_EQ(snappy->merge.compression_level, 0);
  auto zstd = ParseRunConfig(WithSection("[merge]\ncompression = \"zstd\"\n"), "p.toml");
  ASSERT_TRUE(zstd.ok());
  EXPECT_EQ(zstd->merge.compression_level, 1);
}

TEST(RunConfig, RelativePathsAreRelativeToTheConfigDirectory) {
  auto config = ParseRunConfig(R"([paths]
input = "data/{pair}"
output = "out/t_{pair}.parquet"
[merge]
manifest = "lists/{pair}.txt"
[run]
schema = "ref.parquet"
[pairs]
list = ["a"]
)",
                               "/jobs/fx/pipeline.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->input_pattern, "/jobs/fx/data/{pair}");
  EXPECT_EQ(config->output_pattern, "/jobs/fx/out/t_{pair}.parquet");
  EXPECT_EQ(config->merge.manifest_file, "/jobs/fx/lists/{pair}.txt");
  EXPECT_EQ(config->schema, "/jobs/fx/ref.parquet");
  // A config in the working directory keeps paths as written.
  auto here = ParseRunConfig(R"([paths]
input = "data/{pair}"
output = "out/t_{pair}.parquet"
[pairs]
list = ["a"]
)",
                             "pipeline.toml");
  ASSERT_TRUE(here.ok());
  EXPECT_EQ(here->input_pattern, "data/{pair}");
}

TEST(RunConfig, UnknownKeyNamesFileLineAndKey) {
  const std::string msg = ErrorOf(WithSection("[merge]\nkey = \"ts\"\ncompresion = \"zstd\"\n"));
  EXPECT_EQ(msg.rfind("pipeline.toml:8: unknown key 'compresion' in [merge]", 0), 0u) << msg;
  EXPECT_NE(msg.find("did you mean 'compression'"), std::string::npos) << msg;
}

TEST(RunConfig, UnknownSectionNamesFileAndLine) {
  const std::string msg = ErrorOf(WithSection("[rnu]\njobs = 2\n"));
  EXPECT_EQ(msg.rfind("pipeline.toml:6: unknown section or key 'rnu'", 0), 0u) << msg;
  EXPECT_NE(msg.find("did you mean '[run]'"), std::string::npos) << msg;
}

TEST(RunConfig, UnknownKeyOfRunAndPairsAndPaths) {
  EXPECT_EQ(ErrorOf(WithSection("[run]\njob = 2\n"))
                .rfind("pipeline.toml:7: unknown key 'job' in [run]", 0),
            0u);
  EXPECT_EQ(ErrorOf("[paths]\ninput = \"a/{pair}\"\noutpt = \"x\"\n")
                .rfind("pipeline.toml:3: unknown key 'outpt' in [paths]", 0),
            0u);
}

TEST(RunConfig, WrongTypeNamesLineAndExpectedType) {
  EXPECT_EQ(ErrorOf(WithSection("[merge]\nexpect_tables = 'x'\n")),
            "pipeline.toml:7: merge.expect_tables must be an integer, not a string (\"x\")");
  EXPECT_EQ(ErrorOf(WithSection("[run]\nfail_fast = 1\n")),
            "pipeline.toml:7: run.fail_fast must be true or false, not an integer (1)");
  EXPECT_EQ(ErrorOf(WithSection("[merge]\nkey = 5\n")),
            "pipeline.toml:7: merge.key must be a string, not an integer (5)");
  EXPECT_EQ(ErrorOf(WithSection("[merge]\ntables = [\"a\", 2]\n")),
            "pipeline.toml:7: merge.tables[1] must be a string, not an integer (2)");
  EXPECT_EQ(ErrorOf("[merge]\n[paths]\ninput = true\n"),
            "pipeline.toml:3: paths.input must be a string, not a boolean (true)");
  EXPECT_EQ(ErrorOf("merge = 3\n"),
            "pipeline.toml:1: 'merge' must be a section ([merge]), not an integer (3)");
}

TEST(RunConfig, BadValuesNameLineAndChoices) {
  EXPECT_EQ(ErrorOf(WithSection("[merge]\ncompression = \"lzma\"\n")),
            "pipeline.toml:7: merge.compression must be zstd, snappy, lz4, gzip, brotli or none, "
            "not \"lzma\"");
  EXPECT_EQ(ErrorOf(WithSection("[merge]\non_duplicate_key = \"keep\"\n")),
            "pipeline.toml:7: merge.on_duplicate_key must be error, first or last, not \"keep\"");
  EXPECT_EQ(ErrorOf(WithSection("[run]\njobs = 0\n")),
            "pipeline.toml:7: run.jobs must be between 1 and 256, not 0");
  EXPECT_EQ(ErrorOf(WithSection("[merge]\nthreads = -2\n")),
            "pipeline.toml:7: merge.threads must be between 1 and 1024, not -2");
  EXPECT_EQ(ErrorOf(WithSection("[merge]\nsplit_columns = 1\n")),
            "pipeline.toml:7: merge.split_columns must be 0 (off) or at least 2");
  const std::string budget = ErrorOf(WithSection("[merge]\nmemory_budget = \"lots\"\n"));
  EXPECT_EQ(budget.rfind("pipeline.toml:7: merge.memory_budget: invalid size 'lots'", 0), 0u)
      << budget;
}

TEST(RunConfig, CompressionLevelIsCheckedAgainstTheCodec) {
  EXPECT_EQ(ErrorOf(WithSection("[merge]\ncompression_level = 30\ncompression = \"zstd\"\n")),
            "pipeline.toml:7: merge.compression_level 30 is out of range for ZSTD");
  auto gzip =
      ParseRunConfig(WithSection("[merge]\ncompression = \"gzip\"\ncompression_level = 9\n"), "p");
  EXPECT_TRUE(gzip.ok()) << gzip.status().ToString();
}

TEST(RunConfig, SyntaxErrorNamesLineAndColumn) {
  const std::string msg = ErrorOf("[paths]\ninput = \"data/{pair}\noutput = 1\n");
  EXPECT_EQ(msg.rfind("pipeline.toml:2:", 0), 0u) << msg;
  EXPECT_NE(msg.find("TOML syntax error"), std::string::npos) << msg;
}

TEST(RunConfig, RequiredPathsAndPairs) {
  EXPECT_EQ(ErrorOf("[pairs]\nlist = [\"a\"]\n")
                .rfind("pipeline.toml: [paths] needs input and output", 0),
            0u);
  EXPECT_EQ(ErrorOf("[paths]\ninput = \"a/{pair}\"\noutput = \"b/{pair}.parquet\"\n")
                .rfind("pipeline.toml: [pairs] needs list", 0),
            0u);
}

TEST(RunConfig, PatternsNeedThePairToken) {
  EXPECT_EQ(ErrorOf("[paths]\ninput = \"data\"\n"),
            "pipeline.toml:2: paths.input must contain {pair} (each pair has its own inputs)");
  EXPECT_EQ(ErrorOf("[paths]\ninput = \"data/{pair}\"\noutput = \"out.parquet\"\n"),
            "pipeline.toml:3: paths.output must contain {pair} (each pair writes its own file)");
}

TEST(RunConfig, PairsMustBeUniquePlainNames) {
  const std::string base =
      "[paths]\ninput = \"a/{pair}\"\noutput = \"b/{pair}.p\"\n[pairs]\nlist = [\n";
  EXPECT_EQ(ErrorOf(base + "  \"eurusd\",\n  \"eurusd\",\n]\n"),
            "pipeline.toml:7: pairs.list: \"eurusd\" is listed twice");
  EXPECT_EQ(ErrorOf(base + "  \"eur/usd\",\n]\n"),
            "pipeline.toml:6: pairs.list: \"eur/usd\" is not a valid pair name (letters, digits, _ "
            "- . only)");
  EXPECT_EQ(ErrorOf(base + "]\n"), "pipeline.toml:5: pairs.list is empty");
}

TEST(RunConfig, MissingFileIsOneLineNamingIt) {
  testing::TempDir dir;
  auto config = LoadRunConfig(dir.Join("missing.toml"));
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(config.status().IsInvalidArgument());
  EXPECT_EQ(config.status().message(), dir.Join("missing.toml") + ": config file not found");
}

TEST(RunConfig, LoadReadsTheFileAndNamesItInErrors) {
  testing::TempDir dir;
  const std::string path = dir.Join("pipeline.toml");
  {
    std::ofstream out(path);
    out << WithSection("[run]\njobs = 'two'\n");
  }
  auto bad = LoadRunConfig(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            path + ":7: run.jobs must be an integer, not a string (\"two\")");
  {
    std::ofstream out(path);
    out << "[paths]\ninput = \"in/{pair}\"\noutput = \"out/{pair}.parquet\"\n[pairs]\nlist = "
           "[\"a\"]\n";
  }
  auto good = LoadRunConfig(path);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->config_path, path);
  EXPECT_EQ(good->input_pattern, dir.Join("in/{pair}"));
}

TEST(RunConfig, ExpandPairReplacesEveryToken) {
  EXPECT_EQ(ExpandPair("data/{pair}/x_{pair}.parquet", "eurusd"), "data/eurusd/x_eurusd.parquet");
  EXPECT_EQ(ExpandPair("no-token", "eurusd"), "no-token");
}

TEST(RunConfig, RunDirectoryIsTheDeepestDirectoryWithoutThePair) {
  RunConfig config;
  config.output_pattern = "/out/training/training_{pair}.parquet";
  EXPECT_EQ(RunDirectory(config), "/out/training");
  config.output_pattern = "/out/{pair}/training.parquet";
  EXPECT_EQ(RunDirectory(config), "/out");
  config.output_pattern = "training_{pair}.parquet";
  EXPECT_EQ(RunDirectory(config), ".");
}

TEST(RunConfig, ExampleConfigParsesWithTheReferencePairs) {
  const std::vector<std::string>& pairs = ReferencePairs();
  ASSERT_EQ(pairs.size(), 28u);
  EXPECT_EQ(std::set<std::string>(pairs.begin(), pairs.end()).size(), 28u);
  auto config = ParseRunConfig(ExampleConfig(), "/jobs/pipeline.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->pairs, pairs);
  EXPECT_EQ(config->merge.expect_tables, 667);
  EXPECT_EQ(config->merge.require_marker, "_COMPLETE");
  EXPECT_EQ(config->merge.memory_budget, 4ull << 30);
  EXPECT_EQ(config->input_pattern, "/jobs/data/features/checkpoints/{pair}");
  EXPECT_EQ(config->output_pattern, "/jobs/data/training/training_{pair}.parquet");
}

}  // namespace
}  // namespace featmerge::pipeline

// The run config's [[tables]] join rules and [merge] selection keys, and how `run` passes them
// to each merge child.
#include <gtest/gtest.h>

#include <algorithm>

#include "pipeline/config.h"
#include "pipeline/run_commands.h"

namespace featmerge::pipeline {
namespace {

const char* kBase = R"([paths]
input = "/data/{pair}"
output = "/out/training_{pair}.parquet"
[pairs]
list = ["eurusd"]
)";

TEST(ConfigTables, TableRulesAndSelectionAreRead) {
  auto config = ParseRunConfig(std::string(kBase) + R"([merge]
exclude_tables = ["tmp_*"]
columns = ["target_*", "bqx_*"]
exclude_columns = "*_raw"
from = "2024-01-01"
to = "2024-07-01T00:00:00Z"
[[tables]]
match = "corr_*"
join = "asof"
tolerance = "2h"
allow_exact_matches = false
[[tables]]
match = "*"
join = "asof"
tolerance = 900
)",
                               "pipeline.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const merge::MergeOptions& m = config->merge;
  EXPECT_EQ(m.exclude_table_globs, (std::vector<std::string>{"tmp_*"}));
  EXPECT_EQ(m.column_globs, (std::vector<std::string>{"target_*", "bqx_*"}));
  EXPECT_EQ(m.exclude_column_globs, (std::vector<std::string>{"*_raw"}));
  EXPECT_EQ(m.from, "2024-01-01");
  EXPECT_EQ(m.to, "2024-07-01T00:00:00Z");
  ASSERT_EQ(m.join_rules.size(), 2u);
  EXPECT_EQ(m.join_rules[0].match, "corr_*");
  EXPECT_TRUE(*m.join_rules[0].asof);
  EXPECT_EQ(*m.join_rules[0].tolerance, "2h");
  EXPECT_FALSE(*m.join_rules[0].allow_exact_matches);
  EXPECT_EQ(m.join_rules[1].match, "*");
  EXPECT_EQ(*m.join_rules[1].tolerance, "900");
  EXPECT_FALSE(m.join_rules[1].allow_exact_matches.has_value());

  // Every setting reaches the merge child, rules in order.
  BatchOptions options;
  PairResult pair;
  pair.pair = "eurusd";
  pair.input = "/data/eurusd";
  pair.output = "/out/training_eurusd.parquet";
  const std::vector<std::string> argv = MergeCommand(*config, options, pair);
  auto after = [&](const std::string& flag) {
    std::vector<std::string> values;
    for (size_t i = 0; i + 1 < argv.size(); i++) {
      if (argv[i] == flag) values.push_back(argv[i + 1]);
    }
    return values;
  };
  EXPECT_EQ(after("--join"), (std::vector<std::string>{"corr_*=asof", "*=asof"}));
  EXPECT_EQ(after("--tolerance"), (std::vector<std::string>{"corr_*=2h", "*=900"}));
  EXPECT_EQ(after("--allow-exact-matches"), (std::vector<std::string>{"corr_*=false"}));
  EXPECT_EQ(after("--exclude-tables"), (std::vector<std::string>{"tmp_*"}));
  EXPECT_EQ(after("--columns"), (std::vector<std::string>{"target_*", "bqx_*"}));
  EXPECT_EQ(after("--exclude"), (std::vector<std::string>{"*_raw"}));
  EXPECT_EQ(after("--from"), (std::vector<std::string>{"2024-01-01"}));
  EXPECT_EQ(after("--to"), (std::vector<std::string>{"2024-07-01T00:00:00Z"}));
}

std::string ErrorOf(const std::string& tables) {
  auto config = ParseRunConfig(std::string(kBase) + tables, "pipeline.toml");
  EXPECT_FALSE(config.ok());
  return config.ok() ? "" : config.status().message();
}

TEST(ConfigTables, MistakesNameTheLineAndTheKey) {
  EXPECT_NE(ErrorOf("[[tables]]\njoin = \"asof\"\n").find("needs match"), std::string::npos);
  EXPECT_NE(ErrorOf("[[tables]]\nmatch = \"*\"\njoin = \"nearest\"\n")
                .find("pipeline.toml:8: tables.join must be exact or asof"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[tables]]\nmatch = \"*\"\ntolerence = \"2h\"\n").find("did you mean 'tolerance'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[tables]]\nmatch = \"*\"\ntolerance = \"2 hours\"\n").find("tables.tolerance"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[tables]\nmatch = \"*\"\n").find("array of sections"), std::string::npos);
}

}  // namespace
}  // namespace featmerge::pipeline

#include "cli/selection_args.h"

#include <gtest/gtest.h>

namespace featmerge::cli {
namespace {

TEST(SelectionArgs, EntriesKeepTheirOrderPerSetting) {
  SelectionArgs a;
  a.join = {"asof"};
  a.tolerance = {"zz_*=5m", "90s"};
  a.allow_exact_matches = {"zz_bars*=false"};
  merge::MergeOptions o;
  merge::JoinRule config_rule;
  config_rule.match = "corr_*";
  config_rule.tolerance = "1h";
  o.join_rules = {config_rule};
  ASSERT_TRUE(ApplySelectionArgs(a, &o).ok());
  // Command-line entries first (they win), in the order given, then the config's.
  ASSERT_EQ(o.join_rules.size(), 5u);
  EXPECT_EQ(o.join_rules[0].match, "*");
  EXPECT_TRUE(*o.join_rules[0].asof);
  EXPECT_EQ(o.join_rules[1].match, "zz_*");
  EXPECT_EQ(*o.join_rules[1].tolerance, "5m");
  EXPECT_EQ(o.join_rules[2].match, "*");
  EXPECT_EQ(*o.join_rules[2].tolerance, "90s");
  EXPECT_EQ(o.join_rules[3].match, "zz_bars*");
  EXPECT_FALSE(*o.join_rules[3].allow_exact_matches);
  EXPECT_EQ(o.join_rules[4].match, "corr_*");
}

TEST(SelectionArgs, BadValuesNameTheOption) {
  merge::MergeOptions o;
  SelectionArgs join;
  join.join = {"corr_*=nearest"};
  auto s = ApplySelectionArgs(join, &o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--join"), std::string::npos);
  SelectionArgs exact;
  exact.allow_exact_matches = {"maybe"};
  EXPECT_FALSE(ApplySelectionArgs(exact, &o).ok());
  SelectionArgs tolerance;
  tolerance.tolerance = {"corr_*="};
  EXPECT_FALSE(ApplySelectionArgs(tolerance, &o).ok());
}

TEST(SelectionArgs, SelectionAndRangeAreCopied) {
  SelectionArgs a;
  a.exclude_tables = {"tmp_*"};
  a.columns = {"target_*", "bqx_*"};
  a.exclude_columns = {"*_raw"};
  a.from = "2024-01-01";
  a.to = "2024-02-01";
  merge::MergeOptions o;
  ASSERT_TRUE(ApplySelectionArgs(a, &o).ok());
  EXPECT_EQ(o.exclude_table_globs, a.exclude_tables);
  EXPECT_EQ(o.column_globs, a.columns);
  EXPECT_EQ(o.exclude_column_globs, a.exclude_columns);
  EXPECT_EQ(o.from, "2024-01-01");
  EXPECT_EQ(o.to, "2024-02-01");
}

}  // namespace
}  // namespace featmerge::cli

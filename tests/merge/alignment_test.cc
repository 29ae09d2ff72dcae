#include "merge/alignment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "testing/temp_dir.h"

namespace featmerge::merge {
namespace {

KeyColumn Keys(std::vector<int64_t> values) {
  KeyColumn k;
  k.values = std::move(values);
  int64_t prev = INT64_MIN;
  for (int64_t v : k.values) {
    if (v < prev) k.sorted = false;
    prev = v;
  }
  return k;
}

// Reference: for each spine row, the source row (first/last per policy) or -1.
std::vector<int64_t> Expand(const Alignment& a, int64_t rows, const SpillFile* spill) {
  std::vector<MatchRun> runs;
  EXPECT_TRUE(a.RunsFor(0, rows, spill, &runs).ok());
  std::vector<int64_t> out(static_cast<size_t>(rows), -1);
  for (const MatchRun& r : runs) {
    for (int64_t i = 0; i < r.length; i++) out[static_cast<size_t>(r.spine_begin + i)] = r.src_begin + i;
  }
  return out;
}

class AlignmentTest : public ::testing::Test {
 protected:
  Result<Alignment> Align(const KeyColumn& spine, const KeyColumn& table, JoinSpec spec = {}) {
    KeyType type;
    auto index = BuildSpineIndex(spine, type, nullptr, "spine");
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    index_ = std::move(index).value();
    return AlignTable(spine, index_, table, spec, &spill_, &dups_);
  }
  testing::TempDir dir_;
  SpillFile spill_{io::DefaultFileSystem(), dir_.Join("spill")};
  SpineIndex index_;
  DuplicateReport dups_;
};

TEST_F(AlignmentTest, IdenticalKeysGiveOneIdentityRun) {
  KeyColumn spine = Keys({10, 20, 30, 40});
  auto a = Align(spine, Keys({10, 20, 30, 40}));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->IsIdentity(4));
  EXPECT_EQ(a->run_count(), 1u);
  EXPECT_EQ(a->matched_rows(), 4);
}

// The one-pass path for a table on the spine's own keys must give what matching key by key
// gives: identity for exact and as-of joins, one row back for strict as-of, and no shortcut
// when a key is missing.
TEST_F(AlignmentTest, TableOnTheSpinesKeysMatchesRowForRow) {
  std::vector<int64_t> values(5000);
  for (size_t i = 0; i < values.size(); i++) values[i] = 1000 + 60 * static_cast<int64_t>(i);
  const KeyColumn spine = Keys(values);
  std::vector<int64_t> identity(values.size());
  std::iota(identity.begin(), identity.end(), 0);

  auto exact = Align(spine, Keys(values));
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(Expand(*exact, 5000, &spill_), identity);
  JoinSpec asof;
  asof.asof = true;
  asof.tolerance = 0;
  auto at_or_before = Align(spine, Keys(values), asof);
  ASSERT_TRUE(at_or_before.ok());
  EXPECT_EQ(Expand(*at_or_before, 5000, &spill_), identity);

  asof.allow_exact_matches = false;
  asof.tolerance = -1;
  auto strictly_before = Align(spine, Keys(values), asof);
  ASSERT_TRUE(strictly_before.ok());
  std::vector<int64_t> previous(values.size());
  for (size_t i = 0; i < previous.size(); i++) previous[i] = static_cast<int64_t>(i) - 1;
  EXPECT_EQ(Expand(*strictly_before, 5000, &spill_), previous);

  KeyColumn with_null = Keys(values);
  with_null.valid.assign(values.size(), 1);
  with_null.valid[17] = 0;
  with_null.null_count = 1;
  auto missing = Align(spine, with_null);
  ASSERT_TRUE(missing.ok());
  std::vector<int64_t> want = identity;
  want[17] = -1;
  EXPECT_EQ(Expand(*missing, 5000, &spill_), want);
}

TEST_F(AlignmentTest, GapsAndExtraKeysGiveRunsAndNulls) {
  KeyColumn spine = Keys({10, 20, 30, 40, 50, 60});
  auto a = Align(spine, Keys({5, 10, 20, 40, 45, 50, 60, 70}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Expand(*a, 6, &spill_), (std::vector<int64_t>{1, 2, -1, 3, 5, 6}));
  EXPECT_EQ(a->matched_rows(), 5);
}

TEST_F(AlignmentTest, UnsortedTableMatchesByKey) {
  KeyColumn spine = Keys({1, 2, 3, 4, 5});
  auto a = Align(spine, Keys({5, 3, 1, 4, 2}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Expand(*a, 5, &spill_), (std::vector<int64_t>{2, 4, 1, 3, 0}));
}

TEST_F(AlignmentTest, UnsortedSpineKeepsSpineOrder) {
  KeyColumn spine = Keys({30, 10, 20});
  auto a = Align(spine, Keys({10, 20, 30}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Expand(*a, 3, &spill_), (std::vector<int64_t>{2, 0, 1}));
}

TEST_F(AlignmentTest, DuplicateKeysAreCountedAndFirstOrLastChosen) {
  KeyColumn spine = Keys({1, 2, 3});
  auto first = Align(spine, Keys({1, 2, 2, 3, 3, 3, 9, 9}));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(dups_.duplicated_keys, 2);  // 9 does not match the spine: not counted
  EXPECT_EQ(dups_.first_key, 2);
  EXPECT_EQ(Expand(*first, 3, &spill_), (std::vector<int64_t>{0, 1, 3}));
  JoinSpec last;
  last.duplicates = DuplicatePolicy::kLast;
  auto l = Align(spine, Keys({1, 2, 2, 3, 3, 3}), last);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(Expand(*l, 3, &spill_), (std::vector<int64_t>{0, 2, 5}));
}

TEST_F(AlignmentTest, DuplicateSpineKeysAreAnError) {
  KeyType type;
  auto index = BuildSpineIndex(Keys({1, 2, 2, 3}), type, nullptr, "targets.parquet");
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.status().message().find("1 duplicated key"), std::string::npos);
}

TEST_F(AlignmentTest, NullKeysNeverMatch) {
  KeyColumn spine = Keys({1, 2, 3});
  spine.valid = {1, 0, 1};
  spine.null_count = 1;
  KeyColumn table = Keys({1, 2, 3});
  table.valid = {1, 1, 0};
  table.null_count = 1;
  auto a = Align(spine, table);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Expand(*a, 3, &spill_), (std::vector<int64_t>{0, -1, -1}));
}

TEST_F(AlignmentTest, AsofTakesLatestAtOrBeforeWithinTolerance) {
  KeyColumn spine = Keys({60, 120, 180, 240, 600});
  JoinSpec spec;
  spec.asof = true;
  spec.tolerance = 100;
  auto a = Align(spine, Keys({0, 120, 130}), spec);
  ASSERT_TRUE(a.ok());
  // 60 -> 0 (60 old), 120 -> 120 (exact), 180 -> 130, 240 -> 130 (110 > 100: null), 600 none.
  EXPECT_EQ(Expand(*a, 5, &spill_), (std::vector<int64_t>{0, 1, 2, -1, -1}));
  spec.allow_exact_matches = false;
  spec.tolerance = -1;
  auto strict = Align(spine, Keys({0, 120, 130}), spec);
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(Expand(*strict, 5, &spill_), (std::vector<int64_t>{0, 0, 2, 2, 2}));
}

TEST_F(AlignmentTest, AsofOnUnsortedTableAndSpineMatchesSortedResult) {
  // Spine and table out of order; the matches are those of the sorted case above.
  KeyColumn spine = Keys({240, 60, 600, 180, 120});
  JoinSpec spec;
  spec.asof = true;
  spec.tolerance = 100;
  auto a = Align(spine, Keys({130, 0, 120}), spec);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Expand(*a, 5, &spill_), (std::vector<int64_t>{-1, 1, -1, 0, 2}));
  spec.allow_exact_matches = false;
  auto strict = Align(spine, Keys({130, 0, 120}), spec);
  ASSERT_TRUE(strict.ok());
  // 120 -> strictly before: 0 (120 old > 100: null); 180 -> 130.
  EXPECT_EQ(Expand(*strict, 5, &spill_), (std::vector<int64_t>{-1, 1, -1, 0, -1}));
}

TEST_F(AlignmentTest, AsofDuplicateTableKeysAreCountedAndFollowThePolicy) {
  KeyColumn spine = Keys({10, 15, 20, 30});
  JoinSpec spec;
  spec.asof = true;
  auto first = Align(spine, Keys({5, 5, 20, 20, 20}), spec);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(dups_.duplicated_keys, 2);
  EXPECT_EQ(dups_.first_key, 5);
  EXPECT_EQ(Expand(*first, 4, &spill_), (std::vector<int64_t>{0, 0, 2, 2}));
  spec.duplicates = DuplicatePolicy::kLast;
  auto last = Align(spine, Keys({5, 5, 20, 20, 20}), spec);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(Expand(*last, 4, &spill_), (std::vector<int64_t>{1, 1, 4, 4}));
}

TEST_F(AlignmentTest, RandomMappingSpillsAndSlicesMatchReference) {
  const int64_t n = 20000;
  std::vector<int64_t> spine_keys(n);
  std::iota(spine_keys.begin(), spine_keys.end(), 0);
  std::vector<int64_t> table_keys = spine_keys;
  std::mt19937_64 rng(7);
  std::shuffle(table_keys.begin(), table_keys.end(), rng);
  table_keys.resize(n - 1000);  // gaps
  KeyColumn spine = Keys(spine_keys);
  KeyColumn table = Keys(table_keys);
  auto a = Align(spine, table);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->dense());
  EXPECT_GT(spill_.bytes(), 0u);
  std::vector<int64_t> want(n, -1);
  for (size_t r = 0; r < table_keys.size(); r++) want[static_cast<size_t>(table_keys[r])] = static_cast<int64_t>(r);
  EXPECT_EQ(Expand(*a, n, &spill_), want);
  // A slice in the middle.
  std::vector<MatchRun> runs;
  ASSERT_TRUE(a->RunsFor(5000, 5100, &spill_, &runs).ok());
  int64_t covered = 0;
  for (const MatchRun& r : runs) {
    EXPECT_EQ(want[static_cast<size_t>(5000 + r.spine_begin)], r.src_begin);
    covered += r.length;
  }
  int64_t expected = 0;
  for (int i = 5000; i < 5100; i++) expected += want[static_cast<size_t>(i)] >= 0;
  EXPECT_EQ(covered, expected);
}

TEST_F(AlignmentTest, RunsForSlicesRunListAtArbitraryBounds) {
  KeyColumn spine = Keys({1, 2, 3, 4, 5, 6, 7, 8});
  auto a = Align(spine, Keys({1, 2, 3, 5, 6, 7, 8}));
  ASSERT_TRUE(a.ok());
  std::vector<MatchRun> runs;
  ASSERT_TRUE(a->RunsFor(2, 7, &spill_, &runs).ok());
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].spine_begin, 0);
  EXPECT_EQ(runs[0].src_begin, 2);
  EXPECT_EQ(runs[0].length, 1);
  EXPECT_EQ(runs[1].spine_begin, 2);
  EXPECT_EQ(runs[1].src_begin, 3);
  EXPECT_EQ(runs[1].length, 3);
}

}  // namespace
}  // namespace featmerge::merge

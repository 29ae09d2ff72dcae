#include "base/units.h"

#include <gtest/gtest.h>

namespace featmerge {
namespace {

TEST(ParseSize, BinaryAndDecimalUnits) {
  EXPECT_EQ(*ParseSize("1GiB"), 1ull << 30);
  EXPECT_EQ(*ParseSize("512MiB"), 512ull << 20);
  EXPECT_EQ(*ParseSize("4G"), 4ull << 30);
  EXPECT_EQ(*ParseSize("1.5 GB"), 1500000000ull);
  EXPECT_EQ(*ParseSize("1000"), 1000ull);
}

TEST(ParseSize, GarbageIsInvalidArgument) {
  EXPECT_TRUE(ParseSize("lots").status().IsInvalidArgument());
  EXPECT_TRUE(ParseSize("12 parsecs").status().IsInvalidArgument());
  EXPECT_TRUE(ParseSize("").status().IsInvalidArgument());
}

TEST(ParseDuration, UnitsAndCombinations) {
  EXPECT_EQ(*ParseDuration("90s"), 90'000'000'000);
  EXPECT_EQ(*ParseDuration("1h30m"), 5'400'000'000'000);
  EXPECT_EQ(*ParseDuration("250ms"), 250'000'000);
  EXPECT_TRUE(ParseDuration("5 fortnights").status().IsInvalidArgument());
}

TEST(FormatBytes, PicksReadableUnit) {
  EXPECT_EQ(FormatBytes(12), "12 B");
  EXPECT_EQ(FormatBytes(1536), "1.50 KiB");
  EXPECT_EQ(FormatBytes(3ull << 30), "3.00 GiB");
}

}  // namespace
}  // namespace featmerge

#include "base/status.h"

#include <gtest/gtest.h>

#include "base/memory_budget.h"

namespace featmerge {
namespace {

Result<int> Half(int v) {
  if (v % 2) return Status::InvalidArgument("odd");
  return v / 2;
}

Status UseHalf(int v, int* out) {
  FM_ASSIGN_OR_RETURN(*out, Half(v));
  return Status::OK();
}

TEST(Status, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, WithContextPrefixesMessageAndKeepsCode) {
  Status s = Status::Corruption("bad page").WithContext("'f.parquet'");
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(), "'f.parquet': bad page");
}

TEST(Result, AssignOrReturnPropagatesErrors) {
  int out = 0;
  EXPECT_TRUE(UseHalf(4, &out).ok());
  EXPECT_EQ(out, 2);
  EXPECT_TRUE(UseHalf(3, &out).IsInvalidArgument());
}

TEST(MemoryBudget, ReserveOverLimitFailsAndPeakIsTracked) {
  MemoryBudget budget(100);
  EXPECT_TRUE(budget.Reserve(60, "a").ok());
  EXPECT_TRUE(budget.Reserve(50, "b").IsResourceExhausted());
  {
    MemoryReservation r(&budget, 0);
  }
  budget.Release(60);
  EXPECT_EQ(budget.current(), 0u);
  EXPECT_EQ(budget.peak(), 60u);
}

}  // namespace
}  // namespace featmerge

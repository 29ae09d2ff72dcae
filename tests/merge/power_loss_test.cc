// Power loss and write failures through the fault-injecting file system: a run that loses
// everything not fsync'd at a chosen moment resumes to a byte-identical file (the journal never
// points past durable bytes); disk-full and EIO failures give a clear error, nothing at the
// final path, and a resumable state.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "io/fault_injection.h"
#include "io/probes.h"
#include "merge/merge.h"
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

class PowerLossTest : public ::testing::TestWithParam<std::pair<const char*, int>> {
 protected:
  void SetUp() override {
    pipeline::GenOptions g;
    g.out_dir = dir_.Join("in");
    g.pairs = {"p"};
    g.tables = 10;
    g.cols = 5;
    g.rows = 3000;
    g.seed = 8;
    g.threads = 2;
    ASSERT_TRUE(pipeline::Generate(g, nullptr).ok());
    ref_ = Options("ref.parquet");
    ASSERT_TRUE(RunMerge(ref_, MergeEnv{}).ok());
  }
  MergeOptions Options(const std::string& name) {
    MergeOptions o;
    o.input_dir = dir_.Join("in/p");
    o.output = dir_.Join(name);
    o.check_memory = false;
    o.row_group_rows = 700;
    return o;
  }
  testing::TempDir dir_;
  MergeOptions ref_;
};

TEST_P(PowerLossTest, ResumeAfterPowerLossIsByteIdentical) {
  io::FaultInjectionFileSystem fault(io::DefaultFileSystem());
  MergeOptions o = Options("out.parquet");
  const auto [point, nth] = GetParam();
  int hits = 0;
  o.test_hook = [&, point = std::string(point), nth = nth](const char* at) {
    if (point == at && ++hits == nth && !fault.dead()) {
      ASSERT_TRUE(fault.DropUnsyncedData().ok());
      fault.SetDead();
    }
  };
  MergeEnv env;
  env.fs = &fault;
  auto crashed = RunMerge(o, env);
  ASSERT_FALSE(crashed.ok());
  EXPECT_FALSE(io::DefaultFileSystem()->Exists(o.output));
  o.test_hook = nullptr;
  auto resumed = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(ReadBytes(ref_.output), ReadBytes(o.output));
}

INSTANTIATE_TEST_SUITE_P(Moments, PowerLossTest,
                         ::testing::Values(std::make_pair("chunk-committed", 3),
                                           std::make_pair("chunk-committed", 60),
                                           std::make_pair("journal-synced", 1),
                                           std::make_pair("row-group-closed", 2),
                                           std::make_pair("footer-written", 1),
                                           std::make_pair("before-rename", 1)));

TEST_F(PowerLossTest, DiskFullGivesClearErrorAndResumes) {
  io::FaultInjectionFileSystem fault(io::DefaultFileSystem());
  fault.FailWritesAfter(200000);
  MergeOptions o = Options("full.parquet");
  MergeEnv env;
  env.fs = &fault;
  auto r = RunMerge(o, env);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsResourceExhausted()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("No space left on device"), std::string::npos);
  EXPECT_NE(r.status().message().find("full.parquet"), std::string::npos);
  EXPECT_FALSE(io::DefaultFileSystem()->Exists(o.output));
  auto resumed = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_TRUE(resumed->resumed);
  EXPECT_EQ(ReadBytes(ref_.output), ReadBytes(o.output));
}

TEST_F(PowerLossTest, FsyncFailureGivesClearErrorAndNothingAtFinalPath) {
  io::FaultInjectionFileSystem fault(io::DefaultFileSystem());
  fault.FailNthSync(3);
  MergeOptions o = Options("eio.parquet");
  MergeEnv env;
  env.fs = &fault;
  auto r = RunMerge(o, env);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("Input/output error"), std::string::npos);
  EXPECT_FALSE(io::DefaultFileSystem()->Exists(o.output));
  auto resumed = RunMerge(o, MergeEnv{});
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(ReadBytes(ref_.output), ReadBytes(o.output));
}

}  // namespace
}  // namespace featmerge::merge

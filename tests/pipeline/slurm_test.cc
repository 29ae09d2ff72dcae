// `run --slurm` scripts and submission (with a stand-in sbatch), `run --status` from the files
// of a run directory, and the [slurm] config section. The real cluster is tested by
// tests/slurm/slurm_cluster_test.py.
#include "pipeline/slurm.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "merge/merge.h"
#include "pipeline/run_paths.h"
#include "pipeline/run_status.h"
#include "testing/temp_dir.h"

namespace featmerge::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteText(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

class SlurmTest : public ::testing::Test {
 protected:
  RunConfig Config(const std::string& extra = "") {
    const std::string text =
        "[paths]\ninput = \"in/{pair}\"\noutput = \"out/training_{pair}.parquet\"\n"
        "[merge]\nmemory_budget = \"2GiB\"\nthreads = 3\n[run]\njobs = 2\n"
        "[pairs]\nlist = [\"a\", \"b\", \"c\"]\n[slurm]\nshards = { c = 3 }\n" +
        extra;
    auto config = ParseRunConfig(text, dir_.Join("pipeline.toml"));
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return *config;
  }
  // A finished output: the file and its manifest.
  void MakeDone(const std::string& output, int64_t rows) {
    WriteText(output, "PAR1...PAR1");
    WriteText(
        merge::ManifestPath(output),
        json({{"fingerprint", "f"}, {"output", {{"rows", rows}, {"columns", 9}, {"bytes", 11}}}})
            .dump());
  }
  SlurmOptions Options() {
    SlurmOptions o;
    o.exe = "/opt/featmerge/bin/featmerge";
    o.config = dir_.Join("pipeline.toml");
    o.run_args = {"--compression", "snappy"};
    return o;
  }
  testing::TempDir dir_;
};

TEST_F(SlurmTest, ScriptsHaveOneTaskPerPendingPairAndShardWithTheBudgetShare) {
  const RunConfig config = Config();
  MakeDone(PairOutputPath(config, "a"), 100);
  MakeDone(PairOutputPath(config, "c", merge::ShardSpec{1, 3}), 30);
  auto plan = WriteSlurmScripts(config, Options());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // 2 GiB over 2 jobs: 1 GiB per merge; --mem adds the run's own overhead.
  EXPECT_EQ(plan->task_budget, 1ull << 30);
  EXPECT_EQ(plan->mem_bytes, (1ull << 30) + kSlurmTaskOverhead);
  EXPECT_EQ(plan->cpus, 3);
  ASSERT_EQ(plan->jobs.size(), 3u);
  EXPECT_EQ(plan->jobs[0].name, "pairs");
  EXPECT_EQ(plan->jobs[0].pairs, std::vector<std::string>{"b"}) << "a is done";
  EXPECT_EQ(plan->jobs[0].array, "0-0");
  EXPECT_EQ(plan->jobs[1].name, "c.shards");
  EXPECT_EQ(plan->jobs[1].array, "2-3") << "shard 1 is done";
  EXPECT_EQ(plan->jobs[2].name, "c.concat");
  EXPECT_EQ(plan->jobs[2].depends_on, 1);

  const std::string pairs = ReadText(plan->jobs[0].script);
  EXPECT_NE(pairs.find("#SBATCH --mem=1280M\n"), std::string::npos) << pairs;
  EXPECT_NE(pairs.find("#SBATCH --cpus-per-task=3\n"), std::string::npos) << pairs;
  EXPECT_NE(pairs.find("#SBATCH --array=0-0\n"), std::string::npos) << pairs;
  EXPECT_NE(pairs.find("PAIRS=( b )"), std::string::npos) << pairs;
  EXPECT_NE(pairs.find("exec '/opt/featmerge/bin/featmerge' run '" + dir_.Join("pipeline.toml") +
                       "' --only \"$PAIR\""),
            std::string::npos)
      << pairs;
  EXPECT_NE(pairs.find("'--jobs' '1' '--memory-budget' '1073741824' '--threads' '3' "
                       "'--compression' 'snappy'"),
            std::string::npos)
      << pairs;
  const std::string shards = ReadText(plan->jobs[1].script);
  EXPECT_NE(shards.find("--only 'c' --shard \"$K/3\""), std::string::npos) << shards;
  const std::string concat = ReadText(plan->jobs[2].script);
  EXPECT_NE(concat.find("concat '" + PairOutputPath(config, "c", merge::ShardSpec{1, 3}) + "' '" +
                        PairOutputPath(config, "c", merge::ShardSpec{2, 3}) + "' '" +
                        PairOutputPath(config, "c", merge::ShardSpec{3, 3}) + "' -o '" +
                        PairOutputPath(config, "c") + "'"),
            std::string::npos)
      << concat;
  EXPECT_NE(concat.find("#SBATCH --output=" + ConcatLogPath(config, "c")), std::string::npos);
  const std::string submit = ReadText(plan->submit_script);
  EXPECT_NE(submit.find("--dependency=afterok:${job1%%;*}"), std::string::npos) << submit;
  const json record = json::parse(ReadText(dir_.Join("out/slurm/submission.json")));
  EXPECT_EQ(record["pairs"]["c"]["shards"], 3);
  EXPECT_FALSE(record["submitted"].get<bool>());
}

TEST_F(SlurmTest, EverythingDoneWritesNoJobs) {
  const RunConfig config = Config();
  for (const char* pair : {"a", "b", "c"}) MakeDone(PairOutputPath(config, pair), 10);
  auto plan = WriteSlurmScripts(config, Options());
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->jobs.empty());
  EXPECT_NE(FormatSlurmPlan(*plan, false).find("nothing to submit"), std::string::npos);
}

TEST_F(SlurmTest, SubmissionRecordsJobIdsAndTheDependency) {
  const RunConfig config = Config();
  // A stand-in sbatch: logs its arguments, prints the next job id the way --parsable does.
  const std::string sbatch = dir_.Join("sbatch");
  WriteText(sbatch, "#!/bin/bash\necho \"$@\" >> " + dir_.Join("sbatch.args") + "\nn=$(cat " +
                        dir_.Join("n") + " 2>/dev/null || echo 40)\nn=$((n+1))\necho $n > " +
                        dir_.Join("n") + "\necho \"$n;cluster\"\n");
  ::chmod(sbatch.c_str(), 0755);
  SlurmOptions o = Options();
  o.sbatch = sbatch;
  auto plan = WriteSlurmScripts(config, o);
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(SubmitSlurmJobs(config, &*plan, o).ok());
  EXPECT_EQ(plan->jobs[0].job_id, "41");
  EXPECT_EQ(plan->jobs[1].job_id, "42");
  EXPECT_EQ(plan->jobs[2].job_id, "43");
  const std::string args = ReadText(dir_.Join("sbatch.args"));
  EXPECT_NE(args.find("--parsable --dependency=afterok:42 " + plan->jobs[2].script),
            std::string::npos)
      << args;
  const json record = json::parse(ReadText(dir_.Join("out/slurm/submission.json")));
  EXPECT_TRUE(record["submitted"].get<bool>());
  EXPECT_EQ(record["pairs"]["a"]["job"], "41_0");
  EXPECT_EQ(record["pairs"]["b"]["job"], "41_1");
  EXPECT_EQ(record["pairs"]["c"]["shard_jobs"]["2"], "42_2");
  EXPECT_EQ(record["pairs"]["c"]["concat_job"], "43");

  // A failing sbatch: its message is in the error.
  WriteText(sbatch,
            "#!/bin/bash\necho 'sbatch: error: invalid partition specified: x' >&2\nexit 1\n");
  auto again = WriteSlurmScripts(config, o);
  ASSERT_TRUE(again.ok());
  Status s = SubmitSlurmJobs(config, &*again, o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("invalid partition specified"), std::string::npos) << s.ToString();
}

TEST_F(SlurmTest, StatusShowsDonePartialFailedAndPendingFromTheFiles) {
  const RunConfig config = Config();
  MakeDone(PairOutputPath(config, "a"), 100);
  // b: being written, with a progress file.
  const std::string b = PairOutputPath(config, "b");
  WriteText(merge::JournalPath(b), "journal");
  WriteText(merge::PartialPath(b), "PAR1");
  WriteText(PairLogPath(config, "b"), "==== t featmerge run: merge: featmerge merge ...\n");
  WriteText(ProgressPath(PairLogPath(config, "b")), json({{"phase", "writing"},
                                                          {"chunks_done", 45},
                                                          {"chunks_total", 100},
                                                          {"updated_at", 0},
                                                          {"host", "node7"}})
                                                        .dump());
  // c: shard 1 done, shard 2 failed (its last attempt; an earlier one failed differently),
  // shard 3 not started.
  MakeDone(PairOutputPath(config, "c", merge::ShardSpec{1, 3}), 30);
  WriteText(PairLogPath(config, "c", merge::ShardSpec{2, 3}),
            "==== t1 featmerge run: merge: featmerge merge ...\nfeatmerge: Not found: old\n"
            "==== t1 merge exited with code 2 after 1 s, peak RSS 1 MiB: not ready\n"
            "==== t2 featmerge run: merge: featmerge merge ...\n"
            "featmerge: Corruption: 'x.parquet': page 3 of column 'y': bad CRC\n"
            "==== t2 merge exited with code 2 after 1 s, peak RSS 1 MiB: failed\n");
  WriteText(dir_.Join("out/slurm/submission.json"),
            json({{"submitted", true},
                  {"written_at", "2026-11-27T10:00:00Z"},
                  {"pairs",
                   {{"b", {{"shards", 1}, {"job", "7_1"}}},
                    {"c", {{"shards", 3}, {"shard_jobs", {{"2", "8_2"}}}, {"concat_job", "9"}}}}}})
                .dump());

  const RunStatusReport report = CollectRunStatus(config);
  EXPECT_TRUE(report.slurm);
  ASSERT_EQ(report.pairs.size(), 3u);
  EXPECT_EQ(report.pairs[0].whole.state, UnitState::kDone);
  EXPECT_NE(report.pairs[0].whole.detail.find("100 rows"), std::string::npos);
  const UnitStatus& pb = report.pairs[1].whole;
  EXPECT_EQ(pb.state, UnitState::kPartial);
  EXPECT_EQ(pb.job, "7_1");
  EXPECT_NEAR(pb.progress, 0.45, 1e-9);
  EXPECT_NE(pb.detail.find("writing 45% (45 of 100 column chunks)"), std::string::npos)
      << pb.detail;
  EXPECT_NE(pb.detail.find("on node7"), std::string::npos) << pb.detail;
  const PairStatusView& pc = report.pairs[2];
  EXPECT_EQ(pc.shards, 3);
  EXPECT_EQ(pc.whole.state, UnitState::kFailed);
  ASSERT_EQ(pc.units.size(), 4u);
  EXPECT_EQ(pc.units[0].state, UnitState::kDone);
  EXPECT_EQ(pc.units[1].state, UnitState::kFailed);
  EXPECT_EQ(pc.units[1].job, "8_2");
  EXPECT_EQ(pc.units[1].detail, "failed: Corruption: 'x.parquet': page 3 of column 'y': bad CRC");
  EXPECT_EQ(pc.units[2].state, UnitState::kPending);
  EXPECT_EQ(pc.units[3].name, "concat");
  EXPECT_EQ(pc.units[3].state, UnitState::kPending);
  EXPECT_EQ(pc.units[3].job, "9");
  const std::string table = FormatRunStatus(report);
  EXPECT_NE(table.find("shard 2/3  failed"), std::string::npos) << table;
  EXPECT_NE(table.find("3 pairs: 1 done, 1 in progress, 1 failed, 0 pending"), std::string::npos)
      << table;
  const json j = json::parse(RunStatusJson(report));
  EXPECT_EQ(j["pairs"][2]["units"][1]["state"], "failed");

  // The concat ran and failed: its error line.
  WriteText(ConcatLogPath(config, "c"),
            "==== t3 featmerge run: concat: job 9 on n1\n"
            "featmerge: Invalid argument: 1 of 3 shards missing: 3/3 (given: shards 1, 2)\n"
            "==== t3 concat finished with code 1\n");
  const RunStatusReport after = CollectRunStatus(config);
  EXPECT_EQ(after.pairs[2].units[3].state, UnitState::kFailed);
  EXPECT_EQ(after.pairs[2].units[3].detail,
            "Invalid argument: 1 of 3 shards missing: 3/3 (given: shards 1, 2)");
}

TEST(SlurmConfig, ShardsAreAnIntegerOrAPerPairTable) {
  const std::string head =
      "[paths]\ninput = \"in/{pair}\"\noutput = \"o/{pair}.parquet\"\n[pairs]\nlist = [\"a\", "
      "\"b\"]\n";
  auto all = ParseRunConfig(head +
                                "[slurm]\nshards = 4\npartition = \"batch\"\ntime = \"2:00:00\"\n"
                                "sbatch_args = [\"--qos=low\"]\n",
                            "p.toml");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->slurm.ShardsFor("a"), 4);
  EXPECT_EQ(all->slurm.partition, "batch");
  EXPECT_EQ(all->slurm.sbatch_args, std::vector<std::string>{"--qos=low"});
  auto per_pair = ParseRunConfig(head + "[slurm]\nshards = { b = 2 }\n", "p.toml");
  ASSERT_TRUE(per_pair.ok()) << per_pair.status().ToString();
  EXPECT_EQ(per_pair->slurm.ShardsFor("a"), 1);
  EXPECT_EQ(per_pair->slurm.ShardsFor("b"), 2);
  auto unknown = ParseRunConfig(head + "[slurm]\nshards = { z = 2 }\n", "p.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'z', which is not in [pairs]"), std::string::npos);
  auto zero = ParseRunConfig(head + "[slurm]\nshards = 0\n", "p.toml");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("p.toml:7: slurm.shards must be between 1"),
            std::string::npos)
      << zero.status().ToString();
}

}  // namespace
}  // namespace featmerge::pipeline

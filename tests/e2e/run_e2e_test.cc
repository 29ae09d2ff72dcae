// End-to-end tests of `featmerge run`: the real binary on inputs written by `featmerge gen`.
// Skip, resume and continue after a failure; --fail-fast; concurrency within the memory budget;
// schema drift; config errors; SIGTERM in the middle of a run, then a byte-identical resume.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "parquet/file_reader.h"
#include "pipeline/config.h"
#include "testing/temp_dir.h"

namespace featmerge {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

class RunE2eTest : public ::testing::Test {
 protected:
  // `featmerge gen` into DIR/in: one directory per pair, with its _COMPLETE marker.
  void Generate(const std::string& pairs, int tables, int rows) {
    std::string out;
    const int code =
        testing::RunCommand(testing::FeatmergeBinary() + " gen " + dir_.Join("in") + " --pairs " +
                                pairs + " --profile bqx --tables " + std::to_string(tables) +
                                " --rows " + std::to_string(rows) + " --seed 1",
                            &out);
    ASSERT_EQ(code, 0) << out;
  }

  // DIR/<name>: paths relative to the config's directory, outputs in DIR/<out>/. A small
  // budget: merge refuses a budget above the memory available, and test machines are shared.
  std::string WriteConfig(const std::string& name, const std::string& pairs,
                          const std::string& extra = "", const std::string& out = "out") {
    const std::string path = dir_.Join(name);
    std::ofstream f(path);
    f << "[paths]\ninput = \"in/{pair}\"\noutput = \"" << out << "/training_{pair}.parquet\"\n"
      << "[merge]\nrequire_marker = \"_COMPLETE\"\nmemory_budget = \"256MiB\"\n"
      << extra << "\n[pairs]\nlist = [" << pairs << "]\n";
    return path;
  }

  int Run(const std::string& config, const std::string& args, std::string* output) {
    return testing::RunCommand(testing::FeatmergeBinary() + " run " + config + " " + args, output);
  }

  json Report(const std::string& out = "out") {
    const std::string text = ReadBytes(dir_.Join(out + "/run-report.json"));
    json j = json::parse(text, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "run-report.json is not JSON: " << text;
    return j;
  }

  static json Pair(const json& report, const std::string& pair) {
    for (const json& p : report["pairs"]) {
      if (p["pair"] == pair) return p;
    }
    ADD_FAILURE() << "no pair " << pair << " in the report";
    return json::object();
  }

  static std::string StatusOf(const json& report, const std::string& pair) {
    return Pair(report, pair).value("status", "?");
  }

  testing::TempDir dir_;
};

TEST_F(RunE2eTest, AllPairsDoneThenTheSecondRunSkipsThemAll) {
  Generate("a,b,c", 8, 3000);
  const std::string config = WriteConfig("pipeline.toml", "\"a\", \"b\", \"c\"");
  std::string out;
  ASSERT_EQ(Run(config, "", &out), 0) << out;
  json report = Report();
  EXPECT_EQ(report["exit_code"], 0);
  EXPECT_EQ(report["check"], "on");
  for (const char* pair : {"a", "b", "c"}) {
    const json p = Pair(report, pair);
    EXPECT_EQ(p["status"], "done") << p.dump();
    EXPECT_EQ(p["rows"], 3000);
    EXPECT_GT(p["columns"].get<int64_t>(), 8);
    EXPECT_GT(p["peak_rss_bytes"].get<uint64_t>(), 0u);
    EXPECT_EQ(p["check"]["state"], "valid") << p.dump();
    EXPECT_TRUE(fs::exists(dir_.Join("out/training_" + std::string(pair) + ".parquet")));
    EXPECT_TRUE(fs::exists(dir_.Join("out/logs/" + std::string(pair) + ".log")));
  }
  EXPECT_TRUE(report["schema"]["consistent"].get<bool>());
  // The final table: a header and one row per pair.
  EXPECT_NE(out.find("pair  status"), std::string::npos) << out;
  EXPECT_NE(out.find("peak RSS"), std::string::npos) << out;
  const std::string before = ReadBytes(dir_.Join("out/training_b.parquet"));

  ASSERT_EQ(Run(config, "", &out), 0) << out;
  report = Report();
  for (const char* pair : {"a", "b", "c"}) EXPECT_EQ(StatusOf(report, pair), "skipped");
  EXPECT_EQ(ReadBytes(dir_.Join("out/training_b.parquet")), before);
  EXPECT_NE(out.find("3 pairs: 3 skipped"), std::string::npos) << out;
}

TEST_F(RunE2eTest, PairWithoutItsMarkerIsNotReadyWhileTheOthersComplete) {
  Generate("a,b,c", 8, 3000);
  fs::remove(dir_.Join("in/b/_COMPLETE"));
  const std::string config = WriteConfig("pipeline.toml", "\"a\", \"b\", \"c\"");
  std::string out;
  EXPECT_EQ(Run(config, "--jobs 2", &out), 2) << out;
  json report = Report();
  EXPECT_EQ(StatusOf(report, "a"), "done");
  EXPECT_EQ(StatusOf(report, "b"), "not ready");
  EXPECT_EQ(StatusOf(report, "c"), "done");
  EXPECT_NE(Pair(report, "b")["error"].get<std::string>().find("_COMPLETE"), std::string::npos);
  EXPECT_NE(out.find("b: not ready"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir_.Join("out/training_b.parquet")));

  // The extraction finishes: the next run does b and skips the others.
  std::ofstream(dir_.Join("in/b/_COMPLETE")).close();
  ASSERT_EQ(Run(config, "--jobs 2", &out), 0) << out;
  report = Report();
  EXPECT_EQ(StatusOf(report, "a"), "skipped");
  EXPECT_EQ(StatusOf(report, "b"), "done");
  EXPECT_EQ(StatusOf(report, "c"), "skipped");
}

TEST_F(RunE2eTest, FailedPairDoesNotStopTheOthers) {
  Generate("a,b,c", 8, 3000);
  // A damaged table: b's merge fails (not "not ready": the inputs are there but broken).
  std::string victim;
  for (const auto& entry : fs::directory_iterator(dir_.Join("in/b"))) {
    const std::string name = entry.path().filename().string();
    if (name != "targets.parquet" && entry.path().extension() == ".parquet")
      victim = entry.path().string();
  }
  ASSERT_FALSE(victim.empty());
  fs::resize_file(victim, fs::file_size(victim) / 2);
  const std::string config = WriteConfig("pipeline.toml", "\"a\", \"b\", \"c\"");
  std::string out;
  EXPECT_EQ(Run(config, "", &out), 2) << out;
  const json report = Report();
  EXPECT_EQ(StatusOf(report, "a"), "done");
  EXPECT_EQ(StatusOf(report, "b"), "failed");
  EXPECT_EQ(StatusOf(report, "c"), "done");
  EXPECT_FALSE(Pair(report, "b")["error"].get<std::string>().empty());
  // The child's own message is in the pair's log.
  EXPECT_NE(ReadBytes(dir_.Join("out/logs/b.log")).find("featmerge: "), std::string::npos);
}

TEST_F(RunE2eTest, FailFastStopsAfterTheFirstFailure) {
  Generate("a,b,c", 8, 3000);
  fs::remove(dir_.Join("in/a/_COMPLETE"));
  const std::string config = WriteConfig("pipeline.toml", "\"a\", \"b\", \"c\"");
  std::string out;
  EXPECT_EQ(Run(config, "--fail-fast --jobs 1", &out), 2) << out;
  const json report = Report();
  EXPECT_TRUE(report["stopped_by_fail_fast"].get<bool>());
  EXPECT_EQ(StatusOf(report, "a"), "not ready");
  EXPECT_EQ(StatusOf(report, "b"), "not run");
  EXPECT_EQ(StatusOf(report, "c"), "not run");
  EXPECT_FALSE(fs::exists(dir_.Join("out/training_b.parquet")));
  EXPECT_FALSE(fs::exists(dir_.Join("out/training_c.parquet")));
}

TEST_F(RunE2eTest, ConcurrentMergesStayWithinTheRunsBudget) {
  Generate("a,b,c,d", 12, 15000);
  const std::string config = WriteConfig("pipeline.toml", "\"a\", \"b\", \"c\", \"d\"");
  std::string out;
  ASSERT_EQ(Run(config, "--jobs 2 --memory-budget 256MiB", &out), 0) << out;
  const json report = Report();
  const uint64_t budget = 256ull << 20;
  EXPECT_EQ(report["jobs"], 2);
  EXPECT_EQ(report["memory_budget"].get<uint64_t>(), budget);
  EXPECT_EQ(report["memory_budget_per_merge"].get<uint64_t>(), budget / 2);
  EXPECT_EQ(report["max_concurrent"], 2) << "two merges should have run at once";
  uint64_t shares = 0;
  for (const char* pair : {"a", "b", "c", "d"}) {
    const json p = Pair(report, pair);
    EXPECT_EQ(p["status"], "done") << p.dump();
    const uint64_t share = p["memory_budget"].get<uint64_t>();
    const uint64_t peak = p["peak_rss_bytes"].get<uint64_t>();
    EXPECT_EQ(share, budget / 2);
    EXPECT_GT(peak, 0u);
    EXPECT_LE(peak, share) << pair << ": peak RSS above its share of the budget";
    // The child was told its share.
    EXPECT_NE(
        ReadBytes(p["log"].get<std::string>()).find("--memory-budget " + std::to_string(share)),
        std::string::npos);
    shares += share;
  }
  EXPECT_LE(shares / 2, budget) << "two concurrent shares exceed the run's budget";
  // The whole run, sampled: the run itself plus its children at the same moment.
  EXPECT_GT(report["peak_rss_sum_bytes"].get<uint64_t>(), 0u);
  EXPECT_LE(report["peak_rss_sum_bytes"].get<uint64_t>(), budget);
}

TEST_F(RunE2eTest, SchemaDriftNamesTheMissingTableAndItsColumns) {
  Generate("a,b,c", 8, 3000);
  // b lost one table (and no expect_tables to catch it): its output lacks the table's columns.
  std::vector<std::string> tables;
  for (const auto& entry : fs::directory_iterator(dir_.Join("in/b"))) {
    const std::string name = entry.path().filename().string();
    if (name != "targets.parquet" && entry.path().extension() == ".parquet") tables.push_back(name);
  }
  std::sort(tables.begin(), tables.end());
  ASSERT_FALSE(tables.empty());
  const std::string table_path = dir_.Join("in/b/" + tables[0]);
  const std::string table = tables[0].substr(0, tables[0].size() - 8);
  std::vector<std::string> columns;
  {
    auto reader = parquet::ParquetFileReader::Open(io::DefaultFileSystem(), table_path);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    for (const auto& c : (*reader)->schema().columns()) {
      if (c.name != "interval_time") columns.push_back(c.name);
    }
  }
  ASSERT_FALSE(columns.empty());
  fs::remove(table_path);

  const std::string config = WriteConfig("pipeline.toml", "\"a\", \"b\", \"c\"");
  std::string out;
  EXPECT_EQ(Run(config, "--jobs 2", &out), 2) << out;
  json report = Report();
  for (const char* pair : {"a", "b", "c"}) EXPECT_EQ(StatusOf(report, pair), "done");
  EXPECT_FALSE(report["schema"]["consistent"].get<bool>());
  EXPECT_EQ(report["schema"]["reference"], "pair a");
  EXPECT_EQ(report["schema"]["drifted_pairs"], 1);
  const json drift = Pair(report, "b")["schema"];
  ASSERT_TRUE(drift["drift"].get<bool>()) << drift.dump();
  ASSERT_EQ(drift["missing_tables"].size(), 1u) << drift.dump();
  EXPECT_EQ(drift["missing_tables"][0]["table"], table);
  EXPECT_EQ(drift["missing_tables"][0]["columns"].get<std::vector<std::string>>(), columns);
  EXPECT_FALSE(Pair(report, "c")["schema"]["drift"].get<bool>());
  EXPECT_NE(out.find("b: missing table '" + table + "'"), std::string::npos) << out;
  // The table lists the first 50 names of a kind (the report has them all).
  for (size_t i = 0; i < columns.size() && i < 50; i++) {
    EXPECT_NE(out.find(columns[i]), std::string::npos) << columns[i];
  }

  // A reference schema given as a file: a's output. b still differs; a and c do not.
  EXPECT_EQ(Run(config, "--schema " + dir_.Join("out/training_a.parquet"), &out), 2) << out;
  report = Report();
  EXPECT_EQ(report["schema"]["reference"], dir_.Join("out/training_a.parquet"));
  EXPECT_EQ(report["schema"]["drifted_pairs"], 1);
  EXPECT_TRUE(Pair(report, "b")["schema"]["drift"].get<bool>());
}

// Starts `featmerge run ... --json` with stdout on a pipe; SIGTERM once a merge is writing.
class Background {
 public:
  explicit Background(const std::vector<std::string>& args) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
  }
  ~Background() {
    if (out_ != nullptr) fclose(out_);
  }
  // The next stdout line, or false at end of output.
  bool NextLine(std::string* line) {
    char* buf = nullptr;
    size_t cap = 0;
    const ssize_t n = getline(&buf, &cap, out_);
    if (n >= 0) line->assign(buf, static_cast<size_t>(n));
    free(buf);
    return n >= 0;
  }
  void Signal(int sig) { kill(pid_, sig); }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

TEST_F(RunE2eTest, SigtermMidRunLeavesPairsResumableAndTheResumeIsByteIdentical) {
  // Large enough that the first pair is still being written when the signal comes (the
  // progress events reach the test through the run, up to half a second late).
  Generate("x,y", 30, 24000);
  const std::string extra = "row_group_rows = 500\n[run]\ncheck = false\n";
  const std::string config = WriteConfig("pipeline.toml", "\"x\", \"y\"", extra);
  Background run({testing::FeatmergeBinary(), "run", config, "--json", "--jobs", "1"});
  std::string line;
  std::string signalled_during;  // the pair being written when SIGTERM was sent
  std::vector<std::string> events;
  while (run.NextLine(&line)) {
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    events.push_back(j.value("event", ""));
    if (signalled_during.empty() && j.value("event", "") == "pair_progress" &&
        j.value("phase", "") == "writing" && j.value("chunks_done", 0) > 0) {
      run.Signal(SIGTERM);
      signalled_during = j.value("pair", "?");
    }
  }
  ASSERT_FALSE(signalled_during.empty())
      << "the run ended before a merge was writing; make the input larger";
  EXPECT_EQ(run.Wait(), 130);
  EXPECT_EQ(events.back(), "summary") << "the run prints what was done";
  json report = Report();
  EXPECT_TRUE(report["interrupted"].get<bool>());
  EXPECT_EQ(report["exit_code"], 130);
  // Normally x is still being written; on a fast machine the signal may come during y.
  const std::string victim = signalled_during;
  EXPECT_EQ(StatusOf(report, victim), "interrupted");
  EXPECT_EQ(StatusOf(report, "y"), victim == "x" ? "not run" : "interrupted");
  if (victim == "y") {
    EXPECT_EQ(StatusOf(report, "x"), "done");
  }
  EXPECT_FALSE(fs::exists(dir_.Join("out/training_" + victim + ".parquet")));
  EXPECT_TRUE(fs::exists(dir_.Join("out/training_" + victim + ".parquet.journal")));

  // Resumed with another --jobs: with row_group_rows set, budget and threads do not change the
  // output, so the journal still matches.
  std::string out;
  ASSERT_EQ(Run(config, "--jobs 2", &out), 0) << out;
  report = Report();
  EXPECT_EQ(StatusOf(report, victim), "done");
  EXPECT_TRUE(Pair(report, victim)["resumed"].get<bool>());
  EXPECT_EQ(StatusOf(report, victim == "x" ? "y" : "x"), victim == "x" ? "done" : "skipped");
  EXPECT_FALSE(fs::exists(dir_.Join("out/training_" + victim + ".parquet.journal")));

  // The same job uninterrupted, into another directory: the same bytes.
  const std::string other = WriteConfig("other.toml", "\"x\", \"y\"", extra, "out2");
  ASSERT_EQ(Run(other, "--jobs 2", &out), 0) << out;
  for (const char* pair : {"x", "y"}) {
    const std::string name = "/training_" + std::string(pair) + ".parquet";
    const std::string resumed = ReadBytes(dir_.Join("out" + name));
    ASSERT_FALSE(resumed.empty());
    EXPECT_TRUE(resumed == ReadBytes(dir_.Join("out2" + name))) << pair << " differs";
  }
}

TEST_F(RunE2eTest, ConfigErrorsAreOneLineWithFileAndLine) {
  auto check = [&](const std::string& config, const std::string& expected_prefix) {
    std::string out;
    EXPECT_EQ(Run(config, "", &out), 1) << out;
    const std::vector<std::string> lines = Lines(out);
    ASSERT_EQ(lines.size(), 1u) << out;
    EXPECT_EQ(lines[0].rfind("featmerge: Invalid argument: " + expected_prefix, 0), 0u) << lines[0];
  };
  const std::string unknown = dir_.Join("unknown.toml");
  std::ofstream(unknown) << "[paths]\ninput = \"in/{pair}\"\noutput = \"o/{pair}.parquet\"\n"
                            "[merge]\ncompresion = \"zstd\"\n[pairs]\nlist = [\"a\"]\n";
  check(unknown, unknown + ":5: unknown key 'compresion' in [merge]");
  const std::string bad = dir_.Join("bad.toml");
  std::ofstream(bad) << "[paths]\ninput = \"in/{pair}\"\noutput = \"o/{pair}.parquet\"\n"
                        "[merge]\nexpect_tables = 'x'\n[pairs]\nlist = [\"a\"]\n";
  check(bad, bad + ":5: merge.expect_tables must be an integer, not a string");
  check(dir_.Join("missing.toml"), dir_.Join("missing.toml") + ": config file not found");
  // A command-line override is checked too.
  std::string out;
  const std::string good = WriteConfig("good.toml", "\"a\"");
  EXPECT_EQ(Run(good, "--compression lzma", &out), 1) << out;
  EXPECT_EQ(Run(good, "--only zz", &out), 1) << out;
  EXPECT_NE(out.find("'zz' is not in the [pairs] list"), std::string::npos) << out;
}

TEST_F(RunE2eTest, OnlyAndCommandLineOverridesReachTheMerge) {
  Generate("a,b", 4, 2000);
  const std::string config =
      WriteConfig("pipeline.toml", "\"a\", \"b\"", "compression = \"zstd\"\n");
  std::string out;
  ASSERT_EQ(Run(config, "--only b --compression snappy --no-check", &out), 0) << out;
  const json report = Report();
  ASSERT_EQ(report["pairs"].size(), 1u);
  EXPECT_EQ(StatusOf(report, "b"), "done");
  EXPECT_EQ(report["check"], "off");
  EXPECT_EQ(Pair(report, "b")["check"]["state"], "not run");
  EXPECT_NE(ReadBytes(dir_.Join("out/logs/b.log")).find("--compression snappy"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_.Join("out/training_a.parquet")));
}

TEST_F(RunE2eTest, InitWritesTheExampleConfigAndNeverOverwrites) {
  const std::string path = dir_.Join("pipeline.toml");
  std::string out;
  ASSERT_EQ(testing::RunCommand(testing::FeatmergeBinary() + " run --init " + path, &out), 0)
      << out;
  auto config = pipeline::LoadRunConfig(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->pairs.size(), 28u);
  EXPECT_EQ(config->pairs, pipeline::ReferencePairs());
  const std::string before = ReadBytes(path);
  EXPECT_EQ(testing::RunCommand(testing::FeatmergeBinary() + " run --init " + path, &out), 1)
      << out;
  EXPECT_NE(out.find("does not overwrite"), std::string::npos) << out;
  EXPECT_EQ(ReadBytes(path), before);
}

}  // namespace
}  // namespace featmerge

// Inputs changed while a merge runs: an input truncated, rewritten in place (same size, new
// bytes) or removed after a few column chunks are committed makes the run fail with an error
// naming that file; nothing appears at the final path and the partial state is discarded (it
// may hold the changed bytes), so the run after the input is restored starts over and ends
// byte-identical to an uninterrupted run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>

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

// Writes `bytes` over `path` in place (same inode, as an editor saving over it would).
void OverwriteInPlace(const std::string& path, const std::string& bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Puts the original bytes and modification time back, as `cp -p` from a backup would.
void Restore(const std::string& path, const std::string& bytes, const struct stat& original) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  const struct timespec times[2] = {original.st_atim, original.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

class InputChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pipeline::GenOptions g;
    g.out_dir = dir_.Join("in");
    g.pairs = {"p"};
    g.tables = 8;
    g.cols = 5;
    g.rows = 4000;
    g.seed = 11;
    g.threads = 2;
    ASSERT_TRUE(pipeline::Generate(g, nullptr).ok());
    auto listing = io::DefaultFileSystem()->ListDir(dir_.Join("in/p"));
    ASSERT_TRUE(listing.ok());
    // The last table in output order: its chunks are still to be read after the third commit.
    for (const std::string& name : *listing) {
      if (name.size() > 8 && name.compare(name.size() - 8, 8, ".parquet") == 0 &&
          name != "targets.parquet") {
        victim_ = dir_.Join("in/p/" + name);
      }
    }
    ASSERT_FALSE(victim_.empty());
    original_ = ReadBytes(victim_);
    ASSERT_EQ(::stat(victim_.c_str(), &original_stat_), 0);
    ref_ = Options("ref.parquet");
    auto ref = RunMerge(ref_, MergeEnv{});
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  }

  MergeOptions Options(const std::string& name) {
    MergeOptions o;
    o.input_dir = dir_.Join("in/p");
    o.output = dir_.Join(name);
    o.check_memory = false;
    o.row_group_rows = 1000;
    o.threads = 2;
    return o;
  }

  // Runs a merge that calls `change` at the third committed chunk; expects it to fail naming
  // the victim and saying `how`, with nothing left beside the output.
  void RunWithChange(const MergeOptions& base, const std::function<void()>& change,
                     const std::string& how) {
    MergeOptions o = base;
    int commits = 0;
    o.test_hook = [&](const char* at) {
      if (std::string(at) == "chunk-committed" && ++commits == 3) change();
    };
    auto r = RunMerge(o, MergeEnv{});
    ASSERT_FALSE(r.ok()) << "the merge did not notice the change";
    EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
    EXPECT_NE(r.status().message().find(victim_), std::string::npos) << r.status().ToString();
    EXPECT_NE(r.status().message().find(how), std::string::npos) << r.status().ToString();
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
    io::FileSystem* fs = io::DefaultFileSystem();
    EXPECT_FALSE(fs->Exists(o.output));
    EXPECT_FALSE(fs->Exists(PartialPath(o.output))) << "a suspect partial output was kept";
    EXPECT_FALSE(fs->Exists(JournalPath(o.output)));
    EXPECT_FALSE(fs->Exists(ManifestPath(o.output)));
  }

  // After the input is back, the same merge starts over and matches the reference run.
  void ExpectRerunIdentical(const MergeOptions& o) {
    auto again = RunMerge(o, MergeEnv{});
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_FALSE(again->resumed);
    EXPECT_EQ(ReadBytes(o.output), ReadBytes(ref_.output));
  }

  testing::TempDir dir_;
  std::string victim_;
  std::string original_;
  struct stat original_stat_ = {};
  MergeOptions ref_;
};

TEST_F(InputChangeTest, TruncatedInputFailsNamingItAndRerunIsByteIdentical) {
  MergeOptions o = Options("truncated.parquet");
  RunWithChange(
      o, [&] { ASSERT_EQ(::truncate(victim_.c_str(), 100), 0); }, "was truncated");
  Restore(victim_, original_, original_stat_);
  ExpectRerunIdentical(o);
}

TEST_F(InputChangeTest, InputRewrittenInPlaceWithSameSizeFailsNamingIt) {
  MergeOptions o = Options("rewritten.parquet");
  RunWithChange(
      o,
      [&] {
        // Same size, same footer; the page bytes between the magic and the footer change.
        std::string changed = original_;
        for (size_t i = 4; i < changed.size() / 2; i++)
          changed[i] = static_cast<char>(changed[i] ^ 0x5A);
        OverwriteInPlace(victim_, changed);
      },
      "was rewritten");
  Restore(victim_, original_, original_stat_);
  ExpectRerunIdentical(o);
}

TEST_F(InputChangeTest, RemovedInputFailsNamingIt) {
  MergeOptions o = Options("removed.parquet");
  RunWithChange(
      o, [&] { ASSERT_EQ(::unlink(victim_.c_str()), 0); }, "was removed");
  Restore(victim_, original_, original_stat_);
  ExpectRerunIdentical(o);
}

TEST_F(InputChangeTest, InputChangedBeforeAlignmentIsRefusedByTheReaders) {
  MergeOptions o = Options("before_align.parquet");
  o.test_hook = [&](const char* at) {
    if (std::string(at) == "aligning") {
      ASSERT_EQ(::truncate(victim_.c_str(), static_cast<off_t>(original_.size() - 9)), 0);
    }
  };
  auto r = RunMerge(o, MergeEnv{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(victim_), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("while the merge ran"), std::string::npos)
      << r.status().ToString();
  EXPECT_FALSE(io::DefaultFileSystem()->Exists(o.output));
  Restore(victim_, original_, original_stat_);
  o.test_hook = nullptr;
  ExpectRerunIdentical(o);
}

}  // namespace
}  // namespace featmerge::merge

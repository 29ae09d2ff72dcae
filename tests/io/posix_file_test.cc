// The POSIX files under real failures: a write past RLIMIT_FSIZE fails with EFBIG naming the
// file, and the error is sticky, so a later Sync cannot report lost bytes as durable; a read
// past the end fails before any buffer is sized by its length.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include "io/file.h"
#include "testing/temp_dir.h"

namespace featmerge::io {
namespace {

// Lowers this process's file-size limit for the scope (featmerge's main ignores SIGXFSZ too).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    struct rlimit lower = {bytes, saved_.rlim_max};
    ok_ = ::setrlimit(RLIMIT_FSIZE, &lower) == 0;
  }
  ~FileSizeLimit() { ::setrlimit(RLIMIT_FSIZE, &saved_); }
  bool ok() const { return ok_; }

 private:
  struct rlimit saved_ = {};
  bool ok_ = false;
};

TEST(PosixAppendFile, WritePastTheFileSizeLimitFailsAndTheErrorIsSticky) {
  testing::TempDir dir;
  const std::string path = dir.Join("big.bin");
  auto file = DefaultFileSystem()->CreateForAppend(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const ByteBuffer data(3000, 0x42);
  Status first, second, sync;
  {
    FileSizeLimit limit(1000);
    ASSERT_TRUE(limit.ok());
    ASSERT_TRUE((*file)->Append(data).ok());  // buffered
    first = (*file)->Flush();
    second = (*file)->Append(data);
    sync = (*file)->Sync();
  }
  EXPECT_TRUE(first.IsResourceExhausted()) << first.ToString();
  EXPECT_NE(first.message().find(path), std::string::npos) << first.ToString();
  EXPECT_NE(first.message().find("File too large"), std::string::npos) << first.ToString();
  // The limit is gone now, yet nothing more may be reported written or durable.
  EXPECT_FALSE(second.ok());
  EXPECT_FALSE(sync.ok()) << "Sync reported bytes that never reached the file as durable";
  EXPECT_FALSE((*file)->Sync().ok());
  auto info = DefaultFileSystem()->Stat(path);
  ASSERT_TRUE(info.ok());
  EXPECT_LE(info->size, 1000u);
}

TEST(PosixAppendFile, AppendsWithinTheLimitSucceed) {
  testing::TempDir dir;
  auto file = DefaultFileSystem()->CreateForAppend(dir.Join("small.bin"));
  ASSERT_TRUE(file.ok());
  FileSizeLimit limit(1 << 20);
  ASSERT_TRUE(limit.ok());
  EXPECT_TRUE((*file)->Append(ByteBuffer(1000, 1)).ok());
  EXPECT_TRUE((*file)->Sync().ok());
  EXPECT_TRUE((*file)->Close().ok());
}

TEST(PosixRandomAccessFile, ReadPastTheEndFailsBeforeSizingTheBuffer) {
  testing::TempDir dir;
  const std::string path = dir.Join("small.bin");
  {
    auto file = DefaultFileSystem()->CreateForAppend(path);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(ByteBuffer(100, 7)).ok());
    ASSERT_TRUE((*file)->Close().ok());
  }
  auto file = DefaultFileSystem()->OpenForRead(path);
  ASSERT_TRUE(file.ok());
  ByteBuffer out;
  // A length taken from a damaged footer: 1 TiB must not be allocated to learn it is too long.
  Status s = (*file)->ReadAt(10, uint64_t{1} << 40, &out);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find(path), std::string::npos);
  EXPECT_EQ(out.capacity(), 0u);
  EXPECT_TRUE((*file)->ReadAt(90, 10, &out).ok());
  EXPECT_FALSE((*file)->ReadAt(91, 10, &out).ok());
}

}  // namespace
}  // namespace featmerge::io

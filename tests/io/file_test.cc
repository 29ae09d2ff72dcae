// WriteFileAtomic: the file appears whole or not at all, and temp files that writers killed
// before their rename left behind are cleaned up by the next write (kill -9 leaves no litter).
#include "io/file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "testing/temp_dir.h"

namespace featmerge::io {
namespace {

pid_t DeadPid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

TEST(WriteFileAtomic, RemovesTempFilesOfDeadWritersOnly) {
  testing::TempDir dir;
  const std::string path = dir.Join("out.manifest.json");
  const std::string dead_pid = std::to_string(DeadPid());
  const std::string dead = path + ".tmp." + dead_pid;
  const std::string alive = path + ".tmp." + std::to_string(::getppid());
  const std::string other = dir.Join("other.json.tmp." + dead_pid);
  for (const std::string& p : {dead, alive, other}) std::ofstream(p) << "half written";
  const std::string text = "{\"ok\":true}\n";
  ASSERT_TRUE(WriteFileAtomic(DefaultFileSystem(), path,
                              ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()))
                  .ok());
  auto read = ReadWholeFile(DefaultFileSystem(), path, 1 << 20);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, text);
  EXPECT_FALSE(DefaultFileSystem()->Exists(dead)) << "a dead writer's temp file was left";
  EXPECT_TRUE(DefaultFileSystem()->Exists(alive)) << "a live writer's temp file was removed";
  EXPECT_TRUE(DefaultFileSystem()->Exists(other)) << "another file's temp was touched";
  auto names = DefaultFileSystem()->ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->size(), 3u);
}

}  // namespace
}  // namespace featmerge::io

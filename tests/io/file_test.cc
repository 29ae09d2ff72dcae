// WriteFileAtomic: the file appears whole or not at all, and temp files that writers killed
// before their rename left behind are cleaned up by the next write (kill -9 leaves no litter).
#include "io/file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

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

// A writer killed while its parent is gone too stays a zombie until some init reaps it: it
// holds no file and writes nothing, so its temp files are litter as well.
TEST(WriteFileAtomic, TempFilesOfZombieWritersAreRemoved) {
  testing::TempDir dir;
  const std::string path = dir.Join("out.manifest.json");
  const pid_t zombie = ::fork();
  if (zombie == 0) ::_exit(0);
  // Not reaped yet: wait until it has exited (its /proc state turns to Z).
  for (int i = 0; i < 500; i++) {
    std::ifstream stat("/proc/" + std::to_string(zombie) + "/stat");
    std::string line;
    std::getline(stat, line);
    if (line.find(") Z") != std::string::npos) break;
    ::usleep(10000);
  }
  const std::string left = path + ".tmp." + std::to_string(zombie);
  std::ofstream(left) << "half written";
  const std::string text = "{}\n";
  ASSERT_TRUE(WriteFileAtomic(DefaultFileSystem(), path,
                              ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()))
                  .ok());
  EXPECT_FALSE(DefaultFileSystem()->Exists(left)) << "a zombie writer's temp file was left";
  int status = 0;
  ::waitpid(zombie, &status, 0);
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

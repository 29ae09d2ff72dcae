#include "testing/temp_dir.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace featmerge::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base != nullptr ? base : "/tmp") + "/featmerge-test-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) std::abort();
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string InteropDir() {
  if (const char* dir = std::getenv("FEATMERGE_INTEROP_DIR")) return dir;
  const char* src = std::getenv("FEATMERGE_SOURCE_DIR");
  std::string root = src != nullptr ? src : ".";
  return root + "/../shared/interop";
}

std::string FeatmergeBinary() {
  const char* bin = std::getenv("FEATMERGE_BIN");
  return bin != nullptr ? bin : "featmerge";
}

int RunCommand(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output->append(buf, n);
  int status = pclose(pipe);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace featmerge::testing

// TempDir: a fresh directory under $TMPDIR for one test, removed with its contents on
// destruction. Thread-safety: none.
#pragma once

#include <string>

namespace featmerge::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Path of ../shared/interop relative to the source tree (FEATMERGE_SOURCE_DIR), or the
// FEATMERGE_INTEROP_DIR environment variable when set.
std::string InteropDir();
// $FEATMERGE_BIN: the featmerge binary under test.
std::string FeatmergeBinary();
// Runs a shell command, captures stdout+stderr into *output; returns the exit code.
int RunCommand(const std::string& command, std::string* output);

}  // namespace featmerge::testing

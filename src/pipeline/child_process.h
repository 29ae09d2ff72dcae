// ChildProcess: another program (for `featmerge run`: featmerge itself) started with its stdout
// on a pipe the parent reads without blocking, its stderr appended to a log file, in its own
// process group (a terminal's Ctrl-C reaches only the parent, which forwards one SIGTERM), and
// killed by the kernel if the parent dies. Waited for with its resource usage (peak RSS).
// Process management is OS access that src/io/ does not offer yet; it lives here, behind this
// small interface, until it moves there.
// Thread-safety: a ChildProcess is used by one thread; Spawn forks, so call it from a process
// whose other threads hold no locks the child needs (the child only calls exec).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace featmerge::pipeline {

struct ChildOptions {
  std::vector<std::string> argv;  // argv[0]: the program's path
  std::string stderr_path;        // appended to (created if missing); "" = /dev/null
  bool capture_stdout = true;     // false: stdout goes to /dev/null
};

class ChildProcess {
 public:
  // Starts the child. IOError when the log cannot be opened or fork/pipe fail; an exec failure
  // shows as exit code 127 with a line in the log.
  static Result<std::unique_ptr<ChildProcess>> Spawn(const ChildOptions& options);
  // A child still running is killed (SIGKILL) and reaped.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const { return pid_; }
  // The pipe's read end while open (for poll()), -1 after end of file or without capture.
  int stdout_fd() const { return stdout_fd_; }
  // Appends every complete line now readable on stdout to *lines (without the newline);
  // at end of file a last unterminated line too. Never blocks.
  void ReadLines(std::vector<std::string>* lines);
  // True once the child has exited (non-blocking); the exit fields are then set.
  bool CheckExited();
  void Signal(int signal_number);

  bool exited() const { return exited_; }
  // The exit code, or 128 + N when killed by signal N.
  int exit_code() const { return exit_code_; }
  int term_signal() const { return term_signal_; }  // 0 unless killed by a signal
  uint64_t peak_rss() const { return peak_rss_; }   // wait4's ru_maxrss, in bytes
  // Resident memory now (/proc/<pid>/statm), 0 when unknown or exited.
  uint64_t CurrentRss() const;
  double elapsed_seconds() const;

 private:
  ChildProcess() = default;
  void CloseStdout();

  int pid_ = -1;
  int stdout_fd_ = -1;
  std::string partial_line_;
  bool exited_ = false;
  int exit_code_ = -1;
  int term_signal_ = 0;
  uint64_t peak_rss_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point ended_;
};

// The path of the running executable (readlink /proc/self/exe), or "featmerge" if unknown.
std::string SelfExecutablePath();

// Appends `text` to `path` with O_APPEND, so lines of the parent and of a child writing the same
// log do not overwrite each other.
Status AppendToFile(const std::string& path, const std::string& text);

}  // namespace featmerge::pipeline

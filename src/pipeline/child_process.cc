#include "pipeline/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace featmerge::pipeline {
namespace {

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(const ChildOptions& options) {
  if (options.argv.empty()) return Status::InvalidArgument("ChildProcess: empty argv");
  const std::string err_path = options.stderr_path.empty() ? "/dev/null" : options.stderr_path;
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (err_fd < 0) return Errno("cannot open log file '" + err_path + "'");
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) {
    ::close(err_fd);
    return Errno("cannot open /dev/null");
  }
  int pipe_fds[2] = {-1, -1};
  if (options.capture_stdout && ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ::close(err_fd);
    ::close(null_fd);
    return Errno("cannot create a pipe");
  }
  // Everything the child needs is prepared before fork: between fork and exec it may only
  // make async-signal-safe calls.
  std::vector<char*> argv;
  for (const std::string& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const std::string exec_failed =
      "featmerge: Internal error: cannot execute " + options.argv[0] + "\n";
  const pid_t parent = ::getpid();

  auto child = std::unique_ptr<ChildProcess>(new ChildProcess());
  child->started_ = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const Status s = Errno("cannot fork");
    ::close(err_fd);
    ::close(null_fd);
    if (pipe_fds[0] >= 0) {
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
    }
    return s;
  }
  if (pid == 0) {
    // Own process group: a terminal's SIGINT goes to the parent only, which forwards exactly
    // one SIGTERM (a second signal would make merge exit at once instead of cleanly).
    ::setpgid(0, 0);
    // The parent's death (even SIGKILL) stops the child cleanly instead of orphaning it.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(130);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(options.capture_stdout ? pipe_fds[1] : null_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    WriteAll(STDERR_FILENO, exec_failed.data(), exec_failed.size());
    ::_exit(127);
  }
  child->pid_ = pid;
  ::close(err_fd);
  ::close(null_fd);
  if (options.capture_stdout) {
    ::close(pipe_fds[1]);
    child->stdout_fd_ = pipe_fds[0];
    ::fcntl(child->stdout_fd_, F_SETFL, ::fcntl(child->stdout_fd_, F_GETFL) | O_NONBLOCK);
  }
  return child;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  CloseStdout();
}

void ChildProcess::CloseStdout() {
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
}

void ChildProcess::ReadLines(std::vector<std::string>* lines) {
  char buf[16384];
  while (stdout_fd_ >= 0) {
    const ssize_t n = ::read(stdout_fd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      CloseStdout();  // a read error ends the stream like end of file
    } else if (n == 0) {
      CloseStdout();
    } else {
      partial_line_.append(buf, static_cast<size_t>(n));
    }
    size_t start = 0;
    for (size_t nl; (nl = partial_line_.find('\n', start)) != std::string::npos; start = nl + 1) {
      lines->push_back(partial_line_.substr(start, nl - start));
    }
    partial_line_.erase(0, start);
  }
  if (stdout_fd_ < 0 && !partial_line_.empty()) {
    lines->push_back(partial_line_);
    partial_line_.clear();
  }
}

bool ChildProcess::CheckExited() {
  if (exited_) return true;
  int status = 0;
  struct rusage usage = {};
  const pid_t r = ::wait4(pid_, &status, WNOHANG, &usage);
  if (r == 0 || (r < 0 && errno == EINTR)) return false;
  exited_ = true;
  ended_ = std::chrono::steady_clock::now();
  if (r < 0) {  // cannot happen for our own child; treat as lost
    exit_code_ = 128;
    return true;
  }
  if (WIFEXITED(status)) {
    exit_code_ = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    term_signal_ = WTERMSIG(status);
    exit_code_ = 128 + term_signal_;
  }
  // ru_maxrss is in KiB on Linux. It is the child's own high-water mark; it starts from what
  // fork copied of the parent (a few MB here), so it errs on the high side.
  peak_rss_ = static_cast<uint64_t>(usage.ru_maxrss) * 1024;
  return true;
}

void ChildProcess::Signal(int signal_number) {
  if (pid_ > 0 && !exited_) ::kill(pid_, signal_number);
}

uint64_t ChildProcess::CurrentRss() const {
  if (pid_ <= 0 || exited_) return 0;
  std::ifstream statm("/proc/" + std::to_string(pid_) + "/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

double ChildProcess::elapsed_seconds() const {
  const auto end = exited_ ? ended_ : std::chrono::steady_clock::now();
  return std::chrono::duration<double>(end - started_).count();
}

std::string SelfExecutablePath() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "featmerge";
}

Status AppendToFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot open '" + path + "'");
  WriteAll(fd, text.data(), text.size());
  ::close(fd);
  return Status::OK();
}

}  // namespace featmerge::pipeline

#include "cli/signals.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

namespace featmerge::cli {
namespace {
std::atomic<bool> g_interrupt{false};
std::atomic<int64_t> g_first_signal_ns{0};
// A second signal this soon after the first is the same request: Slurm's scancel signals every
// process of a job, and `featmerge run` forwards its own signal to its merge child as well.
constexpr int64_t kSameRequestNs = 2'000'000'000;

int64_t MonotonicNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);  // async-signal-safe
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void Handle(int sig) {
  const int64_t now = MonotonicNs();
  if (!g_interrupt.exchange(true)) {
    g_first_signal_ns.store(now);
    return;
  }
  if (now - g_first_signal_ns.load() < kSameRequestNs) return;
  // A later second signal: the user insists. The journal keeps the run resumable anyway.
  _exit(128 + sig);
}
}  // namespace

void InstallSignalHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = Handle;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

const std::atomic<bool>* InterruptFlag() { return &g_interrupt; }

}  // namespace featmerge::cli

#include "cli/signals.h"

#include <signal.h>
#include <unistd.h>

namespace featmerge::cli {
namespace {
std::atomic<bool> g_interrupt{false};

void Handle(int sig) {
  if (g_interrupt.exchange(true)) {
    // Second signal: the user insists. The journal keeps the run resumable anyway.
    _exit(128 + sig);
  }
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

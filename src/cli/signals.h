// SIGINT/SIGTERM handling: the first signal asks the run to stop cleanly (state kept for
// resume); a second one exits at once. Thread-safety: the flag is an atomic.
#pragma once

#include <atomic>

namespace featmerge::cli {

void InstallSignalHandlers();
const std::atomic<bool>* InterruptFlag();

}  // namespace featmerge::cli

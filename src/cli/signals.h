// SIGINT/SIGTERM handling: the first signal asks the run to stop cleanly (state kept for
// resume); a second one more than 2 s later exits at once (sooner, it is the same request).
// Thread-safety: the flag is an atomic.
#pragma once

#include <atomic>

namespace featmerge::cli {

void InstallSignalHandlers();
const std::atomic<bool>* InterruptFlag();

}  // namespace featmerge::cli

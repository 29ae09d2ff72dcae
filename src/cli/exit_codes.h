// Exit codes of the featmerge executable, and the mapping from Status codes to them.
#pragma once

#include "base/status.h"

namespace featmerge::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;     // bad command line or configuration
inline constexpr int kExitBadInput = 2;  // bad, unsupported or missing input; failed checks
inline constexpr int kExitResource = 3;  // memory budget, disk space
inline constexpr int kExitInterrupted = 130;  // SIGINT/SIGTERM: state kept, resumable

int ExitCodeFor(const Status& status);
// Prints "featmerge: <message>" on stderr (one line) and returns ExitCodeFor(status).
int ReportError(const Status& status);

}  // namespace featmerge::cli

// Minimal leveled logging to stderr (or a file), timestamped. Thread-safety: Log() is
// thread-safe (one write per line).
#pragma once

#include <cstdio>
#include <string_view>

namespace featmerge {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kQuiet = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Also copy every line to `file` (borrowed; nullptr to stop). Used for per-pair log files.
void SetLogFile(std::FILE* file);
void Log(LogLevel level, std::string_view message);

#define FM_DCHECK(cond)                                                         \
  do {                                                                          \
    if (!(cond)) ::featmerge::internal::DcheckFailed(#cond, __FILE__, __LINE__); \
  } while (0)

namespace internal {
[[noreturn]] void DcheckFailed(const char* cond, const char* file, int line);
}  // namespace internal

}  // namespace featmerge

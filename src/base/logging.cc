#include "base/logging.h"

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>

namespace featmerge {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mutex;
std::FILE* g_file = nullptr;
}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load()); }
void SetLogFile(std::FILE* file) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_file = file;
}

void Log(LogLevel level, std::string_view message) {
  bool to_stderr = static_cast<int>(level) >= g_level.load();
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!to_stderr && g_file == nullptr) return;
  std::time_t now = std::time(nullptr);
  std::tm tm_buf;
  localtime_r(&now, &tm_buf);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm_buf);
  static const char* kNames[] = {"debug", "info", "warning", "error", ""};
  std::string line = std::string(stamp) + " " + kNames[static_cast<int>(level)] + ": ";
  line.append(message);
  line.push_back('\n');
  if (to_stderr) std::fwrite(line.data(), 1, line.size(), stderr);
  if (g_file != nullptr) {
    std::fwrite(line.data(), 1, line.size(), g_file);
    std::fflush(g_file);
  }
}

namespace internal {
void DcheckFailed(const char* cond, const char* file, int line) {
  std::fprintf(stderr, "featmerge: internal check failed: %s at %s:%d\n", cond, file, line);
  std::abort();
}
}  // namespace internal

}  // namespace featmerge

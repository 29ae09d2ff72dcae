#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "base/units.h"

namespace featmerge::cli {

std::string FormatRate(double bytes_per_second) {
  return FormatBytes(static_cast<uint64_t>(bytes_per_second)) + "/s";
}

MergeProgress::MergeProgress(ProgressMode mode, std::string label)
    : mode_(mode), label_(std::move(label)), tty_(isatty(STDERR_FILENO) != 0) {}

MergeProgress::~MergeProgress() { Clear(); }

void MergeProgress::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  if (line_shown_) {
    std::fputs("\r\033[K", stderr);
    line_shown_ = false;
  }
}

void MergeProgress::OnPlan(const merge::MergePlan&) {}

void MergeProgress::OnProgress(const merge::ProgressSnapshot& s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (mode_ == ProgressMode::kQuiet) return;
  const double frac = s.chunks_total > 0 ? static_cast<double>(s.chunks_done) / static_cast<double>(s.chunks_total) : 0;
  const double rate = s.elapsed_seconds > 0 ? static_cast<double>(s.bytes_written) / s.elapsed_seconds : 0;
  std::string eta;
  if (frac > 0.01 && frac < 1) eta = FormatSeconds(s.elapsed_seconds * (1 - frac) / frac);
  if (mode_ == ProgressMode::kJson) {
    nlohmann::json j = {{"event", "progress"}, {"label", label_}, {"phase", s.phase},
                        {"chunks_done", s.chunks_done}, {"chunks_total", s.chunks_total},
                        {"bytes_read", s.bytes_read}, {"bytes_written", s.bytes_written},
                        {"rss", s.rss}, {"elapsed", s.elapsed_seconds}};
    std::string line = j.dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    return;
  }
  const int64_t cols_done = s.columns_total > 0 && s.chunks_total > 0
                                ? s.chunks_done % std::max<int64_t>(1, s.columns_total) : 0;
  (void)cols_done;
  if (tty_) {
    const int width = 24;
    int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    std::string line = fmt::format("\r\033[K{}{} [{}] {:5.1f}%  chunks {}/{}  read {}  written {}  {}  rss {}{}",
                                   label_.empty() ? "" : label_ + " ", s.phase, bar, frac * 100,
                                   s.chunks_done, s.chunks_total, FormatBytes(s.bytes_read),
                                   FormatBytes(s.bytes_written), FormatRate(rate), FormatBytes(s.rss),
                                   eta.empty() ? "" : "  eta " + eta);
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    line_shown_ = true;
    return;
  }
  // Not a terminal: a log line every 5 seconds and at each phase change.
  if (s.phase == last_phase_ && s.elapsed_seconds - last_log_ < 5) return;
  last_phase_ = s.phase;
  last_log_ = s.elapsed_seconds;
  std::fprintf(stderr, "featmerge: %s%s: %.1f%% (%lld/%lld chunks), read %s, written %s, %s, rss %s%s\n",
               label_.empty() ? "" : (label_ + " ").c_str(), s.phase.c_str(), frac * 100,
               static_cast<long long>(s.chunks_done), static_cast<long long>(s.chunks_total),
               FormatBytes(s.bytes_read).c_str(), FormatBytes(s.bytes_written).c_str(),
               FormatRate(rate).c_str(), FormatBytes(s.rss).c_str(), eta.empty() ? "" : (", eta " + eta).c_str());
}

}  // namespace featmerge::cli

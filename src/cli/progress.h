// Progress display for merges: a live one-line bar on a TTY, a log line every few seconds
// otherwise, JSON lines with --json, nothing with --quiet. Thread-safety: OnProgress may be
// called from the reporter thread; output is serialized.
#pragma once

#include <mutex>
#include <string>

#include "merge/merge.h"

namespace featmerge::cli {

enum class ProgressMode { kAuto, kQuiet, kJson };

class MergeProgress : public merge::MergeObserver {
 public:
  MergeProgress(ProgressMode mode, std::string label);
  ~MergeProgress() override;
  void OnPlan(const merge::MergePlan& plan) override;
  void OnProgress(const merge::ProgressSnapshot& snap) override;
  void Clear();  // erase the live line before printing other output

 private:
  ProgressMode mode_;
  std::string label_;
  bool tty_;
  bool line_shown_ = false;
  double last_log_ = -1e9;
  std::string last_phase_;
  std::mutex mu_;
};

// "12.3 MB/s"-style rate and ETA helpers.
std::string FormatRate(double bytes_per_second);

}  // namespace featmerge::cli

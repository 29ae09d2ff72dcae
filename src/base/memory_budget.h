// MemoryBudget: accounts the large allocations of a run against a limit, reporting current and
// peak bytes. Thread-safety: all methods are thread-safe (atomics).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace featmerge {

class MemoryBudget {
 public:
  // limit_bytes == 0 means unlimited (accounting only).
  explicit MemoryBudget(uint64_t limit_bytes = 0) : limit_(limit_bytes) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Charges `bytes`; fails with ResourceExhausted (naming `what`) when the limit would be passed.
  Status Reserve(uint64_t bytes, const char* what);
  // Charges without a limit check (for memory that must exist, e.g. already allocated).
  void ForceReserve(uint64_t bytes);
  void Release(uint64_t bytes);

  uint64_t limit() const { return limit_; }
  uint64_t current() const { return current_.load(std::memory_order_relaxed); }
  uint64_t peak() const { return peak_.load(std::memory_order_relaxed); }

 private:
  void UpdatePeak(uint64_t now);

  const uint64_t limit_;
  std::atomic<uint64_t> current_{0};
  std::atomic<uint64_t> peak_{0};
};

// RAII charge against a budget; movable, releases on destruction.
class MemoryReservation {
 public:
  MemoryReservation() = default;
  MemoryReservation(MemoryBudget* budget, uint64_t bytes) : budget_(budget), bytes_(bytes) {}
  MemoryReservation(MemoryReservation&& o) noexcept : budget_(o.budget_), bytes_(o.bytes_) {
    o.bytes_ = 0;
  }
  MemoryReservation& operator=(MemoryReservation&& o) noexcept;
  MemoryReservation(const MemoryReservation&) = delete;
  MemoryReservation& operator=(const MemoryReservation&) = delete;
  ~MemoryReservation() { Reset(); }

  void Reset();
  uint64_t bytes() const { return bytes_; }

 private:
  MemoryBudget* budget_ = nullptr;  // borrowed; must outlive the reservation
  uint64_t bytes_ = 0;
};

}  // namespace featmerge

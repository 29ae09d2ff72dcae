#include "base/memory_budget.h"

#include "base/units.h"

namespace featmerge {

Status MemoryBudget::Reserve(uint64_t bytes, const char* what) {
  uint64_t now = current_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (limit_ != 0 && now > limit_) {
    current_.fetch_sub(bytes, std::memory_order_relaxed);
    return Status::ResourceExhausted("memory budget of " + FormatBytes(limit_) + " exceeded: " +
                                     what + " needs " + FormatBytes(bytes) + " more with " +
                                     FormatBytes(now - bytes) + " in use");
  }
  UpdatePeak(now);
  return Status::OK();
}

void MemoryBudget::ForceReserve(uint64_t bytes) {
  UpdatePeak(current_.fetch_add(bytes, std::memory_order_relaxed) + bytes);
}

void MemoryBudget::Release(uint64_t bytes) { current_.fetch_sub(bytes, std::memory_order_relaxed); }

void MemoryBudget::UpdatePeak(uint64_t now) {
  uint64_t prev = peak_.load(std::memory_order_relaxed);
  while (now > prev && !peak_.compare_exchange_weak(prev, now, std::memory_order_relaxed)) {
  }
}

MemoryReservation& MemoryReservation::operator=(MemoryReservation&& o) noexcept {
  if (this != &o) {
    Reset();
    budget_ = o.budget_;
    bytes_ = o.bytes_;
    o.bytes_ = 0;
  }
  return *this;
}

void MemoryReservation::Reset() {
  if (budget_ != nullptr && bytes_ != 0) budget_->Release(bytes_);
  bytes_ = 0;
}

}  // namespace featmerge

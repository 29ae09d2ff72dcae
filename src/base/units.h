// Parsing and printing of sizes ("1GiB", "512MB") and durations ("90s", "1h", "15m").
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace featmerge {

// Accepts a plain byte count or a number with a unit: B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB
// (decimal units for KB/MB/GB/TB, binary for K/M/G/T and *iB). Case-insensitive.
Result<uint64_t> ParseSize(std::string_view text);
// "1.5 GiB", "512 MiB", "12 B".
std::string FormatBytes(uint64_t bytes);

// Accepts "<n><unit>" with unit ns, us, ms, s, m, h, d, w (or combinations like "1h30m");
// returns nanoseconds.
Result<int64_t> ParseDuration(std::string_view text);
// "1.2 s", "3 min 20 s", "2 h 05 min".
std::string FormatSeconds(double seconds);

}  // namespace featmerge

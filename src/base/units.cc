#include "base/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

namespace featmerge {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Parses a non-negative decimal number at the start of `s`; returns chars consumed or 0.
size_t ParseNumber(std::string_view s, double* out) {
  size_t i = 0;
  bool digits = false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) i++, digits = true;
  if (i < s.size() && s[i] == '.') {
    i++;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) i++, digits = true;
  }
  if (!digits) return 0;
  *out = std::strtod(std::string(s.substr(0, i)).c_str(), nullptr);
  return i;
}

}  // namespace

Result<uint64_t> ParseSize(std::string_view text) {
  std::string s = Lower(text);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) start++;
  double number = 0;
  size_t used = ParseNumber(std::string_view(s).substr(start), &number);
  if (used == 0) return Status::InvalidArgument("invalid size '" + std::string(text) +
                                                "': expected a number with an optional unit "
                                                "such as 512MiB, 4GiB or 1000000");
  std::string unit = s.substr(start + used);
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  double mult = 0;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kib") mult = 1024.0;
  else if (unit == "kb") mult = 1e3;
  else if (unit == "m" || unit == "mib") mult = 1024.0 * 1024;
  else if (unit == "mb") mult = 1e6;
  else if (unit == "g" || unit == "gib") mult = 1024.0 * 1024 * 1024;
  else if (unit == "gb") mult = 1e9;
  else if (unit == "t" || unit == "tib") mult = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "tb") mult = 1e12;
  else
    return Status::InvalidArgument("invalid size '" + std::string(text) + "': unknown unit '" +
                                   unit + "' (use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)");
  double bytes = number * mult;
  if (!(bytes < 1.8e19)) return Status::InvalidArgument("size '" + std::string(text) + "' is too large");
  return static_cast<uint64_t>(std::llround(bytes));
}

std::string FormatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024.0 && unit < 5) v /= 1024.0, unit++;
  char buf[32];
  if (unit == 0) std::snprintf(buf, sizeof(buf), "%llu B", static_cast<unsigned long long>(bytes));
  else std::snprintf(buf, sizeof(buf), v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v,
                     kUnits[unit]);
  return buf;
}

Result<int64_t> ParseDuration(std::string_view text) {
  std::string s = Lower(text);
  if (s.empty()) return Status::InvalidArgument("empty duration");
  size_t i = 0;
  double total = 0;
  while (i < s.size()) {
    double number = 0;
    size_t used = ParseNumber(std::string_view(s).substr(i), &number);
    if (used == 0) break;
    i += used;
    size_t u = i;
    while (u < s.size() && std::isalpha(static_cast<unsigned char>(s[u]))) u++;
    std::string unit = s.substr(i, u - i);
    i = u;
    double mult = 0;
    if (unit == "ns") mult = 1;
    else if (unit == "us") mult = 1e3;
    else if (unit == "ms") mult = 1e6;
    else if (unit == "s" || unit == "sec") mult = 1e9;
    else if (unit == "m" || unit == "min") mult = 60e9;
    else if (unit == "h") mult = 3600e9;
    else if (unit == "d") mult = 86400e9;
    else if (unit == "w") mult = 7 * 86400e9;
    else
      return Status::InvalidArgument("invalid duration '" + std::string(text) +
                                     "': units are ns, us, ms, s, m, h, d, w (e.g. 90s, 1h30m)");
    total += number * mult;
  }
  if (i != s.size() || total > 9.2e18)
    return Status::InvalidArgument("invalid duration '" + std::string(text) +
                                   "': expected e.g. 90s, 15m, 1h30m, 2d");
  return static_cast<int64_t>(std::llround(total));
}

std::string FormatSeconds(double seconds) {
  char buf[48];
  if (seconds < 60) {
    std::snprintf(buf, sizeof(buf), "%.1f s", seconds);
  } else if (seconds < 3600) {
    int s = static_cast<int>(seconds);
    std::snprintf(buf, sizeof(buf), "%d min %02d s", s / 60, s % 60);
  } else {
    int s = static_cast<int>(seconds);
    std::snprintf(buf, sizeof(buf), "%d h %02d min", s / 3600, (s % 3600) / 60);
  }
  return buf;
}

}  // namespace featmerge
